"""Migrations go up and down on the database under test, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from jimu.platform.migrate import downgrade, upgrade
from jimu.platform.models import Base

PLATFORM_TABLES = {t.name for t in Base.metadata.sorted_tables}


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
