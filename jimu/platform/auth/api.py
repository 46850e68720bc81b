"""Endpoints for signing in and out, the caller's profile and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from jimu.platform.auth import service
from jimu.platform.auth.schemas import (
    LoginRequest,
    LoginResult,
    MeRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from jimu.platform.deps import (
    SESSION_COOKIE,
    CurrentUser,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from jimu.platform.org import service as org_service
from jimu.platform.org.schemas import PasswordChange, UserRead
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import IdPath

router = APIRouter(tags=["auth"], responses=PROBLEMS)


@router.post("/api/auth/login", response_model=LoginResult)
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    settings: SettingsDep,
) -> LoginResult:
    """Signs in with username and password; sets the HttpOnly session cookie."""
    new = service.login(
        request.app.state.session_factory,
        settings,
        username=body.username,
        password=body.password,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    response.set_cookie(
        SESSION_COOKIE,
        new.cookie_value,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return LoginResult(user=UserRead.model_validate(new.user), expires_at=new.expires_at)


@router.post("/api/auth/logout", status_code=204)
def logout(principal: PrincipalDep, session: SessionDep, response: Response) -> Response:
    """Ends the current login session and clears its cookie."""
    service.logout(session, principal)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response


@router.get("/api/me", response_model=MeRead)
def read_me(principal: PrincipalDep) -> MeRead:
    """The signed-in user."""
    user = principal.user
    base = UserRead.model_validate(user).model_dump()
    return MeRead(**base, is_platform_admin=user.is_platform_admin, auth=principal.via)


@router.post("/api/me/password", status_code=204)
def change_password(body: PasswordChange, principal: PrincipalDep, session: SessionDep) -> Response:
    """Changes the caller's own password; their other sessions and API tokens stop working."""
    org_service.change_own_password(session, principal, body.current_password, body.new_password)
    return Response(status_code=204)


@router.post("/api/auth/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreate, user: CurrentUser, session: SessionDep) -> TokenCreated:
    """Issues a personal API token for Bearer authentication; the token is shown once."""
    row, plain = service.create_token(
        session, user, name=body.name, expires_in_days=body.expires_in_days
    )
    return TokenCreated(**TokenRead.model_validate(row).model_dump(), token=plain)


@router.get("/api/auth/tokens", response_model=list[TokenRead])
def list_tokens(user: CurrentUser, session: SessionDep) -> list[TokenRead]:
    """The caller's personal API tokens (without their secrets)."""
    return [TokenRead.model_validate(row) for row in service.list_tokens(session, user)]


@router.delete("/api/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Revokes one of the caller's tokens; it stops working at once."""
    service.revoke_token(session, user, token_id)
    return Response(status_code=204)
