"""App roles and permission sets (app admins), the caller's own rights, and "explain"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from jimu.platform.apps.api import AppKey
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, SessionDep
from jimu.platform.forms.api import FormKey
from jimu.platform.org.service import get_user
from jimu.platform.permissions import service
from jimu.platform.permissions.explain import explain
from jimu.platform.permissions.schemas import (
    AppRoleCreate,
    AppRoleRead,
    AppRoleUpdate,
    Explanation,
    FormPermissionWrite,
    MyPermissions,
    PresetRead,
)
from jimu.platform.records import form_runtime
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import KEY_PATTERN, MAX_ID, IdPath

router = APIRouter(tags=["permissions"], responses=PROBLEMS)
RoleKey = Annotated[str, Path(pattern=KEY_PATTERN, description="the role's key")]
ROLES = "/api/apps/{app}/roles"


@router.get("/api/permission-presets", response_model=list[PresetRead])
def list_presets(_: CurrentUser) -> list[PresetRead]:
    """Ready-made permission sets: submit only, manage own, view all edit own, manage all."""
    return service.presets()


@router.get(ROLES, response_model=list[AppRoleRead])
def list_roles(app: AppKey, user: CurrentUser, session: SessionDep) -> list[AppRoleRead]:
    """The app's roles with their members and permission sets (app admins)."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    return [service.read_role(session, r) for r in service.list_roles(session, app_row)]


@router.post(ROLES, response_model=AppRoleRead, status_code=201)
def create_role(
    app: AppKey, body: AppRoleCreate, user: CurrentUser, session: SessionDep
) -> AppRoleRead:
    """Adds a role to the app."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    return service.read_role(session, service.create_role(session, app_row, body))


@router.get(ROLES + "/{role}", response_model=AppRoleRead)
def read_role(app: AppKey, role: RoleKey, user: CurrentUser, session: SessionDep) -> AppRoleRead:
    """One role."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    service.ensure_app_roles(session, app_row)
    return service.read_role(session, service.get_role(session, app_row, role))


@router.patch(ROLES + "/{role}", response_model=AppRoleRead)
def update_role(
    app: AppKey, role: RoleKey, body: AppRoleUpdate, user: CurrentUser, session: SessionDep
) -> AppRoleRead:
    """Changes a role: label, members (users, departments, everyone), permission sets."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    service.ensure_app_roles(session, app_row)
    return service.read_role(session, service.update_role(session, app_row, role, body))


@router.put(ROLES + "/{role}/forms/{form}", response_model=AppRoleRead)
def set_form_permission(
    app: AppKey,
    role: RoleKey,
    form: FormKey,
    body: FormPermissionWrite,
    user: CurrentUser,
    session: SessionDep,
) -> AppRoleRead:
    """Sets what the role may do with one form: a preset, adjusted by explicit values."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    service.ensure_app_roles(session, app_row)
    updated = service.set_form_permission(session, app_row, role, form, body)
    return service.read_role(session, updated)


@router.delete(ROLES + "/{role}", status_code=204)
def delete_role(app: AppKey, role: RoleKey, user: CurrentUser, session: SessionDep) -> Response:
    """Deletes a custom role."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, user)
    service.delete_role(session, app_row, role)
    return Response(status_code=204)


@router.get("/api/apps/{app}/forms/{form}/permissions/me", response_model=MyPermissions)
def my_permissions(
    app: AppKey, form: FormKey, user: CurrentUser, session: SessionDep
) -> MyPermissions:
    """What the caller may do with the form's records, and each field's mode."""
    app_row = get_app(session, app)
    access = service.require_member(session, app_row, user)
    runtime = form_runtime(session, app_row, form)
    grant = access(runtime)
    fields = {f.key: grant.mode(f.key) for f in runtime.spec.fields}
    fields |= {
        k: "hidden" for k in grant.hidden() if "." in k and fields.get(k.split(".")[0]) != "hidden"
    }
    return MyPermissions(
        actions=sorted(grant.actions),
        fields=fields,
        hidden_because={k: list(v) for k, v in grant.because.items()},
        app_admin=access.app_admin,
    )


@router.get("/api/apps/{app}/forms/{form}/records/{record_id}/explain", response_model=Explanation)
def explain_record(
    app: AppKey,
    form: FormKey,
    record_id: IdPath,
    caller: CurrentUser,
    session: SessionDep,
    user: Annotated[int, Query(ge=1, le=MAX_ID, description="the user to explain for")],
) -> Explanation:
    """Why ``user`` can or cannot see and edit the record: which role, which scope (admins)."""
    app_row = get_app(session, app)
    service.require_app_admin(session, app_row, caller)
    runtime = form_runtime(session, app_row, form)
    return explain(session, app_row, runtime, get_user(session, user), record_id)
