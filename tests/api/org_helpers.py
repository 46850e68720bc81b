"""Helpers shared by the organisation API tests (users, departments, roles)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from jimu.platform.models import Base

PROBLEM_JSON = "application/problem+json"
GOOD_PASSWORD = "pass-word-1"

# Columns of the auth tables that reads touch (last use); everything else must stay put.
VOLATILE = {"last_used_at", "last_seen_at"}
CHECKED_TABLES = ("users", "roles", "user_roles", "departments", "api_tokens", "login_sessions")


def problem(response: Any, status: int) -> dict[str, Any]:
    """Asserts a problem+json response with ``status`` and returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def fields(body: dict[str, Any]) -> list[str]:
    """The field names a problem document lists."""
    return [error["field"] for error in body.get("errors", [])]


def error_on(body: dict[str, Any], field: str) -> dict[str, Any]:
    """The first error about ``field`` (fails when there is none)."""
    for error in body.get("errors", []):
        if error["field"] == field:
            return error
    raise AssertionError(f"no error on {field!r} in {body!r}")


def ok(response: Any, status: int = 200) -> Any:
    """Asserts a successful JSON response and returns its body."""
    assert response.status_code == status, response.text
    return response.json()


def new_user(client: Any, username: str, **fields: Any) -> dict[str, Any]:
    """Creates a user through the API."""
    body = {"username": username, "display_name": username.title(), "password": GOOD_PASSWORD}
    return ok(client.post("/api/users", json={**body, **fields}), 201)


def new_department(client: Any, name: str, parent_id: int | None = None, **fields: Any) -> int:
    """Creates a department through the API and returns its id."""
    body = {"name": name, "parent_id": parent_id, **fields}
    return int(ok(client.post("/api/departments", json=body), 201)["id"])


def new_role(client: Any, key: str, zh: str = "", en: str = "") -> dict[str, Any]:
    """Creates a custom role through the API."""
    name = {"zh": zh, "en": en or key.title()}
    return ok(client.post("/api/roles", json={"key": key, "name": name}), 201)


def snapshot(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the organisation and auth tables, in a stable order."""
    tables = Base.metadata.tables
    state: dict[str, list[tuple[Any, ...]]] = {}
    with session_factory() as session:
        for name in CHECKED_TABLES:
            columns = [c for c in tables[name].columns if c.name not in VOLATILE]
            rows = session.execute(sa.select(*columns).order_by(*tables[name].primary_key))
            state[name] = [tuple(row) for row in rows]
    return state


@contextmanager
def unchanged(session_factory: sessionmaker[Session]) -> Iterator[None]:
    """Asserts that the block leaves the database exactly as it found it."""
    before = snapshot(session_factory)
    yield
    after = snapshot(session_factory)
    for name in CHECKED_TABLES:
        assert after[name] == before[name], f"table {name} changed"
