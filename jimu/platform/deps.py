"""Dependency aliases for endpoints: the request's database session and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from jimu.engines.errors import NotAuthenticated
from jimu.engines.i18n import text
from jimu.platform.auth.service import (
    Principal,
    note_use,
    principal_from_cookie,
    principal_from_token,
)
from jimu.platform.db import UnitOfWork
from jimu.platform.errors import request_locale
from jimu.platform.org.models import User
from jimu.platform.org.service import require_admin
from jimu.platform.settings import Settings

SESSION_COOKIE = "jimu_session"
NOT_SIGNED_IN = text(
    "Sign in, or send a personal API token as 'Authorization: Bearer ...'.",
    "请先登录，或在请求头中携带个人 API 令牌（Authorization: Bearer ...）。",
)


SAFE_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed after the endpoint, rolled back on any error; a
    GET or HEAD request's reads only (it takes no write lock and may write nothing).

    Opening a session does no I/O, so it opens here on the event loop; the commit or
    rollback runs on a worker thread, once, after the endpoint.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    unit = UnitOfWork(factory, read_only=request.method in SAFE_METHODS)
    try:
        yield unit.session
    except BaseException:
        await run_in_threadpool(unit.rollback)
        raise
    await run_in_threadpool(unit.commit)


async def get_settings_dep(request: Request) -> Settings:
    """The settings of the running app."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def caller(request: Request, session: Session) -> Principal:
    """The caller, from a Bearer token or the session cookie (worked out once per request).

    A dependency that needs the database anyway calls this itself instead of depending on
    ``CurrentUser``: each sync dependency costs the request a hop to a worker thread.
    """
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated(NOT_SIGNED_IN)
        principal = principal_from_token(session, token.strip())
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise NotAuthenticated(NOT_SIGNED_IN)
        principal = principal_from_cookie(session, request.app.state.settings, cookie)
    note_use(session, request.app.state.session_factory, principal)
    request.state.principal = principal
    return principal


def get_principal(request: Request, session: SessionDep) -> Principal:
    """The caller, from a Bearer token or the session cookie."""
    return caller(request, session)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> User:
    """The signed-in user."""
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser) -> User:
    """The signed-in user, who must be a platform admin."""
    require_admin(user)
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


async def get_locale(request: Request) -> str:
    """zh-CN or en for this request."""
    return request_locale(request)


LocaleDep = Annotated[str, Depends(get_locale)]
