"""Endpoints of an app's menu (groups and forms in the analyst's order)."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.apps.api import AppKey
from jimu.platform.apps.menu import MenuRead, MenuWrite, read_menu, save_menu
from jimu.platform.apps.service import get_app
from jimu.platform.deps import AdminUser, CurrentUser, SessionDep
from jimu.platform.responses import PROBLEMS

router = APIRouter(tags=["apps"], responses=PROBLEMS)


@router.get("/api/apps/{app}/menu", response_model=MenuRead)
def get_menu(app: AppKey, _: CurrentUser, session: SessionDep) -> MenuRead:
    """The app's menu: groups and forms in order; forms not placed yet come last."""
    return read_menu(session, get_app(session, app))


@router.put("/api/apps/{app}/menu", response_model=MenuRead)
def put_menu(app: AppKey, body: MenuWrite, _: AdminUser, session: SessionDep) -> MenuRead:
    """Rearranges the menu (groups, order); forms left out are appended when shown."""
    return save_menu(session, get_app(session, app), body)
