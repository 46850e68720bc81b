"""The Excel rules (tests/unit/expr/test_excel_rules.py) and the Excel corpus
(tests/unit/test_excel_corpus.py) in SQL on the database under test and in the browser:
every backend gives the answer Python gives.

PostgreSQL computes in decimals and must match to the digit; SQLite and the browser hold
binary floating point and match within 1e-12 (numbers of 34 digits are left out for them).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expr import runtime as rt
from jimu.engines.expr.checker import check
from jimu.engines.expr.jsonlogic import to_jsonlogic
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import NUMBER, TEXT, FieldInfo, Schema, collection
from tests.unit.expr.test_excel_rules import RULES
from tests.unit.test_excel_corpus import CORPUS, CTX, DEVIATIONS, ROW

ROOT = Path(__file__).resolve().parents[2]
METADATA = sa.MetaData()
EXACT_ONLY = {"exact_digits"}  # 34-digit numbers: backends with exact decimals only
# SQLite and the browser compute in binary floating point (docs/formulas.md says so)
POSTGRESQL = (os.environ.get("JIMU_DATABASE_URL") or "").startswith("postgresql")


def _cases() -> list[Any]:
    cases = [
        pytest.param(source, expected, rule in EXACT_ONLY, id=f"{rule}-{index}")
        for rule, items in RULES.items()
        for index, (source, expected) in enumerate(items)
    ]
    cases += [pytest.param(*p.values, False, id=f"corpus-{p.id}") for p in CORPUS]
    cases += [pytest.param(p.values[0], p.values[1], False, id=f"dev-{p.id}") for p in DEVIATIONS]
    return cases


CASES = _cases()
FLOAT_CASES = [case for case in CASES if not case.values[2]]


def _tables(pg: bool) -> tuple[sa.Table, sa.Table, sa.Table]:
    number = sa.Numeric() if pg else sa.Numeric(asdecimal=False)
    main = sa.Table(
        "expr_excel_main",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("blank", number),
        sa.Column("none", sa.Text),
        extend_existing=True,
    )
    fruit = sa.Table(
        "expr_excel_fruit",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("main_id", sa.Integer),
        sa.Column("name", sa.Text),
        sa.Column("qty", number),
        extend_existing=True,
    )
    homes = sa.Table(
        "expr_excel_homes",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("main_id", sa.Integer),
        sa.Column("value", number),
        sa.Column("commission", number),
        extend_existing=True,
    )
    return main, fruit, homes


def _schema(tables: tuple[sa.Table, sa.Table, sa.Table] | None) -> Schema:
    main, fruit, homes = tables or (None, None, None)
    fruit_schema = (
        Schema("fruit", table=fruit).add(FieldInfo("name", TEXT)).add(FieldInfo("qty", NUMBER))
    )
    homes_schema = (
        Schema("homes", table=homes)
        .add(FieldInfo("value", NUMBER))
        .add(FieldInfo("commission", NUMBER))
    )
    return (
        Schema("excel", table=main)
        .add(FieldInfo("blank", NUMBER))
        .add(FieldInfo("none", TEXT))
        .add(collection("fruit", fruit_schema, "main_id"))
        .add(collection("homes", homes_schema, "main_id"))
    )


@pytest.fixture(scope="module")
def db(engine: sa.Engine) -> Iterator[tuple[sa.Engine, Schema, sa.Table]]:
    tables = _tables(engine.dialect.name == "postgresql")
    main, fruit, homes = tables
    METADATA.create_all(engine, tables=list(tables))
    with engine.begin() as conn:
        conn.execute(main.insert().values(id=1, blank=None, none=None))
        conn.execute(fruit.insert(), [{"main_id": 1, **item} for item in ROW["fruit"]])
        conn.execute(homes.insert(), [{"main_id": 1, **item} for item in ROW["homes"]])
    yield engine, _schema(tables), main
    METADATA.drop_all(engine, tables=list(tables))


@pytest.fixture(scope="module")
def node() -> Iterator[subprocess.Popen[str]]:
    runner = ROOT / "tests" / "jsonlogic_runner.js"
    if not shutil.which("node") or not (ROOT / "frontend/node_modules/json-logic-js").exists():
        pytest.fail("node and frontend/node_modules are needed: run `make test`")
    process = subprocess.Popen(
        ["node", str(runner)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    yield process
    process.terminate()
    process.wait(timeout=10)


def agree(expected: Any, got: Any, *, exact: bool, tolerance: float = 1e-12) -> bool:
    """Whether a backend's value is Python's: exactly, or within ``tolerance`` (floats)."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool):
        return bool(got) is expected
    if isinstance(expected, Decimal):
        value = Decimal(str(got))
        if exact:
            return value == expected
        return math.isclose(float(value), float(expected), rel_tol=tolerance, abs_tol=1e-15)
    if isinstance(expected, datetime):
        return rt.to_datetime(got) == expected
    if isinstance(expected, date):
        return rt.to_date(got) == expected and str(got)[:10] == expected.isoformat()
    return bool(got == expected)


@pytest.mark.parametrize(
    ("source", "expected", "decimals_only"), CASES if POSTGRESQL else FLOAT_CASES
)
def test_sql_gives_the_same_answer(
    db: tuple[sa.Engine, Schema, sa.Table], source: str, expected: Any, decimals_only: bool
) -> None:
    engine, schema, main = db
    pg = engine.dialect.name == "postgresql"
    expr = to_sql(check(source, schema), dialect=engine.dialect.name, ctx=CTX)
    with engine.connect() as conn:
        value = conn.execute(sa.select(expr).select_from(main)).scalar()
    assert agree(expected, value, exact=pg), (source, value)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [{k: _plain(v) for k, v in item.items()} for item in value]
    return value


@pytest.mark.parametrize(("source", "expected", "decimals_only"), FLOAT_CASES)
def test_browser_gives_the_same_answer(
    node: subprocess.Popen[str], source: str, expected: Any, decimals_only: bool
) -> None:
    assert node.stdin is not None
    assert node.stdout is not None
    data = {key: _plain(value) for key, value in ROW.items()}
    data["_ctx"] = {"today": CTX.today.isoformat(), "now": str(CTX.now)}
    logic = to_jsonlogic(check(source, _schema(None)))
    node.stdin.write(json.dumps({"logic": logic, "data": data}, ensure_ascii=False) + "\n")
    node.stdin.flush()
    answer = json.loads(node.stdout.readline())
    assert answer["ok"], (source, answer)
    assert agree(expected, answer["value"], exact=False, tolerance=1e-9), (source, answer["value"])
