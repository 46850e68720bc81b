"""Rollups stay correct after create, update, delete, restore and a change of relation."""

from __future__ import annotations

from typing import Any

import pytest


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key}, **props}


CUSTOMER = {
    "key": "customer",
    "name": {"zh": "客户"},
    "fields": [
        field("name"),
        field(
            "total_won", "rollup", formula='SUMIF(opportunity.amount, opportunity.stage = "won")'
        ),
        field("deals", "rollup", formula="COUNT(opportunity)"),
    ],
}
OPPORTUNITY = {
    "key": "opportunity",
    "name": {"zh": "商机"},
    "fields": [
        field("customer", "relation", target_form="customer"),
        field("amount", "amount"),
        field(
            "stage",
            "select",
            options=[
                {"key": "won", "label": {"en": "Won"}},
                {"key": "open", "label": {"en": "Open"}},
            ],
        ),
    ],
}
ORDER = {
    "key": "purchase",
    "name": {"zh": "订单"},
    "fields": [
        field("lines", "subform", fields=[field("qty", "number", decimals=0)]),
        field("units", "rollup", formula="SUM(lines.qty)"),
    ],
}
CUSTOMERS = "/api/apps/crm/forms/customer/records"
OPPS = "/api/apps/crm/forms/opportunity/records"


@pytest.fixture
def crm(admin_client) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    # the customer form is created first; its rollup reads a form created after it
    admin_client.post("/api/apps/crm/forms", json={**CUSTOMER, "fields": CUSTOMER["fields"][:1]})
    for spec in (OPPORTUNITY, ORDER):
        assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201
    updated = admin_client.put("/api/apps/crm/forms/customer", json=CUSTOMER)
    assert updated.status_code == 200, updated.text
    for key in ("customer", "opportunity", "purchase"):
        published = admin_client.post(f"/api/apps/crm/forms/{key}/publish")
        assert published.status_code == 200, published.text


def _customer(client, ident: int) -> dict[str, Any]:
    return client.get(f"{CUSTOMERS}/{ident}").json()


def test_rollups_follow_every_change(admin_client, crm) -> None:
    a = admin_client.post(CUSTOMERS, json={"values": {"name": "A"}}).json()["_id"]
    b = admin_client.post(CUSTOMERS, json={"values": {"name": "B"}}).json()["_id"]
    assert _customer(admin_client, a)["total_won"] == "0"

    first = admin_client.post(
        OPPS, json={"values": {"customer": a, "amount": "100", "stage": "won"}}
    ).json()
    admin_client.post(OPPS, json={"values": {"customer": a, "amount": "50", "stage": "open"}})
    assert _customer(admin_client, a)["total_won"] == "100"
    assert _customer(admin_client, a)["deals"] == "2"

    moved = admin_client.patch(
        f"{OPPS}/{first['_id']}", json={"version": 1, "values": {"customer": b}}
    )
    assert moved.status_code == 200
    assert _customer(admin_client, a)["total_won"] == "0"
    assert _customer(admin_client, b)["total_won"] == "100"

    admin_client.delete(f"{OPPS}/{first['_id']}")
    assert _customer(admin_client, b)["total_won"] == "0"
    assert _customer(admin_client, b)["deals"] == "0"
    admin_client.post(f"{OPPS}/{first['_id']}/restore")
    assert _customer(admin_client, b)["total_won"] == "100"


def test_rollup_over_own_sub_form(admin_client, crm) -> None:
    url = "/api/apps/crm/forms/purchase/records"
    record = admin_client.post(url, json={"values": {"lines": [{"qty": 2}, {"qty": 5}]}}).json()
    assert record["units"] == "7"
    changed = admin_client.patch(
        f"{url}/{record['_id']}", json={"version": 1, "values": {"lines": [{"qty": 1}]}}
    )
    assert changed.json()["units"] == "1"


def test_rollups_cannot_be_written(admin_client, crm) -> None:
    response = admin_client.post(CUSTOMERS, json={"values": {"name": "A", "total_won": "5"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "total_won"
