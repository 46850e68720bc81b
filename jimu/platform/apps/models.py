"""Table of the apps registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jimu.platform.db import Base, UTCDateTime, utcnow


class App(Base):
    """An app: a named container of forms, flows, rules, reports and print templates.

    Attributes:
        key: stable ASCII slug used in URLs and table names.
        name: label in zh-CN and en (``{"zh": ..., "en": ...}``).
        menu: the app's menu as the analyst arranged it: groups and items (forms, later
            reports and dashboards); None until first arranged (forms in creation order).
    """

    __tablename__ = "apps"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[dict[str, Any]] = mapped_column(JSON)
    icon: Mapped[str | None] = mapped_column(String(64))
    color: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    menu: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
