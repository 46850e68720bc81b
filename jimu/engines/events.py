"""Domain events: engines queue them during a transaction; they are published after commit.

A rolled-back transaction drops its events, so a rule or flow never reacts to a change
that did not happen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger("jimu.events")
Handler = Callable[[Any], None]
_handlers: dict[str, list[Handler]] = {}
_lock = threading.Lock()
PENDING = "jimu_events"


def subscribe(kind: str, handler: Handler) -> None:
    """Calls ``handler(event)`` for every committed event of ``kind`` (e.g. record.created).

    Called by the platform's bootstrap. The list is replaced, never changed in place, so a
    delivery under way in another thread keeps the list it started with.
    """
    with _lock:
        _handlers[kind] = [*_handlers.get(kind, []), handler]


def queue(session: Session, event: Any) -> None:
    """Queues an event until the session's transaction commits."""
    session.info.setdefault(PENDING, []).append(event)


def take(session: Session) -> list[Any]:
    """Removes and returns the events queued on a session."""
    events: list[Any] = session.info.pop(PENDING, [])
    return events


def publish(events: Iterable[Any]) -> None:
    """Delivers committed events; a failing handler is logged, never lost silently."""
    for event in events:
        for handler in _handlers.get(getattr(event, "kind", ""), []):
            try:
                handler(event)
            except Exception:  # a subscriber's bug must not undo a committed change
                log.exception("event handler failed for %s", event)
