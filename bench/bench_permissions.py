"""Record lists under a data scope: a department-and-below user vs an app admin, 1M rows.

The org has 500 departments on 5 levels (1 + 4 + 20 + 100 + 375) with 10 users each; each
record is owned by a random user. The scoped user heads a level-2 department (a quarter of
the org) and a level-3 one (a twentieth). Both list through the records service with the
permission model of the platform (roles, scopes compiled to SQL), same page, same database.
"""

from __future__ import annotations

import os
import random
import time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from bench.bench_records import SPEC, STAGES
from bench.common import bench_engine, timed
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import service
from jimu.form_engine.records import Actor
from jimu.form_engine.spec import FormSpec
from jimu.platform.apps.models import App
from jimu.platform.db import make_session_factory, refresh_statistics
from jimu.platform.org.models import Department, User
from jimu.platform.permissions.models import AppRole, app_role_users
from jimu.platform.permissions.policy import Access
from jimu.platform.permissions.service import ensure_app_roles
from jimu.platform.records import platform_tables, records_for

ROWS = int(os.environ.get("JIMU_BENCH_ROWS", "1000000"))
LEVELS = [1, 4, 20, 100, 375]
USERS_PER_DEPARTMENT = 10
QUERIES = {
    "newest first, page 1": {"page": 1},
    'amount > 5000 AND stage = "won", -amount, page 3': {
        "filter": 'amount > 5000 AND stage = "won"',
        "sort": "-amount",
        "page": 3,
    },
}


def make_org(
    session: Any, sizes: list[int] = LEVELS
) -> tuple[list[list[int]], list[int], dict[int, int]]:
    """Departments of ``sizes`` per level, each with USERS_PER_DEPARTMENT users: the
    departments by level, every user id, and the first user of each department."""
    levels: list[list[int]] = []
    for size in sizes:
        parents = levels[-1] if levels else [None]
        rows = [
            Department(name=f"D{len(levels)}-{i}", parent_id=parents[i % len(parents)])
            for i in range(size)
        ]
        session.add_all(rows)
        session.flush()
        levels.append([d.id for d in rows])
    users: list[int] = []
    first: dict[int, int] = {}
    for department in (d for level in levels for d in level):
        rows = [
            User(username=f"u{department}-{i}", display_name="U", main_department_id=department)
            for i in range(USERS_PER_DEPARTMENT)
        ]
        session.add_all(rows)
        session.flush()
        users.extend(u.id for u in rows)
        first[department] = rows[0].id
    return levels, users, first


def _setup(factory: Any) -> tuple[int, int, list[int], dict[int, int], list[list[int]]]:
    with factory() as session, session.begin():
        levels, users, first = make_org(session)
        admin = User(username="admin", display_name="Admin", is_active=True)
        session.add(admin)
        session.flush()
        managers = [first[levels[1][0]], first[levels[2][0]]]
        app = scoped_app(session, admin.id, managers)
        return admin.id, app.id, users, first, levels


def scoped_app(session: Any, admin_id: int, members: list[int]) -> App:
    """The app ``bench`` with the published deal form (``admin_id`` its admin), and a role
    whose ``members`` see the deals of their department and the ones below it."""
    app = App(key="bench", name={"en": "Bench"})
    session.add(app)
    session.flush()
    ensure_app_roles(session, app, creator_id=admin_id)
    form = service.create_form(session, app.id, FormSpec.model_validate(SPEC), admin_id)
    service.publish(session, "bench", form, admin_id, platform_tables())
    role = AppRole(
        app_id=app.id,
        key="managers",
        name={"en": "Managers"},
        permissions={
            "deal": {
                "actions": ["view"],
                "view_scope": {"type": "department_tree"},
                "edit_scope": {"type": "own"},
                "fields": {},
            }
        },
    )
    session.add(role)
    session.flush()
    session.execute(
        sa.insert(app_role_users), [{"role_id": role.id, "user_id": m} for m in members]
    )
    return app


def fill_deals(engine: sa.Engine, users: list[int], rows: int = ROWS) -> int:
    """Loads ``rows`` deals owned by random ``users``; returns the id of the last one."""
    table = sa.Table("f_bench_deal", sa.MetaData(), autoload_with=engine)
    now, rng = utcnow(), random.Random(11)
    start = time.perf_counter()
    with engine.begin() as conn:
        for offset in range(0, rows, 20_000):
            conn.execute(
                table.insert(),
                [
                    {
                        "title": f"D{i}",
                        "amount": Decimal(rng.randrange(0, 1_000_000)) / 100,
                        "stage": STAGES[i % 3],
                        "created_at": now,
                        "updated_at": now,
                        "owner": rng.choice(users),
                        "version": 1,
                    }
                    for i in range(offset, min(offset + 20_000, rows))
                ],
            )
        last = int(conn.scalar(sa.select(sa.func.max(table.c.id))) or 0)
    print(f"loaded {rows} rows owned by {len(users)} users in {time.perf_counter() - start:.1f} s")
    return last


def _lister(factory: Any, app_id: int, user_id: int, query: dict[str, Any]) -> Any:
    def run() -> None:
        with factory() as session:
            app = session.get(App, app_id)
            user = session.get(User, user_id)
            access = Access(session, app, user)
            actor = Actor(user_id, user.main_department_id)
            records = records_for(session, app, "deal", actor, access)
            found = records.list_records(page_size=50, **query)
            assert found.items

    return run


def main() -> None:
    """Prints, per list, the scoped user's p50 against the admin's, and their ratio."""
    engine = bench_engine()
    factory = make_session_factory(engine)
    admin, app_id, users, first, levels = _setup(factory)
    fill_deals(engine, users)
    refresh_statistics(engine)
    if engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    for level in (1, 2):
        manager = first[levels[level][0]]
        for name, query in QUERIES.items():
            ours = timed(_lister(factory, app_id, manager, query), repeat=30, warmup=3)
            base = timed(_lister(factory, app_id, admin, query), repeat=30, warmup=3)
            p50, base50 = sorted(ours)[15], sorted(base)[15]
            print(
                f"department_tree scope, level-{level + 1} head vs admin ({engine.dialect.name}, "
                f"{name}): {p50:.1f} ms vs {base50:.1f} ms, ratio {p50 / base50:.2f} "
                f"(target ≤ 1.3)"
            )
