"""A field computed from a hidden field is hidden too: formulas, lookups, rollups, linkage,
transitively and across forms, in reads, filters, sorts, history and ``permissions/me``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI

from tests.conftest import JimuClient

APP = "/api/apps/shop"


def f(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    """A field of a spec."""
    return {"key": key, "type": type_, "label": {"en": key.title()}, **props}


CUSTOMER = {
    "key": "customer",
    "name": {"en": "Customer"},
    "title_field": "name",
    "fields": [
        f("name"),
        f("credit", "number"),
        f("note"),
        f("credit_band", "formula", formula='IF(credit > 100, "high", "low")'),
        f("deal_total", "rollup", formula="SUM(deal.cost)"),
        f("deal_count", "rollup", formula="COUNT(deal)"),
    ],
}
DEAL = {
    "key": "deal",
    "name": {"en": "Deal"},
    "title_field": "title",
    "fields": [
        f("title"),
        f("secret"),
        f("cost", "number"),
        f("plain", "formula", formula='title & "!"'),
        f("leak_concat", "formula", formula='secret & ""'),
        f("leak_len", "formula", formula="LEN(secret)"),
        f("leak_twice", "formula", formula="leak_len + 1"),
        f("customer", "relation", target_form="customer"),
        f("customer_name", "lookup", relation="customer", source_field="name"),
        f("customer_credit", "lookup", relation="customer", source_field="credit"),
        f("customer_band", "lookup", relation="customer", source_field="credit_band"),
        f("credit_path", "formula", formula="customer.credit * 2"),
        f("linked_note", linkage={"relation": "customer", "source_field": "note"}),
        f(
            "lines",
            "subform",
            fields=[
                f("item"),
                f("buyer", "relation", target_form="customer"),
                f("buyer_credit", "lookup", relation="buyer", source_field="credit"),
            ],
        ),
    ],
}
LEAKS = {"leak_concat", "leak_len", "leak_twice"}
VIA_CUSTOMER = {"customer_credit", "customer_band", "credit_path", "linked_note"}


@pytest.fixture
def shop(
    app: FastAPI,
    admin_client: JimuClient,
    make_user: Callable[..., dict[str, Any]],
    token_for: Callable[[int], str],
) -> Iterator[dict[str, Any]]:
    """Two forms, a deal with a customer, and a member who may not see ``secret`` (deal),
    nor ``credit`` and ``note`` (customer)."""
    assert admin_client.post("/api/apps", json={"key": "shop", "name": {"en": "Shop"}}).is_success
    # the customer form is created first; its rollups read a form created after it
    created = admin_client.post(f"{APP}/forms", json={**CUSTOMER, "fields": CUSTOMER["fields"][:4]})
    assert created.status_code == 201, created.text
    assert admin_client.post(f"{APP}/forms", json=DEAL).status_code == 201
    assert admin_client.put(f"{APP}/forms/customer", json=CUSTOMER).status_code == 200
    for key in ("customer", "deal"):
        published = admin_client.post(f"{APP}/forms/{key}/publish")
        assert published.status_code == 200, published.text
    customer = admin_client.post(
        f"{APP}/forms/customer/records",
        json={"values": {"name": "ACME", "credit": 500, "note": "pays late"}},
    )
    assert customer.status_code == 201, customer.text
    customer_id = customer.json()["_id"]
    deal = admin_client.post(
        f"{APP}/forms/deal/records",
        json={
            "values": {
                "title": "Big",
                "secret": "abcdef",
                "cost": 70,
                "customer": customer_id,
                "lines": [{"item": "bolt", "buyer": customer_id}],
            }
        },
    )
    assert deal.status_code == 201, deal.text
    user = make_user("rep")
    role = {
        "key": "sales",
        "name": {"en": "Sales"},
        "members": {"users": [user["id"]]},
        "permissions": {
            "deal": {
                "actions": ["view", "create", "edit"],
                "edit_scope": {"type": "all"},
                "fields": {"secret": "hidden"},
            },
            "customer": {"actions": ["view"], "fields": {"credit": "hidden", "note": "hidden"}},
        },
    }
    assert admin_client.post(f"{APP}/roles", json=role).status_code == 201
    with JimuClient(app, headers={"Authorization": f"Bearer {token_for(user['id'])}"}) as rep:
        yield {"rep": rep, "deal": deal.json(), "customer": customer.json()}


def test_admin_sees_what_the_hidden_fields_compute(shop: dict[str, Any]) -> None:
    deal = shop["deal"]
    assert deal["leak_concat"] == "abcdef"
    assert Decimal(deal["leak_len"]) == 6
    assert Decimal(deal["customer_credit"]) == 500
    assert deal["linked_note"] == "pays late"
    assert "buyer_credit" in deal["lines"][0]


def test_derived_fields_are_left_out_of_reads(shop: dict[str, Any]) -> None:
    rep = shop["rep"]
    deal_id = shop["deal"]["_id"]
    record = rep.get(f"{APP}/forms/deal/records/{deal_id}").json()
    assert not (LEAKS | VIA_CUSTOMER | {"secret"}) & set(record)
    assert record["plain"] == "Big!"
    assert record["customer_name"] == "ACME"
    assert "buyer_credit" not in record["lines"][0]
    assert record["lines"][0]["item"] == "bolt"
    listed = rep.get(f"{APP}/forms/deal/records").json()["items"][0]
    assert not (LEAKS | VIA_CUSTOMER) & set(listed)
    assert "buyer_credit" not in listed["lines"][0]
    customer = rep.get(f"{APP}/forms/customer/records/{shop['customer']['_id']}").json()
    assert "credit_band" not in customer
    assert Decimal(customer["deal_count"]) == 1
    assert "deal_total" in customer  # cost is visible to the role on deals


def test_rollup_of_a_field_hidden_on_the_source_form_is_hidden(
    admin_client: JimuClient, shop: dict[str, Any]
) -> None:
    role = admin_client.get(f"{APP}/roles/sales").json()
    permissions = role["permissions"]
    permissions["deal"]["fields"]["cost"] = "hidden"
    updated = admin_client.put(f"{APP}/roles/sales/forms/deal", json=permissions["deal"])
    assert updated.status_code == 200, updated.text
    customer = shop["rep"].get(f"{APP}/forms/customer/records/{shop['customer']['_id']}").json()
    assert "deal_total" not in customer
    assert Decimal(customer["deal_count"]) == 1


@pytest.mark.parametrize(
    "expression",
    [
        'leak_concat = "abcdef"',
        "leak_len = 6",
        "leak_twice > 0",
        "customer_credit > 100",
        "customer.credit > 100",
        'customer.note = "pays late"',
        'customer.credit_band = "high"',
        'customer_band = "high"',
    ],
)
def test_filters_on_derived_or_related_hidden_fields_are_refused(
    shop: dict[str, Any], expression: str
) -> None:
    response = shop["rep"].get(f"{APP}/forms/deal/records", params={"filter": expression})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "filter"


def test_filters_through_visible_fields_still_work(shop: dict[str, Any]) -> None:
    rep = shop["rep"]
    found = rep.get(f"{APP}/forms/deal/records", params={"filter": 'customer.name = "ACME"'})
    assert found.status_code == 200
    assert found.json()["total"] == 1
    found = rep.get(f"{APP}/forms/deal/records", params={"filter": 'plain = "Big!"'})
    assert found.status_code == 200
    assert found.json()["total"] == 1


@pytest.mark.parametrize("key", sorted(LEAKS | {"customer_credit", "linked_note"}))
def test_sorting_by_a_derived_hidden_field_is_refused(shop: dict[str, Any], key: str) -> None:
    response = shop["rep"].get(f"{APP}/forms/deal/records", params={"sort": key})
    assert response.status_code == 422, response.text


def test_history_leaves_derived_fields_out(shop: dict[str, Any]) -> None:
    deal_id = shop["deal"]["_id"]
    entries = shop["rep"].get(f"{APP}/forms/deal/records/{deal_id}/history").json()
    changed = set(entries[0]["changes"])
    assert "title" in changed
    assert not (LEAKS | VIA_CUSTOMER | {"secret"}) & changed
    assert all("buyer_credit" not in row for row in entries[0]["changes"]["lines"][1])


def test_my_permissions_report_derived_fields_and_why(shop: dict[str, Any]) -> None:
    mine = shop["rep"].get(f"{APP}/forms/deal/permissions/me").json()
    for key in LEAKS | VIA_CUSTOMER:
        assert mine["fields"][key] == "hidden", key
    assert mine["fields"]["plain"] == "read" or mine["fields"]["plain"] == "edit"
    assert mine["fields"]["customer_name"] != "hidden"
    assert mine["hidden_because"]["leak_len"] == ["deal.secret"]
    assert mine["hidden_because"]["leak_twice"] == ["deal.leak_len"]
    assert mine["hidden_because"]["customer_band"] == ["customer.credit_band"]
    assert mine["hidden_because"]["lines.buyer_credit"] == ["customer.credit"]


def test_editing_a_derived_hidden_field_is_refused(shop: dict[str, Any]) -> None:
    rep = shop["rep"]
    deal = shop["deal"]
    response = rep.patch(
        f"{APP}/forms/deal/records/{deal['_id']}",
        json={"version": deal["_version"], "values": {"linked_note": "x"}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "not_editable"
