"""Database engine, declarative base and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from jimu.engines import events
from jimu.engines.expr.sqlite_functions import register as register_sqlite_functions
from jimu.engines.sqltypes import NAMING_CONVENTION, Base, UTCDateTime, utcnow

__all__ = [
    "NAMING_CONVENTION",
    "READ_ONLY",
    "Base",
    "UTCDateTime",
    "UnitOfWork",
    "WriteInReadOnly",
    "make_engine",
    "make_session_factory",
    "refresh_statistics",
    "transaction",
    "utcnow",
]


def _sqlite_recipe(engine: Engine) -> None:
    """Lets SQLAlchemy drive transactions so DDL rolls back too; WAL and foreign keys on."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # a writing transaction takes the write lock at once (SQLite cannot upgrade a read
        # lock once another writer committed); a reading one takes none, so reads run side
        # by side and beside the one writer (WAL)
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if reading else "BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Creates an engine for ``url`` with the settings each database needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _sqlite_recipe(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def refresh_statistics(engine: Engine) -> None:
    """Refreshes the query planner's table statistics.

    PostgreSQL keeps them fresh itself (autovacuum); SQLite has none until ANALYZE runs, and
    without them it may sort a large result instead of walking an index in order. The
    full ANALYZE reads each index once (about 0.1 s per million rows); a sampled one
    (``analysis_limit``) misjudges low-cardinality columns such as a select's options.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


READ_ONLY = "jimu_read_only"


class WriteInReadOnly(RuntimeError):
    """A unit of work opened for reading tried to write (a programming error)."""


@event.listens_for(Session, "before_flush")
def _no_flush_when_reading(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnly("a read-only unit of work tried to save changes")


@event.listens_for(Session, "do_orm_execute")
def _no_dml_when_reading(state: Any) -> None:
    if state.session.info.get(READ_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise WriteInReadOnly(f"a read-only unit of work tried to run {state.statement!r}")


def _reading(factory: sessionmaker[Session]) -> Session:
    """A session of ``factory`` whose transactions read only (SQLite: no write lock)."""
    engine = factory.kw["bind"]
    reader = _READERS.get(engine)
    if reader is None:
        reader = _READERS[engine] = engine.execution_options(**{READ_ONLY: True})
    return factory(bind=reader, info={READ_ONLY: True})


_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


class UnitOfWork:
    """One unit of work — for requests, the CLI and workers alike: ``commit`` saves and then
    hands on the events the work queued; ``rollback`` drops both.

    ``read_only`` units (safe requests: GET, HEAD) take no write lock on SQLite, so they run
    beside each other and beside a writer; any write in them is refused (WriteInReadOnly).
    Opening one does no I/O.
    """

    def __init__(self, factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        self.session = _reading(factory) if read_only else factory()

    def commit(self) -> None:
        """Commits (or, if that fails, rolls back and raises), then publishes the events."""
        session = self.session
        try:
            session.commit()
        except BaseException:
            self.rollback()
            raise
        session.close()
        events.publish(events.take(session))

    def rollback(self) -> None:
        """Rolls back; a rolled-back change announces nothing."""
        try:
            self.session.rollback()
        finally:
            events.take(self.session)
            self.session.close()


@contextmanager
def transaction(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """A unit of work as a ``with`` block: committed at its end, rolled back on any error."""
    unit = UnitOfWork(factory, read_only=read_only)
    try:
        yield unit.session
    except BaseException:
        unit.rollback()
        raise
    unit.commit()
