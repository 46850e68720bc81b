"""Saved views: personal ones for their owner, shared ones for everyone reading the form."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jimu.engines.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.engines.expr import ExprError, check
from jimu.engines.expr.types import BOOL
from jimu.engines.i18n import text
from jimu.form_engine.runtime import FormRuntime
from jimu.platform.org.models import User
from jimu.platform.views.models import SavedView
from jimu.platform.views.schemas import ViewCreate, ViewUpdate

VIEW = text("View", "视图")
META_COLUMNS = frozenset(
    {"_id", "_owner", "_created_at", "_updated_at", "_created_by", "_updated_by"}
)


def list_views(session: Session, form_id: int, user: User) -> list[SavedView]:
    """The shared views of a form and the caller's own, in order."""
    query = (
        select(SavedView)
        .where(
            SavedView.form_id == form_id,
            or_(SavedView.shared.is_(True), SavedView.owner_id == user.id),
        )
        .order_by(SavedView.sort_order, SavedView.id)
    )
    return list(session.scalars(query))


def _check(runtime: FormRuntime, data: ViewCreate | ViewUpdate) -> None:
    """Columns and sort must name fields of the form; the filter must be a condition."""
    known = {f.key for f in runtime.spec.fields} | META_COLUMNS
    for index, key in enumerate(data.columns or []):
        if key not in known:
            raise ValidationFailed.single(
                f"columns[{index}]",
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
            check(data.filter, runtime.schema, expect=BOOL)
        except ExprError as exc:
            raise ValidationFailed(
                exc.detail, errors=[FieldError("filter", exc.reason, exc.detail)]
            ) from None


def _require_share_right(user: User) -> None:
    if not user.is_platform_admin:
        raise PermissionDenied(text("Only admins may share views.", "只有管理员可以共享视图。"))


def create_view(session: Session, runtime: FormRuntime, user: User, data: ViewCreate) -> SavedView:
    """Saves a view for the caller (shared views need an admin)."""
    _check(runtime, data)
    if data.shared:
        _require_share_right(user)
    values = data.model_dump(mode="json")
    view = SavedView(form_id=runtime.form.id, owner_id=user.id, **values)
    session.add(view)
    session.flush()
    return view


def get_view(session: Session, form_id: int, view_id: int, user: User) -> SavedView:
    """A view the caller may see."""
    view = session.get(SavedView, view_id)
    if view is None or view.form_id != form_id or not (view.shared or view.owner_id == user.id):
        raise NotFound(VIEW, view_id)
    return view


def _require_owner(view: SavedView, user: User) -> None:
    if view.owner_id != user.id and not user.is_platform_admin:
        raise PermissionDenied(
            text("Only its owner may change this view.", "只有创建者可以修改此视图。")
        )


def update_view(
    session: Session, runtime: FormRuntime, view_id: int, user: User, data: ViewUpdate
) -> SavedView:
    """Changes a view (its owner, or an admin)."""
    view = get_view(session, runtime.form.id, view_id, user)
    _require_owner(view, user)
    _check(runtime, data)
    changes = data.model_dump(mode="json", exclude_unset=True)
    if changes.get("shared"):
        _require_share_right(user)
    for key in ("name", "shared", "columns", "conditions", "sort_order"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    for key, value in changes.items():
        setattr(view, key, value)
    session.flush()
    return view


def delete_view(session: Session, form_id: int, view_id: int, user: User) -> None:
    """Deletes a view (its owner, or an admin)."""
    view = get_view(session, form_id, view_id, user)
    _require_owner(view, user)
    session.delete(view)
    session.flush()
