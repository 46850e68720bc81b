"""HTML pages: login, the app list and an app's workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from jimu import __version__
from jimu.engines.errors import JimuError, NotFound
from jimu.platform.apps import service as apps_service
from jimu.platform.auth.service import principal_from_cookie
from jimu.platform.deps import SESSION_COOKIE, SessionDep
from jimu.platform.errors import LOCALE_COOKIE, request_locale
from jimu.platform.org.models import User
from jimu.platform.schemas import KEY_PATTERN
from jimu.platform.web.messages import translate

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
router = APIRouter(include_in_schema=False)


def _label(value: dict[str, str] | None, locale: str) -> str:
    value = value or {}
    first, second = ("zh", "en") if locale.startswith("zh") else ("en", "zh")
    return value.get(first) or value.get(second) or ""


def _page_user(request: Request, session: SessionDep) -> User | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return principal_from_cookie(session, request.app.state.settings, cookie).user
    except JimuError:
        return None


def _render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    locale = request_locale(request)
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "locale": locale,
            "t": lambda key: translate(key, locale),
            "label": lambda value: _label(value, locale),
            "version": __version__,
            **context,
        },
    )


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    session: SessionDep,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sign-in page."""
    if _page_user(request, session) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _render(request, "login.html", None, next_url=_safe_next(next))


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, session: SessionDep) -> Response:
    """The app list."""
    user = _page_user(request, session)
    if user is None:
        return _to_login(request)
    apps = apps_service.list_apps(session)
    return _render(request, "home.html", user, apps=apps)


@router.get("/apps/{app}", response_class=HTMLResponse)
def app_page(
    request: Request,
    session: SessionDep,
    app: Annotated[str, PathParam(pattern=KEY_PATTERN)],
) -> Response:
    """An app's workspace: its menu on the left, its content on the right."""
    user = _page_user(request, session)
    if user is None:
        return _to_login(request)
    try:
        current = apps_service.get_app(session, app)
    except NotFound:
        response = _render(request, "error.html", user, message=translate("not_found", "en"))
        response.status_code = 404
        return response
    return _render(request, "app.html", user, app=current, apps=apps_service.list_apps(session))


@router.get("/lang/{code}")
def switch_language(
    code: Annotated[str, PathParam(pattern=r"^(zh-CN|en)$")],
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Switches the interface language and goes back."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=3600 * 24 * 365, samesite="lax")
    return response
