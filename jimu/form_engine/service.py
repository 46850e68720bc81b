"""Forms: drafts, validation, the publish plan and publishing (DDL in the caller's transaction)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.errors import Conflict, FieldError, NotFound, ValidationFailed
from jimu.engines.expr.types import Type
from jimu.engines.i18n import text
from jimu.form_engine import convert, store
from jimu.form_engine.publish import Plan, apply_plan, plan_publish
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form, FormVersion
from jimu.form_engine.tables import table_name
from jimu.form_engine.validate import validate_form

FORM = text("Form", "表单")


def get_form(session: Session, app_id: int, key: str) -> Form:
    """Gets a form of an app by key."""
    form = store.form_by_key(session, app_id, key)
    if form is None:
        raise NotFound(FORM, key)
    return form


def list_forms(session: Session, app_id: int) -> list[Form]:
    """The forms of an app."""
    return store.forms_of_app(session, app_id)


def _drafts(session: Session, app_id: int) -> dict[str, FormSpec]:
    return {f.key: FormSpec.model_validate(f.draft) for f in store.forms_of_app(session, app_id)}


def _published(session: Session, app_id: int) -> dict[str, FormSpec]:
    specs = {}
    for form in store.forms_of_app(session, app_id):
        version = store.version_of(session, form.id, form.published_version)
        if version is not None:
            specs[form.key] = FormSpec.model_validate(version.spec)
    return specs


def create_form(session: Session, app_id: int, spec: FormSpec, actor_id: int | None) -> Form:
    """Creates a form whose draft is ``spec``; nothing is published yet."""
    if store.form_by_key(session, app_id, spec.key) is not None:
        raise Conflict(
            text(
                "Form key '{key}' is taken in this app.",
                "本应用中表单标识“{key}”已存在。",
                key=spec.key,
            ),
            errors=[FieldError("key", "duplicate", text("Already taken.", "已被使用。"))],
        )
    validate_form(spec, {**_drafts(session, app_id), spec.key: spec})
    form = Form(
        app_id=app_id,
        key=spec.key,
        draft=spec.model_dump(mode="json"),
        archived=[],
        created_by=actor_id,
    )
    session.add(form)
    session.flush()
    return form


def update_draft(session: Session, app_id: int, key: str, spec: FormSpec) -> Form:
    """Replaces the draft of a form (its key never changes)."""
    form = get_form(session, app_id, key)
    if spec.key != key:
        raise ValidationFailed.single(
            "key", "immutable", text("A form's key cannot change.", "表单标识不能修改。")
        )
    validate_form(spec, {**_drafts(session, app_id), key: spec})
    form.draft = spec.model_dump(mode="json")
    session.flush()
    return form


def _plan(
    session: Session, app_key: str, form: Form, platform: Mapping[str, sa.Table]
) -> tuple[Plan, FormSpec]:
    drafts = _drafts(session, form.app_id)
    draft = drafts[form.key]
    validated = validate_form(draft, drafts)
    published_specs = _published(session, form.app_id)
    old = published_specs.get(form.key)
    old_results: dict[str, Type] = {}
    if old is not None:
        old_results = validate_form(old, {**published_specs, form.key: old}).results
    plan = plan_publish(
        session.connection(),
        app_key,
        draft,
        old,
        results=validated.results,
        old_results=old_results,
        forms=drafts,
        platform=platform,
        archived=form.archived or [],
        version=form.published_version,
    )
    if old is not None:
        _refuse_breaking_dependents(plan, form.key, old, draft, published_specs)
    return plan, draft


def _refuse_breaking_dependents(
    plan: Plan, key: str, old: FormSpec, draft: FormSpec, published: Mapping[str, FormSpec]
) -> None:
    for step in plan.steps:
        if step.action == "convert" and step.refused is None and step.field:
            found = convert.dependents(key, old, draft.field(step.field), published)
            if found:
                step.refused = convert.dependents_refusal(found)


def publish_plan(
    session: Session, app_key: str, form: Form, platform: Mapping[str, sa.Table]
) -> Plan:
    """What publishing the draft would do, without doing it."""
    return _plan(session, app_key, form, platform)[0]


def publish(
    session: Session,
    app_key: str,
    form: Form,
    actor_id: int | None,
    platform: Mapping[str, sa.Table],
    locale: str = "en",
) -> tuple[FormVersion, Plan]:
    """Applies the plan and records version n+1; refuses the whole publish if any step is."""
    plan, draft = _plan(session, app_key, form, platform)
    if not plan.ok:
        refused = [step for step in plan.steps if step.refused is not None]
        raise Conflict(
            text(
                "The form cannot be published: {n} change(s) are refused.",
                "表单无法发布：有 {n} 项修改被拒绝。",
                n=len(refused),
            ),
            errors=[
                FieldError(
                    f"fields.{step.field}" if step.field else "form",
                    step.action,
                    step.refused or step.message,
                )
                for step in refused
            ],
            extra={"plan": [step.as_dict(locale) for step in plan.steps]},
        )
    apply_plan(session.connection(), plan)
    form.published_version += 1
    form.table_name = form.table_name or table_name(app_key, form.key)
    form.archived = plan.archived
    version = FormVersion(
        form_id=form.id,
        version=form.published_version,
        spec=draft.model_dump(mode="json"),
        published_by=actor_id,
    )
    session.add(version)
    session.flush()
    return version, plan


def versions(session: Session, form: Form) -> list[FormVersion]:
    """Every published version of a form."""
    return store.versions_of(session, form.id)


def drop_tables(session: Session, app_key: str, form: Form) -> None:
    """Drops every table of a published form (children and links first)."""
    if not form.published_version:
        return
    from jimu.form_engine.tables import build_tables

    drafts = _published(session, form.app_id)
    spec = drafts[form.key]
    archived = [
        FormSpec.model_validate({"key": "x", "name": {"en": "x"}, "fields": [a]}).fields[0]
        for a in form.archived or []
    ]
    tables = build_tables(
        sa.MetaData(), app_key, spec, results={}, forms=drafts, platform={}, archived=archived
    )
    connection = session.connection()
    for table in reversed(tables.all()):
        table.drop(connection, checkfirst=True)


def delete_app_forms(session: Session, app_id: int, app_key: str) -> None:
    """Drops the tables of every form of an app (the app is being deleted)."""
    for form in store.forms_of_app(session, app_id):
        drop_tables(session, app_key, form)
