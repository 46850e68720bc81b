"""The field type registry: one entry per spec field type, and each type's coercion, display
as text, import parsing, report aggregations and what the pages' scripts read."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest

from jimu.engines.expr.types import DATE, NUMBER, SCALARS, TEXT, Type
from jimu.form_engine import spec as s
from jimu.form_engine.cells import CellContext
from jimu.form_engine.display import DisplayContext
from jimu.form_engine.fieldtypes import (
    COUNT,
    COUNTS,
    EXPRESSION_TYPES,
    FIELD_TYPES,
    NUMERIC,
    ORDERED,
    aggregations,
    browser_table,
    coerce,
    has_date_grains,
    parse_cell,
    show,
    storage_of,
)
from jimu.form_engine.values import Invalid
from jimu.platform.expressions.schemas import CatalogueField

STATIC = Path(__file__).resolve().parents[3] / "jimu" / "platform" / "static"
FILE_ID = "a" * 16
OPTIONS = [
    {"key": "a", "label": {"zh": "甲", "en": "Alpha"}},
    {"key": "b", "label": {"zh": "乙", "en": "Beta"}},
]
# what a field of each type needs besides key, label and type
REQUIRED: dict[str, dict[str, Any]] = {
    "select": {"options": OPTIONS},
    "multiselect": {"options": OPTIONS},
    "relation": {"target_form": "customer"},
    "lookup": {"relation": "customer", "source_field": "name"},
    "formula": {"formula": "1"},
    "rollup": {"formula": "1"},
    "subform": {"fields": [{"type": "text", "key": "x", "label": {"en": "x"}}]},
}


def make(type_: str, **props: Any) -> Any:
    """A field of ``type_`` (key ``k``) with ``props``."""
    data = {"type": type_, "key": "k", "label": {"en": "K"}, **REQUIRED.get(type_, {}), **props}
    form = s.FormSpec.model_validate({"key": "f", "name": {"en": "F"}, "fields": [data]})
    return form.fields[0]


def union_types(union: Any) -> dict[str, type[s.BaseField]]:
    """The spec classes of an annotated discriminated union, by their ``type``."""
    classes = get_args(get_args(union)[0])
    return {get_args(cls.model_fields["type"].annotation)[0]: cls for cls in classes}


# -- one registry, the spec's types ------------------------------------------------------------


def test_every_spec_field_type_is_in_the_registry_and_the_other_way_round() -> None:
    in_spec = union_types(s.FieldSpec)
    assert set(in_spec) == set(FIELD_TYPES)
    for key, kind in FIELD_TYPES.items():
        assert kind.key == key
        assert kind.model is in_spec[key]


def test_sub_form_rows_hold_every_type_but_rollups_and_sub_forms() -> None:
    assert set(union_types(s.FieldSpec)) - set(union_types(s.ScalarField)) == {
        "rollup",
        "subform",
    }


def test_json_schema_discriminates_every_registered_type() -> None:
    schema = s.form_json_schema()
    fields = schema["properties"]["fields"]["items"]
    assert set(fields["discriminator"]["mapping"]) == set(FIELD_TYPES)


def test_expression_types_are_the_languages_scalars_and_the_api_accepts_them() -> None:
    assert set(EXPRESSION_TYPES) == set(SCALARS)
    accepted = set(get_args(CatalogueField.model_fields["type"].annotation))
    assert accepted == set(SCALARS) | {"relation", "subform", "collection", "any"}


def test_labels_and_groups() -> None:
    for kind in FIELD_TYPES.values():
        assert kind.label.zh, kind.key
        assert kind.label.en, kind.key
        assert kind.group in ("basic", "advanced"), kind.key
    assert FIELD_TYPES["amount"].label.pick("zh-CN") == "金额"


def test_computed_types_take_no_values_and_are_not_imported() -> None:
    computed = {key for key, kind in FIELD_TYPES.items() if kind.computed}
    assert computed == {"formula", "lookup", "rollup", "serial"}
    for key in computed | {"subform"}:
        assert FIELD_TYPES[key].coerce is None, key
        with pytest.raises(KeyError):
            coerce(make(key), "x")
    for key in FIELD_TYPES.keys() - computed - {"subform"}:
        assert FIELD_TYPES[key].coerce is not None, key


@pytest.mark.parametrize(
    ("type_", "props", "storage"),
    [
        ("text", {}, "column"),
        ("member", {}, "column"),
        ("member", {"multiple": True}, "link"),
        ("department", {"multiple": True}, "link"),
        ("relation", {"multiple": True}, "link"),
        ("relation", {}, "column"),
        ("multiselect", {}, "column"),
        ("subform", {}, "child"),
        ("formula", {}, "column"),
    ],
)
def test_storage(type_: str, props: dict[str, Any], storage: str) -> None:
    assert storage_of(make(type_, **props)) == storage


# -- coercion --------------------------------------------------------------------------------

COERCED = [
    ("text", {}, "abc", "abc"),
    ("text", {}, "", ""),
    ("textarea", {}, "", ""),
    ("richtext", {}, "<p>x<script>1</script></p>", "<p>x</p>"),
    ("number", {}, "12.5", Decimal("12.5")),
    ("number", {}, "", None),
    ("amount", {}, 3, Decimal(3)),
    ("percent", {}, "0.1234", Decimal("0.1234")),
    ("rating", {}, 4, 4),
    ("date", {}, "2026-01-05", date(2026, 1, 5)),
    ("datetime", {}, "2026-01-05 09:30:00", datetime(2026, 1, 5, 9, 30)),
    ("time", {}, "09:30", time(9, 30)),
    ("select", {}, "a", "a"),
    ("multiselect", {}, ["a", "b", "a"], ["a", "b"]),
    ("checkbox", {}, False, False),
    ("member", {}, 3, 3),
    ("member", {"multiple": True}, [3, 3, 4], [3, 4]),
    ("department", {}, 2, 2),
    ("relation", {}, 5, 5),
    ("phone", {}, "13800000000", "13800000000"),
    ("email", {}, "li@example.cn", "li@example.cn"),
    ("url", {}, "https://example.cn", "https://example.cn"),
    ("address", {}, {"province": "广东省", "city": None}, {"province": "广东省"}),
    ("location", {}, {"lat": 22, "lng": 114}, {"lat": 22.0, "lng": 114.0, "label": None}),
    ("attachment", {}, [{"id": FILE_ID, "name": "x"}], [{"id": FILE_ID}]),
    ("image", {}, [{"id": FILE_ID}], [{"id": FILE_ID}]),
    ("signature", {}, [{"id": FILE_ID}], [{"id": FILE_ID}]),
    ("email", {}, None, None),
]


@pytest.mark.parametrize(("type_", "props", "value", "stored"), COERCED)
def test_coercion(type_: str, props: dict[str, Any], value: Any, stored: Any) -> None:
    assert coerce(make(type_, **props), value) == stored


@pytest.mark.parametrize(
    ("type_", "props", "value", "code"),
    [
        ("text", {"max_length": 3}, "abcd", "too_long"),
        ("number", {}, "abc", "type"),
        ("percent", {"decimals": 1}, "0.12345", "decimals"),
        ("rating", {}, 9, "out_of_range"),
        ("date", {}, "2026-13-01", "type"),
        ("select", {}, "z", "not_an_option"),
        ("checkbox", {}, "yes", "type"),
        ("member", {}, "li", "type"),
        ("email", {}, "li", "email"),
        ("url", {}, "ftp://x", "url"),
        ("location", {}, {"lat": 91, "lng": 0}, "out_of_range"),
        ("attachment", {"max_files": 1}, [{"id": FILE_ID}, {"id": "b" * 16}], "too_many"),
    ],
)
def test_coercion_refuses(type_: str, props: dict[str, Any], value: Any, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        coerce(make(type_, **props), value)
    assert refused.value.code == code


def test_every_type_with_a_coercion_is_in_the_table() -> None:
    covered = {row[0] for row in COERCED}
    assert covered == {key for key, kind in FIELD_TYPES.items() if kind.coerce is not None}


# -- display as text -------------------------------------------------------------------------

NAMES = DisplayContext(
    locale="zh-CN",
    user_name=lambda ident: {7: "李雷"}.get(ident, f"#{ident}"),
    department_name=lambda ident: {3: "销售部"}.get(ident, f"#{ident}"),
    record_title=lambda form, ident: f"{form} {ident}",
)
EN = DisplayContext(locale="en")
SHOWN = [
    ("text", {}, "abc", NAMES, "abc"),
    ("textarea", {}, "a\nb", NAMES, "a\nb"),
    ("richtext", {}, "<p>a &amp; <b>b</b></p><p>c</p>", NAMES, "a & b c"),
    ("number", {"decimals": 2}, "12.5", NAMES, "12.50"),
    ("number", {"decimals": 0}, Decimal("3"), NAMES, "3"),
    ("amount", {"decimals": 2}, "1200", NAMES, "CNY 1200.00"),
    ("amount", {"currency": "USD", "decimals": 0}, 5.4, NAMES, "USD 5"),
    ("percent", {"decimals": 1}, "0.125", NAMES, "12.5%"),
    ("percent", {"decimals": 0}, Decimal("0.5"), NAMES, "50%"),
    ("rating", {"max": 5}, 3, NAMES, "★★★☆☆"),
    ("date", {}, date(2026, 1, 5), NAMES, "2026-01-05"),
    ("date", {}, "2026-01-05", NAMES, "2026-01-05"),
    ("datetime", {}, datetime(2026, 1, 5, 9, 30), NAMES, "2026-01-05 09:30:00"),
    ("datetime", {}, "2026-01-05T09:30:00", NAMES, "2026-01-05 09:30:00"),
    ("time", {}, time(9, 30), NAMES, "09:30:00"),
    ("select", {}, "a", NAMES, "甲"),
    ("select", {}, "a", EN, "Alpha"),
    ("select", {}, "gone", EN, "gone"),
    ("multiselect", {}, ["a", "b"], NAMES, "甲, 乙"),
    ("checkbox", {}, True, NAMES, "是"),
    ("checkbox", {}, False, NAMES, "否"),
    ("checkbox", {}, True, EN, "Yes"),
    ("member", {}, 7, NAMES, "李雷"),
    ("member", {"multiple": True}, [7, 8], EN, "#7, #8"),
    ("department", {}, 3, NAMES, "销售部"),
    ("relation", {}, {"_id": 3, "title": "Acme"}, NAMES, "Acme"),
    ("relation", {"multiple": True}, [3, 4], NAMES, "customer 3, customer 4"),
    ("phone", {}, "13800000000", NAMES, "13800000000"),
    ("email", {}, "li@example.cn", NAMES, "li@example.cn"),
    ("url", {}, "https://example.cn", NAMES, "https://example.cn"),
    (
        "address",
        {},
        {"province": "广东省", "city": "深圳市", "detail": "科技园"},
        NAMES,
        "广东省 深圳市 科技园",
    ),
    ("location", {}, {"lat": 22.5, "lng": 113.9, "label": "Office"}, NAMES, "Office (22.5, 113.9)"),
    ("location", {}, {"lat": 22.5, "lng": 113.9, "label": None}, NAMES, "(22.5, 113.9)"),
    (
        "attachment",
        {},
        [{"id": FILE_ID, "name": "a.pdf"}, {"id": FILE_ID}],
        NAMES,
        f"a.pdf, {FILE_ID}",
    ),
    ("image", {}, [{"id": FILE_ID, "name": "p.png"}], NAMES, "p.png"),
    ("signature", {}, [{"id": FILE_ID, "name": "signature.png"}], NAMES, "signature.png"),
    ("serial", {}, "HT-2026-0001", NAMES, "HT-2026-0001"),
    ("formula", {"decimals": 2}, Decimal("3.14159"), NAMES, "3.14"),
    ("formula", {"decimals": 2}, "2.5", NAMES, "2.50"),
    ("formula", {}, Decimal("2.50"), NAMES, "2.5"),
    ("formula", {}, True, EN, "Yes"),
    ("formula", {}, "001", NAMES, "001"),
    ("lookup", {}, date(2026, 1, 5), NAMES, "2026-01-05"),
    ("rollup", {}, "12.5", NAMES, "12.5"),
    ("subform", {}, [{}, {}], NAMES, "2 行"),
    ("subform", {}, [{}], EN, "1 row"),
    ("subform", {}, [{}, {}], EN, "2 rows"),
]


@pytest.mark.parametrize(("type_", "props", "value", "ctx", "shown"), SHOWN)
def test_display(type_: str, props: dict[str, Any], value: Any, ctx: Any, shown: str) -> None:
    assert show(make(type_, **props), value, ctx) == shown


@pytest.mark.parametrize("type_", sorted(FIELD_TYPES))
@pytest.mark.parametrize("blank", [None, "", []])
def test_blank_shows_as_nothing(type_: str, blank: Any) -> None:
    assert show(make(type_), blank) == ""


def test_every_type_is_in_the_display_table() -> None:
    assert {row[0] for row in SHOWN} == set(FIELD_TYPES)


# -- import parsing --------------------------------------------------------------------------

FOUND = CellContext(
    user_id={"李雷": 7}.get,
    department_id={"销售部": 3}.get,
    record_id=lambda form, title: 5 if (form, title) == ("customer", "Acme") else None,
)
# type, props, cell, API value, whether the field then accepts it
PARSED = [
    ("text", {}, " abc ", "abc", True),
    ("text", {}, 13800000000.0, "13800000000", True),
    ("textarea", {}, "a\nb", "a\nb", True),
    ("richtext", {}, "<b>x</b>", "<b>x</b>", True),
    ("phone", {}, 13800000000.0, "13800000000", True),
    ("email", {}, "li@example.cn", "li@example.cn", True),
    ("url", {}, "https://example.cn", "https://example.cn", True),
    ("number", {"decimals": 0}, 3.0, 3, True),
    ("number", {}, 2.5, "2.5", True),
    ("number", {}, 0.1, "0.1", True),
    ("number", {}, "1,234.50", "1234.50", True),
    ("number", {}, "many", "many", False),
    ("amount", {}, "¥1,200", "1200", True),
    ("amount", {}, "CNY 1,200.00", "1200.00", True),
    ("percent", {}, "12.5%", "0.125", True),
    ("percent", {}, "12.5", "0.125", True),
    ("percent", {}, 0.125, "0.125", True),
    ("rating", {}, 4.0, 4, True),
    ("rating", {}, "4", 4, True),
    ("rating", {}, "★★★☆☆", 3, True),
    ("date", {}, datetime(2026, 1, 5), "2026-01-05", True),
    ("date", {}, date(2026, 1, 5), "2026-01-05", True),
    ("date", {}, 45658.0, "2025-01-01", True),
    ("date", {}, "2026/1/5", "2026-01-05", True),
    ("date", {}, "2026年1月5日", "2026-01-05", True),
    ("date", {}, "2026.01.05", "2026-01-05", True),
    ("date", {}, "2026-02-30", "2026-02-30", False),
    ("date", {}, "soon", "soon", False),
    ("datetime", {}, datetime(2026, 1, 5, 9, 30), "2026-01-05 09:30:00", True),
    ("datetime", {}, 45658.5, "2025-01-01 12:00:00", True),
    ("datetime", {}, "2026/1/5 9:30", "2026-01-05 09:30:00", True),
    ("datetime", {}, "2026-01-05", "2026-01-05", True),
    ("time", {}, time(9, 30), "09:30:00", True),
    ("time", {}, 0.5, "12:00:00", True),
    ("time", {}, "9:30", "09:30:00", True),
    ("select", {}, "a", "a", True),
    ("select", {}, "乙", "b", True),
    ("select", {}, "alpha", "a", True),
    ("select", {}, "丙", "丙", False),
    ("multiselect", {}, "甲、乙", ["a", "b"], True),
    ("multiselect", {}, "a, Beta", ["a", "b"], True),
    ("checkbox", {}, "是", True, True),
    ("checkbox", {}, "否", False, True),
    ("checkbox", {}, "TRUE", True, True),
    ("checkbox", {}, "false", False, True),
    ("checkbox", {}, 1.0, True, True),
    ("checkbox", {}, "0", False, True),
    ("checkbox", {}, True, True, True),
    ("checkbox", {}, "maybe", "maybe", False),
    ("member", {}, 12.0, 12, True),
    ("member", {}, "#12", 12, True),
    ("member", {}, "李雷", 7, True),
    ("member", {}, "Nobody", "Nobody", False),
    ("member", {"multiple": True}, "8, 李雷", [8, 7], True),
    ("department", {}, "销售部", 3, True),
    ("relation", {}, "Acme", 5, True),
    (
        "address",
        {},
        "广东省 深圳市 南山区 科技园 1号",
        {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园 1号"},
        True,
    ),
    ("address", {}, "广东省/深圳市", {"province": "广东省", "city": "深圳市"}, True),
    ("location", {}, "22.5, 113.9", {"lat": 22.5, "lng": 113.9}, True),
    ("location", {}, "here", "here", False),
]


@pytest.mark.parametrize(("type_", "props", "cell", "value", "accepted"), PARSED)
def test_import_parsing(
    type_: str, props: dict[str, Any], cell: Any, value: Any, accepted: bool
) -> None:
    f = make(type_, **props)
    parsed = parse_cell(f, cell, FOUND)
    assert parsed == value
    if accepted:
        coerce(f, parsed)
    else:
        with pytest.raises(Invalid):
            coerce(f, parsed)


@pytest.mark.parametrize("type_", sorted(k for k, t in FIELD_TYPES.items() if t.parse))
@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_cells_are_blank(type_: str, blank: Any) -> None:
    assert parse_cell(make(type_), blank) is None


def test_every_imported_type_is_in_the_table_and_the_others_are_refused() -> None:
    imported = {key for key, kind in FIELD_TYPES.items() if kind.parse is not None}
    assert {row[0] for row in PARSED} == imported
    for key in FIELD_TYPES.keys() - imported:
        with pytest.raises(KeyError):
            parse_cell(make(key), "x")
    not_imported = {"attachment", "image", "signature", "serial", "formula", "lookup", "rollup"}
    assert FIELD_TYPES.keys() - imported == not_imported | {"subform"}


# -- reports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "props", "result", "allowed", "grains"),
    [
        ("text", {}, None, COUNTS, False),
        ("select", {}, None, COUNTS, False),
        ("checkbox", {}, None, COUNTS, False),
        ("number", {}, None, NUMERIC, False),
        ("amount", {}, None, NUMERIC, False),
        ("percent", {}, None, NUMERIC, False),
        ("rating", {}, None, NUMERIC, False),
        ("rollup", {}, None, NUMERIC, False),
        ("date", {}, None, ORDERED, True),
        ("datetime", {}, None, ORDERED, True),
        ("time", {}, None, ORDERED, False),
        ("member", {}, None, COUNTS, False),
        ("member", {"multiple": True}, None, COUNT, False),
        ("multiselect", {}, None, COUNT, False),
        ("attachment", {}, None, COUNT, False),
        ("subform", {}, None, COUNT, False),
        ("formula", {}, NUMBER, NUMERIC, False),
        ("formula", {}, DATE, ORDERED, True),
        ("formula", {}, TEXT, COUNTS, False),
        ("lookup", {}, None, COUNTS, False),
    ],
)
def test_aggregations_and_date_grains(
    type_: str, props: dict[str, Any], result: Type | None, allowed: Any, grains: bool
) -> None:
    f = make(type_, **props)
    assert aggregations(f, result) == allowed
    assert has_date_grains(f, result) is grains


# -- what the pages' scripts read ------------------------------------------------------------


def test_browser_table_describes_every_type_as_json() -> None:
    table = json.loads(json.dumps(browser_table()))
    assert set(table) == set(FIELD_TYPES)
    assert table["member"]["expr"] == "user"
    assert table["member"]["links"] is True
    assert table["amount"]["aggregations"] == [
        "count",
        "count_distinct",
        "sum",
        "avg",
        "min",
        "max",
    ]
    assert table["subform"]["storage"] == "child"
    assert table["formula"]["computed"] is True


def _scripts() -> str:
    return "\n".join(p.read_text() for p in sorted(STATIC.rglob("*.js")) if "vendor" not in p.parts)


def test_scripts_read_only_what_the_browser_table_has() -> None:
    source = _scripts()
    read = set(re.findall(r"fieldType\([^()]*\)\.(\w+)", source))
    read |= set(re.findall(r"kindOf\((?:[^()]|\([^()]*\))*\)\.(\w+)", source))
    read |= set(re.findall(r"\bkind\.(\w+)", source))
    entry = browser_table()["text"]
    assert read, "the scripts no longer read the browser table"
    assert read <= set(entry), sorted(read - set(entry))
