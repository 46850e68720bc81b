"""A small app for the web UI's API tests: a customer form and a deal form relating to it."""

from __future__ import annotations

from typing import Any


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


CUSTOMER = {
    "key": "customer",
    "name": {"zh": "客户", "en": "Customer"},
    "title_field": "name",
    "fields": [field("name", required=True), field("city")],
}
DEAL = {
    "key": "deal",
    "name": {"zh": "商机", "en": "Deal"},
    "title_field": "title",
    "fields": [
        field("title", required=True),
        field("amount", "amount"),
        field("vip", "checkbox"),
        field("note", visible_when="vip", required_when="amount > 100"),
        field("customer", "relation", target_form="customer"),
        field("city", "text", linkage={"relation": "customer", "source_field": "city"}),
        field("lines", "subform", fields=[field("qty", "number", decimals=0)]),
        field("total", "formula", formula="SUM(lines.qty) * 2"),
        field("due", "date", default_formula="TODAY() + 7"),
        field(
            "code",
            validations=[{"formula": "LEN(code) = 4", "message": {"en": "Four letters"}}],
        ),
        field("lucky", "formula", formula='TEXT(amount, "0.00")'),
    ],
}


def make_app(client: Any, publish: bool = True) -> None:
    """Creates app ``crm`` with the customer and deal forms (published unless told)."""
    assert client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).status_code == 201
    for spec in (CUSTOMER, DEAL):
        created = client.post("/api/apps/crm/forms", json=spec)
        assert created.status_code == 201, created.text
        if publish:
            published = client.post(f"/api/apps/crm/forms/{spec['key']}/publish")
            assert published.status_code == 200, published.text


def open_to_everyone(client: Any) -> None:
    """Makes every user a member of app ``crm`` (its member role holds everyone)."""
    response = client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    assert response.status_code == 200, response.text


def grant_members(client: Any, form: str, preset: str) -> None:
    """Gives the members of app ``crm`` a ready-made permission set on ``form``."""
    response = client.put(f"/api/apps/crm/roles/member/forms/{form}", json={"preset": preset})
    assert response.status_code == 200, response.text
