"""Which stored values convert to a field's new type (no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.form_engine import spec as s
from jimu.form_engine.convert import archive_key, convert_value, refusal
from jimu.form_engine.values import Invalid

OPTIONS = [{"key": "won", "label": {"en": "Won"}}, {"key": "lost", "label": {"en": "Lost"}}]


def field(type_: str, **props: Any) -> Any:
    data = {"key": "v", "type": type_, "label": {"en": "V"}, **props}
    return s.FormSpec.model_validate({"key": "f", "name": {"en": "F"}, "fields": [data]}).fields[0]


@pytest.mark.parametrize(
    ("value", "new", "expected"),
    [
        ("12", field("number"), Decimal("12")),
        (" 3.5 ", field("number"), Decimal("3.5")),
        ("", field("number"), None),
        (None, field("date"), None),
        (Decimal("12.50"), field("text"), "12.50"),
        (Decimal("4.00"), field("rating"), 4),
        ("3", field("rating"), 3),
        (Decimal("0.125"), field("percent", decimals=1), Decimal("0.125")),
        ("2024-03-01", field("date"), date(2024, 3, 1)),
        (date(2024, 3, 1), field("datetime"), datetime(2024, 3, 1)),
        (datetime(2024, 3, 1), field("date"), date(2024, 3, 1)),
        (datetime(2024, 3, 1, 8, 30), field("text"), "2024-03-01 08:30:00"),
        (True, field("text"), "true"),
        ("false", field("checkbox"), False),
        ("won", field("multiselect", options=OPTIONS), ["won"]),
        (["won"], field("select", options=OPTIONS), "won"),
        (["won", "lost"], field("text"), "won, lost"),
        ([], field("select", options=OPTIONS), None),
        (7, field("member", multiple=True), [7]),
        ("a@b.cn", field("email"), "a@b.cn"),
    ],
)
def test_values_that_convert(value: Any, new: Any, expected: Any) -> None:
    assert convert_value(value, new) == expected


@pytest.mark.parametrize(
    ("value", "new"),
    [
        ("abc", field("number")),
        ("1,5", field("number")),
        (Decimal("1.25"), field("number", decimals=1)),  # never rounded silently
        (Decimal("4.5"), field("rating")),
        (Decimal("9"), field("rating", max=5)),
        (datetime(2024, 3, 1, 8, 30), field("date")),  # the time would be lost
        ("maybe", field("select", options=OPTIONS)),
        (["won", "lost"], field("select", options=OPTIONS)),
        ("x" * 30, field("text", max_length=20)),
        ("13800000000", field("email")),
        ({"province": "浙江"}, field("number")),
        ("yes", field("checkbox")),
        ("10:00", field("date")),
    ],
)
def test_values_that_do_not_convert(value: Any, new: Any) -> None:
    with pytest.raises(Invalid):
        convert_value(value, new)


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        (field("text"), field("number"), False),
        (field("member"), field("member", multiple=True), False),
        (
            field("text"),
            field("subform", fields=[{"key": "x", "type": "text", "label": {"en": "X"}}]),
            True,
        ),
        (field("number"), field("formula", formula="1"), True),
        (field("number"), field("serial"), True),
        (field("formula", formula="1"), field("number"), True),
        (field("number", decimals=0), field("department"), True),
        (field("member", multiple=True), field("member"), True),
        (
            field("relation", target_form="a"),
            field("relation", target_form="b", multiple=True),
            True,
        ),
    ],
)
def test_which_changes_are_refused_outright(old: Any, new: Any, refused: bool) -> None:
    assert (refusal(old, new) is not None) is refused


def test_archive_keys_are_free_and_valid() -> None:
    taken = {"score", "score_v2"}
    assert archive_key("score", 2, taken) == "score_v2_2"
    assert archive_key("score", 2, taken) == "score_v2_3"
    long = archive_key("k" * 40, 12, set())
    assert len(long) == 40
    assert long.endswith("_v12")
