"""The `jimu` command: serve, migrate, bootstrap-admin, createuser, passwd, analyze, version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jimu import __version__
from jimu.platform.auth.passwords import verify_password
from jimu.platform.cli import main
from jimu.platform.db import make_session_factory
from jimu.platform.org.models import User
from jimu.platform.settings import get_settings


@pytest.fixture(autouse=True)
def _env(scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("JIMU_DATABASE_URL", scratch_url)
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("JIMU_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _user(engine: Engine, username: str) -> User | None:
    with make_session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            _ = user.roles
        return user


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"jimu {__version__}"


def test_bootstrap_prints_the_admin_login_once(
    scratch_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["bootstrap-admin"]) == 0
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    admin = _user(scratch_engine, "admin")
    assert admin is not None
    assert admin.is_platform_admin
    assert verify_password(password, admin.password_hash)

    assert main(["bootstrap-admin"]) == 0
    again = capsys.readouterr().out
    assert "password:" not in again
    assert "already" in again


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    first = get_settings().secret_key
    get_settings.cache_clear()
    assert get_settings().secret_key == first
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o077 == 0


def test_createuser_and_passwd(scratch_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["createuser", "li.lei", "--password", "first-pass-1", "--admin"]) == 0
    assert main(["createuser", "li.lei", "--password", "first-pass-1"]) == 1
    assert "taken" in capsys.readouterr().err
    assert main(["passwd", "li.lei", "--password", "second-pass-2"]) == 0
    user = _user(scratch_engine, "li.lei")
    assert user is not None
    assert user.is_platform_admin
    assert verify_password("second-pass-2", user.password_hash)
    assert main(["passwd", "li.lei", "--password", "short"]) == 1
    assert main(["passwd", "nobody", "--password", "long-enough-1"]) == 1


def test_createuser_refuses_a_short_password(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["createuser", "han.meimei", "--password", "short"]) == 1
    assert "error" in capsys.readouterr().err


def test_schema_prints_the_form_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["schema", "form"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "FormSpec"
    assert "subform" in json.dumps(schema)


def test_analyze_gives_sqlite_planner_statistics(
    scratch_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["analyze"]) == 0
    assert "statistics refreshed" in capsys.readouterr().out
    if scratch_engine.dialect.name == "sqlite":
        with scratch_engine.connect() as conn:
            tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar()
        assert tables is not None
        assert tables > 0


@pytest.mark.parametrize(
    ("args", "trusted"),
    [([], None), (["--forwarded-allow-ips", "10.0.0.5,10.0.0.6"], "10.0.0.5,10.0.0.6")],
)
def test_serve_passes_the_trusted_proxies_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, args: list[str], trusted: str | None
) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    assert main(["serve", "--port", "8123", *args]) == 0
    [options] = calls
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == trusted  # None: uvicorn's default, 127.0.0.1
