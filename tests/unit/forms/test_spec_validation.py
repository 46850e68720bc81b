"""Form specs: field shapes, and whole-form checks that report every problem at once."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from jimu.engines.errors import ValidationFailed
from jimu.form_engine.spec import FormSpec, form_json_schema
from jimu.form_engine.validate import validate_form


def form(fields: list[dict[str, Any]], **extra: Any) -> FormSpec:
    return FormSpec.model_validate(
        {"key": extra.pop("key", "contract"), "name": {"zh": "合同"}, "fields": fields, **extra}
    )


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key}, **props}


CUSTOMER = form([field("name"), field("industry")], key="customer")


def test_every_field_type_parses() -> None:
    spec = form(
        [
            field("title"),
            field("notes", "textarea"),
            field("body", "richtext"),
            field("qty", "number", decimals=0),
            field("price", "amount"),
            field("rate", "percent"),
            field("stars", "rating"),
            field("sign_date", "date"),
            field("due", "datetime"),
            field("at", "time"),
            field("stage", "select", options=[{"key": "won", "label": {"en": "Won"}}]),
            field("tags", "multiselect", options=[{"key": "a", "label": {"en": "A"}}]),
            field("vip", "checkbox"),
            field("owner_user", "member"),
            field("dept", "department", multiple=True),
            field("tel", "phone"),
            field("mail", "email"),
            field("site", "url"),
            field("addr", "address"),
            field("where", "location"),
            field("files", "attachment"),
            field("pics", "image"),
            field("sign", "signature"),
            field("no", "serial", pattern="HT-{YYYY}-{0000}"),
            field("total", "formula", formula="qty * price"),
            field("customer", "relation", target_form="customer"),
            field("industry", "lookup", relation="customer", source_field="industry"),
            field("won", "rollup", formula="SUM(lines.subtotal)"),
            field("lines", "subform", fields=[field("subtotal", "number")]),
        ]
    )
    assert len(spec.fields) == 29
    validated = validate_form(spec, {"contract": spec, "customer": CUSTOMER})
    assert str(validated.results["total"]) == "number"


@pytest.mark.parametrize(
    "bad",
    [
        field("x", "blob"),
        field("id"),
        field("Bad Key"),
        {"key": "x", "type": "text", "label": {}},
        field("x", unknown_property=1),
        field("x", "select", options=[]),
        field("x", pattern="("),
    ],
)
def test_malformed_fields_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        form([bad])


def test_whole_form_problems_are_all_reported() -> None:
    spec = form(
        [
            field("a"),
            field("a"),
            field("f1", "formula", formula="f2 + 1"),
            field("f2", "formula", formula="f1 + 1"),
            field("f3", "formula", formula="missing * 2"),
            field("c", "relation", target_form="nowhere"),
            field("s", "select", options=[{"key": "k", "label": {"en": "K"}}], default="z"),
            field("v", visible_when="a + 1"),
        ],
        title_field="ghost",
        layout=[{"type": "section", "fields": ["a", "nope"]}],
    )
    with pytest.raises(ValidationFailed) as caught:
        validate_form(spec, {"contract": spec})
    found = {(e.field, e.code) for e in caught.value.errors}
    assert ("fields[1].key", "duplicate") in found
    assert any(code == "cycle" for _, code in found)
    assert ("fields[4].formula", "unknown_field") in found
    assert ("fields[5].target_form", "missing_form") in found
    assert ("fields[6].default", "not_an_option") in found
    assert ("fields[7].visible_when", "type") in found
    assert ("title_field", "missing_field") in found
    assert ("layout[0].fields", "missing_field") in found


def test_formulas_may_read_other_formulas_in_any_order() -> None:
    spec = form(
        [
            field("gross", "formula", formula="net * 1.13"),
            field("net", "formula", formula="qty * price"),
            field("qty", "number"),
            field("price", "amount"),
            field("label", "formula", formula='IF(gross > 100, "big", "small")'),
        ]
    )
    validated = validate_form(spec, {"contract": spec})
    assert list(validated.formulas) == ["net", "gross", "label"]
    assert str(validated.results["label"]) == "text"


def test_json_schema_describes_the_spec() -> None:
    schema = form_json_schema()
    assert schema["title"] == "FormSpec"
    assert "fields" in schema["properties"]


def test_linkage_must_name_a_relation_and_a_field_of_its_form() -> None:
    spec = form(
        [
            field("customer", "relation", target_form="customer"),
            field("a", linkage={"relation": "customer", "source_field": "nope"}),
            field("b", linkage={"relation": "a", "source_field": "name"}),
            field("c", linkage={"relation": "customer", "source_field": "industry"}),
        ]
    )
    with pytest.raises(ValidationFailed) as caught:
        validate_form(spec, {"contract": spec, "customer": CUSTOMER})
    assert {e.field for e in caught.value.errors} == {"fields[1].linkage", "fields[2].linkage"}
