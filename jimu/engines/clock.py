"""Time for everything: one clock, in the platform's time zone, replaceable in tests.

Stored instants (audit, created/updated, sessions) are UTC; what people see and what
formulas call today (``TODAY()``, ``NOW()``, a scope's "today", date-based rules) is the
wall clock of the platform time zone (``JIMU_TIMEZONE``, default ``Asia/Shanghai``), so a
company in China gets the right date at 1 a.m. on a server that runs on UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"


def _system_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The current time, in UTC and in the platform time zone.

    Attributes:
        zone: the platform time zone.
    """

    def __init__(
        self, zone: str = DEFAULT_ZONE, source: Callable[[], datetime] = _system_now
    ) -> None:
        self.zone = time_zone(zone)
        self._source = source

    def utcnow(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        return self._source().astimezone(UTC)

    def now(self) -> datetime:
        """The wall-clock time in the platform time zone, naive, to the second."""
        return self.local(self.utcnow())

    def today(self) -> date:
        """Today's date in the platform time zone."""
        return self.now().date()

    def local(self, instant: datetime) -> datetime:
        """An aware instant as naive wall-clock time of the platform zone, to the second."""
        return instant.astimezone(self.zone).replace(tzinfo=None, microsecond=0)


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``); ValueError if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


_current = Clock()


def clock() -> Clock:
    """The process's clock."""
    return _current


def install(new: Clock) -> Clock:
    """Makes ``new`` the process's clock (the bootstrap, or a test); returns the old one."""
    global _current
    old, _current = _current, new
    return old
