"""Expression language: Python evaluation per call, and a 1M-row SQL filter vs hand-written SQL."""

from __future__ import annotations

import os
import statistics
import time
import timeit
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from bench.common import bench_engine, report, timed
from jimu.engines.expr import EvalContext, check, compile_python
from jimu.engines.expr.nodes import walk
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import DATE, NUMBER, TEXT, FieldInfo, Schema

ROWS = int(os.environ.get("JIMU_BENCH_ROWS", "1000000"))
FORMULA = "IF(amount > 100000, amount * 0.1, amount * 0.05) + bonus - 1"
FILTER = 'amount > 50000 AND region = "华东" AND sign_date >= DATE(2025, 1, 1)'
HAND_WRITTEN = (
    "SELECT count(*) FROM bench_contracts "
    "WHERE amount > 50000 AND region = '华东' AND sign_date >= {date}"
)


def _schema(table: sa.Table | None = None) -> Schema:
    return (
        Schema("contract", table=table)
        .add(FieldInfo("amount", NUMBER))
        .add(FieldInfo("bonus", NUMBER))
        .add(FieldInfo("region", TEXT))
        .add(FieldInfo("sign_date", DATE))
    )


def python_evaluation() -> None:
    """Microseconds per call of a precompiled formula."""
    checked = check(FORMULA, _schema())
    compiled = compile_python(checked)
    row = {"amount": Decimal("123456.78"), "bonus": Decimal("500")}
    ctx = EvalContext()
    runs = 200_000
    per_call = min(timeit.repeat(lambda: compiled(row, ctx), number=runs, repeat=5)) / runs
    nodes = len(walk(checked.ast))
    print(f"python evaluate ({nodes} nodes): {per_call * 1e6:.2f} µs per call (target ≤ 5)")


def _fill(engine: sa.Engine, table: sa.Table) -> None:
    regions = ["华东", "华北", "华南", "西南", "东北"]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO bench_contracts (amount, bonus, region, sign_date) "
                    "SELECT (i::bigint * 7919 % 200000)::numeric, i % 1000, "
                    "(ARRAY['华东','华北','华南','西南','东北'])[1 + i % 5], "
                    "DATE '2020-01-01' + (i % 2000) FROM generate_series(1, :n) AS i"
                ),
                {"n": ROWS},
            )
            conn.execute(sa.text("ANALYZE bench_contracts"))
        return
    batch = []
    with engine.begin() as conn:
        for i in range(1, ROWS + 1):
            day = date.fromordinal(date(2020, 1, 1).toordinal() + i % 2000)
            batch.append((i * 7919 % 200000, i % 1000, regions[i % 5], day.isoformat()))
            if len(batch) == 50_000:
                conn.exec_driver_sql(
                    "INSERT INTO bench_contracts (amount, bonus, region, sign_date) "
                    "VALUES (?, ?, ?, ?)",
                    batch,
                )
                batch.clear()


def sql_filter() -> None:
    """A compiled filter over ROWS rows against the same WHERE written by hand."""
    engine = bench_engine()
    pg = engine.dialect.name == "postgresql"
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_contracts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("amount", sa.Numeric() if pg else sa.Numeric(asdecimal=False)),
        sa.Column("bonus", sa.Numeric() if pg else sa.Numeric(asdecimal=False)),
        sa.Column("region", sa.Text),
        sa.Column("sign_date", sa.Date() if pg else sa.String(10)),
    )
    metadata.create_all(engine)
    start = time.perf_counter()
    _fill(engine, table)
    print(f"filled {ROWS} rows in {time.perf_counter() - start:.1f} s ({engine.dialect.name})")
    checked = check(FILTER, _schema(table))
    where = to_sql(checked, dialect=engine.dialect.name, condition=True)
    ours = sa.select(sa.func.count()).select_from(table).where(where)
    literal = "DATE '2025-01-01'" if pg else "'2025-01-01'"
    hand = sa.text(HAND_WRITTEN.format(date=literal))
    with engine.connect() as conn:
        counts = {conn.execute(ours).scalar(), conn.execute(hand).scalar()}
        assert len(counts) == 1, counts
        ours_ms = timed(lambda: conn.execute(ours).scalar(), repeat=7, warmup=1)
        hand_ms = timed(lambda: conn.execute(hand).scalar(), repeat=7, warmup=1)
    report(f"filter {ROWS} rows ({engine.dialect.name}, {counts.pop()} match)", ours_ms, hand_ms)
    print(
        f"  median ratio {statistics.median(ours_ms) / statistics.median(hand_ms):.3f} "
        "(target ≤ 1.1)"
    )
    metadata.drop_all(engine)


def main() -> None:
    """Runs both measurements."""
    python_evaluation()
    sql_filter()
