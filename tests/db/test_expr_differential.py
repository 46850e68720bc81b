"""Differential property tests: random well-typed formulas over random rows give the same value
in the Python evaluator, in SQL on the database under test, and in the browser (JsonLogic
through json-logic-js under node).

Numbers are compared with a relative tolerance (SQLite computes in binary floating point,
the browser too); the generator keeps computed fractions out of comparisons and text, where
binary rounding would change the answer rather than its last digits.
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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jimu.engines.expr import runtime as rt
from jimu.engines.expr.checker import Checked, check
from jimu.engines.expr.errors import ExprError, ExprLimitError
from jimu.engines.expr.evaluator import EvalContext, compile_python
from jimu.engines.expr.jsonlogic import to_jsonlogic
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import BOOL, DATE, NUMBER, TEXT, FieldInfo, Schema, collection

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 22)
CTX = EvalContext(today=TODAY, now=datetime(2026, 11, 22, 9, 30), user_id=7, department_id=3)
EXAMPLES = settings(
    max_examples=int(os.environ.get("JIMU_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- random formulas ----------------------------------------------------------------------

NUM_FIELDS = ["n1", "n2"]
TEXT_FIELDS = ["t1", "t2"]
DATE_FIELDS = ["d1", "d2"]
ALPHABET = "abAB 中文-x"


def _group(parts: tuple[str, ...]) -> str:
    return "(" + " ".join(parts) + ")"


small_int = st.integers(min_value=-30, max_value=30).map(str)
amount = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(str)
text_literal = st.text(alphabet=ALPHABET, max_size=5).map(
    lambda s: json.dumps(s, ensure_ascii=False)
)


def _big(parts: tuple[int, int, bool]) -> Decimal:
    """±m * 10^k with 16 significant digits, exactly a binary float (so SQLite and the
    browser hold the same number): m = odd * 2^a with odd * 5^k below 2^53."""
    odd, k, negative = parts
    odd = (odd % (2**53 // 5**k)) | 1
    m = odd
    while m < 10**15:
        m *= 2
    value = Decimal(m).scaleb(k)
    return -value if negative else value


big_number = (
    st.tuples(st.integers(1, 2**53), st.integers(0, 7), st.booleans())
    .map(_big)
    .filter(lambda v: Decimal(repr(float(v))) == v and Decimal(float(v)) == v)
)
NUMBER_FORMATS = [
    "00000",
    "0.00",
    "#,##0",
    "#,##0.00",
    "0%",
    "0.0%",
    "0.0#",
    "#",
    "#.00",
    "00,000",
    "¥#,##0.00",
    "0 元",
    "",
    "abc",
]
DATE_FORMATS = [
    "yyyy-mm-dd",
    "yyyy/mm/dd",
    "yyyy年m月d日",
    "hh:mm",
    "hh:mm:ss",
    "yy-m-d h:mm",
    "H : MM",
    "0.00",
    "dddd",
    "ddd, d mmm yyyy",
    "mmmm mmmmm",
    "h:m AM/PM",
    "hh:mm:ss a/p",
    "mm:ss",
    "yyyy年m月d日 aaaa",
    "aaa",
    '"Q"yy \\h',
]
text_format = st.sampled_from(NUMBER_FORMATS + DATE_FORMATS).map(
    lambda s: json.dumps(s, ensure_ascii=False)
)
value_text = st.one_of(
    st.tuples(
        st.sampled_from(["", " ", "\t"]),
        st.sampled_from(["", "-", "+"]),
        st.integers(0, 9_999_999),
        st.booleans(),
        st.sampled_from(["", ".", ".5", ".25", ".125"]),
        st.sampled_from(["", "e3", "E-2", "e+1", "e1001", "e45"]),
        st.sampled_from(["", "%"]),
    ).map(lambda a: f"{a[0]}{a[1]}{a[2]:{',' if a[3] else ''}}{a[4]}{a[5]}{a[6]}{a[0]}"),
    st.sampled_from(["1,23", "1e", "12 %", ".", "1.2.3", "１２", "-", "e3", "1,234.5", " 7 "]),
).map(lambda s: json.dumps(s, ensure_ascii=False))


def num_atom(depth: int) -> st.SearchStrategy[str]:
    """Exact numbers: fields, literals and integer-valued functions."""
    base = st.one_of(
        st.sampled_from(NUM_FIELDS),
        small_int,
        amount,
        st.just("NULL"),
        big_number.map(lambda v: format(v, "f")),
    )
    if depth <= 0:
        return base
    d = depth - 1
    return st.one_of(
        base,
        text_atom(d).map(lambda t: f"LEN({t})"),
        value_text.map(lambda t: f"VALUE({t})"),
        st.tuples(num_atom(d), text_format).map(lambda a: f"VALUE(TEXT({a[0]}, {a[1]}))"),
        date_atom(d).map(lambda x: f"YEAR({x})"),
        date_atom(d).map(lambda x: f"MONTH({x})"),
        date_atom(d).map(lambda x: f"DAY({x})"),
        st.tuples(date_atom(d), st.sampled_from(["1", "2", "3", "NULL"])).map(
            lambda a: f"WEEKDAY({a[0]}, {a[1]})"
        ),
        st.tuples(date_atom(d), st.sampled_from(["1", "2", "21", "NULL"])).map(
            lambda a: f"WEEKNUM({a[0]}, {a[1]})"
        ),
        st.tuples(
            date_atom(d),
            date_atom(d),
            st.sampled_from(['"d"', '"m"', '"y"', '"ym"', '"md"', '"yd"']),
        ).map(lambda a: f"DATEDIF({a[0]}, {a[1]}, {a[2]})"),
        st.tuples(date_atom(d), date_atom(d)).map(lambda a: f"DAYS({a[0]}, {a[1]})"),
        st.tuples(date_atom(d), date_atom(d)).map(lambda a: f"NETWORKDAYS({a[0]}, {a[1]})"),
        st.just("COUNT(lines)"),
        st.just("COUNT(lines.x)"),
        st.tuples(num_atom(d)).map(lambda a: f"INT({a[0]})"),
        st.tuples(num_atom(d)).map(lambda a: f"ABS({a[0]})"),
        st.tuples(num_atom(d), st.sampled_from(["0", "1", "2", "-1", "-50", "NULL"])).map(
            lambda a: f"ROUND({a[0]}, {a[1]})"
        ),
        st.tuples(small_int, st.sampled_from(["3", "-4", "7"])).map(
            lambda a: f"MOD({a[0]}, {a[1]})"
        ),
        st.tuples(st.sampled_from(NUM_FIELDS), st.sampled_from(NUM_FIELDS)).map(
            lambda a: f"COALESCE({a[0]}, {a[1]})"
        ),
        st.tuples(text_atom(d), text_atom(d)).map(lambda a: f"FIND({a[0]}, {a[1]})"),
        st.tuples(bool_expr(d), num_atom(d), num_atom(d)).map(
            lambda a: f"IF({a[0]}, {a[1]}, {a[2]})"
        ),
    )


def num_top(depth: int) -> st.SearchStrategy[str]:
    """Any numeric result, compared with a tolerance."""
    atom = num_atom(depth)
    return st.one_of(
        atom,
        st.tuples(atom, st.sampled_from(["+", "-", "*"]), atom).map(
            lambda a: "(" + " ".join(a) + ")"
        ),
        st.tuples(atom, atom).map(lambda a: f"({a[0]} / {a[1]})"),
        st.tuples(atom).map(lambda a: f"({a[0]})%"),
        st.just("SUM(lines.x)"),
        st.just("AVERAGE(lines.x)"),
        st.just("MAX(lines.x)"),
        st.just("MIN(lines.x)"),
        st.just("SUM(lines.x * 2)"),
        st.tuples(text_literal).map(lambda a: f"SUMIF(lines.x, lines.s = {a[0]})"),
        st.tuples(atom).map(lambda a: f"COUNTIF(lines, lines.x > {a[0]})"),
        st.tuples(atom, st.sampled_from(["0", "1", "2"])).map(lambda a: f"ROUNDUP({a[0]}, {a[1]})"),
        st.tuples(amount, st.sampled_from(["0", "1", "2", "3", "-1", "0.5", "12.5"])).map(
            lambda a: f"POWER({a[0]}, {a[1]})"
        ),
        st.sampled_from(NUM_FIELDS).map(lambda a: f"(1 + {a} / 1000) ^ 12"),
        st.tuples(atom, st.sampled_from(["0", "1", "2"])).map(
            lambda a: f"ROUNDDOWN({a[0]}, {a[1]})"
        ),
        st.tuples(atom, atom).map(lambda a: f"MAX({a[0]}, {a[1]}, 0)"),
        st.tuples(atom, atom).map(lambda a: f"SUM({a[0]}, {a[1]})"),
    )


def text_atom(depth: int) -> st.SearchStrategy[str]:
    """Text values."""
    base = st.one_of(st.sampled_from(TEXT_FIELDS), text_literal, st.just("NULL"))
    if depth <= 0:
        return base
    d = depth - 1
    t = text_atom(d)
    return st.one_of(
        base,
        t.map(lambda x: f"UPPER({x})"),
        t.map(lambda x: f"LOWER({x})"),
        t.map(lambda x: f"TRIM({x})"),
        st.tuples(t, st.sampled_from(["0", "1", "2", "5", "NULL"])).map(
            lambda a: f"LEFT({a[0]}, {a[1]})"
        ),
        t.map(lambda x: f"LEFT({x})"),
        st.tuples(t, st.sampled_from(["0", "1", "3", "NULL"])).map(
            lambda a: f"RIGHT({a[0]}, {a[1]})"
        ),
        st.tuples(
            t, st.sampled_from(["1", "2", "4", "NULL"]), st.sampled_from(["0", "2", "9", "NULL"])
        ).map(lambda a: f"MID({a[0]}, {a[1]}, {a[2]})"),
        st.sampled_from(NUM_FIELDS).map(lambda a: f'IFERROR({a} / 4, "none")'),
        st.tuples(date_atom(d), text_literal).map(lambda a: f"IFERROR({a[0]}, {a[1]})"),
        st.tuples(t, text_literal, text_literal).map(
            lambda a: f"SUBSTITUTE({a[0]}, {a[1]}, {a[2]})"
        ),
        st.tuples(t, st.sampled_from(["1", "2"]), st.sampled_from(["0", "1"]), text_literal).map(
            lambda a: f"REPLACE({a[0]}, {a[1]}, {a[2]}, {a[3]})"
        ),
        st.tuples(t, num_atom(d)).map(lambda a: f"({a[0]} & {a[1]})"),
        st.tuples(num_atom(d), text_format).map(lambda a: f"TEXT({a[0]}, {a[1]})"),
        st.tuples(date_atom(d), text_format).map(lambda a: f"TEXT({a[0]}, {a[1]})"),
        st.tuples(st.one_of(t, bool_expr(d)), text_format).map(lambda a: f"TEXT({a[0]}, {a[1]})"),
        st.tuples(t, date_atom(d)).map(lambda a: f"CONCAT({a[0]}, {a[1]})"),
        st.tuples(t, bool_expr(d)).map(lambda a: f"({a[0]} & {a[1]})"),
        st.tuples(bool_expr(d), t, t).map(lambda a: f"IF({a[0]}, {a[1]}, {a[2]})"),
        st.tuples(t, t).map(lambda a: f"COALESCE({a[0]}, {a[1]})"),
    )


def date_atom(depth: int) -> st.SearchStrategy[str]:
    """Date values."""
    base = st.one_of(st.sampled_from(DATE_FIELDS), st.just("TODAY()"), st.just("NULL"))
    if depth <= 0:
        return base
    d = depth - 1
    dt = date_atom(d)
    return st.one_of(
        base,
        st.tuples(st.integers(1998, 2030), st.integers(0, 13), st.integers(0, 32)).map(
            lambda a: f"DATE({a[0]}, {a[1]}, {a[2]})"
        ),
        st.tuples(st.integers(-1, 130), st.integers(1, 12), st.integers(1, 28)).map(
            lambda a: f"DATE({a[0]}, {a[1]}, {a[2]})"
        ),
        st.tuples(st.sampled_from([*DATE_FIELDS, "TODAY()"]), small_int).map(
            lambda a: f"({a[0]} + {a[1]})"
        ),
        st.tuples(dt, small_int, st.sampled_from(['"d"', '"w"', '"m"', '"y"'])).map(
            lambda a: f"DATEADD({a[0]}, {a[1]}, {a[2]})"
        ),
        st.tuples(dt, st.sampled_from(["-1", "0", "1", "13"])).map(
            lambda a: f"EOMONTH({a[0]}, {a[1]})"
        ),
    )


def bool_expr(depth: int) -> st.SearchStrategy[str]:
    """Conditions."""
    ops = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
    base = st.one_of(
        st.just("b1"),
        st.sampled_from(["TRUE", "FALSE"]),
        st.tuples(st.sampled_from(NUM_FIELDS), ops, amount).map(_group),
        st.tuples(st.sampled_from(TEXT_FIELDS), ops, text_literal).map(
            lambda a: "(" + " ".join(a) + ")"
        ),
    )
    if depth <= 0:
        return base
    d = depth - 1
    b = bool_expr(d)
    return st.one_of(
        base,
        st.tuples(num_atom(d), ops, num_atom(d)).map(_group),
        st.tuples(text_atom(d), ops, text_atom(d)).map(_group),
        st.tuples(date_atom(d), ops, date_atom(d)).map(_group),
        st.tuples(b, st.sampled_from(["AND", "OR"]), b).map(lambda a: f"({a[0]} {a[1]} {a[2]})"),
        b.map(lambda x: f"NOT ({x})"),
        st.tuples(st.sampled_from(NUM_FIELDS + TEXT_FIELDS + DATE_FIELDS)).map(
            lambda a: f"ISBLANK({a[0]})"
        ),
        st.tuples(text_atom(d), text_atom(d)).map(lambda a: f"CONTAINS({a[0]}, {a[1]})"),
        st.tuples(text_atom(d), text_atom(d)).map(lambda a: f"STARTSWITH({a[0]}, {a[1]})"),
        st.tuples(st.sampled_from(NUM_FIELDS), amount, small_int).map(
            lambda a: f"({a[0]} IN ({a[1]}, {a[2]}, NULL))"
        ),
        st.tuples(st.sampled_from(TEXT_FIELDS), text_literal).map(
            lambda a: f'({a[0]} NOT IN ({a[1]}, "a"))'
        ),
        st.tuples(b, b).map(lambda a: f"AND({a[0]}, {a[1]}, TRUE)"),
        # computed numbers are compared at 15 significant digits in every backend
        st.sampled_from(NUM_FIELDS).map(lambda a: f"({a} / 3 * 3 = {a})"),
        st.sampled_from(NUM_FIELDS).map(lambda a: f"(INT({a} / 7 * 7) = INT({a}))"),
        st.sampled_from(NUM_FIELDS).map(lambda a: f"(({a} + 0.1) + 0.2 = {a} + 0.3)"),
    )


conversions = st.one_of(
    st.tuples(num_atom(1), text_format).map(lambda a: f"TEXT({a[0]}, {a[1]})"),
    st.tuples(st.sampled_from(NUM_FIELDS), text_format).map(lambda a: f"TEXT({a[0]}, {a[1]})"),
    st.sampled_from(NUM_FIELDS).map(lambda a: f'("" & {a})'),
    value_text.map(lambda t: f"VALUE({t})"),
)
formulas = st.one_of(num_top(2), text_atom(2), date_atom(2), bool_expr(2), conversions, conversions)

nullable = lambda s: st.one_of(st.none(), s)  # noqa: E731
rows = st.fixed_dictionaries(
    {
        "n1": nullable(st.decimals(min_value=-1000, max_value=1000, places=2)),
        "n2": nullable(
            st.one_of(st.decimals(min_value=-1000, max_value=1000, places=2), big_number)
        ),
        "t1": nullable(st.text(alphabet=ALPHABET, max_size=6)),
        "t2": nullable(st.text(alphabet=ALPHABET, max_size=6)),
        "d1": nullable(st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))),
        "d2": nullable(st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))),
        "b1": nullable(st.booleans()),
        "lines": st.lists(
            st.fixed_dictionaries(
                {
                    "x": nullable(st.decimals(min_value=-100, max_value=100, places=2)),
                    "s": st.sampled_from(["a", "b", "中"]),
                }
            ),
            max_size=3,
        ),
    }
)

# -- the schema and its tables ------------------------------------------------------------

METADATA = sa.MetaData()


def _tables(dialect: str) -> tuple[sa.Table, sa.Table]:
    pg = dialect == "postgresql"
    number = sa.Numeric() if pg else sa.Numeric(asdecimal=False)
    day = sa.Date() if pg else sa.String(10)
    main = sa.Table(
        "expr_diff_main",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(k, number) for k in NUM_FIELDS),
        *(sa.Column(k, sa.Text) for k in TEXT_FIELDS),
        *(sa.Column(k, day) for k in DATE_FIELDS),
        sa.Column("b1", sa.Boolean),
        extend_existing=True,
    )
    lines = sa.Table(
        "expr_diff_lines",
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("main_id", sa.Integer),
        sa.Column("x", number),
        sa.Column("s", sa.Text),
        extend_existing=True,
    )
    return main, lines


def _schema(main: sa.Table | None, lines: sa.Table | None) -> Schema:
    line = Schema("line", table=lines).add(FieldInfo("x", NUMBER)).add(FieldInfo("s", TEXT))
    schema = Schema("main", table=main)
    for key in NUM_FIELDS:
        schema.add(FieldInfo(key, NUMBER))
    for key in TEXT_FIELDS:
        schema.add(FieldInfo(key, TEXT))
    for key in DATE_FIELDS:
        schema.add(FieldInfo(key, DATE))
    schema.add(FieldInfo("b1", BOOL))
    return schema.add(collection("lines", line, "main_id"))


@pytest.fixture(scope="module")
def sql_env(engine: sa.Engine) -> Iterator[tuple[sa.Engine, sa.Table, sa.Table, Schema]]:
    main, lines = _tables(engine.dialect.name)
    METADATA.create_all(engine, tables=[main, lines])
    yield engine, main, lines, _schema(main, lines)
    METADATA.drop_all(engine, tables=[main, lines])


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


# -- comparison ---------------------------------------------------------------------------


def _normal(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "number":
        return float(rt.to_number(value) or 0)
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return str(rt.to_date(value))
    if kind == "datetime":
        return str(rt.to_datetime(value))
    return value


def _same(expected: Any, got: Any, kind: str) -> bool:
    a, b = _normal(expected, kind), _normal(got, kind)
    if kind == "number" and a is not None and b is not None:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _python(checked: Checked, row: dict[str, Any]) -> Any:
    try:
        return compile_python(checked)(row, CTX)
    except ExprLimitError:
        return "limit"


def _sql_row(row: dict[str, Any], pg: bool) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "lines"}
    if not pg:
        for key in DATE_FIELDS:
            out[key] = None if out[key] is None else out[key].isoformat()
    return out


@given(source=formulas, row=rows)
@EXAMPLES
def test_python_and_sql_agree(
    sql_env: tuple[sa.Engine, sa.Table, sa.Table, Schema], source: str, row: dict[str, Any]
) -> None:
    engine, main, lines, schema = sql_env
    checked = check(source, schema)
    expected = _python(checked, row)
    if expected == "limit":
        return
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(lines.delete())
        conn.execute(main.delete())
        conn.execute(main.insert().values(id=1, **_sql_row(row, pg)))
        for item in row["lines"]:
            conn.execute(lines.insert().values(main_id=1, **item))
        value = conn.execute(
            sa.select(to_sql(checked, dialect=engine.dialect.name, ctx=CTX)).select_from(main)
        ).scalar()
        conn.execute(lines.delete())
        conn.execute(main.delete())
    assert _same(expected, value, checked.type.kind), (source, row, expected, value)


def _js_row(row: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    data = {k: plain(v) for k, v in row.items() if k != "lines"}
    data["lines"] = [{k: plain(v) for k, v in item.items()} for item in row["lines"]]
    data["_ctx"] = {
        "today": TODAY.isoformat(),
        "now": "2026-11-22 09:30:00",
        "user": 7,
        "department": 3,
    }
    return data


@given(source=formulas, row=rows)
@EXAMPLES
def test_python_and_browser_agree(
    node: subprocess.Popen[str], source: str, row: dict[str, Any]
) -> None:
    checked = check(source, _schema(None, None))
    expected = _python(checked, row)
    if expected == "limit":
        return
    try:
        logic = to_jsonlogic(checked)
    except ExprError as exc:
        # outer fields inside a sub-form condition stay on the server (reported, not run)
        if exc.reason != "not_browser":
            raise
        assume(False)
    assert node.stdin is not None
    assert node.stdout is not None
    line = {"logic": logic, "data": _js_row(row)}
    node.stdin.write(json.dumps(line, ensure_ascii=False) + "\n")
    node.stdin.flush()
    answer = json.loads(node.stdout.readline())
    assert answer["ok"], (source, answer)
    assert _same(expected, answer["value"], checked.type.kind), (
        source,
        row,
        expected,
        answer["value"],
    )
