"""Request and response bodies of the auth API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from jimu.platform.org.schemas import UserRead
from jimu.platform.schemas import Name, ReadModel, StrictModel


class LoginRequest(StrictModel):
    """Username and password."""

    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LoginResult(ReadModel):
    """The signed-in user and when the session ends."""

    user: UserRead
    expires_at: datetime


class MeRead(UserRead):
    """The caller, with how they signed in."""

    is_platform_admin: bool
    auth: str = Field(description="session or token")


class TokenCreate(StrictModel):
    """A new personal API token."""

    name: Name
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(ReadModel):
    """A personal API token without its secret."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A token just issued: ``token`` is shown this once only."""

    token: str
