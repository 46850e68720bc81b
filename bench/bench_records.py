"""Records service: create rate vs a raw insert; a filtered, sorted page over many rows;
publishing a new field onto a full table (time, and no value lost)."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.common import bench_engine, report, timed
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import service
from jimu.form_engine.records import COUNT_LIMIT, Actor, RecordsService
from jimu.form_engine.spec import FormSpec
from jimu.platform.apps.models import App
from jimu.platform.db import make_session_factory, refresh_statistics
from jimu.platform.org.models import User
from jimu.platform.records import platform_tables, records_for, system_grant

ROWS = int(os.environ.get("JIMU_BENCH_ROWS", "1000000"))
CREATES = 1000
ROUNDS = 10
STAGES = ["won", "open", "lost"]
SPEC = {
    "key": "deal",
    "name": {"en": "Deal"},
    "fields": [
        {"key": "title", "type": "text", "label": {"en": "Title"}},
        {"key": "amount", "type": "amount", "label": {"en": "Amount"}, "filterable": True},
        {
            "key": "stage",
            "type": "select",
            "label": {"en": "Stage"},
            "filterable": True,
            "options": [{"key": k, "label": {"en": k}} for k in STAGES],
        },
        {"key": "close_date", "type": "date", "label": {"en": "Close"}},
    ],
}
FILTER = 'amount > 5000 AND stage = "won"'


def _setup(factory: Any) -> tuple[int, int]:
    with factory() as session, session.begin():
        user = User(username="bench", display_name="Bench", is_active=True)
        app = App(key="bench", name={"en": "Bench"})
        session.add_all([user, app])
        session.flush()
        form = service.create_form(session, app.id, FormSpec.model_validate(SPEC), user.id)
        service.publish(session, "bench", form, user.id, platform_tables())
        return user.id, app.id


def _records(session: Session, app_id: int, user_id: int) -> RecordsService:
    app = session.get(App, app_id)
    assert app is not None
    return records_for(session, app, "deal", Actor(user_id, None, True), system_grant)


def _values(i: int) -> dict[str, Any]:
    return {
        "title": f"Deal {i}",
        "amount": str(Decimal(i * 7919 % 1_000_000) / 100),
        "stage": STAGES[i % 3],
        "close_date": (date(2024, 1, 1) + timedelta(i % 900)).isoformat(),
    }


def creates(engine: sa.Engine, factory: Any, user_id: int, app_id: int) -> None:
    """Records per second through the service vs raw inserts, one transaction each.

    The two alternate in rounds (the machine is shared and noisy); medians are printed.
    """
    table = sa.Table("f_bench_deal", sa.MetaData(), autoload_with=engine)

    def service_round(offset: int) -> float:
        start = time.perf_counter()
        for i in range(offset, offset + CREATES // ROUNDS):
            with factory() as session, session.begin():
                _records(session, app_id, user_id).create(_values(i))  # a request's whole work
        return CREATES // ROUNDS / (time.perf_counter() - start)

    def raw_round(offset: int) -> float:
        start = time.perf_counter()
        for i in range(offset, offset + CREATES // ROUNDS):
            values = _values(i)
            with engine.begin() as conn:
                now = utcnow()
                conn.execute(
                    table.insert().values(
                        title=values["title"],
                        amount=Decimal(values["amount"]),
                        stage=values["stage"],
                        close_date=date.fromisoformat(values["close_date"]),
                        created_at=now,
                        updated_at=now,
                        created_by=user_id,
                        updated_by=user_id,
                        owner=user_id,
                        version=1,
                    )
                )
        return CREATES // ROUNDS / (time.perf_counter() - start)

    ours, raw = [], []
    for n in range(ROUNDS):
        ours.append(service_round(n * CREATES))
        raw.append(raw_round(n * CREATES + CREATES // ROUNDS))
    ratios = [o / r for o, r in zip(ours, raw, strict=True)]
    print(
        f"create ({engine.dialect.name}): service {statistics.median(ours):.0f}/s, raw insert "
        f"{statistics.median(raw):.0f}/s, ratio {statistics.median(ratios):.2f} "
        f"(median of {ROUNDS} alternating rounds; target ≥ 0.33)"
    )


def fill(engine: sa.Engine, user_id: int) -> None:
    """Bulk-loads ROWS records directly (setting up the list benchmark)."""
    table = sa.Table("f_bench_deal", sa.MetaData(), autoload_with=engine)
    now = utcnow()
    rng = random.Random(7)
    batch: list[dict[str, Any]] = []
    start = time.perf_counter()
    with engine.begin() as conn:
        for i in range(ROWS):
            batch.append(
                {
                    "title": f"D{i}",
                    "amount": Decimal(rng.randrange(0, 1_000_000)) / 100,
                    "stage": STAGES[i % 3],
                    "close_date": date(2024, 1, 1),
                    "created_at": now,
                    "updated_at": now,
                    "owner": user_id,
                    "version": 1,
                }
            )
            if len(batch) == 20_000:
                conn.execute(table.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(table.insert(), batch)
    print(f"loaded {ROWS} rows in {time.perf_counter() - start:.1f} s")


def listing(engine: sa.Engine, factory: Any, user_id: int, app_id: int) -> None:
    """A filtered, sorted third page through the service vs the same SQL by hand."""

    def ours() -> None:
        with factory() as session:
            found = _records(session, app_id, user_id).list_records(
                filter=FILTER, sort="-amount", page=3, page_size=50
            )
            assert len(found.items) == 50

    hand_page = sa.text(
        "SELECT id, title, amount, stage, close_date, owner, version, created_at, updated_at "
        "FROM f_bench_deal WHERE deleted_at IS NULL AND amount > 5000 AND stage = 'won' "
        "ORDER BY amount DESC, id DESC LIMIT 50 OFFSET 100"
    )
    hand_count = sa.text(
        "SELECT count(*) FROM (SELECT id FROM f_bench_deal WHERE deleted_at IS NULL "
        f"AND amount > 5000 AND stage = 'won' LIMIT {COUNT_LIMIT + 1}) AS matches"
    )
    exact_count = sa.text(
        "SELECT count(*) FROM f_bench_deal WHERE deleted_at IS NULL "
        "AND amount > 5000 AND stage = 'won'"
    )

    def hand() -> None:
        with engine.connect() as conn:
            assert len(conn.execute(hand_page).all()) == 50
            conn.execute(hand_count).scalar()

    refresh_statistics(engine)  # what `jimu analyze` / the server's start do on SQLite
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE f_bench_deal")
    report(
        f"list page ({ROWS} rows, {engine.dialect.name}, count capped at {COUNT_LIMIT})",
        timed(ours, repeat=50, warmup=3),
        timed(hand, repeat=50, warmup=3),
    )

    def exact() -> None:
        with engine.connect() as conn:
            conn.execute(exact_count).scalar()

    times = sorted(timed(exact, repeat=5, warmup=1))
    print(f"  for comparison, an exact count(*) of all matches: p50 {times[2]:.1f} ms")


def publish_new_field(engine: sa.Engine, factory: Any, user_id: int, app_id: int) -> None:
    """Adds a field with a default to the full table; checks no value moved."""
    checksum = sa.text("SELECT count(*), sum(amount), count(DISTINCT title) FROM f_bench_deal")
    with engine.connect() as conn:
        before = tuple(conn.execute(checksum).one())
    spec = dict(
        SPEC,
        fields=[
            *SPEC["fields"],
            {"key": "region", "type": "text", "label": {"en": "Region"}, "default": "华东"},
        ],
    )
    start = time.perf_counter()
    with factory() as session, session.begin():
        service.update_draft(session, app_id, "deal", FormSpec.model_validate(spec))
        form = service.get_form(session, app_id, "deal")
        service.publish(session, "bench", form, user_id, platform_tables())
    elapsed = time.perf_counter() - start
    with engine.connect() as conn:
        after = tuple(conn.execute(checksum).one())
        filled = conn.execute(sa.text("SELECT count(*) FROM f_bench_deal WHERE region = '华东'"))
        regions = filled.scalar()
    lost = 0 if before == after and regions == before[0] else "SOME"
    print(
        f"publish add field with default ({before[0]} rows): {elapsed:.1f} s, values lost: {lost}"
    )


def main() -> None:
    """Runs the three measurements on one database."""
    engine = bench_engine()
    factory = make_session_factory(engine)
    user_id, app_id = _setup(factory)
    creates(engine, factory, user_id, app_id)
    fill(engine, user_id)
    listing(engine, factory, user_id, app_id)
    publish_new_field(engine, factory, user_id, app_id)
