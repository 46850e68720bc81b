"""The web UI's pages and the API endpoints it added, in the order the app mounts them."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.apps.menu_api import router as menu_router
from jimu.platform.comments.api import router as comments_router
from jimu.platform.forms.logic_api import router as logic_router
from jimu.platform.views.api import router as views_router
from jimu.platform.web.designer import router as designer_router
from jimu.platform.web.pages import router as pages_router
from jimu.platform.web.records import router as records_router
from jimu.platform.web.roles import router as roles_router

ROUTERS: list[APIRouter] = [
    menu_router,
    logic_router,
    views_router,
    comments_router,
    pages_router,
    designer_router,
    records_router,
    roles_router,
]
