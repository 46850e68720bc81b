"""Table of record comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from jimu.platform.db import Base, UTCDateTime, utcnow


class RecordComment(Base):
    """A comment on one record of a form.

    Attributes:
        record_id: the record's id in the form's table (no foreign key: form tables are
            created at run time).
        author_id: who wrote it; kept as NULL when the user row is gone.
    """

    __tablename__ = "record_comments"
    __table_args__ = (Index("ix_record_comments_form_record", "form_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
