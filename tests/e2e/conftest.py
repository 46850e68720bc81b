"""Browser tests: a live server on a free loopback port and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import BrowserContext, ConsoleMessage, Error

CHROMIUM = os.environ.get("JIMU_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """Serves the test app over real HTTP for the browser."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser; quiet on a closed network."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (installs Debian chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(autouse=True)
def _clean(clean_db: None) -> None:
    """Each browser journey starts from an empty database."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remembers each phase's outcome on the test item (for artifacts saved on failure)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


class Checkpoints:
    """Screenshots taken along a journey; written to test-results/ only if the test fails."""

    def __init__(self) -> None:
        self.shots: dict[str, bytes] = {}

    def take(self, page: Any, name: str) -> None:
        """Keeps a screenshot of the page under ``name``."""
        self.shots[name] = page.screenshot(full_page=True)


@pytest.fixture
def checkpoints(request: pytest.FixtureRequest) -> Iterator[Checkpoints]:
    """Screenshots of the journey's pages, saved as test artifacts when the test fails."""
    taken = Checkpoints()
    yield taken
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = Path("test-results") / request.node.name.replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        for name, png in taken.shots.items():
            (folder / f"{name}.png").write_bytes(png)


REFUSED = re.compile(r"^Failed to load resource: the server responded with a status of (4\d\d)\b")


class PageProblems:
    """Uncaught script errors and console errors (CSP violations included) of every page a
    journey opens; a journey that provokes a refusal on purpose declares it with
    :meth:`expect_refusal`."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.refusals: list[tuple[int, str]] = []

    def expect_refusal(self, status: int, path: str) -> None:
        """The API may answer ``path`` with ``status`` (the page shows the problem to the user)."""
        self.refusals.append((status, path))

    def _expected(self, message: ConsoleMessage) -> bool:
        """A declared refusal: Chromium logs every 4xx answer to fetch() as a console error."""
        match = REFUSED.match(message.text)
        url = message.location.get("url", "")
        return bool(match) and any(
            int(match.group(1)) == status and re.search(rf"//[^/]+{re.escape(path)}(\?|$)", url)
            for status, path in self.refusals
        )

    def on_console(self, message: ConsoleMessage) -> None:
        """Keeps a console error that no journey declared."""
        if message.type == "error" and not self._expected(message):
            where = message.location.get("url", "")
            self.problems.append(
                f"console error at {message.page and message.page.url}: {message.text} ({where})"
            )

    def on_error(self, error: Error) -> None:
        """Keeps an uncaught error thrown by a page's scripts."""
        self.problems.append(f"uncaught error: {error.message}")


@pytest.fixture(autouse=True)
def page_problems(request: pytest.FixtureRequest) -> Iterator[PageProblems]:
    """Fails a browser journey at teardown if any page it opened logged an error."""
    watch = PageProblems()
    if "page" not in request.fixturenames:
        yield watch
        return
    context: BrowserContext = request.getfixturevalue("context")
    context.on("console", watch.on_console)
    context.on("weberror", lambda web_error: watch.on_error(web_error.error))
    yield watch
    if watch.problems:
        pytest.fail("pages logged errors:\n" + "\n".join(watch.problems), pytrace=False)
