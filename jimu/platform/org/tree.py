"""Recursive queries over the org chart: department ancestors and subtrees, supervisor chains.

Each helper returns a recursive CTE for the caller to select from. ``name`` names the CTE:
unique within one statement, and stable across requests so a cached statement stays valid.
Walks without a depth use UNION (a cycle ends the walk); walks with a depth stop at
``levels``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.platform.org.models import Department, User

ONE = sa.literal_column("1", sa.Integer)  # typed in place, so PostgreSQL infers the CTE's type


def _departments() -> sa.Table:
    return Department.__table__  # type: ignore[return-value]


def _users() -> sa.Table:
    return User.__table__  # type: ignore[return-value]


def ancestors(department_id: Any, name: str = "role_departments") -> Any:
    """A CTE (id, parent_id) of a department and its ancestors (their roles reach its
    members); ``department_id`` a value or a bound parameter."""
    departments = _departments()
    chain = (
        sa.select(departments.c.id, departments.c.parent_id)
        .where(departments.c.id == department_id)
        .cte(name, recursive=True)
    )
    return chain.union(
        sa.select(departments.c.id, departments.c.parent_id).where(
            departments.c.id == chain.c.parent_id
        )
    )


def department_tree(department_id: int, name: str = "department_tree") -> Any:
    """A CTE (id) of a department and every department below it."""
    departments = _departments()
    tree = sa.select(departments.c.id).where(departments.c.id == department_id).cte(name, True)
    return tree.union(sa.select(departments.c.id).where(departments.c.parent_id == tree.c.id))


def departments_below(roots: Any, name: str = "departments_below") -> Any:
    """A CTE (id) of the departments in ``roots`` (a select of ids) and every one below."""
    departments = _departments()
    tree = sa.select(departments.c.id).where(departments.c.id.in_(roots)).cte(name, True)
    return tree.union(sa.select(departments.c.id).where(departments.c.parent_id == tree.c.id))


def reports(user_id: int, name: str = "reports") -> Any:
    """A CTE (id) of a user and everyone below them in the supervisor chain."""
    users = _users()
    chain = sa.select(users.c.id).where(users.c.id == user_id).cte(name, recursive=True)
    return chain.union(sa.select(users.c.id).where(users.c.supervisor_id == chain.c.id))


def supervisor_chain(user_id: int, levels: int, name: str = "supervisor_chain") -> Any:
    """A CTE (id, depth) of a user's supervisors: depth 1 the direct one, up to ``levels``."""
    users = _users()
    chain = (
        sa.select(users.c.supervisor_id.label("id"), ONE.label("depth"))
        .where(users.c.id == user_id, users.c.supervisor_id.is_not(None))
        .cte(name, recursive=True)
    )
    return chain.union_all(
        sa.select(users.c.supervisor_id, chain.c.depth + ONE).where(
            users.c.id == chain.c.id, users.c.supervisor_id.is_not(None), chain.c.depth < levels
        )
    )


def department_chain(user_id: int, levels: int, name: str = "department_chain") -> Any:
    """A CTE (id, parent_id, head_id, depth) of a user's main department (depth 1) and the
    departments above it, up to ``levels``."""
    departments, users = _departments(), _users()
    columns = (departments.c.id, departments.c.parent_id, departments.c.head_id)
    main = sa.select(users.c.main_department_id).where(users.c.id == user_id).scalar_subquery()
    chain = (
        sa.select(*columns, ONE.label("depth"))
        .where(departments.c.id == main)
        .cte(name, recursive=True)
    )
    return chain.union_all(
        sa.select(*columns, chain.c.depth + ONE).where(
            departments.c.id == chain.c.parent_id, chain.c.depth < levels
        )
    )
