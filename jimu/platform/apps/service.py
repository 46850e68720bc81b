"""The apps registry: create, rename and delete apps; deleting one with data needs a confirm."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from jimu.engines.errors import Conflict, FieldError, NotFound, ValidationFailed
from jimu.engines.i18n import text
from jimu.platform.apps.models import App
from jimu.platform.apps.schemas import AppCreate, AppUpdate
from jimu.platform.org.models import User
from jimu.platform.org.service import reject_nulls

APP = text("App", "应用")

ContentCounter = Callable[[Session, App], int]
Cleanup = Callable[[Session, App], None]
_content_counters: dict[str, ContentCounter] = {}
_cleanups: list[Cleanup] = []


def register_content_counter(kind: str, counter: ContentCounter) -> None:
    """Lets an engine report how many things of ``kind`` an app holds (forms, records ...)."""
    _content_counters[kind] = counter


def register_cleanup(cleanup: Cleanup) -> None:
    """Lets an engine remove what it keeps for an app (tables ...) when the app is deleted."""
    _cleanups.append(cleanup)


def app_contents(session: Session, app: App) -> dict[str, int]:
    """What an app holds, by kind; empty kinds are left out."""
    counts = {kind: counter(session, app) for kind, counter in _content_counters.items()}
    return {kind: count for kind, count in counts.items() if count}


_BY_KEY = select(App).where(App.key == bindparam("key"))  # built once, run per request


def get_app(session: Session, key: str) -> App:
    """Gets an app by key."""
    app = session.scalar(_BY_KEY, {"key": key})
    if app is None:
        raise NotFound(APP, key)
    return app


def list_apps(session: Session) -> list[App]:
    """Every app, by sort order then creation."""
    return list(session.scalars(select(App).order_by(App.sort_order, App.id)))


def create_app(session: Session, actor: User, data: AppCreate) -> App:
    """Registers a new app under a unique key."""
    if session.scalar(select(App.id).where(App.key == data.key)) is not None:
        raise Conflict(
            text("App key '{key}' is taken.", "应用标识“{key}”已存在。", key=data.key),
            errors=[FieldError("key", "duplicate", text("Already taken.", "已被使用。"))],
        )
    values = data.model_dump()
    app = App(**values, created_by=actor.id)
    session.add(app)
    session.flush()
    return app


def update_app(session: Session, key: str, data: AppUpdate) -> App:
    """Changes an app's label, icon, colour, description or order."""
    app = get_app(session, key)
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, ["name", "sort_order"])
    for field, value in changes.items():
        setattr(app, field, value)
    session.flush()
    return app


def delete_app(session: Session, key: str, confirm: str | None) -> None:
    """Deletes an app; one that holds anything needs ``confirm`` equal to its key."""
    app = get_app(session, key)
    contents = app_contents(session, app)
    if contents and confirm != app.key:
        summary = ", ".join(f"{count} {kind}" for kind, count in sorted(contents.items()))
        raise ValidationFailed(
            text(
                "App '{key}' holds data ({summary}); repeat the request with ?confirm={key}.",
                "应用“{key}”中有数据（{summary}），确认删除请加上 ?confirm={key}。",
                key=app.key,
                summary=summary,
            ),
            errors=[
                FieldError(
                    "confirm",
                    "confirm_required",
                    text("Type the app key to confirm.", "请输入应用标识以确认删除。"),
                )
            ],
            extra={"contents": contents},
        )
    for cleanup in _cleanups:
        cleanup(session, app)
    session.delete(app)
    session.flush()
