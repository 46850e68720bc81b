"""Dependency aliases for endpoints: the request's database session and the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from jimu.engines.errors import NotAuthenticated
from jimu.engines.i18n import text
from jimu.platform.auth.service import Principal, principal_from_cookie, principal_from_token
from jimu.platform.db import transaction
from jimu.platform.errors import request_locale
from jimu.platform.org.models import User
from jimu.platform.org.service import require_admin
from jimu.platform.settings import Settings

SESSION_COOKIE = "jimu_session"
NOT_SIGNED_IN = text(
    "Sign in, or send a personal API token as 'Authorization: Bearer ...'.",
    "请先登录，或在请求头中携带个人 API 令牌（Authorization: Bearer ...）。",
)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed after the endpoint, rolled back on any error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(factory) as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    """The settings of the running app."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_principal(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    """The caller, from a Bearer token or the session cookie."""
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
        principal = principal_from_cookie(session, settings, cookie)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_current_user(principal: PrincipalDep) -> User:
    """The signed-in user."""
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_admin_user(user: CurrentUser) -> User:
    """The signed-in user, who must be a platform admin."""
    require_admin(user)
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


def get_locale(request: Request) -> str:
    """zh-CN or en for this request."""
    return request_locale(request)


LocaleDep = Annotated[str, Depends(get_locale)]
