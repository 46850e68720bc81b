"""Form metadata tables (drafts and published versions) and every query on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from jimu.engines.sqltypes import Base, UTCDateTime, utcnow


class Form(Base):
    """A form of an app: its draft spec and which version is published.

    Attributes:
        app_id: the app (apps.id); the form engine does not import the apps registry.
        draft: the spec being edited (JSON), validated on every save.
        published_version: 0 until the first publish.
        table_name: the physical table, fixed at the first publish.
        archived: fields removed by a publish, whose columns are kept (restorable).
    """

    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("app_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)  # loaded when read
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    table_name: Mapped[str | None] = mapped_column(String(63))
    archived: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FormVersion(Base):
    """A published version of a form; every version stays readable."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def forms_of_app(session: Session, app_id: int) -> list[Form]:
    """The forms of an app, in creation order."""
    return list(session.scalars(select(Form).where(Form.app_id == app_id).order_by(Form.id)))


_FORM_BY_KEY = select(Form).where(Form.app_id == bindparam("app"), Form.key == bindparam("key"))


def form_by_key(session: Session, app_id: int, key: str) -> Form | None:
    """One form of an app by key (the statement built once: it runs on every request)."""
    return session.scalar(_FORM_BY_KEY, {"app": app_id, "key": key})


def count_forms(session: Session, app_id: int) -> int:
    """How many forms an app has."""
    return session.scalar(select(func.count()).select_from(Form).where(Form.app_id == app_id)) or 0


def version_of(session: Session, form_id: int, version: int) -> FormVersion | None:
    """One published version of a form."""
    return session.scalar(
        select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)
    )


def versions_of(session: Session, form_id: int) -> list[FormVersion]:
    """Every published version of a form, oldest first."""
    query = select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.version)
    return list(session.scalars(query))


class RecordAudit(Base):
    """One change of one record: who, when, and each field's old and new value.

    Attributes:
        action: create, update, delete or restore.
        changes: ``{field: [old, new]}`` as JSON.
        via: the automation that made the change for ``actor_id`` (``rule:12``), if any.
    """

    __tablename__ = "record_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    via: Mapped[str | None] = mapped_column(String(100), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def history_of(session: Session, form_id: int, record_id: int) -> list[RecordAudit]:
    """The audit trail of one record, oldest first."""
    query = (
        select(RecordAudit)
        .where(RecordAudit.form_id == form_id, RecordAudit.record_id == record_id)
        .order_by(RecordAudit.id)
    )
    return list(session.scalars(query))


class SerialCounter(Base):
    """The last number handed out by a serial field, per period (year, month, day or ever)."""

    __tablename__ = "serial_counters"

    form_id: Mapped[int] = mapped_column(
        ForeignKey("forms.id", ondelete="CASCADE"), primary_key=True
    )
    field_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


def next_serial(session: Session, form_id: int, field_key: str, period: str) -> int:
    """Takes the next number, locked until the transaction ends: no gaps, no duplicates."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    table = SerialCounter.__table__
    statement = (
        insert(SerialCounter)
        .values(form_id=form_id, field_key=field_key, period=period, value=1)
        .on_conflict_do_update(
            index_elements=["form_id", "field_key", "period"],
            set_={"value": table.c.value + 1},
        )
        .returning(table.c.value)
    )
    return int(session.execute(statement).scalar_one())
