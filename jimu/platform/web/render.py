"""What every page shares: templates, the signed-in user, the language, rendering helpers."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from jimu import __version__
from jimu.engines.errors import JimuError
from jimu.form_engine.fieldtypes import browser_table
from jimu.platform.auth.service import note_use, principal_from_cookie
from jimu.platform.deps import SESSION_COOKIE, SessionDep
from jimu.platform.errors import request_locale
from jimu.platform.middleware import security_headers
from jimu.platform.org.models import User
from jimu.platform.web.messages import translate

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


def pick_label(value: Any, locale: str) -> str:
    """A ``{zh, en}`` label (a dict or a spec Label) in ``locale``, else the other language."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    value = value or {}
    first, second = ("zh", "en") if locale.startswith("zh") else ("en", "zh")
    return value.get(first) or value.get(second) or ""


def to_json(value: Any) -> Markup:
    """JSON safe to put inside a <script type="application/json"> or an HTML attribute."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return Markup(
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
    )


def to_js(value: Any) -> str:
    """A value as a JavaScript literal (JSON) for an Alpine or htmx attribute expression.

    A plain string on purpose: autoescaping then HTML-escapes it, so the attribute stays
    whole and the browser hands the JS parser the exact JSON text, whatever the value holds.
    """
    return json.dumps(value, ensure_ascii=False, default=str)


TEMPLATES.env.filters["js"] = to_js


def page_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user of a page request, or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        principal = principal_from_cookie(session, request.app.state.settings, cookie)
    except JimuError:
        return None
    note_use(session, request.app.state.session_factory, principal)
    return principal.user


class SignInRequired(Exception):
    """A page was asked for by a visitor who is not signed in (answered by ``to_login``)."""


def signed_in_user(request: Request, session: SessionDep) -> User:
    """The signed-in user of a page request; a visitor is sent to sign in first."""
    user = page_user(request, session)
    if user is None:
        raise SignInRequired
    return user


PageUser = Annotated[User, Depends(signed_in_user)]


def install_page_handlers(app: FastAPI) -> None:
    """Pages asked for by visitors go to the sign-in page, and back afterwards."""

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        return to_login(request)

    app.add_exception_handler(SignInRequired, sign_in_first)


def render(request: Request, name: str, user: User | None, **context: Any) -> HTMLResponse:
    """Renders a page template with the shared context."""
    locale = request_locale(request)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "locale": locale,
            "t": lambda key: translate(key, locale),
            "label": lambda value: pick_label(value, locale),
            "json": to_json,
            "field_types": browser_table,
            "version": __version__,
            **context,
        },
    )
    if context.get("embed"):  # the designer's preview and "create new" dialogs frame it
        response.headers.update(security_headers(framable=True))
    return response


def not_found(request: Request, user: User | None) -> HTMLResponse:
    """The 404 page."""
    response = render(request, "shell/error.html", user)
    response.status_code = 404
    return response


def safe_next(target: str | None) -> str:
    """A path on this site to go back to, else ``/``: never another host or scheme.

    Browsers read ``/\\host`` as ``//host`` and drop tabs and newlines before reading a URL,
    so a backslash, whitespace or a control character anywhere refuses the target.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(ch == "\\" or ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    return target


def to_login(request: Request) -> RedirectResponse:
    """Sends an anonymous visitor to the sign-in page and back here afterwards."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
