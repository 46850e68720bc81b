"""The permission model at work: a user's roles in an app → a ``FormGrant`` per form.

Scopes become SQL conditions on the form's table (recursive CTEs for department trees and
supervisor chains, the expression compiler for custom filters), so lists, counts, searches
and pickers are filtered by the database, never in Python after fetching.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.clock import clock
from jimu.engines.expr import EvalContext, ExprError
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import BOOL
from jimu.form_engine import spec as s
from jimu.form_engine.access import FULL, MODE_RANK, FieldMode, FormGrant, any_of
from jimu.form_engine.derived import Node, app_sources, derive
from jimu.form_engine.runtime import FormRuntime
from jimu.platform.apps.models import App
from jimu.platform.models import Base
from jimu.platform.org.models import User
from jimu.platform.org.tree import ancestors, department_tree, reports
from jimu.platform.permissions.models import AppRole, app_role_departments, app_role_users
from jimu.platform.permissions.schemas import FormPermission, Scope

log = logging.getLogger(__name__)
Modes = dict[str, FieldMode]
Reasons = dict[str, tuple[str, ...]]
ADMIN_ROLE = "admin"
MEMBER_ROLE = "member"


@dataclass(frozen=True)
class Holding:
    """A role a user holds, and how (``user``, ``department:<id>``, ``all_users``)."""

    role: AppRole
    via: str


def holdings(session: Session, app_id: int, user: User) -> list[Holding]:
    """Every role the user holds in the app: directly, through a department, or as everyone."""
    memberships, roles_of = _holding_statements()
    via: dict[int, str] = {}
    found = session.execute(memberships, {"user": user.id, "department": user.main_department_id})
    for role_id, department_id in found:
        if via.get(role_id) != "user":
            via[role_id] = "user" if department_id is None else f"department:{department_id}"
    roles = session.scalars(roles_of, {"app": app_id, "ids": list(via)}).all()
    return [Holding(role, via.get(role.id, "all_users")) for role in roles]


@functools.cache
def _holding_statements() -> tuple[Any, Any]:
    """The two queries of ``holdings``, built once (building them cost more than running
    them, on every request)."""
    chain = ancestors(sa.bindparam("department", type_=sa.Integer))
    memberships = sa.union_all(
        sa.select(app_role_users.c.role_id, sa.literal(None, sa.Integer).label("via")).where(
            app_role_users.c.user_id == sa.bindparam("user")
        ),
        sa.select(app_role_departments.c.role_id, app_role_departments.c.department_id).where(
            app_role_departments.c.department_id.in_(sa.select(chain.c.id))
        ),
    )
    roles_of = (
        sa.select(AppRole)
        .where(
            AppRole.app_id == sa.bindparam("app"),
            sa.or_(
                AppRole.all_users.is_(True), AppRole.id.in_(sa.bindparam("ids", expanding=True))
            ),
        )
        .order_by(AppRole.sort_order, AppRole.id)
    )
    return memberships, roles_of


def _users() -> sa.Table:
    return Base.metadata.tables["users"]


def _owned_by(table: sa.Table, owners: Any, dialect: str, ordered: bool) -> Any:
    """Rows owned by any of ``owners`` (a subquery of user ids)."""
    if ordered and dialect == "sqlite":
        # for a sorted page, `owner + 0` keeps SQLite from walking the owner index once per
        # owner and sorting the whole scope; counting does better through that index
        return (table.c.owner + 0).in_(owners)
    if ordered:
        # `IS TRUE` keeps PostgreSQL from turning the IN into a join: it hashes the owners
        # once and filters the page's rows in order, instead of probing per row
        return table.c.owner.in_(owners).is_(sa.true())
    return table.c.owner.in_(owners)


def scope_clause(
    scope: Scope,
    runtime: FormRuntime,
    user: User,
    dialect: str,
    ctx: EvalContext,
    tag: str = "0",
    *,
    ordered: bool = False,
) -> Any:
    """The rows a scope reaches, as a condition on the form's table (None: every row).

    ``tag`` names the scope's CTEs: unique within a statement, stable across requests (so
    the compiled statement is cached). ``ordered``: phrased for reading a sorted page.
    """
    table = runtime.tables.main
    users = _users()
    department = user.main_department_id
    if scope.type == "all":
        return None
    if scope.type == "own":
        return table.c.owner == user.id
    if scope.type in ("department", "department_tree"):
        if department is None:
            return sa.false()
        if scope.type == "department":
            members = sa.select(users.c.id).where(users.c.main_department_id == department)
        else:
            tree = department_tree(department, f"scope_departments_{tag}")
            members = sa.select(users.c.id).where(
                users.c.main_department_id.in_(sa.select(tree.c.id))
            )
        return _owned_by(table, members, dialect, ordered)
    if scope.type == "subordinates":
        chain = reports(user.id, f"scope_reports_{tag}")
        return _owned_by(table, sa.select(chain.c.id), dialect, ordered)
    if scope.type == "custom":
        try:
            checked = runtime.checked(scope.filter or "", BOOL)
            return to_sql(checked, dialect=dialect, ctx=ctx, condition=True)
        except ExprError:
            # the form changed under the filter: reach nothing rather than too much
            log.warning("custom scope %r no longer compiles on %s", scope.filter, runtime.form.key)
            return sa.false()
    return sa.false()


def share_clauses(runtime: FormRuntime, user_id: int) -> tuple[list[Any], list[Any]]:
    """Rows shared with the user through member fields (协作人): (view, edit) conditions."""
    table = runtime.tables.main
    view: list[Any] = []
    edit: list[Any] = []
    for f in runtime.spec.fields:
        if not isinstance(f, s.MemberField) or f.share == "none":
            continue
        if f.multiple:
            link = runtime.tables.links[f.key]
            clause: Any = sa.exists().where(
                link.c.record_id == table.c.id, link.c.target_id == user_id
            )
        else:
            clause = table.c[f.key] == user_id
        view.append(clause)
        if f.share == "edit":
            edit.append(clause)
    return view, edit


def permission_of(role: AppRole, form_key: str) -> FormPermission | None:
    """The role's permission set on a form, if it has one."""
    raw = (role.permissions or {}).get(form_key)
    return FormPermission.model_validate(raw) if raw is not None else None


def field_modes(spec: s.FormSpec, permissions: list[FormPermission]) -> dict[str, FieldMode]:
    """Each field's mode: the most open one any of the user's roles gives."""
    modes: dict[str, FieldMode] = {}
    for f in spec.fields:
        best: FieldMode = "hidden"
        for permission in permissions:
            writes = bool({"create", "edit"} & set(permission.actions))
            mode: FieldMode = permission.fields.get(f.key, "edit" if writes else "read")
            if MODE_RANK[mode] > MODE_RANK[best]:
                best = mode
        modes[f.key] = best
    return modes


@dataclass
class Access:
    """The rights of one user in one app, computed once per request and per form.

    Attributes:
        app_admin: a platform admin or a holder of the app's admin role: everything.
        held: the app roles the user holds.
    """

    session: Session
    app: App
    user: User
    today: date = field(default_factory=lambda: clock().today())
    held: list[Holding] = field(init=False)
    app_admin: bool = field(init=False)
    _grants: dict[str, FormGrant] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.held = holdings(self.session, self.app.id, self.user) if self.user.is_active else []
        self.app_admin = self.user.is_platform_admin or any(
            h.role.key == ADMIN_ROLE for h in self.held
        )

    @property
    def is_member(self) -> bool:
        """Whether the user may open the app at all."""
        return self.app_admin or bool(self.held)

    def ctx(self) -> EvalContext:
        """The formula context of custom scopes (CURRENT_USER(), TODAY() ...)."""
        return EvalContext(
            today=self.today, user_id=self.user.id, department_id=self.user.main_department_id
        )

    def __call__(self, runtime: FormRuntime) -> FormGrant:
        """The user's grant on a published form (built once per form version, user, roles
        and day: the SQL of its scopes is then reused)."""
        key = runtime.form.key
        if key not in self._grants:
            if self.app_admin:
                self._grants[key] = FULL
            else:
                signature = (
                    self.user.id,
                    self.user.main_department_id,
                    tuple((h.role.id, h.role.updated_at) for h in self.held),
                    self.today,
                    self.session.get_bind().dialect.name,
                )
                self._grants[key] = runtime.grant(signature, lambda: self._build(runtime))
        return self._grants[key]

    def _build(self, runtime: FormRuntime) -> FormGrant:
        dialect = self.session.get_bind().dialect.name
        ctx = self.ctx()
        sets = [p for h in self.held if (p := permission_of(h.role, runtime.form.key))]
        actions = {a for p in sets for a in p.actions}

        def scopes(action: str, which: str, ordered: bool = False) -> list[Any]:
            return [
                scope_clause(
                    getattr(p, which),
                    runtime,
                    self.user,
                    dialect,
                    ctx,
                    f"{which}{i}",
                    ordered=ordered,
                )
                for i, p in enumerate(sets)
                if action in p.actions
            ]

        view, edit = scopes("view", "view_scope"), scopes("edit", "edit_scope")
        view_page = scopes("view", "view_scope", ordered=True)
        delete = scopes("delete", "edit_scope")
        fields, forms, because = self._modes(runtime)
        # sharing widens the rows of actions the user has; it grants no action by itself
        shared_view, shared_edit = share_clauses(runtime, self.user.id)
        return FormGrant(
            actions=frozenset(actions),
            view=any_of(view + shared_view if "view" in actions else []),
            view_page=any_of(view_page + shared_view if "view" in actions else []),
            edit=any_of(edit + shared_edit if "edit" in actions else []),
            delete=any_of(delete),
            fields=fields,
            default_mode="hidden",
            forms=forms,
            because=because,
        )

    def _modes(self, runtime: FormRuntime) -> tuple[Modes, dict[str, Modes], Reasons]:
        """The user's field modes on the form and the app's other forms, with the fields
        computed from hidden ones hidden too (``docs/decisions.md``: derived fields)."""
        forms = {
            key: field_modes(
                spec, [p for h in self.held if (p := permission_of(h.role, key)) is not None]
            )
            for key, spec in runtime.forms.items()
        }

        def hidden_at_base(node: Node) -> bool:
            modes = forms.get(node[0])
            return modes is None or modes.get(node[1].split(".")[0], "hidden") == "hidden"

        graph = runtime.statement("derived_sources", lambda: app_sources(runtime.forms))
        derived = derive(graph, hidden_at_base)
        for form, key in derived:
            forms[form][key] = "hidden"
        own = runtime.form.key
        because = {
            key: tuple(f"{f}.{k}" for f, k in reasons)
            for (form, key), reasons in derived.items()
            if form == own
        }
        return forms.get(own, {}), forms, because
