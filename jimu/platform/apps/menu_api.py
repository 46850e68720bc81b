"""Endpoints of an app's menu (groups and forms in the analyst's order)."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.apps.api import AppKey
from jimu.platform.apps.menu import MenuRead, MenuWrite, read_menu, save_menu
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, SessionDep
from jimu.platform.permissions.service import require_app_admin, require_member
from jimu.platform.responses import PROBLEMS

router = APIRouter(tags=["apps"], responses=PROBLEMS)


@router.get("/api/apps/{app}/menu", response_model=MenuRead)
def get_menu(app: AppKey, user: CurrentUser, session: SessionDep) -> MenuRead:
    """The app's menu: groups and forms in order; forms not placed yet come last."""
    app_row = get_app(session, app)
    require_member(session, app_row, user)
    return read_menu(session, app_row)


@router.put("/api/apps/{app}/menu", response_model=MenuRead)
def put_menu(app: AppKey, body: MenuWrite, user: CurrentUser, session: SessionDep) -> MenuRead:
    """Rearranges the menu (groups, order; the app's admins); forms left out come last."""
    app_row = get_app(session, app)
    require_app_admin(session, app_row, user)
    return save_menu(session, app_row, body)
