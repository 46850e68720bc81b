"""Settings read from JIMU_* environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jimu.engines.clock import DEFAULT_ZONE, time_zone


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _zone(name: str) -> str:
    raw = (os.environ.get(name) or "").strip() or DEFAULT_ZONE
    try:
        time_zone(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an IANA time zone such as Asia/Shanghai") from exc
    return raw


def _secret_key(data_dir: Path) -> str:
    """Returns JIMU_SECRET_KEY, or the key generated once into the data folder."""
    given = os.environ.get("JIMU_SECRET_KEY")
    if given:
        return given
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of one Jimu process.

    Attributes:
        data_dir: folder for the SQLite file, the secret key and uploaded files.
        database_url: SQLAlchemy URL; SQLite file in ``data_dir`` by default.
        secret_key: signs session cookies and CSRF tokens.
        max_body_bytes: requests with a larger body are refused with 413.
        max_upload_bytes: the largest uploaded file (the upload route's body may be this
            big; every other request is held to ``max_body_bytes``).
        session_hours: how long a login session lives.
        login_max_failures: failed logins per username (or per address, times four)
            allowed within ``login_window_minutes`` before further tries are refused.
        login_window_minutes: the throttling window.
        secure_cookies: mark cookies Secure (behind HTTPS).
        timezone: the platform time zone of TODAY(), NOW() and date fields (IANA name).
    """

    data_dir: Path
    database_url: str
    secret_key: str
    max_body_bytes: int = 10 * 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024
    session_hours: int = 24 * 14
    login_max_failures: int = 5
    login_window_minutes: int = 15
    secure_cookies: bool = False
    timezone: str = DEFAULT_ZONE

    @classmethod
    def from_env(cls) -> Settings:
        """Reads the settings from the environment."""
        data_dir = Path(os.environ.get("JIMU_DATA_DIR") or "./data").resolve()
        database_url = os.environ.get("JIMU_DATABASE_URL") or f"sqlite:///{data_dir / 'jimu.db'}"
        if database_url.startswith("sqlite:///"):
            data_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=_secret_key(data_dir),
            max_body_bytes=_int("JIMU_MAX_BODY_BYTES", 10 * 1024 * 1024),
            max_upload_bytes=_int("JIMU_MAX_UPLOAD_BYTES", 100 * 1024 * 1024),
            session_hours=_int("JIMU_SESSION_HOURS", 24 * 14),
            login_max_failures=_int("JIMU_LOGIN_MAX_FAILURES", 5),
            login_window_minutes=_int("JIMU_LOGIN_WINDOW_MINUTES", 15),
            secure_cookies=_bool("JIMU_SECURE_COOKIES", False),
            timezone=_zone("JIMU_TIMEZONE"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.from_env()
