"""Users, departments and roles: every rule of the organisation lives here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jimu.engines.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.engines.i18n import text
from jimu.platform.auth.passwords import hash_password, verify_password
from jimu.platform.auth.service import Principal, end_all_access
from jimu.platform.db import utcnow
from jimu.platform.org.models import PLATFORM_ADMIN, Department, Role, User, user_roles
from jimu.platform.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    RoleCreate,
    RoleUpdate,
    UserCreate,
    UserUpdate,
)

USER = text("User", "用户")
DEPARTMENT = text("Department", "部门")
ROLE = text("Role", "角色")

SYSTEM_ROLES = {PLATFORM_ADMIN: {"zh": "平台管理员", "en": "Platform admin"}}


def ensure_system_roles(session: Session) -> None:
    """Creates the built-in roles when missing."""
    existing = set(session.scalars(select(Role.key).where(Role.key.in_(SYSTEM_ROLES))))
    for key, name in SYSTEM_ROLES.items():
        if key not in existing:
            session.add(Role(key=key, name=name, is_system=True))
    session.flush()


def require_admin(user: User) -> None:
    """Refuses anyone but a platform admin."""
    if not user.is_platform_admin:
        raise PermissionDenied(
            text("Only platform admins may do this.", "只有平台管理员可以执行此操作。")
        )


# --- users -----------------------------------------------------------------------------


def get_user(session: Session, user_id: int) -> User:
    """Gets a user by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(USER, user_id)
    return user


def list_users(
    session: Session,
    *,
    q: str | None,
    department_id: int | None,
    role: str | None,
    active: bool | None,
    page: int,
    page_size: int,
) -> tuple[list[User], int]:
    """Lists users matching the filters, ordered by id, with the total count."""
    query = select(User)
    if q:
        part = q.lower()
        query = query.where(
            or_(
                func.lower(User.username).contains(part, autoescape=True),
                func.lower(User.display_name).contains(part, autoescape=True),
                func.lower(User.email).contains(part, autoescape=True),
            )
        )
    if department_id is not None:
        query = query.where(User.main_department_id == department_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    if role:
        query = query.where(
            User.id.in_(select(user_roles.c.user_id).join(Role).where(Role.key == role))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.id).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def reject_nulls(changes: dict[str, object], fields: Iterable[str]) -> None:
    """Refuses an explicit null for fields that must always have a value."""
    errors = [
        FieldError(name, "required", text("Must not be empty.", "不能为空。"))
        for name in fields
        if name in changes and changes[name] is None
    ]
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)


def _roles_by_key(session: Session, keys: Iterable[str]) -> list[Role]:
    wanted = list(dict.fromkeys(keys))
    found = {r.key: r for r in session.scalars(select(Role).where(Role.key.in_(wanted)))}
    missing = [k for k in wanted if k not in found]
    if missing:
        raise ValidationFailed.single(
            "roles",
            "unknown_role",
            text("Unknown role(s): {keys}.", "角色不存在：{keys}。", keys=", ".join(missing)),
        )
    return [found[k] for k in wanted]


def _check_user_refs(
    session: Session, department_id: int | None, supervisor_id: int | None
) -> list[FieldError]:
    errors = []
    if department_id is not None and session.get(Department, department_id) is None:
        errors.append(
            FieldError(
                "main_department_id",
                "not_found",
                text("Department {id} does not exist.", "部门 {id} 不存在。", id=department_id),
            )
        )
    if supervisor_id is not None and session.get(User, supervisor_id) is None:
        errors.append(
            FieldError(
                "supervisor_id",
                "not_found",
                text("User {id} does not exist.", "用户 {id} 不存在。", id=supervisor_id),
            )
        )
    return errors


def _chain_reaches(session: Session, link: Any, start: int, target: int) -> bool:
    """Whether following ``link`` (a parent column) up from ``start`` reaches ``target``."""
    model = link.class_
    seen: set[int] = set()
    current: int | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        current = session.scalar(select(link).where(model.id == current))
    return False


def _supervisor_cycle(session: Session, user_id: int, supervisor_id: int) -> bool:
    """Whether making ``supervisor_id`` the supervisor of ``user_id`` closes a loop."""
    return _chain_reaches(session, User.supervisor_id, supervisor_id, user_id)


def create_user(session: Session, data: UserCreate) -> User:
    """Creates a user with a hashed password."""
    errors = _check_user_refs(session, data.main_department_id, data.supervisor_id)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(
            text("Username '{name}' is taken.", "用户名“{name}”已被使用。", name=data.username),
            errors=[FieldError("username", "duplicate", text("Already taken.", "已被使用。"))],
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    roles = _roles_by_key(session, data.roles)
    user = User(
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        phone=data.phone,
        is_active=data.is_active,
        password_hash=hash_password(data.password),
        main_department_id=data.main_department_id,
        supervisor_id=data.supervisor_id,
        locale=data.locale,
        roles=roles,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    data: UserUpdate,
    *,
    caller: Principal | None = None,
) -> User:
    """Applies the given changes to a user; a new password ends their sessions and tokens
    (an admin setting their own keeps the ``caller``'s)."""
    user = get_user(session, user_id)
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, ["display_name", "is_active", "password"])
    errors = _check_user_refs(
        session, changes.get("main_department_id"), changes.get("supervisor_id")
    )
    supervisor_id = changes.get("supervisor_id")
    if (
        supervisor_id is not None
        and not errors
        and _supervisor_cycle(session, user.id, supervisor_id)
    ):
        errors.append(
            FieldError(
                "supervisor_id",
                "cycle",
                text(
                    "A user cannot report to themselves, directly or through others.",
                    "上级关系不能形成循环（不能是自己或自己的下属）。",
                ),
            )
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    if "roles" in changes:
        roles = _roles_by_key(session, changes.pop("roles") or [])
        if user.id == actor.id and PLATFORM_ADMIN not in {r.key for r in roles}:
            raise _self_lockout("roles")
        user.roles = roles
    if changes.get("is_active") is False:
        deactivate_user(session, actor, user.id)
    password = changes.pop("password", None)
    if password is not None:
        user.password_hash = hash_password(password)
        end_all_access(session, user.id, keep=caller if user.id == actor.id else None)
    for key, value in changes.items():
        setattr(user, key, value)
    session.flush()
    return user


def _self_lockout(field: str) -> ValidationFailed:
    return ValidationFailed.single(
        field,
        "self_lockout",
        text(
            "You cannot remove your own admin rights or deactivate yourself.",
            "不能取消自己的管理员权限或停用自己。",
        ),
    )


def deactivate_user(session: Session, actor: User, user_id: int) -> User:
    """Deactivates a user (users are never deleted, so history keeps its authors)."""
    user = get_user(session, user_id)
    if user.id == actor.id:
        raise _self_lockout("is_active")
    user.is_active = False
    end_all_access(session, user.id)
    session.flush()
    return user


def change_own_password(session: Session, caller: Principal, current: str, new: str) -> None:
    """Changes the caller's password after checking the current one; their other sessions and
    tokens end (the one in use stays)."""
    user = caller.user
    if not verify_password(current, user.password_hash):
        raise ValidationFailed.single(
            "current_password", "wrong_password", text("Wrong password.", "密码错误。")
        )
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    end_all_access(session, user.id, keep=caller)
    session.flush()


# --- departments -----------------------------------------------------------------------


def get_department(session: Session, department_id: int) -> Department:
    """Gets a department by id."""
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(DEPARTMENT, department_id)
    return department


def member_counts(session: Session, department_ids: list[int]) -> dict[int, int]:
    """How many users have each department as main department."""
    rows = session.execute(
        select(User.main_department_id, func.count())
        .where(User.main_department_id.in_(department_ids))
        .group_by(User.main_department_id)
    )
    return {dept: count for dept, count in rows if dept is not None}


def list_departments(session: Session) -> list[Department]:
    """Every department, parents before children within each level by sort order."""
    return list(session.scalars(select(Department).order_by(Department.sort_order, Department.id)))


def _check_department_refs(
    session: Session, department_id: int | None, parent_id: int | None, head_id: int | None
) -> None:
    errors = []
    if parent_id is not None:
        if session.get(Department, parent_id) is None:
            errors.append(
                FieldError(
                    "parent_id",
                    "not_found",
                    text("Department {id} does not exist.", "部门 {id} 不存在。", id=parent_id),
                )
            )
        elif department_id is not None and _is_ancestor_or_self(session, department_id, parent_id):
            errors.append(
                FieldError(
                    "parent_id",
                    "cycle",
                    text(
                        "A department cannot be its own ancestor.",
                        "部门不能成为自己的上级部门（或上级的上级）。",
                    ),
                )
            )
    if head_id is not None and session.get(User, head_id) is None:
        errors.append(
            FieldError(
                "head_id",
                "not_found",
                text("User {id} does not exist.", "用户 {id} 不存在。", id=head_id),
            )
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)


def _is_ancestor_or_self(session: Session, department_id: int, candidate_parent: int) -> bool:
    """Whether ``department_id`` is ``candidate_parent`` or one of its ancestors."""
    return _chain_reaches(session, Department.parent_id, candidate_parent, department_id)


def create_department(session: Session, data: DepartmentCreate) -> Department:
    """Creates a department under its parent."""
    _check_department_refs(session, None, data.parent_id, data.head_id)
    department = Department(**data.model_dump())
    session.add(department)
    session.flush()
    return department


def update_department(session: Session, department_id: int, data: DepartmentUpdate) -> Department:
    """Renames, moves or re-heads a department; refuses to make a cycle."""
    department = get_department(session, department_id)
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, ["name", "sort_order"])
    _check_department_refs(session, department.id, changes.get("parent_id"), changes.get("head_id"))
    for key, value in changes.items():
        setattr(department, key, value)
    session.flush()
    return department


def delete_department(session: Session, department_id: int) -> None:
    """Deletes an empty department; refuses one with members or sub-departments."""
    department = get_department(session, department_id)
    members = member_counts(session, [department.id]).get(department.id, 0)
    children = session.scalar(
        select(func.count()).select_from(Department).where(Department.parent_id == department.id)
    )
    if members or children:
        raise Conflict(
            text(
                "Department '{name}' still has {members} member(s) and {children} "
                "sub-department(s); move them first.",
                "部门“{name}”下还有 {members} 名成员和 {children} 个子部门，请先移走。",
                name=department.name,
                members=members,
                children=children,
            ),
            errors=[
                FieldError("id", "in_use", text("The department is not empty.", "部门不为空。"))
            ],
            extra={"members": members, "children": children},
        )
    session.delete(department)
    session.flush()


# --- roles -----------------------------------------------------------------------------


def get_role(session: Session, role_id: int) -> Role:
    """Gets a role by id."""
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound(ROLE, role_id)
    return role


def role_member_counts(session: Session) -> dict[int, int]:
    """How many users hold each role."""
    rows = session.execute(
        select(user_roles.c.role_id, func.count()).group_by(user_roles.c.role_id)
    )
    return {int(role_id): int(count) for role_id, count in rows}


def list_roles(session: Session) -> list[Role]:
    """Every role, built-in ones first."""
    return list(session.scalars(select(Role).order_by(Role.is_system.desc(), Role.id)))


def create_role(session: Session, data: RoleCreate) -> Role:
    """Creates a custom role."""
    if session.scalar(select(Role.id).where(Role.key == data.key)) is not None:
        raise Conflict(
            text("Role key '{key}' is taken.", "角色标识“{key}”已存在。", key=data.key),
            errors=[FieldError("key", "duplicate", text("Already taken.", "已被使用。"))],
        )
    role = Role(key=data.key, name=data.name.model_dump(), description=data.description)
    session.add(role)
    session.flush()
    return role


def update_role(session: Session, role_id: int, data: RoleUpdate) -> Role:
    """Renames or re-describes a role."""
    role = get_role(session, role_id)
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, ["name"])
    if "name" in changes:
        role.name = changes["name"]
    if "description" in changes:
        role.description = changes["description"]
    session.flush()
    return role


def delete_role(session: Session, role_id: int) -> None:
    """Deletes a custom role; its members simply lose it. Built-in roles stay."""
    role = get_role(session, role_id)
    if role.is_system:
        raise Conflict(
            text("Built-in roles cannot be deleted.", "系统内置角色不能删除。"),
            errors=[FieldError("id", "system_role", text("Built-in role.", "系统内置角色。"))],
        )
    session.delete(role)
    session.flush()
