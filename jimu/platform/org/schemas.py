"""Request and response bodies of the organisation API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import EmailStr, Field, StringConstraints, field_validator

from jimu.platform.schemas import Id, Key, Label, Name, ReadModel, StrictModel

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.@-]{2,64}$"),
    Field(description="2-64 letters, digits or . _ @ -"),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^\+?[0-9 ()-]{3,32}$")
]


class UserCreate(StrictModel):
    """A new user."""

    username: Username
    display_name: Name
    password: Password
    email: EmailStr | None = None
    phone: Phone | None = None
    is_active: bool = True
    main_department_id: Id | None = None
    supervisor_id: Id | None = None
    roles: list[Key] = Field(default_factory=list)
    locale: Annotated[str, StringConstraints(pattern=r"^(zh-CN|en)$")] | None = None


class UserUpdate(StrictModel):
    """Changes to a user; fields left out stay as they are."""

    display_name: Name | None = None
    password: Password | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    is_active: bool | None = None
    main_department_id: Id | None = None
    supervisor_id: Id | None = None
    roles: list[Key] | None = None
    locale: Annotated[str, StringConstraints(pattern=r"^(zh-CN|en)$")] | None = None


class UserRead(ReadModel):
    """A user as the API shows it (never with a password or its hash)."""

    id: int
    username: str
    display_name: str
    email: str | None
    phone: str | None
    is_active: bool
    main_department_id: int | None
    supervisor_id: int | None
    roles: list[str]
    locale: str | None
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @field_validator("roles", mode="before")
    @classmethod
    def _role_keys(cls, value: Any) -> Any:
        return [getattr(role, "key", role) for role in value]


class PasswordChange(StrictModel):
    """A user changing their own password."""

    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: Password


class DepartmentCreate(StrictModel):
    """A new department."""

    name: Name
    parent_id: Id | None = None
    head_id: Id | None = None
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class DepartmentUpdate(StrictModel):
    """Changes to a department; fields left out stay as they are."""

    name: Name | None = None
    parent_id: Id | None = None
    head_id: Id | None = None
    sort_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class DepartmentRead(ReadModel):
    """A department with how many users have it as main department."""

    id: int
    name: str
    parent_id: int | None
    head_id: int | None
    sort_order: int
    member_count: int = 0
    created_at: datetime
    updated_at: datetime


class RoleCreate(StrictModel):
    """A new custom role."""

    key: Key
    name: Label
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class RoleUpdate(StrictModel):
    """Changes to a role (its key never changes)."""

    name: Label | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class RoleRead(ReadModel):
    """A role with its member count."""

    id: int
    key: str
    name: Label
    description: str | None
    is_system: bool
    member_count: int = 0
    created_at: datetime
    updated_at: datetime
