"""The form runtime cache: shared by request threads, holding no ORM row, never changed on
a hit (inside a transaction rolled back after each test)."""

from __future__ import annotations

import threading
from dataclasses import FrozenInstanceError
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.form_engine import service as forms
from jimu.form_engine.runtime import FormRef, FormRuntime, load_runtime
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.platform.apps.models import App
from jimu.platform.org.models import User
from jimu.platform.records import platform_tables

NOTE = {
    "key": "note",
    "name": {"en": "Note"},
    "fields": [
        {"key": "title", "type": "text", "label": {"en": "Title"}},
        {"key": "body", "type": "text", "label": {"en": "Body"}},
    ],
}


@pytest.fixture
def published(session: Session) -> dict[str, Any]:
    """An app with one published form."""
    author = User(username="author", display_name="Author")
    app = App(key="notes", name={"en": "Notes"})
    session.add_all([author, app])
    session.flush()
    form = forms.create_form(session, app.id, FormSpec.model_validate(NOTE), author.id)
    forms.publish(session, "notes", form, author.id, platform_tables())
    return {"app": app, "author": author, "form": form}


def _load(session: Session, form: Form) -> FormRuntime:
    return load_runtime(session, "notes", form, platform_tables())


def test_a_runtime_holds_a_frozen_reference_not_the_row(
    session: Session, published: dict[str, Any]
) -> None:
    form: Form = published["form"]
    runtime = _load(session, form)
    assert runtime.form == FormRef.of(form)
    assert (runtime.form.id, runtime.form.key, runtime.form.app_id) == (
        form.id,
        "note",
        published["app"].id,
    )
    with pytest.raises(FrozenInstanceError):
        runtime.form = FormRef.of(form)  # type: ignore[misc]


def test_a_cache_hit_returns_the_runtime_untouched(
    session: Session, published: dict[str, Any]
) -> None:
    form: Form = published["form"]
    first = _load(session, form)
    reference = first.form
    session.expunge(form)
    again = session.scalars(sa.select(Form).where(Form.id == form.id)).one()
    assert again is not form
    second = _load(session, again)
    assert second is first
    assert second.form is reference


def test_a_runtime_outlives_the_session_its_form_came_from(
    session: Session, published: dict[str, Any]
) -> None:
    runtime = _load(session, published["form"])
    session.expunge_all()
    assert runtime.form.key == "note"
    assert runtime.form.table_name == "f_notes_note"


def test_publishing_again_serves_a_new_runtime(session: Session, published: dict[str, Any]) -> None:
    form: Form = published["form"]
    first = _load(session, form)
    tag = {"key": "tag", "type": "text", "label": {"en": "Tag"}}
    tagged = {**NOTE, "fields": [*NOTE["fields"], tag]}
    forms.update_draft(session, published["app"].id, "note", FormSpec.model_validate(tagged))
    forms.publish(session, "notes", form, published["author"].id, platform_tables())
    second = _load(session, form)
    assert second is not first
    assert (first.version, second.version) == (1, 2)
    assert second.form.published_version == 2


def test_threads_sharing_a_runtime_build_one_grant_and_statement_per_key(
    session: Session, published: dict[str, Any]
) -> None:
    runtime = _load(session, published["form"])
    got: dict[str, set[int]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for i in range(500):
                values = {
                    f"grant{i % 3}": runtime.grant(("user", i % 3), object),
                    f"statement{i % 3}": runtime.statement(f"s{i % 3}", object),
                    "formula": runtime.formula("title & body"),
                }
                with lock:
                    for key, value in values.items():
                        got.setdefault(key, set()).add(id(value))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 7
    assert all(len(ids) == 1 for ids in got.values())
