"""Field type changes on publish: values converted into a new column, the old one archived;
refused with the ids of the records in the way; all or nothing on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.errors import Conflict
from jimu.form_engine import service
from jimu.form_engine.publish import apply_plan
from jimu.platform.db import transaction, utcnow
from jimu.platform.records import platform_tables

FORM = "/api/apps/crm/forms/contract"
RECORDS = f"{FORM}/records"
TABLE = "f_crm_contract"
OPTIONS = [{"key": "won", "label": {"en": "Won"}}, {"key": "lost", "label": {"en": "Lost"}}]


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


def spec(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "contract", "name": {"en": "Contract"}, "fields": list(fields)}


@pytest.fixture
def crm(admin_client) -> None:
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success


def _start(client, *fields: dict[str, Any]) -> None:
    assert client.post("/api/apps/crm/forms", json=spec(*fields)).status_code == 201
    assert client.post(f"{FORM}/publish").status_code == 200


def _create(client, **values: Any) -> int:
    response = client.post(RECORDS, json={"values": values})
    assert response.status_code == 201, response.text
    return int(response.json()["_id"])


def _insert(engine: sa.Engine, **values: Any) -> int:
    """A row written straight to the table (values the current type would not accept)."""
    table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
    now = utcnow()
    with engine.begin() as conn:
        result = conn.execute(table.insert().values(created_at=now, updated_at=now, **values))
        return int(result.inserted_primary_key[0])


def _plan(client, *fields: dict[str, Any]) -> dict[str, Any]:
    assert client.put(FORM, json=spec(*fields)).status_code == 200
    response = client.get(f"{FORM}/publish-plan")
    assert response.status_code == 200, response.text
    return response.json()


def _step(plan: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in plan["steps"] if s["field"] == key and s["action"] == "convert")


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(TABLE)}


def _values(client, key: str) -> dict[int, Any]:
    items = client.get(RECORDS, params={"page_size": 200}).json()["items"]
    return {r["_id"]: r[key] for r in items}


def test_text_to_number_converts_and_archives_the_old_column(admin_client, crm, engine) -> None:
    _start(admin_client, field("title"), field("score"))
    ids = [_create(admin_client, title=t, score=v) for t, v in [("a", "12"), ("b", " 3.5 ")]]
    blank = _create(admin_client, title="c")
    plan = _plan(admin_client, field("title"), field("score", "number", filterable=True))
    step = _step(plan, "score")
    assert plan["ok"] is True
    assert step["refused"] is None
    assert "2 value(s) convert" in step["message"]
    assert "score_v1" in step["message"]
    assert any("RENAME COLUMN" in sql for sql in step["sql"])

    assert admin_client.post(f"{FORM}/publish").status_code == 200
    assert _values(admin_client, "score") == {ids[0]: "12.00", ids[1]: "3.50", blank: None}
    assert {"score", "score_v1"} <= _columns(engine)
    form = admin_client.get(FORM).json()
    assert [(a["key"], a["type"]) for a in form["archived"]] == [("score_v1", "text")]
    # the converted field is a number for filters and sorting
    found = admin_client.get(RECORDS, params={"filter": "score > 5", "sort": "-score"}).json()
    assert [r["_id"] for r in found["items"]] == [ids[0]]
    ordered = admin_client.get(RECORDS, params={"filter": "score > 0", "sort": "score"}).json()
    assert [r["_id"] for r in ordered["items"]] == [ids[1], ids[0]]
    indexes = sa.inspect(engine).get_indexes(TABLE)
    assert any(i["column_names"] == ["score"] for i in indexes)


def test_values_that_do_not_convert_refuse_the_publish_with_their_ids(
    admin_client, crm, engine
) -> None:
    _start(admin_client, field("score"))
    good = _create(admin_client, score="12")
    bad = [_create(admin_client, score=v) for v in ("abc", "1,5")]
    columns = _columns(engine)
    plan = _plan(admin_client, field("score", "number"))
    assert plan["ok"] is False
    step = _step(plan, "score")
    assert step["refused"]
    assert (step["blocking_ids"], step["blocking_total"]) == (bad, 2)
    assert f"record {bad[0]}" in step["refused"]

    response = admin_client.post(f"{FORM}/publish")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "fields.score"
    assert _columns(engine) == columns
    form = admin_client.get(FORM).json()
    assert (form["published_version"], form["archived"]) == (1, [])
    assert _values(admin_client, "score") == {good: "12", bad[0]: "abc", bad[1]: "1,5"}


def test_the_list_of_blocking_ids_is_capped_and_counted(admin_client, crm, engine) -> None:
    _start(admin_client, field("score"))
    table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"created_at": now, "updated_at": now, "score": "x"}] * 60)
    step = _step(_plan(admin_client, field("score", "number")), "score")
    assert (len(step["blocking_ids"]), step["blocking_total"]) == (50, 60)


@pytest.mark.parametrize(
    ("old", "new", "stored", "converted"),
    [
        (field("v", "number", decimals=1), field("v"), "12.5", "12.5"),
        (field("v"), field("v", "date"), "2024-03-01", "2024-03-01"),
        (field("v"), field("v", "datetime"), "2024-03-01 08:30", "2024-03-01 08:30:00"),
        (field("v", "date"), field("v", "datetime"), "2024-03-01", "2024-03-01 00:00:00"),
        (field("v", "select", options=OPTIONS), field("v"), "won", "won"),
        (field("v"), field("v", "select", options=OPTIONS), "lost", "lost"),
        (field("v", "number", decimals=0), field("v", "rating"), "4", 4),
        (field("v", "amount"), field("v", "number"), "9.90", "9.90"),
        (field("v", "checkbox"), field("v"), True, "true"),
        (field("v", "phone"), field("v", "email"), "13800000000", None),
        (
            field("v", "select", options=OPTIONS),
            field("v", "multiselect", options=OPTIONS),
            "won",
            ["won"],
        ),
    ],
    ids=lambda p: p["type"] if isinstance(p, dict) else None,
)
def test_conversions_between_types(admin_client, crm, old, new, stored, converted) -> None:
    _start(admin_client, old)
    record = _create(admin_client, v=stored)
    plan = _plan(admin_client, new)
    if converted is None:  # a phone number is not an e-mail address
        assert _step(plan, "v")["blocking_ids"] == [record]
        return
    assert plan["ok"] is True, plan
    assert admin_client.post(f"{FORM}/publish").status_code == 200
    assert _values(admin_client, "v") == {record: converted}


def test_a_unique_field_keeps_its_index_and_converted_duplicates_are_refused(
    admin_client, crm, engine
) -> None:
    _start(admin_client, field("code", unique=True))
    first = _create(admin_client, code="1")
    second = _create(admin_client, code="1.0")
    step = _step(_plan(admin_client, field("code", "number", unique=True)), "code")
    assert step["blocking_ids"] == [second]  # 1 and 1.0 are the same number

    admin_client.patch(f"{RECORDS}/{second}", json={"version": 1, "values": {"code": "2"}})
    assert _plan(admin_client, field("code", "number", unique=True))["ok"] is True
    assert admin_client.post(f"{FORM}/publish").status_code == 200
    unique = [i for i in sa.inspect(engine).get_indexes(TABLE) if i["unique"]]
    assert [i["column_names"] for i in unique] == [["code"]]
    duplicate = admin_client.post(RECORDS, json={"values": {"code": "1"}})
    assert duplicate.status_code in (409, 422)
    assert _values(admin_client, "code") == {first: "1.00", second: "2.00"}


def test_the_archived_old_column_can_be_restored(admin_client, crm) -> None:
    _start(admin_client, field("score"))
    record = _create(admin_client, score="7")
    _plan(admin_client, field("score", "number"))
    assert admin_client.post(f"{FORM}/publish").status_code == 200

    plan = _plan(admin_client, field("score", "number"), field("score_v1"))
    assert ("restore", "score_v1") in [(s["action"], s["field"]) for s in plan["steps"]]
    assert admin_client.post(f"{FORM}/publish").status_code == 200
    assert _values(admin_client, "score_v1") == {record: "7"}
    assert admin_client.get(FORM).json()["archived"] == []

    # converting again keeps every earlier column under a new name
    _plan(admin_client, field("score"), field("score_v1"))
    assert admin_client.post(f"{FORM}/publish").status_code == 200
    assert [a["key"] for a in admin_client.get(FORM).json()["archived"]] == ["score_v3"]
    assert _values(admin_client, "score") == {record: "7.00"}


def test_single_member_becomes_multiple_through_the_link_table(
    admin_client, admin, crm, engine
) -> None:
    _start(admin_client, field("owner_user", "member"))
    record = _create(admin_client, owner_user=admin["id"])
    empty = _create(admin_client)
    assert _plan(admin_client, field("owner_user", "member", multiple=True))["ok"] is True
    assert admin_client.post(f"{FORM}/publish").status_code == 200
    assert _values(admin_client, "owner_user") == {record: [admin["id"]], empty: []}
    assert f"{TABLE}__owner_user" in sa.inspect(engine).get_table_names()

    back = _plan(admin_client, field("owner_user", "member"))
    assert _step(back, "owner_user")["refused"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (field("v"), field("v", "subform", fields=[field("x")])),
        (field("v", "number"), field("v", "formula", formula="1 + 1")),
        (field("v", "number", decimals=0), field("v", "member")),
        (field("v", "member", multiple=True), field("v")),
    ],
    ids=["to-subform", "to-formula", "to-member", "from-multi"],
)
def test_changes_that_cannot_convert_are_refused_clearly(admin_client, crm, old, new) -> None:
    _start(admin_client, old)
    plan = _plan(admin_client, new)
    assert _step(plan, "v")["refused"]
    response = admin_client.post(f"{FORM}/publish", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "fields.v"


def test_a_failure_half_way_leaves_table_and_form_as_they_were(
    admin_client, crm, engine, session_factory
) -> None:
    _start(admin_client, field("score"), field("note"))
    _create(admin_client, score="12")
    admin_client.put(FORM, json=spec(field("score", "number", unique=True)))
    columns = _columns(engine)
    indexes = sa.inspect(engine).get_indexes(TABLE)

    session = session_factory()
    try:
        form = service.get_form(session, _app_id(session), "contract")
        plan = service.publish_plan(session, "crm", form, platform_tables())
        assert plan.ok
        # a value that does not convert arrives after the plan was made
        table = sa.Table(TABLE, sa.MetaData(), autoload_with=session.connection())
        now = utcnow()
        session.execute(table.insert().values(created_at=now, updated_at=now, score="late"))
        with pytest.raises(Conflict) as refused:
            apply_plan(session.connection(), plan)
        assert refused.value.extra["blocking_total"] == 1
        # the rename and the new column happened before the refusal
        assert "score_v1" in {
            c["name"] for c in sa.inspect(session.connection()).get_columns(TABLE)
        }
    finally:
        session.rollback()
        session.close()

    assert _columns(engine) == columns
    assert sa.inspect(engine).get_indexes(TABLE) == indexes
    form_now = admin_client.get(FORM).json()
    assert (form_now["published_version"], form_now["archived"]) == (1, [])
    assert sorted(_values(admin_client, "score").values()) == ["12"]


def test_publish_refuses_values_found_at_apply_time(
    admin_client, crm, engine, session_factory
) -> None:
    _start(admin_client, field("score"))
    _create(admin_client, score="12")
    admin_client.put(FORM, json=spec(field("score", "number")))
    with transaction(session_factory) as session:
        form = service.get_form(session, _app_id(session), "contract")
        plan = service.publish_plan(session, "crm", form, platform_tables())
    bad = _insert(engine, score="late")
    response = admin_client.post(f"{FORM}/publish")
    assert plan.ok
    assert response.status_code == 409
    assert response.json()["plan"][0]["blocking_ids"] == [bad]


def _app_id(session: Any) -> int:
    from jimu.platform.apps.service import get_app

    return int(get_app(session, "crm").id)


def test_a_field_other_forms_read_cannot_change_type(admin_client, crm) -> None:
    customer = {"key": "customer", "name": {"en": "Customer"}, "fields": [field("industry")]}
    assert admin_client.post("/api/apps/crm/forms", json=customer).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/customer/publish").status_code == 200
    _start(
        admin_client,
        field("customer", "relation", target_form="customer"),
        field("industry", "lookup", relation="customer", source_field="industry"),
    )
    customer["fields"] = [field("industry", "number")]
    admin_client.put("/api/apps/crm/forms/customer", json=customer)
    plan = admin_client.get("/api/apps/crm/forms/customer/publish-plan").json()
    assert "contract.industry" in _step(plan, "industry")["refused"]
    assert admin_client.post("/api/apps/crm/forms/customer/publish").status_code == 409
