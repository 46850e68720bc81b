"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from jimu.platform.db import make_engine
from jimu.platform.migrate import upgrade


def bench_engine() -> Engine:
    """A migrated, empty database: JIMU_BENCH_DATABASE_URL, or a fresh SQLite file."""
    url = os.environ.get("JIMU_BENCH_DATABASE_URL")
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="jimu-bench-"))
        url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def timed(fn: Callable[[], object], *, repeat: int = 50, warmup: int = 5) -> list[float]:
    """Runs ``fn`` and returns the wall times in milliseconds (after a warm-up)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, ours: list[float], baseline: list[float]) -> None:
    """Prints p50/p95 of ours and of the hand-written baseline, and their ratio."""

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95) - 1]

    ours_p50, base_p50 = statistics.median(ours), statistics.median(baseline)
    print(
        f"{name}: jimu p50 {ours_p50:.3f} ms p95 {p95(ours):.3f} ms | "
        f"hand-written SQL p50 {base_p50:.3f} ms p95 {p95(baseline):.3f} ms | "
        f"ratio {ours_p50 / base_p50:.2f}"
    )
