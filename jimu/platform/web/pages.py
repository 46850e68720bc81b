"""HTML pages of the shell: sign-in, the app list, the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jimu.platform.apps import service as apps_service
from jimu.platform.deps import SessionDep
from jimu.platform.errors import LOCALE_COOKIE
from jimu.platform.permissions.service import visible_apps
from jimu.platform.web.render import PageUser, page_user, render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    session: SessionDep,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sign-in page."""
    if page_user(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "shell/login.html", None, next_url=safe_next(next))


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The app list."""
    apps = visible_apps(session, user, apps_service.list_apps(session))
    return render(request, "shell/home.html", user, apps=apps)


@router.get("/lang/{code}")
def switch_language(
    code: Annotated[str, PathParam(pattern=r"^(zh-CN|en)$")],
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Switches the interface language and goes back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=3600 * 24 * 365, samesite="lax")
    return response
