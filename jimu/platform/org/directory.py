"""The org directory engines use (``jimu.engines.directory``), read from the platform tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.directory import MAX_LEVELS, DirectoryDepartment, DirectoryUser
from jimu.platform.apps.models import App
from jimu.platform.org import tree
from jimu.platform.org.models import Department, User
from jimu.platform.permissions.models import AppRole, app_role_departments, app_role_users

CHUNK = 500  # ids per IN list, well under every database's parameter limit
USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.email,
    User.is_active,
    User.main_department_id,
    User.supervisor_id,
)
DEPARTMENT_COLUMNS = (Department.id, Department.name, Department.parent_id, Department.head_id)


def _user(row: Any) -> DirectoryUser:
    return DirectoryUser(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        active=bool(row.is_active),
        department_id=row.main_department_id,
        supervisor_id=row.supervisor_id,
    )


def _department(row: Any) -> DirectoryDepartment:
    return DirectoryDepartment(
        id=row.id, name=row.name, parent_id=row.parent_id, head_id=row.head_id
    )


def _levels(levels: int) -> int:
    return min(levels, MAX_LEVELS)


def _once(users: Iterable[DirectoryUser], skip: int) -> list[DirectoryUser]:
    """Users in order up to the first repeat (or ``skip``): a loop in the data ends a chain."""
    seen = {skip}
    found: list[DirectoryUser] = []
    for user in users:
        if user.id in seen:
            break
        seen.add(user.id)
        found.append(user)
    return found


class SqlDirectory:
    """The org chart as the engines' ``Directory``, read through one session.

    Attributes:
        session: the caller's session (its transaction sees its own pending changes).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def user(self, user_id: int) -> DirectoryUser | None:
        """One user, active or not; None if there is no such user."""
        found = self.users([user_id])
        return found[0] if found else None

    def users(self, ids: Iterable[int]) -> list[DirectoryUser]:
        """The users with these ids, in the order given, each once; unknown ids left out."""
        wanted = list(dict.fromkeys(ids))
        by_id: dict[int, DirectoryUser] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = self.session.execute(sa.select(*USER_COLUMNS).where(User.id.in_(chunk)))
            by_id.update((row.id, _user(row)) for row in rows)
        return [by_id[i] for i in wanted if i in by_id]

    def department(self, department_id: int) -> DirectoryDepartment | None:
        """One department; None if there is no such department."""
        query = sa.select(*DEPARTMENT_COLUMNS).where(Department.id == department_id)
        row = self.session.execute(query).first()
        return _department(row) if row is not None else None

    def department_tree(self, department_id: int) -> list[DirectoryDepartment]:
        """The department and every department below it, parents before children (siblings
        by sort order)."""
        below = tree.department_tree(department_id, "directory_tree")
        rows = self.session.execute(
            sa.select(*DEPARTMENT_COLUMNS)
            .where(Department.id.in_(sa.select(below.c.id)))
            .order_by(Department.sort_order, Department.id)
        ).all()
        found = [_department(row) for row in rows]
        children: dict[int | None, list[DirectoryDepartment]] = {}
        for department in found:
            children.setdefault(department.parent_id, []).append(department)
        ordered = [d for d in found if d.id == department_id]
        seen = {department_id}
        for department in ordered:  # grows while walked: breadth first
            below = [d for d in children.get(department.id, []) if d.id not in seen]
            seen.update(d.id for d in below)
            ordered.extend(below)
        return ordered

    def department_members(
        self, department_id: int, *, descendants: bool = False
    ) -> list[DirectoryUser]:
        """Active users whose main department is this one (or below it, with descendants)."""
        if descendants:
            below = tree.department_tree(department_id, "directory_members")
            where: Any = User.main_department_id.in_(sa.select(below.c.id))
        else:
            where = User.main_department_id == department_id
        query = sa.select(*USER_COLUMNS).where(where, User.is_active.is_(True)).order_by(User.id)
        return [_user(row) for row in self.session.execute(query)]

    def supervisors(self, user_id: int, levels: int = 1) -> list[DirectoryUser]:
        """The supervisor chain upward: the direct supervisor first, at most ``levels``."""
        if levels < 1:
            return []
        chain = tree.supervisor_chain(user_id, _levels(levels))
        rows = self.session.execute(
            sa.select(*USER_COLUMNS).join(chain, User.id == chain.c.id).order_by(chain.c.depth)
        )
        return _once((_user(row) for row in rows), skip=user_id)

    def department_heads(self, user_id: int, levels: int = 1) -> list[DirectoryUser]:
        """Heads of the user's main department and of those above it, ``levels`` departments
        up, nearest first; departments without a head are skipped, each head given once."""
        if levels < 1:
            return []
        chain = tree.department_chain(user_id, _levels(levels))
        rows = self.session.execute(
            sa.select(*USER_COLUMNS).join(chain, User.id == chain.c.head_id).order_by(chain.c.depth)
        )
        heads: dict[int, DirectoryUser] = {}
        for row in rows:
            heads.setdefault(row.id, _user(row))
        return list(heads.values())

    def role_members(self, app_key: str, role_key: str) -> list[DirectoryUser]:
        """Active users holding an app role: directly, through their department (or one
        above it), or as everyone when the role is given to all users."""
        role = self.session.execute(
            sa.select(AppRole.id, AppRole.all_users)
            .join(App, App.id == AppRole.app_id)
            .where(App.key == app_key, AppRole.key == role_key)
        ).first()
        if role is None:
            return []
        query = sa.select(*USER_COLUMNS).where(User.is_active.is_(True)).order_by(User.id)
        if not role.all_users:
            direct = sa.select(app_role_users.c.user_id).where(app_role_users.c.role_id == role.id)
            roots = sa.select(app_role_departments.c.department_id).where(
                app_role_departments.c.role_id == role.id
            )
            below = tree.departments_below(roots, "directory_role_departments")
            query = query.where(
                sa.or_(User.id.in_(direct), User.main_department_id.in_(sa.select(below.c.id)))
            )
        return [_user(row) for row in self.session.execute(query)]
