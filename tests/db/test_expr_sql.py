"""The SQL backend on real tables: relations, aggregates, filters, and no SQL injection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from jimu.engines.expr import EvalContext, ExprError, check, compile_python
from jimu.engines.expr.errors import ExprLimitError
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


# Number → text, TEXT formats and VALUE: the same text in Python and in the database.
CONVERSIONS: list[tuple[str, object]] = [
    ('"" & 1234567890123456789', "1234567890123460000"),
    ('"" & -1234567890123456789', "-1234567890123460000"),
    ('"" & 123456789012345678901234', "123456789012346000000000"),
    ('"" & 0.1234567890123456789', "0.123456789012346"),
    ('"" & 999999999999999.5', "1000000000000000"),
    ('CONCAT(12345678901234567, "")', "12345678901234600"),
    ('"" & 1E-20', "0.00000000000000000001"),
    ('TEXT(1234567890123456789, "0")', "1234567890123460000"),
    ('TEXT(12, "00000")', "00012"),
    ('TEXT(-12, "00000")', "-00012"),
    ('TEXT(123456, "00000")', "123456"),
    ('TEXT(12.345, "0.00")', "12.35"),
    ('TEXT(-0.001, "0.00")', "0.00"),
    ('TEXT(1234567.891, "#,##0")', "1,234,568"),
    ('TEXT(1234567.891, "#,##0.00")', "1,234,567.89"),
    ('TEXT(-999.999, "#,##0.00")', "-1,000.00"),
    ('TEXT(12, "00,000")', "00,012"),
    ('TEXT(0.145, "0%")', "15%"),
    ('TEXT(0.25678, "0.0%")', "25.7%"),
    ('TEXT(1.5, "0.0#")', "1.5"),
    ('TEXT(1.256, "0.0#")', "1.26"),
    ('TEXT(0, "#")', ""),
    ('TEXT(0.5, "#.00")', ".50"),
    ('TEXT(-5, "¥#,##0.00")', "-¥5.00"),
    ('TEXT(1234.5, "0.00 元")', "1234.50 元"),
    ('TEXT(1234.5, "abc")', "1234.5"),
    ('TEXT(1234.5, "")', "1234.5"),
    ('TEXT(DATE(2024, 3, 5), "yyyy-mm-dd")', "2024-03-05"),
    ('TEXT(DATE(2024, 3, 5), "yyyy/mm/dd")', "2024/03/05"),
    ('TEXT(DATE(2024, 3, 5), "yyyy年m月d日")', "2024年3月5日"),
    ('TEXT(DATE(2024, 3, 5), "yy-m-d hh:mm")', "24-3-5 00:00"),
    ('TEXT(DATETIME(2026, 3, 5, 9, 7, 30), "hh:mm")', "09:07"),
    ('TEXT(DATETIME(2026, 3, 5, 9, 7, 30), "hh:mm:ss")', "09:07:30"),
    ('TEXT(DATETIME(2026, 3, 5, 9, 7, 30), "H : MM, mm")', "9 : 07, 03"),
    ('TEXT(DATE(2024, 3, 5), "0.00")', "0.00"),
    ('TEXT(DATE(2024, 3, 5), "")', ""),
    ('TEXT("abc", "0.00")', "abc"),
    ('TEXT(1 > 0, "0")', "TRUE"),
    ('TEXT(NULL, "0.00")', ""),
    ('TEXT(DATE(2024, 2, 30), "0000")', ""),
    ('TEXT(DATE(2024, 2, 30), "yyyy")', ""),
    ('VALUE("1e3")', Decimal(1000)),
    ('VALUE(" 1,234.5 ")', Decimal("1234.5")),
    ('VALUE("1,234,567")', Decimal(1234567)),
    ('VALUE("12%")', Decimal("0.12")),
    ('VALUE("-1.5E-2")', Decimal("-0.015")),
    ('VALUE("+.5e+1")', Decimal(5)),
    ('VALUE("5.")', Decimal(5)),
    ('VALUE("1,23")', None),
    ('VALUE("1e")', None),
    ('VALUE("12 %")', None),
    ('VALUE("1e1001")', None),
    ('VALUE("1e50")', None),
    ('VALUE("abc")', None),
    ('VALUE("")', None),
]


@pytest.mark.parametrize(("source", "expected"), CONVERSIONS)
def test_number_text_formats_and_value_agree_with_python(
    db: tuple[sa.Engine, Schema, sa.Table], source: str, expected: object
) -> None:
    engine, schema, _ = db
    checked = check(source, schema)
    try:
        python = compile_python(checked)({}, CTX)
    except ExprLimitError:
        python = None  # a limit is an error in Python and blank in SQL
    with engine.connect() as conn:
        value = conn.execute(sa.select(to_sql(checked, dialect=engine.dialect.name))).scalar()
    if isinstance(expected, Decimal):
        assert Decimal(str(value)) == python == expected
    else:
        assert value == python == expected


def test_text_with_a_computed_format_stays_in_python(db) -> None:
    engine, schema, _ = db
    checked = check("TEXT(owner, name)", schema)
    assert checked.sql_unsupported == ["TEXT"]
    with pytest.raises(ExprError) as caught:
        to_sql(checked, dialect=engine.dialect.name)
    assert caught.value.reason == "not_sql"


def test_an_aggregate_inside_a_condition_reads_all_items(db) -> None:
    source = "COUNTIF(opportunities, opportunities.amount > COUNT(opportunities) * 30)"
    assert _values(db, source) == {"华为": 2, "Acme": 1, "Empty Co": 0}
