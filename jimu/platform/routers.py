"""Every router of the app, in the order ``create_app()`` mounts them: the one list to extend.

Importing a router module defines endpoints and nothing else; what engines register
(event consumers, app lifecycle hooks) is done by ``jimu.platform.bootstrap``.
"""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.apps.api import router as apps_router
from jimu.platform.apps.menu_api import router as menu_router
from jimu.platform.auth.api import router as auth_router
from jimu.platform.comments.api import router as comments_router
from jimu.platform.expressions.api import router as expressions_router
from jimu.platform.forms.api import router as forms_router
from jimu.platform.forms.files_api import router as files_router
from jimu.platform.forms.logic_api import router as logic_router
from jimu.platform.forms.records_api import router as records_router
from jimu.platform.org.api import router as org_router
from jimu.platform.permissions.api import router as permissions_router
from jimu.platform.views.api import router as views_router
from jimu.platform.web.designer import router as designer_router
from jimu.platform.web.pages import router as pages_router
from jimu.platform.web.records import router as web_records_router
from jimu.platform.web.roles import router as web_roles_router

ROUTERS: tuple[APIRouter, ...] = (
    # the API
    auth_router,
    org_router,
    apps_router,
    expressions_router,
    forms_router,
    records_router,
    files_router,
    permissions_router,
    # endpoints the web UI added, then its pages
    menu_router,
    logic_router,
    views_router,
    comments_router,
    pages_router,
    designer_router,
    web_records_router,
    web_roles_router,
)
