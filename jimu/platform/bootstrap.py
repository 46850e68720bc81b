"""The one bootstrap of a Jimu process: its clock, the org directory and every engine hook.

``create_app()``, the ``jimu`` command and worker processes call ``bootstrap(settings)``
first. Importing a module registers nothing: every registration (event consumers, app
lifecycle hooks, and the action, node and chart kinds to come) is made here, once.
"""

from __future__ import annotations

import threading

from jimu.engines import directory
from jimu.engines.clock import Clock
from jimu.engines.clock import install as install_clock
from jimu.form_engine import service as forms
from jimu.form_engine.store import count_forms
from jimu.platform.apps.service import register_cleanup, register_content_counter
from jimu.platform.org.directory import SqlDirectory
from jimu.platform.settings import Settings

_lock = threading.Lock()
_done = False


def bootstrap(settings: Settings) -> None:
    """Installs the clock of ``settings``' time zone, and (once per process, however often
    this is called) the org directory and every engine's hooks."""
    global _done
    install_clock(Clock(settings.timezone))
    with _lock:
        if _done:
            return
        directory.install(SqlDirectory)
        _app_lifecycle()
        _done = True


def _app_lifecycle() -> None:
    """What each engine keeps for an app: counted before deleting it, removed with it."""
    register_content_counter("forms", lambda session, app: count_forms(session, app.id))
    register_cleanup(lambda session, app: forms.delete_app_forms(session, app.id, app.key))
