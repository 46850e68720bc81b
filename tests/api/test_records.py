"""Records through the one write path: validation, formulas, sub-forms, relations, filters,
optimistic locking, soft delete, audit trail and events."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.engines import events


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


CUSTOMER = {
    "key": "customer",
    "name": {"zh": "客户"},
    "fields": [field("name", required=True, unique=True), field("industry")],
}
CONTRACT = {
    "key": "contract",
    "name": {"zh": "合同"},
    "title_field": "title",
    "fields": [
        field("title", required=True, max_length=50),
        field("amount", "amount", min=0),
        field(
            "stage",
            "select",
            options=[
                {"key": "won", "label": {"en": "Won"}},
                {"key": "open", "label": {"en": "Open"}},
            ],
            default="open",
        ),
        field("sign_date", "date"),
        field("email", "email"),
        field("customer", "relation", target_form="customer"),
        field("industry", "lookup", relation="customer", source_field="industry"),
        field(
            "lines",
            "subform",
            fields=[field("qty", "number", decimals=0, required=True), field("price", "amount")],
        ),
        field("total", "formula", formula="SUM(lines.qty * lines.price)"),
        field("level", "formula", formula='IF(total > 1000, "VP", "Manager")'),
        field("watchers", "member", multiple=True),
        field(
            "note",
            validations=[
                {
                    "formula": "LEN(note) <> 3",
                    "message": {"en": "Not three letters", "zh": "不能是三个字"},
                }
            ],
        ),
    ],
}
URL = "/api/apps/crm/forms/contract/records"
OWN_EDITS = {"actions": ["view", "create", "edit", "delete"], "edit_scope": {"type": "own"}}


@pytest.fixture
def crm(admin_client) -> Any:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    for spec in (CUSTOMER, CONTRACT):
        assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201
        published = admin_client.post(f"/api/apps/crm/forms/{spec['key']}/publish")
        assert published.status_code == 200, published.text
    customer = admin_client.post(
        "/api/apps/crm/forms/customer/records", json={"values": {"name": "华为", "industry": "IT"}}
    )
    assert customer.status_code == 201, customer.text
    return customer.json()["_id"]


def _create(client, **values: Any) -> Any:
    return client.post(URL, json={"values": values})


def test_create_computes_formulas_lookups_and_defaults(admin_client, crm, admin) -> None:
    response = _create(
        admin_client,
        title="年度合同",
        amount="1200.50",
        customer=crm,
        lines=[{"qty": 2, "price": "300"}, {"qty": 3, "price": "250.5"}],
        watchers=[admin["id"]],
    )
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["total"] == "1351.5"
    assert record["level"] == "VP"
    assert record["industry"] == "IT"
    assert record["stage"] == "open"
    assert record["_owner"] == admin["id"]
    assert record["_version"] == 1
    assert [line["qty"] for line in record["lines"]] == ["2", "3"]
    assert record["watchers"] == [admin["id"]]
    again = admin_client.get(f"{URL}/{record['_id']}").json()
    assert again == record


def test_every_invalid_field_is_reported_and_nothing_saved(admin_client, crm) -> None:
    response = _create(
        admin_client,
        title="x" * 51,
        amount="-1",
        stage="lost",
        sign_date="2026-13-01",
        email="nope",
        customer=999,
        lines=[{"price": "1"}],
        note="abc",
        total="5",
        bogus=1,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {
        "title",
        "amount",
        "stage",
        "sign_date",
        "email",
        "total",
        "bogus",
        "lines[0].qty",
    } <= fields
    assert admin_client.get(URL).json()["total"] == 0


def test_rules_and_relations_after_shapes(admin_client, crm) -> None:
    response = _create(admin_client, title="A", customer=999, note="abc")
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["customer"]["code"] == "not_found"
    assert errors["note"]["message"] == "Not three letters"
    missing = _create(admin_client, amount="1")
    assert {e["field"] for e in missing.json()["errors"]} == {"title"}


def test_unique_values_and_restore(admin_client, crm) -> None:
    url = "/api/apps/crm/forms/customer/records"
    duplicate = admin_client.post(url, json={"values": {"name": "华为"}})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["code"] == "duplicate"
    assert admin_client.delete(f"{url}/{crm}").status_code == 204
    assert admin_client.get(f"{url}/{crm}").status_code == 404
    replacement = admin_client.post(url, json={"values": {"name": "华为"}})
    assert replacement.status_code == 201
    blocked = admin_client.post(f"{url}/{crm}/restore")
    assert blocked.status_code == 422
    admin_client.delete(f"{url}/{replacement.json()['_id']}")
    assert admin_client.post(f"{url}/{crm}/restore").json()["name"] == "华为"


def test_update_with_optimistic_locking_and_history(admin_client, crm) -> None:
    record = _create(admin_client, title="A", amount="10", lines=[{"qty": 1, "price": "5"}]).json()
    url = f"{URL}/{record['_id']}"
    changed = admin_client.patch(
        url, json={"version": 1, "values": {"amount": "20", "lines": [{"qty": 4, "price": "5"}]}}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["total"] == "20"
    assert changed.json()["_version"] == 2
    stale = admin_client.patch(url, json={"version": 1, "values": {"amount": "30"}})
    assert stale.status_code == 409
    assert stale.json()["current"]["amount"] == "20.00"
    history = admin_client.get(f"{url}/history").json()
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["changes"]["amount"] == ["10.00", "20.00"]
    assert history[1]["changes"]["total"] == ["5", "20"]


def test_filters_sorting_search_and_paging(admin_client, crm) -> None:
    for title, amount, stage in [("甲", "100", "won"), ("乙", "2000", "won"), ("丙", "50", "open")]:
        assert _create(admin_client, title=title, amount=amount, stage=stage).status_code == 201
    page = admin_client.get(
        URL, params={"filter": 'stage = "won" AND amount > 10', "sort": "-amount"}
    ).json()
    assert [r["title"] for r in page["items"]] == ["乙", "甲"]
    assert page["total"] == 2
    assert admin_client.get(URL, params={"q": "丙"}).json()["total"] == 1
    paged = admin_client.get(URL, params={"sort": "amount", "page": 2, "page_size": 2}).json()
    assert [r["title"] for r in paged["items"]] == ["乙"]
    bad = admin_client.get(URL, params={"filter": "amount >"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "filter"
    assert admin_client.get(URL, params={"filter": "amount"}).status_code == 422
    assert admin_client.get(URL, params={"sort": "nope"}).status_code == 422
    injected = admin_client.get(
        URL, params={"filter": 'title = "\'; DROP TABLE f_crm_contract; --"'}
    )
    assert injected.json()["total"] == 0
    assert admin_client.get(URL).json()["total"] == 3


def test_members_edit_only_their_own_records(admin_client, crm, login, make_user) -> None:
    li = make_user("li.lei")
    granted = admin_client.patch(
        "/api/apps/crm/roles/member",
        json={"members": {"users": [li["id"]]}, "permissions": {"contract": OWN_EDITS}},
    )
    assert granted.status_code == 200, granted.text
    member = login("li.lei", "user-pass-1")
    theirs = member.post(URL, json={"values": {"title": "mine"}}).json()
    mine = _create(admin_client, title="admin's").json()
    assert (
        member.patch(
            f"{URL}/{theirs['_id']}", json={"version": 1, "values": {"title": "ok"}}
        ).status_code
        == 200
    )
    denied = member.patch(f"{URL}/{mine['_id']}", json={"version": 1, "values": {"title": "x"}})
    assert denied.status_code == 403
    assert member.delete(f"{URL}/{mine['_id']}").status_code == 403


def test_events_are_published_after_commit_only(admin_client, crm, monkeypatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(
        events, "_handlers", {"record.created": [seen.append], "record.updated": [seen.append]}
    )
    record = _create(admin_client, title="A").json()
    _create(admin_client, title="x" * 60)  # refused: no event
    admin_client.patch(f"{URL}/{record['_id']}", json={"version": 1, "values": {"amount": "3"}})
    assert [(e.kind, e.record_id) for e in seen] == [
        ("record.created", record["_id"]),
        ("record.updated", record["_id"]),
    ]
    assert "amount" in seen[1].changed


def test_unpublished_or_unknown_forms(admin_client, crm) -> None:
    admin_client.post(
        "/api/apps/crm/forms",
        json={"key": "draft_only", "name": {"en": "D"}, "fields": [field("a")]},
    )
    unpublished = admin_client.get("/api/apps/crm/forms/draft_only/records")
    assert unpublished.status_code == 409
    assert unpublished.json()["code"] == "not_published"
    assert admin_client.get("/api/apps/crm/forms/nope/records").status_code == 404
    assert admin_client.get(f"{URL}/999").status_code == 404


def test_bulk_is_all_or_nothing(admin_client, crm) -> None:
    kept = _create(admin_client, title="kept").json()
    bad = admin_client.post(
        f"{URL}/bulk",
        json={
            "create": [{"title": "one"}, {"title": "x" * 60}],
            "update": [{"id": kept["_id"], "version": 1, "values": {"title": "changed"}}],
            "delete": [999],
        },
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"create[1].title", "delete[0]"}
    assert admin_client.get(URL).json()["total"] == 1
    assert admin_client.get(f"{URL}/{kept['_id']}").json()["title"] == "kept"

    good = admin_client.post(
        f"{URL}/bulk",
        json={
            "create": [{"title": "one"}, {"title": "two"}],
            "update": [{"id": kept["_id"], "version": 1, "values": {"title": "changed"}}],
            "delete": [],
        },
    )
    assert good.status_code == 200, good.text
    assert [r["title"] for r in good.json()["created"]] == ["one", "two"]
    assert admin_client.get(URL).json()["total"] == 3


def test_fields_expand_and_keyset_paging(admin_client, crm) -> None:
    created = [_create(admin_client, title=f"T{i}", customer=crm).json() for i in range(5)]
    page = admin_client.get(
        URL, params={"fields": "title,customer", "expand": "customer", "page_size": 2}
    ).json()
    first = page["items"][0]
    assert set(first) == {"_id", "_version", "title", "customer"}
    assert first["customer"] == {"_id": crm, "title": None}
    older = admin_client.get(URL, params={"after": first["_id"], "page_size": 10}).json()
    assert [r["_id"] for r in older["items"]] == [r["_id"] for r in reversed(created[:4])]
    assert admin_client.get(URL, params={"after": 3, "sort": "title"}).status_code == 422
    assert admin_client.get(URL, params={"expand": "title"}).status_code == 422
    one = admin_client.get(f"{URL}/{created[0]['_id']}", params={"fields": "title"}).json()
    assert set(one) == {"_id", "_version", "title"}


def test_linkage_fills_from_the_related_record(admin_client, crm) -> None:
    spec = {
        "key": "visit",
        "name": {"zh": "拜访"},
        "fields": [
            field("customer", "relation", target_form="customer"),
            field("sector", linkage={"relation": "customer", "source_field": "industry"}),
        ],
    }
    admin_client.post("/api/apps/crm/forms", json=spec)
    assert admin_client.post("/api/apps/crm/forms/visit/publish").status_code == 200
    url = "/api/apps/crm/forms/visit/records"
    filled = admin_client.post(url, json={"values": {"customer": crm}}).json()
    assert filled["sector"] == "IT"
    given = admin_client.post(url, json={"values": {"customer": crm, "sector": "自填"}}).json()
    assert given["sector"] == "自填"
    kept = admin_client.patch(
        f"{url}/{given['_id']}", json={"version": 1, "values": {"customer": crm}}
    ).json()
    assert kept["sector"] == "自填"


def test_sub_form_rows_compute_their_own_formulas(admin_client, crm) -> None:
    order = {
        "key": "order",
        "name": {"en": "Order"},
        "fields": [
            field(
                "lines",
                "subform",
                fields=[
                    field("qty", "number", decimals=0),
                    field("price", "amount"),
                    field("subtotal", "formula", formula="qty * price"),
                    field("big", "formula", formula='IF(subtotal > 100, "big", "small")'),
                ],
            ),
            field("total", "formula", formula="SUM(lines.subtotal)"),
        ],
    }
    assert admin_client.post("/api/apps/crm/forms", json=order).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/order/publish").status_code == 200
    url = "/api/apps/crm/forms/order/records"
    rows = [{"qty": 2, "price": "30"}, {"qty": 5, "price": "40.5", "subtotal": "1"}]
    created = admin_client.post(url, json={"values": {"lines": rows}})
    assert created.status_code == 201, created.text
    lines = created.json()["lines"]
    assert [(r["subtotal"], r["big"]) for r in lines] == [("60", "small"), ("202.5", "big")]
    assert created.json()["total"] == "262.5"
    listed = admin_client.get(url, params={"filter": "SUM(lines.subtotal) > 200"}).json()
    assert listed["total"] == 1


def test_row_formulas_are_checked_against_the_row(admin_client, crm) -> None:
    bad = {
        "key": "order",
        "name": {"en": "Order"},
        "fields": [
            field("title"),
            field(
                "lines",
                "subform",
                fields=[
                    field("a", "formula", formula="b + 1"),
                    field("b", "formula", formula="a + 1"),
                    field("c", "formula", formula="title & nope"),
                ],
            ),
        ],
    }
    response = admin_client.post("/api/apps/crm/forms", json=bad)
    assert response.status_code == 422, response.text
    paths = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert ("fields[1].fields[0].formula", "cycle") in paths
    assert ("fields[1].fields[2].formula", "unknown_field") in paths


def test_relations_inside_sub_form_rows_expand(admin_client, crm) -> None:
    order = {
        "key": "order",
        "name": {"en": "Order"},
        "fields": [
            field(
                "lines",
                "subform",
                fields=[field("customer", "relation", target_form="customer"), field("n")],
            )
        ],
    }
    assert admin_client.post("/api/apps/crm/forms", json=order).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/order/publish").status_code == 200
    url = "/api/apps/crm/forms/order/records"
    rows = [{"customer": crm, "n": "a"}, {"n": "b"}]
    record = admin_client.post(url, json={"values": {"lines": rows}}).json()
    got = admin_client.get(f"{url}/{record['_id']}", params={"expand": "lines.customer"}).json()
    assert [line["customer"] for line in got["lines"]] == [{"_id": crm, "title": None}, None]
    assert [line["n"] for line in got["lines"]] == ["a", "b"]
    assert admin_client.get(url, params={"expand": "lines.n"}).status_code == 422
    assert admin_client.get(url, params={"expand": "lines.nope"}).status_code == 422


@pytest.mark.parametrize(
    ("q", "expected"),
    [("%", ["50%"]), ("_", ["a_b"]), ("a_b", ["a_b"]), ("\\", ["x\\y"]), ("a%", []), ("ab", [])],
)
def test_search_takes_wildcards_literally(admin_client, crm, q: str, expected: list[str]) -> None:
    for title in ("50%", "a_b", "axb", "x\\y", "plain"):
        assert _create(admin_client, title=title).status_code == 201
    page = admin_client.get(URL, params={"q": q}).json()
    assert sorted(r["title"] for r in page["items"]) == expected
