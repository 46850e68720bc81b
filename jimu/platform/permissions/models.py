"""Tables of app roles: who holds a role in an app, and what the role may do per form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jimu.platform.db import Base, UTCDateTime, utcnow

app_role_users = Table(
    "app_role_users",
    Base.metadata,
    Column("role_id", ForeignKey("app_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

app_role_departments = Table(
    "app_role_departments",
    Base.metadata,
    Column("role_id", ForeignKey("app_roles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "department_id",
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class AppRole(Base):
    """A role inside one app (应用角色): the built-in admin and member, or a custom one.

    Attributes:
        key: stable ASCII identifier, unique within the app.
        name: label in zh-CN and en.
        is_system: ``admin`` and ``member`` cannot be deleted or re-keyed.
        all_users: every active user holds the role (全员), besides the listed members.
        permissions: per form key, the permission set (actions, view/edit scopes, fields).
    """

    __tablename__ = "app_roles"
    __table_args__ = (UniqueConstraint("app_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(500))
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    all_users: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
