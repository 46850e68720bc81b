"""The one bootstrap: importing modules registers nothing; bootstrapping registers every hook
once, installs the clock and the org directory; one list holds every router."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jimu.engines import clock as clocks
from jimu.engines import directory, events
from jimu.platform import bootstrap as boot
from jimu.platform.apps import service as apps_service
from jimu.platform.org.directory import SqlDirectory
from jimu.platform.routers import ROUTERS
from jimu.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERYTHING = """
import json, pkgutil, importlib
import jimu.engines, jimu.form_engine, jimu.platform
from jimu.engines import directory, events
from jimu.platform.apps import service

for package in (jimu.engines, jimu.form_engine, jimu.platform):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
print(json.dumps({
    "handlers": sum(len(h) for h in events._handlers.values()),
    "counters": len(service._content_counters),
    "cleanups": len(service._cleanups),
    "directory": directory._factory.__name__,
}))
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url="sqlite://", secret_key="k" * 32, timezone="UTC"
    )


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process that has not been bootstrapped yet; the real state comes back after."""
    monkeypatch.setattr(boot, "_done", False)
    monkeypatch.setattr(apps_service, "_content_counters", {})
    monkeypatch.setattr(apps_service, "_cleanups", [])
    monkeypatch.setattr(events, "_handlers", {})
    old_directory = directory.install(directory._not_installed)
    old_clock = clocks.clock()
    yield
    clocks.install(old_clock)
    directory.install(old_directory)


def test_importing_every_module_registers_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"handlers": 0, "counters": 0, "cleanups": 0, "directory": "_not_installed"}


def test_bootstrap_twice_registers_once(fresh: None, settings: Settings) -> None:
    boot.bootstrap(settings)
    boot.bootstrap(settings)
    assert list(apps_service._content_counters) == ["forms"]
    assert len(apps_service._cleanups) == 1


def test_bootstrap_installs_the_org_directory(fresh: None, settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="bootstrap"):
        directory.directory(None)  # type: ignore[arg-type]
    boot.bootstrap(settings)
    assert isinstance(directory.directory(None), SqlDirectory)  # type: ignore[arg-type]


def test_bootstrap_installs_the_clock_of_the_settings_every_time(
    fresh: None, settings: Settings
) -> None:
    boot.bootstrap(settings)
    assert clocks.clock().zone == ZoneInfo("UTC")
    shanghai = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        timezone="Asia/Shanghai",
    )
    boot.bootstrap(shanghai)
    assert clocks.clock().zone == ZoneInfo("Asia/Shanghai")


def test_every_router_of_the_platform_is_in_the_one_list() -> None:
    platform = ROOT / "jimu" / "platform"
    defined = [
        path
        for path in platform.rglob("*.py")
        if re.search(r"^router = APIRouter\(", path.read_text(), re.MULTILINE)
    ]
    assert defined
    for path in defined:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        assert importlib.import_module(name).router in ROUTERS, name
    assert len(set(map(id, ROUTERS))) == len(ROUTERS)
