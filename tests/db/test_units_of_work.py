"""Units of work: a reading one (safe requests) takes no write lock and may write nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from jimu.platform.db import WriteInReadOnly, transaction
from jimu.platform.org.models import User


def _users(factory: sessionmaker[Session]) -> int:
    with transaction(factory, read_only=True) as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def test_a_reading_unit_refuses_to_save_changes_and_leaves_the_database_as_it_was(
    session_factory: sessionmaker[Session], clean_db: None
) -> None:
    before = _users(session_factory)
    with pytest.raises(WriteInReadOnly), transaction(session_factory, read_only=True) as session:
        session.add(User(username="sneaky", display_name="Sneaky"))
    with pytest.raises(WriteInReadOnly), transaction(session_factory, read_only=True) as session:
        session.execute(sa.insert(User).values(username="sneakier", display_name="S"))
    with pytest.raises(WriteInReadOnly), transaction(session_factory, read_only=True) as session:
        session.execute(sa.update(User).values(display_name="everyone"))
    assert _users(session_factory) == before


def test_reading_goes_on_beside_an_open_writer(
    session_factory: sessionmaker[Session], clean_db: None
) -> None:
    before = _users(session_factory)
    with transaction(session_factory) as writer:
        writer.add(User(username="new", display_name="New"))
        writer.flush()  # the writer holds the write lock until it commits
        assert _users(session_factory) == before  # neither waits for it nor sees it
    assert _users(session_factory) == before + 1
