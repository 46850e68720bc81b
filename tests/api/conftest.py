"""API tests start from an empty, migrated database."""

import pytest


@pytest.fixture(autouse=True)
def _clean(clean_db: None) -> None:
    """Applies the shared clean_db fixture to every API test."""
