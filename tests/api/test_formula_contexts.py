"""The formula editor asks the server what a formula may read where it is written, and the
server checks it there as publishing will."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jimu.engines.expr.types import Schema
from jimu.engines.i18n import text
from jimu.platform.expressions import contexts
from jimu.platform.expressions.contexts import Place


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key.upper(), "en": key.title()}, **props}


CUSTOMER = {
    "key": "customer",
    "name": {"zh": "客户"},
    "fields": [field("name"), field("credit", "number")],
}
DEAL = {
    "key": "deal",
    "name": {"zh": "商机"},
    "fields": [
        field("customer", "relation", target_form="customer"),
        field("price", "number"),
        field("qty", "number"),
        field("total", "formula", formula="price * qty"),
        field(
            "lines",
            "subform",
            fields=[field("units", "number"), field("each", "number")],
        ),
    ],
}
CATALOGUE = "/api/apps/crm/formulas/catalogue"
CHECK = "/api/apps/crm/formulas/check"


@pytest.fixture
def crm(admin_client) -> None:
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success
    for spec in (CUSTOMER, DEAL):
        assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201


def keys(fields: list[dict[str, Any]]) -> list[str]:
    return [f["key"] for f in fields]


def by_key(fields: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(f for f in fields if f["key"] == key)


def check(client, expression: str, **context: Any) -> dict[str, Any]:
    response = client.post(CHECK, json={"expression": expression, "context": context})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_form_context_lists_fields_formula_results_relations_and_record_fields(
    admin_client, crm
) -> None:
    response = admin_client.post(CATALOGUE, json={"kind": "form", "form": "deal"})
    assert response.status_code == 200, response.text
    fields = response.json()["fields"]
    assert by_key(fields, "total") == {
        "key": "total",
        "type": "number",
        "label": {"zh": "TOTAL", "en": "Total"},
        "fields": [],
    }
    customer = by_key(fields, "customer")
    assert customer["type"] == "relation"
    assert {"name", "credit"} <= set(keys(customer["fields"]))
    assert by_key(fields, "lines")["type"] == "subform"
    assert keys(by_key(fields, "lines")["fields"]) == ["units", "each"]
    assert "_owner" in keys(fields)
    assert "opportunity" not in keys(fields)


def test_a_row_context_reads_its_row(admin_client, crm) -> None:
    body = {"kind": "row", "form": "deal", "subform": "lines"}
    fields = admin_client.post(CATALOGUE, json=body).json()["fields"]
    assert keys(fields) == ["units", "each"]
    assert check(admin_client, "units * each", **body)["type"] == "number"
    assert not check(admin_client, "price * units", **body)["valid"]


def test_a_rollup_context_reads_the_forms_pointing_here_as_publishing_does(
    admin_client, crm
) -> None:
    rollup = "SUM(deal.price)"
    assert check(admin_client, rollup, kind="rollup", form="customer")["valid"]
    assert not check(admin_client, rollup, kind="form", form="customer")["valid"]
    fields = admin_client.post(CATALOGUE, json={"kind": "rollup", "form": "customer"}).json()
    assert fields["expect"] == "number"
    assert by_key(fields["fields"], "deal")["type"] == "collection"
    spec = {**CUSTOMER, "fields": [*CUSTOMER["fields"], field("won", "rollup", formula=rollup)]}
    assert admin_client.put("/api/apps/crm/forms/customer", json=spec).is_success
    published = admin_client.post("/api/apps/crm/forms/customer/publish")
    assert published.status_code == 200, published.text
    text_result = check(admin_client, '"a"', kind="rollup", form="customer")
    assert text_result["errors"][0]["code"] == "type"


def test_the_designers_unsaved_draft_is_what_formulas_read(admin_client, crm) -> None:
    draft = {**DEAL, "fields": [*DEAL["fields"], field("discount", "number")]}
    assert not check(admin_client, "total * discount", kind="form", form="deal")["valid"]
    result = check(admin_client, "total * discount", kind="form", form="deal", draft=draft)
    assert result["valid"], result
    # a field still being typed (no key yet) does not hide the others
    broken = {**draft, "fields": [*draft["fields"], {"type": "number", "label": {"zh": "x"}}]}
    assert check(admin_client, "total * discount", kind="form", form="deal", draft=broken)["valid"]
    # a formula still being written can already be named by the next one
    empty = {**draft, "fields": [*draft["fields"], field("later", "formula", formula="")]}
    body = {"kind": "form", "form": "deal", "draft": empty}
    later = by_key(admin_client.post(CATALOGUE, json=body).json()["fields"], "later")
    assert later["type"] == "any"
    assert check(admin_client, "later", kind="form", form="deal", draft=empty)["valid"]
    # a sub-form row being edited keeps its readable fields
    row = {"kind": "row", "form": "deal", "subform": "lines"}
    lines = {**DEAL["fields"][4]}
    lines["fields"] = [*lines["fields"], field("product", "relation", target_form="")]
    editing = {**DEAL, "fields": [*DEAL["fields"][:4], lines]}
    assert check(admin_client, "units * each", **row, draft=editing)["valid"]
    # a draft that is not a form at all: the saved draft is used
    assert check(admin_client, "total", kind="form", form="deal", draft={"x": 1})["valid"]


def test_a_data_scope_reads_the_saved_form(admin_client, crm) -> None:
    assert check(admin_client, "qty > 1 AND _owner = _created_by", kind="scope", form="deal")[
        "valid"
    ]


@pytest.mark.parametrize(
    ("context", "field_path", "code"),
    [
        ({"kind": "nope", "form": "deal"}, "context.kind", "unknown_context"),
        ({"kind": "form", "form": "nope"}, "context.form", "unknown_form"),
        ({"kind": "row", "form": "deal"}, "context.subform", "unknown_subform"),
        ({"kind": "row", "form": "deal", "subform": "price"}, "context.subform", "unknown_subform"),
    ],
)
def test_an_unknown_context_is_a_422_naming_the_part(
    admin_client, crm, context: dict[str, Any], field_path: str, code: str
) -> None:
    for url, body in ((CATALOGUE, context), (CHECK, {"expression": "1", "context": context})):
        response = admin_client.post(url, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        error = response.json()["errors"][0]
        assert (error["field"], error["code"]) == (field_path, code)
    if code == "unknown_context":
        assert "rollup" in error["message"]
        assert "scope" in error["message"]


@pytest.fixture
def extra_kind() -> Iterator[None]:
    def build(session, app, context) -> Place:
        schema = contexts.place_of(session, app, context.model_copy(update={"kind": "form"}))
        only = Schema("measure")
        only.add(schema.schema.fields["price"])
        return Place(only)

    contexts.register_context("measure", text("a measure", "度量"), build)
    yield
    contexts._KINDS.pop("measure")


def test_engines_register_their_own_contexts(admin_client, crm, extra_kind: None) -> None:
    fields = admin_client.post(CATALOGUE, json={"kind": "measure", "form": "deal"}).json()
    assert keys(fields["fields"]) == ["price"]
    assert check(admin_client, "price * 2", kind="measure", form="deal")["valid"]
    assert not check(admin_client, "qty", kind="measure", form="deal")["valid"]
