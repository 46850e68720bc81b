"""Database engine, declarative base and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

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
    "Base",
    "UTCDateTime",
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work — for requests, the CLI and workers alike: commits on success, then
    hands on the events the work queued; rolls back on any exception and drops them."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        events.take(session)  # a rolled-back change announces nothing
        raise
    finally:
        session.close()
    events.publish(events.take(session))
