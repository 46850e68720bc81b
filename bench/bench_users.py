"""Listing users through the organisation service vs the same query written by hand."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, text

from bench.common import bench_engine, report, timed
from jimu.platform.db import make_session_factory, utcnow
from jimu.platform.org.models import User
from jimu.platform.org.service import list_users

USERS = 20_000


def main() -> None:
    """Seeds users, then times a filtered, paged list both ways."""
    engine = bench_engine()
    now = utcnow()
    rows = [
        {
            "username": f"user{i}",
            "display_name": f"User {i} 用户",
            "email": f"user{i}@example.com",
            "is_active": i % 10 != 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(USERS)
    ]
    with engine.begin() as conn:
        conn.execute(insert(User), rows)
    factory = make_session_factory(engine)

    def service() -> None:
        with factory() as session:
            users, _total = list_users(
                session,
                q="user1",
                department_id=None,
                role=None,
                active=True,
                page=2,
                page_size=50,
            )
            assert len(users) == 50

    sql = text(
        "SELECT id, username, display_name, email, phone, is_active, main_department_id, "
        "supervisor_id, locale, last_login_at, created_at, updated_at FROM users "
        "WHERE (lower(username) LIKE :q OR lower(display_name) LIKE :q OR lower(email) LIKE :q) "
        "AND is_active = :active ORDER BY id LIMIT 50 OFFSET 50"
    )
    count = text(
        "SELECT count(*) FROM users WHERE (lower(username) LIKE :q OR lower(display_name) "
        "LIKE :q OR lower(email) LIKE :q) AND is_active = :active"
    )

    roles = text(
        "SELECT ur.user_id, r.key FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
        "WHERE ur.user_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))

    def hand_written() -> None:
        with engine.connect() as conn:
            params = {"q": "%user1%", "active": True}
            page = conn.execute(sql, params).all()
            assert len(page) == 50
            conn.execute(roles, {"ids": [row.id for row in page]}).all()
            conn.execute(count, params).scalar()

    report(
        f"users list ({USERS} users, {engine.dialect.name})", timed(service), timed(hand_written)
    )
