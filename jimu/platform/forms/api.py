"""Forms of an app: edit drafts, see the publish plan, publish, read versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from jimu.engines.errors import NotFound
from jimu.engines.i18n import text
from jimu.form_engine import service
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.platform.apps.api import AppKey
from jimu.platform.apps.models import App
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, LocaleDep, SessionDep
from jimu.platform.forms.schemas import (
    FormRead,
    FormSummary,
    FormVersionRead,
    PlanStep,
    PublishPlan,
)
from jimu.platform.org.models import User
from jimu.platform.permissions.service import require_app_admin, require_member
from jimu.platform.records import platform_tables
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import KEY_PATTERN

router = APIRouter(tags=["forms"], responses=PROBLEMS)
FormKey = Annotated[str, Path(pattern=KEY_PATTERN, description="the form's key")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]


def _member_app(session: Session, key: str, user: User) -> App:
    """The app, for users who hold a role in it (else 404)."""
    app_row = get_app(session, key)
    require_member(session, app_row, user)
    return app_row


def _admin_app(session: Session, key: str, user: User) -> App:
    """The app, for its admins (designing forms is theirs)."""
    app_row = get_app(session, key)
    require_app_admin(session, app_row, user)
    return app_row


def _read(form: Form) -> FormRead:
    return FormRead(
        key=form.key,
        name=form.draft.get("name", {}),
        draft=form.draft,
        published_version=form.published_version,
        table_name=form.table_name,
        archived=form.archived or [],
        created_at=form.created_at,
        updated_at=form.updated_at,
    )


@router.get("/api/apps/{app}/forms", response_model=list[FormSummary])
def list_forms(app: AppKey, user: CurrentUser, session: SessionDep) -> list[FormSummary]:
    """The forms of an app."""
    app_row = _member_app(session, app, user)
    return [
        FormSummary(
            key=f.key,
            name=f.draft.get("name", {}),
            published_version=f.published_version,
            updated_at=f.updated_at,
        )
        for f in service.list_forms(session, app_row.id)
    ]


@router.post("/api/apps/{app}/forms", response_model=FormRead, status_code=201)
def create_form(app: AppKey, body: FormSpec, actor: CurrentUser, session: SessionDep) -> FormRead:
    """Creates a form from a spec (a draft; publish to create its table)."""
    app_row = _admin_app(session, app, actor)
    return _read(service.create_form(session, app_row.id, body, actor.id))


@router.get("/api/apps/{app}/forms/{form}", response_model=FormRead)
def read_form(app: AppKey, form: FormKey, user: CurrentUser, session: SessionDep) -> FormRead:
    """One form with its draft."""
    return _read(service.get_form(session, _member_app(session, app, user).id, form))


@router.put("/api/apps/{app}/forms/{form}", response_model=FormRead)
def update_form(
    app: AppKey, form: FormKey, body: FormSpec, user: CurrentUser, session: SessionDep
) -> FormRead:
    """Replaces the draft; the published version is untouched until the next publish."""
    return _read(service.update_draft(session, _admin_app(session, app, user).id, form, body))


@router.get("/api/apps/{app}/forms/{form}/publish-plan", response_model=PublishPlan)
def publish_plan(
    app: AppKey, form: FormKey, user: CurrentUser, session: SessionDep, locale: LocaleDep
) -> PublishPlan:
    """What publishing the draft would change (DDL), and what would be refused and why."""
    app_row = _admin_app(session, app, user)
    plan = service.publish_plan(
        session, app_row.key, service.get_form(session, app_row.id, form), platform_tables()
    )
    return PublishPlan(ok=plan.ok, steps=[PlanStep(**step.as_dict(locale)) for step in plan.steps])


@router.post("/api/apps/{app}/forms/{form}/publish", response_model=FormVersionRead)
def publish(
    app: AppKey, form: FormKey, actor: CurrentUser, session: SessionDep, locale: LocaleDep
) -> FormVersionRead:
    """Publishes the draft as the next version, applying the table changes."""
    app_row = _admin_app(session, app, actor)
    row = service.get_form(session, app_row.id, form)
    version, _ = service.publish(session, app_row.key, row, actor.id, platform_tables(), locale)
    return FormVersionRead.model_validate(version, from_attributes=True)


@router.get("/api/apps/{app}/forms/{form}/versions", response_model=list[FormVersionRead])
def list_versions(
    app: AppKey, form: FormKey, user: CurrentUser, session: SessionDep
) -> list[FormVersionRead]:
    """Every published version, oldest first."""
    row = service.get_form(session, _member_app(session, app, user).id, form)
    return [
        FormVersionRead.model_validate(v, from_attributes=True)
        for v in service.versions(session, row)
    ]


@router.get("/api/apps/{app}/forms/{form}/versions/{version}", response_model=FormVersionRead)
def read_version(
    app: AppKey, form: FormKey, version: VersionPath, user: CurrentUser, session: SessionDep
) -> FormVersionRead:
    """One published version."""
    row = service.get_form(session, _member_app(session, app, user).id, form)
    for item in service.versions(session, row):
        if item.version == version:
            return FormVersionRead.model_validate(item, from_attributes=True)
    raise NotFound(text("Version", "版本"), version)
