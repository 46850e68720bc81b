"""Forms: drafts, validation, publish plans and publishing to real tables without data loss."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform.db import utcnow


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key}, **props}


def spec(fields: list[dict[str, Any]], key: str = "contract", **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": {"zh": "合同", "en": "Contract"}, "fields": fields, **extra}


@pytest.fixture
def crm(admin_client) -> str:
    assert (
        admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).status_code
        == 201
    )
    return "crm"


def _publish(client, form: str = "contract") -> Any:
    return client.post(f"/api/apps/crm/forms/{form}/publish")


def _columns(engine: sa.Engine, table: str) -> dict[str, Any]:
    return {c["name"]: c for c in sa.inspect(engine).get_columns(table)}


def _insert(engine: sa.Engine, table: str, **values: Any) -> int:
    meta = sa.MetaData()
    t = sa.Table(table, meta, autoload_with=engine)
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(t.insert().values(created_at=now, updated_at=now, **values))
        return int(result.inserted_primary_key[0])


BASE_FIELDS = [
    field("title", required=True),
    field("amount", "amount"),
    field("sign_date", "date"),
    field(
        "stage",
        "select",
        options=[{"key": "won", "label": {"en": "Won"}}, {"key": "lost", "label": {"en": "Lost"}}],
    ),
    field("tags", "multiselect", options=[{"key": "a", "label": {"en": "A"}}]),
    field("vip", "checkbox"),
    field("total", "formula", formula="amount * 1.13"),
    field("lines", "subform", fields=[field("qty", "number", decimals=0), field("product")]),
    field("watchers", "member", multiple=True),
]


def test_first_publish_creates_typed_tables(admin_client, crm, engine) -> None:
    created = admin_client.post("/api/apps/crm/forms", json=spec(BASE_FIELDS))
    assert created.status_code == 201, created.text
    assert created.json()["published_version"] == 0
    plan = admin_client.get("/api/apps/crm/forms/contract/publish-plan").json()
    assert plan["ok"] is True
    assert [s["action"] for s in plan["steps"]] == ["create_table"] * 3
    assert any("CREATE TABLE f_crm_contract " in sql for s in plan["steps"] for sql in s["sql"])

    published = _publish(admin_client)
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 1
    tables = set(sa.inspect(engine).get_table_names())
    assert {"f_crm_contract", "f_crm_contract__lines", "f_crm_contract__watchers"} <= tables
    columns = _columns(engine, "f_crm_contract")
    assert {
        "id",
        "created_at",
        "owner",
        "version",
        "deleted_at",
        "title",
        "amount",
        "sign_date",
        "stage",
        "tags",
        "vip",
        "total",
    } <= set(columns)
    assert "lines" not in columns
    assert "watchers" not in columns
    child = _columns(engine, "f_crm_contract__lines")
    assert {"parent_id", "position", "qty", "product"} <= set(child)
    listed = admin_client.get("/api/apps/crm/forms").json()
    assert listed[0]["published_version"] == 1
    versions = admin_client.get("/api/apps/crm/forms/contract/versions").json()
    assert [v["version"] for v in versions] == [1]


def test_adding_and_removing_fields_keeps_every_value(admin_client, crm, engine) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("title"), field("note")]))
    _publish(admin_client)
    row = _insert(engine, "f_crm_contract", title="A", note="keep me")

    draft = spec([field("title"), field("region", default="华东"), field("score", "number")])
    assert admin_client.put("/api/apps/crm/forms/contract", json=draft).status_code == 200
    plan = admin_client.get("/api/apps/crm/forms/contract/publish-plan").json()
    actions = [(s["action"], s["field"]) for s in plan["steps"]]
    assert ("add_column", "region") in actions
    assert ("backfill", "region") in actions
    assert ("archive", "note") in actions
    assert _publish(admin_client).json()["version"] == 2

    columns = _columns(engine, "f_crm_contract")
    assert {"region", "score", "note"} <= set(columns)
    with engine.connect() as conn:
        values = conn.execute(
            sa.text("SELECT title, note, region FROM f_crm_contract WHERE id = :id"), {"id": row}
        ).one()
    assert tuple(values) == ("A", "keep me", "华东")
    form = admin_client.get("/api/apps/crm/forms/contract").json()
    assert [a["key"] for a in form["archived"]] == ["note"]

    # restoring the archived field brings its data back with it
    restore = spec([field("title"), field("region"), field("score", "number"), field("note")])
    admin_client.put("/api/apps/crm/forms/contract", json=restore)
    plan = admin_client.get("/api/apps/crm/forms/contract/publish-plan").json()
    assert ("restore", "note") in [(s["action"], s["field"]) for s in plan["steps"]]
    assert _publish(admin_client).status_code == 200
    assert admin_client.get("/api/apps/crm/forms/contract").json()["archived"] == []


def test_required_and_unique_are_refused_with_the_offending_ids(admin_client, crm, engine) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("title"), field("code")]))
    _publish(admin_client)
    first = _insert(engine, "f_crm_contract", title="A", code="X")
    second = _insert(engine, "f_crm_contract", title=None, code="X")

    admin_client.put(
        "/api/apps/crm/forms/contract",
        json=spec([field("title", required=True), field("code", unique=True)]),
    )
    plan = admin_client.get("/api/apps/crm/forms/contract/publish-plan").json()
    assert plan["ok"] is False
    refused = {s["field"]: s for s in plan["steps"] if s["refused"]}
    assert refused["title"]["blocking_ids"] == [second]
    assert sorted(refused["code"]["blocking_ids"]) == [first, second]

    response = _publish(admin_client)
    assert response.status_code == 409
    body = response.json()
    assert {e["field"] for e in body["errors"]} == {"fields.title", "fields.code"}
    assert admin_client.get("/api/apps/crm/forms/contract").json()["published_version"] == 1
    indexes = sa.inspect(engine).get_indexes("f_crm_contract")
    assert not any(i["unique"] for i in indexes)


def test_unique_index_is_created_when_values_are_distinct(admin_client, crm, engine) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("code")]))
    _publish(admin_client)
    _insert(engine, "f_crm_contract", code="A")
    _insert(engine, "f_crm_contract", code="B")
    admin_client.put("/api/apps/crm/forms/contract", json=spec([field("code", unique=True)]))
    assert _publish(admin_client).status_code == 200
    indexes = sa.inspect(engine).get_indexes("f_crm_contract")
    assert any(i["unique"] and i["column_names"] == ["code"] for i in indexes)


def test_a_type_change_existing_values_block_is_refused(admin_client, crm, engine) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("score")]))
    _publish(admin_client)
    row = _insert(engine, "f_crm_contract", score="not a date")
    admin_client.put("/api/apps/crm/forms/contract", json=spec([field("score", "date")]))
    response = _publish(admin_client)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "fields.score"
    step = response.json()["plan"][0]
    assert (step["action"], step["blocking_ids"]) == ("convert", [row])


def test_label_changes_need_no_table_change(admin_client, crm) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("title")]))
    _publish(admin_client)
    renamed = spec([{"key": "title", "type": "text", "label": {"zh": "标题", "en": "Title"}}])
    admin_client.put("/api/apps/crm/forms/contract", json=renamed)
    plan = admin_client.get("/api/apps/crm/forms/contract/publish-plan").json()
    assert [s["action"] for s in plan["steps"]] == ["no_ddl"]


def test_invalid_specs_list_every_problem(admin_client, crm) -> None:
    bad = spec(
        [
            field("a"),
            field("a"),
            field("x", "formula", formula="missing + 1"),
            field("c", "relation", target_form="nowhere"),
        ]
    )
    response = admin_client.post("/api/apps/crm/forms", json=bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"fields[1].key", "fields[2].formula", "fields[3].target_form"} <= fields
    assert admin_client.get("/api/apps/crm/forms").json() == []


@pytest.mark.parametrize(
    "body",
    [
        spec([{"key": "x", "type": "blob", "label": {"en": "X"}}]),
        spec([field("id")]),
        spec([field("x", bogus=True)]),
        {"key": "Bad Key", "name": {"en": "x"}},
        {"key": "x", "name": {}},
    ],
)
def test_malformed_specs_are_422(admin_client, crm, body) -> None:
    response = admin_client.post("/api/apps/crm/forms", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_duplicate_form_key_and_immutable_key(admin_client, crm) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("a")]))
    assert admin_client.post("/api/apps/crm/forms", json=spec([field("a")])).status_code == 409
    moved = admin_client.put("/api/apps/crm/forms/contract", json=spec([field("a")], key="other"))
    assert moved.status_code == 422


def test_relations_between_forms(admin_client, crm, engine) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec([field("name")], key="customer"))
    _publish(admin_client, "customer")
    contract = spec(
        [
            field("customer", "relation", target_form="customer"),
            field("industry", "lookup", relation="customer", source_field="name"),
            field("label", "formula", formula='customer.name & "!"'),
        ]
    )
    assert admin_client.post("/api/apps/crm/forms", json=contract).status_code == 201
    assert _publish(admin_client).status_code == 200
    assert {"customer", "industry", "label"} <= set(_columns(engine, "f_crm_contract"))


def test_members_cannot_change_forms(login, make_user, admin_client, crm) -> None:
    make_user("li.lei")
    member = login("li.lei", "user-pass-1")
    assert member.get("/api/apps/crm/forms").status_code == 404  # not a member of the app yet
    admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    assert member.post("/api/apps/crm/forms", json=spec([field("a")])).status_code == 403
    assert member.get("/api/apps/crm/forms").status_code == 200


def test_deleting_an_app_with_forms_needs_confirm_and_drops_tables(
    admin_client, crm, engine
) -> None:
    admin_client.post("/api/apps/crm/forms", json=spec(BASE_FIELDS))
    _publish(admin_client)
    refused = admin_client.delete("/api/apps/crm")
    assert refused.status_code == 422
    assert refused.json()["contents"] == {"forms": 1}
    assert admin_client.delete("/api/apps/crm", params={"confirm": "crm"}).status_code == 204
    assert not [t for t in sa.inspect(engine).get_table_names() if t.startswith("f_crm_")]


def test_unknown_app_or_form_is_404(admin_client, crm) -> None:
    assert admin_client.get("/api/apps/nope/forms").status_code == 404
    assert admin_client.get("/api/apps/crm/forms/nope").status_code == 404
    assert admin_client.get("/api/apps/crm/forms/nope/publish-plan").status_code == 404
