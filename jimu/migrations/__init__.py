"""Alembic environment and versions for the platform's own tables."""
