"""The one way to get the records service: for a signed-in user, or for automation.

The API, the web pages, the CLI, workers, rules, flows, the importer and the template
installer all build the write path here, so every one of them applies a grant, resolves
related forms (rollups, expansion, relation scopes) and audits who acted.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.form_engine import service as forms
from jimu.form_engine.access import FULL, FormGrant, GrantOf
from jimu.form_engine.records import Actor, RecordsService
from jimu.form_engine.runtime import FormRuntime, load_runtime
from jimu.platform.apps.models import App
from jimu.platform.apps.service import get_app
from jimu.platform.models import Base
from jimu.platform.org.models import User
from jimu.platform.permissions.service import require_member


def platform_tables() -> dict[str, sa.Table]:
    """The platform tables form tables refer to (users, departments)."""
    return {name: Base.metadata.tables[name] for name in ("users", "departments")}


def form_runtime(session: Session, app: App, form_key: str) -> FormRuntime:
    """The published runtime of one form of the app (404 unknown, 409 not published)."""
    return load_runtime(
        session, app.key, forms.get_form(session, app.id, form_key), platform_tables()
    )


def records_for(
    session: Session, app: App, form_key: str, actor: Actor, access: GrantOf
) -> RecordsService:
    """The records service of one published form, acting as ``actor`` with the grants
    ``access`` gives on each form (related forms resolved within the same app)."""

    def runtime_of(key: str) -> FormRuntime:
        return form_runtime(session, app, key)

    return RecordsService(session, runtime_of(form_key), actor, access=access, runtimes=runtime_of)


def user_records(session: Session, app_key: str, form_key: str, user: User) -> RecordsService:
    """The records service for a signed-in user: their roles decide (404 for non-members,
    checked before the form is looked up so that nothing about it is revealed)."""
    app = get_app(session, app_key)
    access = require_member(session, app, user)
    actor = Actor(user.id, user.main_department_id, access.app_admin)
    return records_for(session, app, form_key, actor, access)


def system_grant(runtime: FormRuntime) -> FormGrant:
    """Automation's grant: every action on every record and field."""
    return FULL


def system_records(
    session: Session, app: App, form_key: str, *, on_behalf_of: int, via: str
) -> RecordsService:
    """The records service for automation (a rule, a flow node, an install): every right,
    acting for the user ``on_behalf_of`` (the owner of what it creates), audited as ``via``
    (``rule:12``, ``flow:3``)."""
    actor = Actor(on_behalf_of, None, is_admin=True, via=via)
    return records_for(session, app, form_key, actor, system_grant)
