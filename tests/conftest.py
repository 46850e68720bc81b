"""Shared fixtures: a migrated database (SQLite file, or JIMU_DATABASE_URL), the app, clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from jimu.platform.app import create_app
from jimu.platform.auth.service import create_token
from jimu.platform.db import make_engine, make_session_factory, transaction
from jimu.platform.migrate import upgrade
from jimu.platform.models import Base
from jimu.platform.org.models import PLATFORM_ADMIN
from jimu.platform.org.schemas import UserCreate
from jimu.platform.org.service import create_user, ensure_system_roles
from jimu.platform.settings import Settings

ADMIN_PASSWORD = "admin-pass-1"
USER_PASSWORD = "user-pass-1"


def database_url(tmp: Path) -> str:
    """The database under test: JIMU_DATABASE_URL (PostgreSQL in CI) or a fresh SQLite file."""
    return os.environ.get("JIMU_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


def reset_schema(engine: Engine) -> None:
    """Empties the database completely (PostgreSQL: drops and recreates ``public``)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jimu-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url(data_dir),
        secret_key="test-secret-key-not-for-production",
        max_body_bytes=64 * 1024,
        login_max_failures=5,
        login_window_minutes=15,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    reset_schema(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def truncate_all(engine: Engine) -> None:
    """Drops form tables, deletes every row of every platform table and restarts ids."""
    tables = list(reversed(Base.metadata.sorted_tables))
    names = [n for n in sa.inspect(engine).get_table_names() if n.startswith("f_")]
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        # children (f_app_form__field) before their parents
        for name in sorted(names, key=lambda n: ("__" not in n, n)):
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys=ON"))
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def clean_db(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    """Every test starts from empty tables plus the built-in roles."""
    truncate_all(engine)
    with transaction(session_factory) as session:
        ensure_system_roles(session)


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session], clean_db: None) -> Iterator[Session]:
    """A session for arranging and checking data directly; commits at the end."""
    with transaction(session_factory) as session:
        yield session


class JimuClient(TestClient):
    """A test client that sends the CSRF cookie back as the X-CSRFToken header."""

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        token = self.cookies.get("jimu_csrftoken")
        if token and method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)


@pytest.fixture
def make_user(
    session_factory: sessionmaker[Session], clean_db: None
) -> Callable[..., dict[str, Any]]:
    """Creates a user and returns its id and credentials."""

    def make(username: str, *, admin: bool = False, **fields: Any) -> dict[str, Any]:
        password = ADMIN_PASSWORD if admin else USER_PASSWORD
        data = UserCreate(
            username=username,
            display_name=fields.pop("display_name", username.title()),
            password=password,
            roles=fields.pop("roles", [PLATFORM_ADMIN] if admin else []),
            **fields,
        )
        with transaction(session_factory) as session:
            user = create_user(session, data)
            return {"id": user.id, "username": username, "password": password}

    return make


@pytest.fixture
def token_for(session_factory: sessionmaker[Session]) -> Callable[[int], str]:
    """Issues a personal API token for a user id."""

    def issue(user_id: int) -> str:
        with transaction(session_factory) as session:
            from jimu.platform.org.models import User

            user = session.get(User, user_id)
            assert user is not None
            return create_token(session, user, name="test", expires_in_days=None)[1]

    return issue


@pytest.fixture
def client(app: FastAPI, clean_db: None) -> Iterator[JimuClient]:
    """An anonymous client."""
    with JimuClient(app) as test_client:
        yield test_client


@pytest.fixture
def admin(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_user("admin", admin=True, display_name="管理员 Admin")


@pytest.fixture
def admin_client(
    app: FastAPI, admin: dict[str, Any], token_for: Callable[[int], str]
) -> Iterator[JimuClient]:
    """A client authenticated as a platform admin with a Bearer token."""
    with JimuClient(app, headers={"Authorization": f"Bearer {token_for(admin['id'])}"}) as c:
        yield c


@pytest.fixture
def login(app: FastAPI) -> Callable[[str, str], JimuClient]:
    """Signs in through the API and returns a cookie-authenticated client."""
    opened: list[JimuClient] = []

    def sign_in(username: str, password: str) -> JimuClient:
        c = JimuClient(app)
        c.__enter__()
        opened.append(c)
        response = c.post("/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        c.get("/api/me")  # receives the CSRF cookie
        return c

    yield sign_in  # type: ignore[misc]
    for c in opened:
        c.__exit__(None, None, None)
