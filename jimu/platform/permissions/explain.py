"""Why a user can or cannot see and change a record: each role's scopes judged in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.errors import NotFound
from jimu.engines.i18n import text
from jimu.form_engine import spec as s
from jimu.form_engine.runtime import FormRuntime
from jimu.platform.apps.models import App
from jimu.platform.org.models import User
from jimu.platform.permissions.policy import Access, permission_of, scope_clause, share_clauses
from jimu.platform.permissions.schemas import Explanation, ScopeCheck

RECORD = text("Record", "记录")


def _matches(session: Session, runtime: FormRuntime, record_id: int, clause: Any) -> bool:
    table = runtime.tables.main
    query = sa.select(table.c.id).where(table.c.id == record_id)
    if clause is not None:
        query = query.where(clause)
    return session.execute(query).first() is not None


def explain(
    session: Session, app: App, runtime: FormRuntime, user: User, record_id: int
) -> Explanation:
    """Judges the record against every role the user holds, and the sharing fields."""
    if not _matches(session, runtime, record_id, None):
        raise NotFound(RECORD, record_id)
    access = Access(session, app, user)
    grant = access(runtime)
    dialect = session.get_bind().dialect.name
    checks = []
    for held in access.held:
        permission = permission_of(held.role, runtime.form.key)
        if permission is None:
            continue
        view = scope_clause(permission.view_scope, runtime, user, dialect, access.ctx())
        edit = scope_clause(permission.edit_scope, runtime, user, dialect, access.ctx())
        checks.append(
            ScopeCheck(
                role=held.role.key,
                via=held.via,
                actions=list(permission.actions),
                view_scope=permission.view_scope,
                edit_scope=permission.edit_scope,
                sees="view" in permission.actions and _matches(session, runtime, record_id, view),
                edits="edit" in permission.actions and _matches(session, runtime, record_id, edit),
            )
        )
    shared_by = _shared_by(session, runtime, user, record_id)
    can_view = "view" in grant.actions and _matches(session, runtime, record_id, grant.view)
    can_edit = can_view and _matches(session, runtime, record_id, grant.edit)
    can_delete = can_view and _matches(session, runtime, record_id, grant.delete)
    return Explanation(
        user_id=user.id,
        record_id=record_id,
        app_admin=access.app_admin,
        can_view=can_view,
        can_edit=can_edit,
        can_delete=can_delete,
        roles=checks,
        shared_by=shared_by,
        fields={f.key: grant.mode(f.key) for f in runtime.spec.fields},
        reason=_reason(access, checks, shared_by, can_view),
    )


def _shared_by(session: Session, runtime: FormRuntime, user: User, record_id: int) -> list[str]:
    """Keys of the sharing member fields that name the user on this record."""
    keys = [
        f.key for f in runtime.spec.fields if isinstance(f, s.MemberField) and f.share != "none"
    ]
    view, _ = share_clauses(runtime, user.id)
    return [
        key
        for key, clause in zip(keys, view, strict=True)
        if _matches(session, runtime, record_id, clause)
    ]


def _reason(access: Access, checks: list[ScopeCheck], shared_by: list[str], sees: bool) -> str:
    if access.app_admin:
        return "app_admin"
    if not access.held:
        return "no_role_in_app"
    if not checks and not shared_by:
        return "no_permission_on_form"
    if sees:
        return "role_scope" if any(c.sees for c in checks) else "shared"
    return "outside_scopes"
