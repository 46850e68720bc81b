"""Migrations go up and down on the database under test, and match the models exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from jimu.platform.db import Base, make_engine
from jimu.platform.migrate import downgrade, upgrade
from tests.conftest import database_url, reset_schema

PLATFORM_TABLES = {t.name for t in Base.metadata.sorted_tables}


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


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_then_downgrade_then_upgrade(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    assert _tables(scratch_engine) == PLATFORM_TABLES
    downgrade(scratch_engine)
    assert _tables(scratch_engine) == set()
    upgrade(scratch_engine)
    assert _tables(scratch_engine) == PLATFORM_TABLES


def test_models_match_migrations(scratch_engine: Engine) -> None:
    upgrade(scratch_engine)
    with scratch_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
