"""Endpoints of the apps registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from jimu.platform.apps import service
from jimu.platform.apps.schemas import AppCreate, AppRead, AppUpdate
from jimu.platform.deps import AdminUser, CurrentUser, SessionDep
from jimu.platform.org.models import User
from jimu.platform.org.service import require_admin
from jimu.platform.permissions.service import ensure_app_roles, require_member, visible_apps
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import KEY_PATTERN, Page

router = APIRouter(tags=["apps"], responses=PROBLEMS)
AppKey = Annotated[str, Path(pattern=KEY_PATTERN, description="the app's key")]


@router.get("/api/apps", response_model=Page[AppRead])
def list_apps(user: CurrentUser, session: SessionDep) -> Page[AppRead]:
    """Lists the apps the caller may open (every app for platform admins)."""
    items = [
        AppRead.model_validate(a) for a in visible_apps(session, user, service.list_apps(session))
    ]
    return Page[AppRead](items=items, total=len(items), page=1, page_size=len(items))


@router.post("/api/apps", response_model=AppRead, status_code=201)
def create_app(body: AppCreate, actor: AdminUser, session: SessionDep) -> AppRead:
    """Creates an app; its creator becomes the app's admin."""
    created = service.create_app(session, actor, body)
    ensure_app_roles(session, created, creator_id=actor.id)
    return AppRead.model_validate(created)


@router.get("/api/apps/{app}", response_model=AppRead)
def read_app(app: AppKey, user: CurrentUser, session: SessionDep) -> AppRead:
    """Gets one app (404 for users who hold no role in it)."""
    found = service.get_app(session, app)
    require_member(session, found, user)
    return AppRead.model_validate(found)


def _platform_admin_app(session: Session, key: str, user: User) -> None:
    """Platform admins only; users who hold no role in the app get 404, as everywhere."""
    require_member(session, service.get_app(session, key), user)
    require_admin(user)


@router.patch("/api/apps/{app}", response_model=AppRead)
def update_app(app: AppKey, body: AppUpdate, user: CurrentUser, session: SessionDep) -> AppRead:
    """Changes an app's name, icon, colour, description or order (platform admins)."""
    _platform_admin_app(session, app, user)
    return AppRead.model_validate(service.update_app(session, app, body))


@router.delete("/api/apps/{app}", status_code=204)
def delete_app(
    app: AppKey,
    user: CurrentUser,
    session: SessionDep,
    confirm: Annotated[str | None, Query(max_length=40, description="the app key")] = None,
) -> Response:
    """Deletes an app (platform admins); an app that holds data needs ``?confirm=<key>``."""
    _platform_admin_app(session, app, user)
    service.delete_app(session, app, confirm)
    return Response(status_code=204)
