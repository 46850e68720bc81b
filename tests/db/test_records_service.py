"""The records service built by the platform's one factory, without HTTP, inside a
transaction that is rolled back after each test."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from jimu.engines import events
from jimu.engines.errors import NotFound, ValidationFailed
from jimu.form_engine import service as forms
from jimu.form_engine.records import RecordEvent, RecordsService
from jimu.form_engine.spec import FormSpec
from jimu.platform.apps.models import App
from jimu.platform.db import transaction
from jimu.platform.org.models import PLATFORM_ADMIN, Role, User
from jimu.platform.records import platform_tables, system_records, user_records

CUSTOMER = {
    "key": "customer",
    "name": {"en": "Customer"},
    "title_field": "name",
    "fields": [
        {"key": "name", "type": "text", "label": {"en": "Name"}},
        {"key": "code", "type": "text", "label": {"en": "Code"}, "unique": True},
        {"key": "deals", "type": "rollup", "label": {"en": "Deals"}, "formula": "COUNT(deal)"},
    ],
}
DEAL = {
    "key": "deal",
    "name": {"en": "Deal"},
    "fields": [
        {"key": "title", "type": "text", "label": {"en": "Title"}},
        {"key": "customer", "type": "relation", "label": {"en": "C"}, "target_form": "customer"},
        {
            "key": "customer_name",
            "type": "lookup",
            "label": {"en": "Customer name"},
            "relation": "customer",
            "source_field": "name",
        },
    ],
}


@pytest.fixture
def shop(session: Session) -> dict[str, Any]:
    """An app with two published forms, its creator (a platform admin) and an outsider."""
    admin = User(username="boss", display_name="Boss")
    admin.roles = [session.scalars(sa.select(Role).where(Role.key == PLATFORM_ADMIN)).one()]
    outsider = User(username="outsider", display_name="Outsider")
    app = App(key="shop", name={"en": "Shop"})
    session.add_all([admin, outsider, app])
    session.flush()
    first = {**CUSTOMER, "fields": CUSTOMER["fields"][:2]}
    customer = forms.create_form(session, app.id, FormSpec.model_validate(first), admin.id)
    deal = forms.create_form(session, app.id, FormSpec.model_validate(DEAL), admin.id)
    forms.update_draft(session, app.id, "customer", FormSpec.model_validate(CUSTOMER))
    for form in (customer, deal):
        forms.publish(session, "shop", form, admin.id, platform_tables())
    return {"app": app, "admin": admin, "outsider": outsider}


def test_a_user_gets_the_service_through_their_roles(session: Session, shop: Any) -> None:
    records = user_records(session, "shop", "customer", shop["admin"])
    created = records.create({"name": "ACME", "code": "C1"})
    assert records.get(created["_id"])["name"] == "ACME"
    with pytest.raises(NotFound):
        user_records(session, "shop", "customer", shop["outsider"])
    with pytest.raises(NotFound):  # a form of an app they are not in tells nothing either
        user_records(session, "shop", "nothing", shop["outsider"])


def test_automation_acts_for_a_user_and_is_audited(session: Session, shop: Any) -> None:
    records = system_records(
        session, shop["app"], "customer", on_behalf_of=shop["outsider"].id, via="rule:7"
    )
    created = records.create({"name": "ACME"})
    assert created["_owner"] == shop["outsider"].id
    entry = records.history(created["_id"])[0]
    assert (entry.actor_id, entry.via) == (shop["outsider"].id, "rule:7")


def test_related_forms_are_always_resolved(session: Session, shop: Any) -> None:
    customers = user_records(session, "shop", "customer", shop["admin"])
    customer = customers.create({"name": "ACME"})
    deals = system_records(session, shop["app"], "deal", on_behalf_of=shop["admin"].id, via="x")
    deal = deals.create({"title": "Big", "customer": customer["_id"]})
    assert customers.get(customer["_id"])["deals"] == 1  # the parent's rollup followed
    deals.expand([deal], "customer")
    assert deal["customer"] == {"_id": customer["_id"], "title": "ACME"}


def test_validate_only_reports_every_problem_and_saves_nothing(session: Session, shop: Any) -> None:
    records = user_records(session, "shop", "customer", shop["admin"])
    kept = records.create({"name": "ACME", "code": "C1"})
    errors = records.validate({"name": 5, "code": "C1", "nope": 1})
    assert {(e.field, e.code) for e in errors} == {("name", "type"), ("nope", "unknown_field")}
    errors = records.validate({"name": "Other", "code": "C1"})
    assert [(e.field, e.code) for e in errors] == [("code", "duplicate")]
    assert records.validate({"name": "ACME 2"}, record_id=kept["_id"]) == []
    assert records.list_records().total == 1
    assert records.get(kept["_id"])["name"] == "ACME"


def test_lookups_ignore_deleted_records(session: Session, shop: Any) -> None:
    customers = user_records(session, "shop", "customer", shop["admin"])
    deals = user_records(session, "shop", "deal", shop["admin"])
    customer = customers.create({"name": "ACME"})
    deal = deals.create({"title": "Big", "customer": customer["_id"]})
    assert deal["customer_name"] == "ACME"
    customers.delete(customer["_id"])
    deal = deals.update(deal["_id"], {"title": "Bigger"}, deal["_version"])
    assert deal["customer_name"] is None


def test_a_unique_value_taken_by_a_concurrent_write_is_a_field_error(
    session: Session, shop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = user_records(session, "shop", "customer", shop["admin"])
    records.create({"name": "A", "code": "C1"})
    # the other write commits between this one's check and its insert
    monkeypatch.setattr(RecordsService, "_check_unique", lambda *args, **kwargs: None)
    with pytest.raises(ValidationFailed) as raised:
        records.create({"name": "B", "code": "C1"})
    assert [(e.field, e.code) for e in raised.value.errors] == [("code", "duplicate")]


def test_the_unit_of_work_hands_on_events_after_commit_only(
    session_factory: sessionmaker[Session], clean_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(events, "_handlers", {"record.created": [seen.append]})
    event = RecordEvent("record.created", 1, 1)
    with pytest.raises(RuntimeError):
        _failing_work(session_factory, event)
    assert seen == []
    with transaction(session_factory) as work:
        events.queue(work, event)
        work.execute(sa.select(1))
        assert seen == []  # not before the commit
    assert seen == [event]


def _failing_work(session_factory: sessionmaker[Session], event: Any) -> None:
    with transaction(session_factory) as work:
        events.queue(work, event)
        raise RuntimeError("the work failed")
