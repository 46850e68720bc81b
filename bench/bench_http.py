"""Request overhead: a real ``jimu serve`` on loopback, driven by wrk, next to a bare FastAPI
endpoint served by the same uvicorn in the same run (the floor).

The app has one form of 10,000 deals owned by the 250 users of 25 departments; an admin (a
Bearer token, and a signed-in browser for the form page) and a member whose role sees the
deals of their department and the ones below it (a fifth of them).

    python -m bench http [--workers 1,2] [--duration 8] [--connections 4]

``JIMU_BENCH_DATABASE_URL`` selects PostgreSQL; by default a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from bench.bench_permissions import fill_deals, make_org, scoped_app
from bench.common import bench_engine
from jimu.platform.auth.passwords import hash_password
from jimu.platform.auth.service import create_token, login
from jimu.platform.db import make_session_factory, refresh_statistics
from jimu.platform.org.models import User
from jimu.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("JIMU_BENCH_HTTP_ROWS", "10000"))
LEVELS = [1, 4, 20]
PASSWORD = "bench-password-1"
RECORDS = "/api/apps/bench/forms/deal/records"
FILTER = 'amount > 5000 AND stage = "won"'
TARGETS = {"/api/me": 0.40, "record get": 0.30, "list, filtered": 0.20, "record create": 0.10}


@dataclass
class Seeded:
    admin_token: str
    member_token: str
    admin_cookie: str
    record_id: int


@dataclass
class Result:
    name: str
    rps: float
    p50: float
    p99: float
    errors: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(engine: sa.Engine, settings: Settings) -> Seeded:
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        levels, owners, first = make_org(session, LEVELS)
        admin = User(username="admin", display_name="Admin", password_hash=hash_password(PASSWORD))
        session.add(admin)
        session.flush()
        member = session.get(User, first[levels[1][0]])
        assert member is not None
        scoped_app(session, admin.id, [member.id])
        _, admin_token = create_token(session, admin, name="bench", expires_in_days=None)
        _, member_token = create_token(session, member, name="bench", expires_in_days=None)
    record_id = fill_deals(engine, owners, ROWS)
    refresh_statistics(engine)
    signed_in = login(
        factory, settings, username="admin", password=PASSWORD, ip=None, user_agent="bench"
    )
    return Seeded(admin_token, member_token, signed_in.cookie_value, record_id)


def _serve(argv: list[str], port: int, env: dict[str, str], ready: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server on port {port} did not start: {' '.join(argv)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(
    name: str, url: str, options: argparse.Namespace, headers: dict[str, str], body: Any = None
) -> Result:
    argv = ["wrk", "-t1", f"-c{options.connections}", f"-d{options.duration}s", "--latency"]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if body is not None:
            script.write(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(json.dumps(body))}\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
    try:
        out = subprocess.run(
            [*argv, "-s", script.name, url], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {m[0]: float(m[1]) * UNITS[m[2]] for m in LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(name, rps, latency["50"], latency["99"], int(errors.group(1)) if errors else 0)


def _run(
    workers: int, options: argparse.Namespace, env: dict[str, str], seeded: Seeded
) -> list[Result]:
    jimu_port, floor_port = _free_port(), _free_port()
    python = sys.executable
    floor = _serve(
        [python, "-m", "bench.http_floor", str(floor_port), str(workers)], floor_port, env, "/floor"
    )
    jimu = _serve(
        [python, "-m", "jimu.platform.cli", "serve", "--port", str(jimu_port),
         "--workers", str(workers)],
        jimu_port, env, "/healthz",
    )  # fmt: skip
    base = f"http://127.0.0.1:{jimu_port}"
    admin = {"Authorization": f"Bearer {seeded.admin_token}"}
    member = {"Authorization": f"Bearer {seeded.member_token}"}
    listing = f"{RECORDS}?page_size=20&filter={quote(FILTER)}&sort=-amount"
    created = {"values": {"title": "New deal", "amount": 1200, "stage": "open"}}
    try:
        return [
            _wrk("floor (bare FastAPI)", f"http://127.0.0.1:{floor_port}/floor", options, {}),
            _wrk("/api/me", f"{base}/api/me", options, admin),
            _wrk("record get", f"{base}{RECORDS}/{seeded.record_id}", options, admin),
            _wrk("list, filtered", f"{base}{listing}", options, admin),
            _wrk("record create", f"{base}{RECORDS}", options, admin, created),
            _wrk(
                "form page (HTML)",
                f"{base}/apps/bench/forms/deal",
                options,
                {"Cookie": f"jimu_session={seeded.admin_cookie}"},
            ),
            _wrk("list, scoped member", f"{base}{RECORDS}?page_size=20", options, member),
        ]
    finally:
        _stop(jimu)
        _stop(floor)


def _print(database: str, workers: int, options: argparse.Namespace, results: list[Result]) -> None:
    floor = results[0].rps
    print(
        f"\n{database} · {workers} worker(s) · wrk -t1 -c{options.connections} "
        f"-d{options.duration}s · {ROWS} records"
    )
    print(f"{'endpoint':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of floor':>9} {'target':>7}")
    for r in results:
        target = TARGETS.get(r.name)
        shown = f"≥{target:.0%}" if target else ""
        mark = "" if target is None else (" ok" if r.rps / floor >= target else " BELOW")
        errors = f"  {r.errors} errors" if r.errors else ""
        print(
            f"{r.name:24} {r.rps:8.0f} {r.p50:8.2f} {r.p99:8.2f} {r.rps / floor:9.1%} "
            f"{shown:>7}{mark}{errors}"
        )


def main(argv: list[str] | None = None) -> None:
    """Seeds a database, then measures each endpoint per worker count against the floor."""
    parser = argparse.ArgumentParser(prog="python -m bench http")
    parser.add_argument("--workers", default="1", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--duration", type=int, default=8, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args(argv or [])
    if not shutil.which("wrk"):
        subprocess.run([str(ROOT / "scripts" / "system-deps.sh"), "wrk"], check=False)
    if not shutil.which("wrk"):
        raise SystemExit("this benchmark needs wrk: sudo apt-get install wrk")
    engine = bench_engine()
    data_dir = Path(tempfile.mkdtemp(prefix="jimu-bench-http-"))
    env = {
        **os.environ,
        "JIMU_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "JIMU_DATA_DIR": str(data_dir),
    }
    os.environ.update({k: env[k] for k in ("JIMU_DATABASE_URL", "JIMU_DATA_DIR")})
    seeded = _seed(engine, Settings.from_env())
    engine.dispose()
    database = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    by_workers = {}
    for workers in [int(w) for w in options.workers.split(",")]:
        by_workers[workers] = _run(workers, options, env, seeded)
        _print(database, workers, options, by_workers[workers])
    if 1 in by_workers and 2 in by_workers:
        print("\ntwo workers / one worker (target ≥ 1.7x on PostgreSQL):")
        for one, two in zip(by_workers[1], by_workers[2], strict=True):
            print(f"  {one.name:24} {two.rps / one.rps:5.2f}x")
