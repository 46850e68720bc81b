"""Database-level tests get a scratch database of the kind under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from jimu.platform.db import make_engine
from tests.conftest import database_url, reset_schema


@pytest.fixture
def scratch_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the kind under test, separate from the suite's."""
    url = make_url(database_url(tmp_path))
    if url.get_backend_name() == "postgresql":
        from scripts.pg_createdb import main as createdb

        url = url.set(database=f"{url.database}_migrations")
        createdb(url.render_as_string(hide_password=False))
    engine = make_engine(url.render_as_string(hide_password=False))
    reset_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def scratch_url(scratch_engine: Engine) -> str:
    """The URL of the scratch database."""
    return scratch_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def session(engine: Engine, clean_db: None) -> Iterator[Session]:
    """A session whose every change, DDL included, is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            outer.rollback()
