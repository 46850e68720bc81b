"""The one clock: UTC instants, the platform's wall clock and today's date (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jimu.engines import clock as clocks
from jimu.engines.expr import EvalContext, check, compile_python
from jimu.engines.expr.types import Schema
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import spec as s
from jimu.form_engine.fieldtypes import coerce
from jimu.platform.settings import Settings

# 17:30 UTC on 31 December is already New Year's Day in Shanghai
LATE = datetime(2026, 12, 31, 17, 30, 5, 123456, tzinfo=UTC)


@pytest.fixture
def fixed() -> Iterator[clocks.Clock]:
    """The process clock stopped at ``LATE``, in the default zone."""
    installed = clocks.Clock(source=lambda: LATE)
    old = clocks.install(installed)
    yield installed
    clocks.install(old)


def test_the_platform_day_is_not_the_servers(fixed: clocks.Clock) -> None:
    assert fixed.today() == date(2027, 1, 1)
    assert fixed.now() == datetime(2027, 1, 1, 1, 30, 5)
    assert fixed.utcnow() == LATE
    assert clocks.Clock("UTC", source=lambda: LATE).today() == date(2026, 12, 31)


def test_stored_instants_and_formulas_read_the_installed_clock(fixed: clocks.Clock) -> None:
    assert utcnow() == LATE
    ctx = EvalContext()
    assert (ctx.today, ctx.now) == (date(2027, 1, 1), datetime(2027, 1, 1, 1, 30, 5))
    year = compile_python(check("YEAR(TODAY())", Schema("f")))
    assert year({}, EvalContext()) == 2027


def test_an_instant_given_for_a_date_time_field_is_the_platforms_wall_clock(
    fixed: clocks.Clock,
) -> None:
    f = s.FormSpec.model_validate(
        {
            "key": "f",
            "name": {"en": "F"},
            "fields": [{"key": "at", "type": "datetime", "label": {"en": "At"}}],
        }
    ).fields[0]
    assert coerce(f, "2026-12-31T17:30:05Z") == datetime(2027, 1, 1, 1, 30, 5)
    assert coerce(f, "2026-12-31T17:30:05+08:00") == datetime(2026, 12, 31, 17, 30, 5)
    assert coerce(f, "2026-12-31 17:30:05") == datetime(2026, 12, 31, 17, 30, 5)


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        clocks.Clock("Mars/Olympus")


def test_the_time_zone_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JIMU_TIMEZONE", "Europe/Berlin")
    assert Settings.from_env().timezone == "Europe/Berlin"
    monkeypatch.delenv("JIMU_TIMEZONE")
    assert Settings.from_env().timezone == "Asia/Shanghai"
    monkeypatch.setenv("JIMU_TIMEZONE", "Beijing")
    with pytest.raises(SystemExit, match="JIMU_TIMEZONE"):
        Settings.from_env()
