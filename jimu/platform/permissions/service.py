"""App roles: the built-in admin and member, custom roles, members and permission sets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.engines.expr import ExprError, check
from jimu.engines.expr.types import BOOL
from jimu.engines.i18n import Text, text
from jimu.form_engine import service as forms
from jimu.form_engine.catalogue import build_schema
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.validate import known_results
from jimu.platform.apps.models import App
from jimu.platform.models import Base
from jimu.platform.org.models import User
from jimu.platform.permissions.models import AppRole, app_role_departments, app_role_users
from jimu.platform.permissions.policy import ADMIN_ROLE, MEMBER_ROLE, Access
from jimu.platform.permissions.schemas import (
    AppRoleCreate,
    AppRoleRead,
    AppRoleUpdate,
    FormPermission,
    FormPermissionWrite,
    PresetRead,
    RoleMembers,
    Scope,
)
from jimu.platform.schemas import Label

ROLE = text("Role", "角色")

PRESETS: dict[str, tuple[Text, FormPermission]] = {
    "submit_only": (
        text("Submit only", "仅提交数据"),
        FormPermission(
            actions=["create"], view_scope=Scope(type="none"), edit_scope=Scope(type="none")
        ),
    ),
    "manage_own": (
        text("Add and manage own data", "添加并管理本人数据"),
        FormPermission(
            actions=["view", "create", "edit", "delete", "print", "comment"],
            view_scope=Scope(type="own"),
            edit_scope=Scope(type="own"),
        ),
    ),
    "view_all_edit_own": (
        text("View all, edit own", "查看全部，编辑本人数据"),
        FormPermission(
            actions=["view", "create", "edit", "delete", "print", "comment"],
            view_scope=Scope(type="all"),
            edit_scope=Scope(type="own"),
        ),
    ),
    "view_all": (
        text("View all", "查看全部数据"),
        FormPermission(
            actions=["view", "export", "print"],
            view_scope=Scope(type="all"),
            edit_scope=Scope(type="none"),
        ),
    ),
    "manage_all": (
        text("Manage all", "管理全部数据"),
        FormPermission(
            actions=["view", "create", "edit", "delete", "import", "export", "print", "comment"],
            view_scope=Scope(type="all"),
            edit_scope=Scope(type="all"),
        ),
    ),
}

SYSTEM_ROLES = {
    ADMIN_ROLE: text("App admin", "应用管理员"),
    MEMBER_ROLE: text("Member", "成员"),
}


def presets() -> list[PresetRead]:
    """The ready-made permission sets."""
    return [
        PresetRead(key=key, name=Label(zh=label.zh, en=label.en), permission=perm)
        for key, (label, perm) in PRESETS.items()
    ]


def ensure_app_roles(session: Session, app: App, creator_id: int | None = None) -> None:
    """Creates the app's admin and member roles if missing (the creator becomes admin)."""
    existing = set(session.scalars(sa.select(AppRole.key).where(AppRole.app_id == app.id)))
    for order, (key, label) in enumerate(SYSTEM_ROLES.items()):
        if key in existing:
            continue
        role = AppRole(
            app_id=app.id,
            key=key,
            name={"zh": label.zh, "en": label.en},
            is_system=True,
            permissions={},
            sort_order=order - 1000,
        )
        session.add(role)
        session.flush()
        if key == ADMIN_ROLE and creator_id is not None:
            session.execute(sa.insert(app_role_users).values(role_id=role.id, user_id=creator_id))
    session.flush()


def require_app_admin(session: Session, app: App, user: User) -> Access:
    """The user's access to the app, for its admins: 403 for its other members, 404 for users
    who hold no role in it (to them the app does not exist)."""
    access = require_member(session, app, user)
    if not access.app_admin:
        raise PermissionDenied(
            text("Only the app's admins may do this.", "只有应用管理员可以执行此操作。")
        )
    return access


def require_member(session: Session, app: App, user: User) -> Access:
    """The user's access to the app; 404 for users who hold no role in it."""
    access = Access(session, app, user)
    if not access.is_member:
        raise NotFound(text("App", "应用"), app.key)
    return access


def visible_apps(session: Session, user: User, apps: list[App]) -> list[App]:
    """The apps among ``apps`` the user may open: all for platform admins, else those where
    the user holds a role."""
    if user.is_platform_admin:
        return apps
    return [a for a in apps if Access(session, a, user).is_member]


def get_role(session: Session, app: App, key: str) -> AppRole:
    """Gets a role of an app by key."""
    role = session.scalar(sa.select(AppRole).where(AppRole.app_id == app.id, AppRole.key == key))
    if role is None:
        raise NotFound(ROLE, key)
    return role


def list_roles(session: Session, app: App) -> list[AppRole]:
    """The app's roles (system roles first)."""
    ensure_app_roles(session, app)
    return list(
        session.scalars(
            sa.select(AppRole)
            .where(AppRole.app_id == app.id)
            .order_by(AppRole.sort_order, AppRole.id)
        )
    )


def members_of(session: Session, role: AppRole) -> RoleMembers:
    """The users and departments named as members of a role."""
    users = session.scalars(
        sa.select(app_role_users.c.user_id)
        .where(app_role_users.c.role_id == role.id)
        .order_by(app_role_users.c.user_id)
    )
    departments = session.scalars(
        sa.select(app_role_departments.c.department_id)
        .where(app_role_departments.c.role_id == role.id)
        .order_by(app_role_departments.c.department_id)
    )
    return RoleMembers(users=list(users), departments=list(departments))


def read_role(session: Session, role: AppRole) -> AppRoleRead:
    """A role as the API shows it."""
    return AppRoleRead(
        key=role.key,
        name=Label.model_validate(role.name),
        description=role.description,
        is_system=role.is_system,
        all_users=role.all_users,
        members=members_of(session, role),
        permissions={
            k: FormPermission.model_validate(v) for k, v in (role.permissions or {}).items()
        },
        sort_order=role.sort_order,
        updated_at=role.updated_at,
    )


def _missing(session: Session, table: str, ids: Iterable[int]) -> list[int]:
    wanted = set(ids)
    if not wanted:
        return []
    t = Base.metadata.tables[table]
    found = set(session.scalars(sa.select(t.c.id).where(t.c.id.in_(wanted))))
    return sorted(wanted - found)


def _set_members(session: Session, role: AppRole, members: RoleMembers) -> None:
    errors = [
        FieldError(
            f"members.{kind}",
            "not_found",
            text("No such ids: {ids}.", "不存在的编号：{ids}。", ids=", ".join(map(str, ids))),
        )
        for kind, table, values in (
            ("users", "users", members.users),
            ("departments", "departments", members.departments),
        )
        if (ids := _missing(session, table, values))
    ]
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    session.execute(sa.delete(app_role_users).where(app_role_users.c.role_id == role.id))
    session.execute(
        sa.delete(app_role_departments).where(app_role_departments.c.role_id == role.id)
    )
    if members.users:
        session.execute(
            sa.insert(app_role_users),
            [{"role_id": role.id, "user_id": u} for u in dict.fromkeys(members.users)],
        )
    if members.departments:
        session.execute(
            sa.insert(app_role_departments),
            [{"role_id": role.id, "department_id": d} for d in dict.fromkeys(members.departments)],
        )


def _check_permissions(
    session: Session, app: App, permissions: dict[str, FormPermission]
) -> dict[str, Any]:
    """Every form key names a form of the app, field keys exist, custom filters compile."""
    errors: list[FieldError] = []
    drafts = {f.key: FormSpec.model_validate(f.draft) for f in forms.list_forms(session, app.id)}
    for form_key, permission in permissions.items():
        path = f"permissions.{form_key}"
        spec = drafts.get(form_key)
        if spec is None:
            errors.append(FieldError(path, "unknown_form", text("No such form.", "没有这个表单。")))
            continue
        keys = {f.key for f in spec.fields}
        errors += [
            FieldError(
                f"{path}.fields.{k}", "unknown_field", text("No such field.", "没有这个字段。")
            )
            for k in permission.fields
            if k not in keys
        ]
        for which in ("view_scope", "edit_scope"):
            scope: Scope = getattr(permission, which)
            if scope.type == "custom":
                errors += _check_filter(spec, drafts, scope.filter or "", f"{path}.{which}")
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return {k: v.model_dump(mode="json") for k, v in permissions.items()}


def _check_filter(
    spec: FormSpec, drafts: dict[str, FormSpec], source: str, path: str
) -> list[FieldError]:
    try:
        check(source, build_schema(spec, drafts, results=known_results(spec, drafts)), expect=BOOL)
    except ExprError as exc:
        return [FieldError(f"{path}.filter", exc.reason, exc.detail)]
    return []


def create_role(session: Session, app: App, data: AppRoleCreate) -> AppRole:
    """Adds a custom role to an app."""
    ensure_app_roles(session, app)
    if session.scalar(
        sa.select(AppRole.id).where(AppRole.app_id == app.id, AppRole.key == data.key)
    ):
        raise Conflict(
            text("Role key '{key}' is taken.", "角色标识“{key}”已存在。", key=data.key),
            errors=[FieldError("key", "duplicate", text("Already taken.", "已被使用。"))],
        )
    role = AppRole(
        app_id=app.id,
        key=data.key,
        name=data.name.model_dump(),
        description=data.description,
        all_users=data.all_users,
        permissions=_check_permissions(session, app, data.permissions),
        sort_order=data.sort_order,
    )
    session.add(role)
    session.flush()
    _set_members(session, role, data.members)
    return role


def update_role(session: Session, app: App, key: str, data: AppRoleUpdate) -> AppRole:
    """Changes a role's label, members or permission sets."""
    role = get_role(session, app, key)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and data.name is not None:
        role.name = data.name.model_dump()
    if "description" in changes:
        role.description = data.description
    if data.all_users is not None:
        role.all_users = data.all_users
    if data.sort_order is not None:
        role.sort_order = data.sort_order
    if data.permissions is not None:
        role.permissions = _check_permissions(session, app, data.permissions)
    if data.members is not None:
        _set_members(session, role, data.members)
    session.flush()
    return role


def set_form_permission(
    session: Session, app: App, key: str, form_key: str, data: FormPermissionWrite
) -> AppRole:
    """Sets one form's permission set of a role, from a preset and/or explicit values."""
    role = get_role(session, app, key)
    base = PRESETS[data.preset][1] if data.preset else FormPermission()
    given = {k: v for k, v in data.model_dump(exclude={"preset"}).items() if v is not None}
    permission = FormPermission.model_validate({**base.model_dump(), **given})
    checked = _check_permissions(session, app, {form_key: permission})
    role.permissions = {**(role.permissions or {}), **checked}
    session.flush()
    return role


def delete_role(session: Session, app: App, key: str) -> None:
    """Deletes a custom role (the admin and member roles stay)."""
    role = get_role(session, app, key)
    if role.is_system:
        raise ValidationFailed.single(
            "key",
            "system_role",
            text("Built-in roles cannot be deleted.", "内置角色不能删除。"),
        )
    session.delete(role)
    session.flush()
