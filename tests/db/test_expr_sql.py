"""The SQL backend on real tables: relations, aggregates, filters, and no SQL injection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from jimu.engines.expr import EvalContext, ExprError, check
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import DATE, NUMBER, TEXT, FieldInfo, Schema, collection, relation

CTX = EvalContext(today=date(2026, 11, 22), user_id=2)
METADATA = sa.MetaData()
PAYLOAD = "x'); DROP TABLE sqltest_customers; --"


@pytest.fixture(scope="module")
def db(engine: sa.Engine) -> Iterator[tuple[sa.Engine, Schema, sa.Table]]:
    pg = engine.dialect.name == "postgresql"
    number = sa.Numeric() if pg else sa.Numeric(asdecimal=False)
    day = sa.Date() if pg else sa.String(10)
    customers = sa.Table(
        "sqltest_customers",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("industry", sa.Text),
        sa.Column("owner", sa.Integer),
    )
    opportunities = sa.Table(
        "sqltest_opportunities",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer),
        sa.Column("amount", number),
        sa.Column("stage", sa.Text),
        sa.Column("close_date", day),
    )
    METADATA.create_all(engine)
    opp = (
        Schema("opportunity", table=opportunities)
        .add(FieldInfo("amount", NUMBER))
        .add(FieldInfo("stage", TEXT))
        .add(FieldInfo("close_date", DATE))
    )
    customer = (
        Schema("customer", table=customers)
        .add(FieldInfo("name", TEXT))
        .add(FieldInfo("industry", TEXT))
        .add(FieldInfo("owner", NUMBER))
        .add(collection("opportunities", opp, "customer_id"))
    )
    opp.add(relation("customer", customer))

    def d(text_value: str) -> object:
        return date.fromisoformat(text_value) if pg else text_value

    with engine.begin() as conn:
        conn.execute(
            customers.insert(),
            [
                {"id": 1, "name": "华为", "industry": "IT", "owner": 2},
                {"id": 2, "name": "Acme", "industry": "Retail", "owner": 3},
                {"id": 3, "name": "Empty Co", "industry": None, "owner": None},
            ],
        )
        conn.execute(
            opportunities.insert(),
            [
                {"customer_id": 1, "amount": 100, "stage": "won", "close_date": d("2026-01-05")},
                {"customer_id": 1, "amount": 250.5, "stage": "won", "close_date": d("2026-03-01")},
                {"customer_id": 1, "amount": 80, "stage": "lost", "close_date": d("2026-02-01")},
                {"customer_id": 2, "amount": 40, "stage": "open", "close_date": None},
            ],
        )
    yield engine, customer, customers
    METADATA.drop_all(engine)


def _values(db: tuple[sa.Engine, Schema, sa.Table], source: str) -> dict[str, object]:
    engine, schema, table = db
    expr = to_sql(check(source, schema), dialect=engine.dialect.name, ctx=CTX)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.name, expr).order_by(table.c.id)).all()
    return {str(name): value for name, value in rows}


def _where(db: tuple[sa.Engine, Schema, sa.Table], source: str) -> list[str]:
    engine, schema, table = db
    expr = to_sql(check(source, schema), dialect=engine.dialect.name, ctx=CTX, condition=True)
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(table.c.name).where(expr).order_by(table.c.id)).scalars()
        )


def test_rollup_of_won_amounts(db) -> None:
    totals = _values(db, 'SUMIF(opportunities.amount, opportunities.stage = "won")')
    assert {k: Decimal(str(v)) for k, v in totals.items()} == {
        "华为": Decimal("350.5"),
        "Acme": Decimal(0),
        "Empty Co": Decimal(0),
    }


def test_counts_and_extremes(db) -> None:
    assert _values(db, "COUNT(opportunities)") == {"华为": 3, "Acme": 1, "Empty Co": 0}
    latest = _values(db, "MAX(opportunities.close_date)")
    assert str(latest["华为"]) == "2026-03-01"
    assert latest["Empty Co"] is None


def test_filters_with_aggregates_and_null_safe_equality(db) -> None:
    assert _where(db, "COUNTIF(opportunities, opportunities.amount > 90) >= 2") == ["华为"]
    assert _where(db, "industry = NULL") == ["Empty Co"]
    assert _where(db, 'industry <> "IT"') == ["Acme", "Empty Co"]
    assert _where(db, "owner = CURRENT_USER()") == ["华为"]
    assert _where(db, 'NOT (industry IN ("IT", "Retail"))') == ["Empty Co"]


def test_relation_lookup_from_the_other_side(db) -> None:
    engine, customer, _ = db
    opp = customer.fields["opportunities"].target
    assert opp is not None
    expr = to_sql(check('customer.name & "/" & stage', opp), dialect=engine.dialect.name)
    with engine.connect() as conn:
        values = (
            conn.execute(sa.select(expr).select_from(opp.table).order_by(opp.table.c.id))
            .scalars()
            .all()
        )
    assert values == ["华为/won", "华为/won", "华为/lost", "Acme/open"]


def test_strings_reach_the_database_only_as_bound_parameters(db) -> None:
    engine, schema, table = db
    expr = to_sql(check(f'name = "{PAYLOAD}"', schema), dialect=engine.dialect.name)
    compiled = sa.select(table.c.id).where(expr).compile(dialect=engine.dialect)
    assert PAYLOAD not in str(compiled)
    assert PAYLOAD in compiled.params.values()
    assert _where(db, f'name = "{PAYLOAD}"') == []
    assert len(_values(db, "1")) == 3  # the table is still there


def test_server_only_functions_refuse_to_compile(db) -> None:
    engine, schema, _ = db
    with pytest.raises(ExprError) as caught:
        to_sql(check("RMB_UPPER(owner)", schema), dialect=engine.dialect.name)
    assert caught.value.reason == "not_sql"


def test_negations_keep_their_parentheses(db) -> None:
    assert _where(db, '(NOT (industry = "IT")) = TRUE') == ["Acme", "Empty Co"]
    assert _where(db, 'ISBLANK(NOT (industry = "IT")) = FALSE') == ["华为", "Acme", "Empty Co"]
    flags = _values(db, 'LOWER("" & (industry <> "IT"))')
    assert flags == {"华为": "false", "Acme": "true", "Empty Co": "true"}
