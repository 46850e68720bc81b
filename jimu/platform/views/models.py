"""Table of saved list views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jimu.platform.db import Base, UTCDateTime, utcnow


class SavedView(Base):
    """A named way to look at a form's records (视图).

    Attributes:
        form_id: the form (forms.id); the view goes when the form goes.
        owner_id: who made it; a personal view is seen by its owner only.
        shared: everyone who may read the form's records sees it.
        columns: field keys shown as columns, in order (empty: the form's default).
        sort: the records API's sort (``-amount,title``).
        filter: an expression in the formula language (``amount > 1000``).
        conditions: the clicked filter conditions the expression was built from (for editing).
    """

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort: Mapped[str | None] = mapped_column(String(200))
    filter: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
