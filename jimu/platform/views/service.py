"""Saved views: personal ones for their owner, shared ones for everyone reading the form.

The endpoints let in only users who may read the form's records; a view names only fields
its author may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jimu.engines.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.engines.expr import ExprError, check
from jimu.engines.expr.types import BOOL
from jimu.engines.i18n import text
from jimu.form_engine.access import FULL, FormGrant
from jimu.form_engine.derived import first_hidden
from jimu.form_engine.runtime import FormRuntime
from jimu.platform.org.models import User
from jimu.platform.views.models import SavedView
from jimu.platform.views.schemas import ViewCreate, ViewUpdate

VIEW = text("View", "视图")
META_COLUMNS = frozenset(
    {"_id", "_owner", "_created_at", "_updated_at", "_created_by", "_updated_by"}
)


@dataclass(frozen=True)
class ViewContext:
    """The form a view belongs to and who asks.

    Attributes:
        app_admin: the caller administers the app (shares and manages any view).
        grant: the caller's rights on the form; a view may not name fields hidden by it.
    """

    runtime: FormRuntime
    user: User
    app_admin: bool
    grant: FormGrant = FULL


def list_views(session: Session, ctx: ViewContext) -> list[SavedView]:
    """The shared views of a form and the caller's own, in order."""
    query = (
        select(SavedView)
        .where(
            SavedView.form_id == ctx.runtime.form.id,
            or_(SavedView.shared.is_(True), SavedView.owner_id == ctx.user.id),
        )
        .order_by(SavedView.sort_order, SavedView.id)
    )
    return list(session.scalars(query))


def _check(ctx: ViewContext, data: ViewCreate | ViewUpdate) -> None:
    """Columns, conditions and sort must name fields of the form the caller sees; the filter
    must be a condition on them."""
    runtime = ctx.runtime
    shown = {f.key for f in runtime.spec.fields if ctx.grant.mode(f.key) != "hidden"}
    known = shown | META_COLUMNS
    named = [(f"columns[{i}]", key) for i, key in enumerate(data.columns or [])]
    named += [(f"conditions[{i}]", c.field) for i, c in enumerate(data.conditions or [])]
    for path, key in named:
        if key not in known:
            raise ValidationFailed.single(
                path,
                "unknown_field",
                text("There is no field '{key}'.", "没有字段“{key}”。", key=key),
            )
    sortable = known | {"id", "created_at", "updated_at"}
    for part in (data.sort or "").split(","):
        if part and part.lstrip("-") not in sortable:
            raise ValidationFailed.single(
                "sort",
                "unknown_field",
                text("Cannot sort by '{key}'.", "不能按“{key}”排序。", key=part.lstrip("-")),
            )
    if data.filter:
        try:
            checked = check(data.filter, runtime.schema, expect=BOOL)
        except ExprError as exc:
            raise ValidationFailed(
                exc.detail, errors=[FieldError("filter", exc.reason, exc.detail)]
            ) from None
        hidden = first_hidden(ctx.grant, runtime.forms, runtime.form.key, checked.fields)
        if hidden is not None:
            raise ValidationFailed.single(
                "filter",
                "unknown_field",
                text("Unknown field '{key}'.", "未知字段“{key}”。", key=hidden),
            )


def _require_share_right(ctx: ViewContext) -> None:
    if not ctx.app_admin:
        raise PermissionDenied(
            text("Only the app's admins may share views.", "只有应用管理员可以共享视图。")
        )


def create_view(session: Session, ctx: ViewContext, data: ViewCreate) -> SavedView:
    """Saves a view for the caller (shared views need an admin of the app)."""
    _check(ctx, data)
    if data.shared:
        _require_share_right(ctx)
    values = data.model_dump(mode="json")
    view = SavedView(form_id=ctx.runtime.form.id, owner_id=ctx.user.id, **values)
    session.add(view)
    session.flush()
    return view


def get_view(session: Session, ctx: ViewContext, view_id: int) -> SavedView:
    """A view the caller may see."""
    view = session.get(SavedView, view_id)
    mine = view is not None and (view.shared or view.owner_id == ctx.user.id)
    if view is None or view.form_id != ctx.runtime.form.id or not mine:
        raise NotFound(VIEW, view_id)
    return view


def _require_owner(view: SavedView, ctx: ViewContext) -> None:
    if view.owner_id != ctx.user.id and not ctx.app_admin:
        raise PermissionDenied(
            text("Only its owner may change this view.", "只有创建者可以修改此视图。")
        )


def update_view(session: Session, ctx: ViewContext, view_id: int, data: ViewUpdate) -> SavedView:
    """Changes a view (its owner, or an admin of the app)."""
    view = get_view(session, ctx, view_id)
    _require_owner(view, ctx)
    _check(ctx, data)
    changes = data.model_dump(mode="json", exclude_unset=True)
    if changes.get("shared"):
        _require_share_right(ctx)
    for key in ("name", "shared", "columns", "conditions", "sort_order"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    for key, value in changes.items():
        setattr(view, key, value)
    session.flush()
    return view


def delete_view(session: Session, ctx: ViewContext, view_id: int) -> None:
    """Deletes a view (its owner, or an admin of the app)."""
    view = get_view(session, ctx, view_id)
    _require_owner(view, ctx)
    session.delete(view)
    session.flush()
