"""Every function of the registry, with its edge cases (blank, negative, leap years, month
ends, Chinese text, long text). The table must cover the whole registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import EvalContext, check, compile_python
from jimu.engines.expr.functions import REGISTRY
from jimu.engines.expr.types import (
    BOOL,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    USER,
    FieldInfo,
    Schema,
    collection,
)

D = Decimal
LINE = Schema("line").add(FieldInfo("x", NUMBER)).add(FieldInfo("s", TEXT))
SCHEMA = (
    Schema("form")
    .add(FieldInfo("n", NUMBER))
    .add(FieldInfo("blank", NUMBER))
    .add(FieldInfo("t", TEXT))
    .add(FieldInfo("d", DATE))
    .add(FieldInfo("dt", DATETIME))
    .add(FieldInfo("flag", BOOL))
    .add(FieldInfo("owner", USER))
    .add(collection("lines", LINE, "form_id"))
)
ROW = {
    "n": D("12.5"),
    "blank": None,
    "t": "客户 Manager",
    "d": date(2024, 1, 31),
    "dt": datetime(2026, 3, 5, 9, 7, 30),
    "flag": None,
    "owner": 7,
    "lines": [
        {"x": D("1.5"), "s": "won"},
        {"x": D(2), "s": "lost"},
        {"x": None, "s": "won"},
    ],
}
CTX = EvalContext(
    today=date(2026, 11, 22), now=datetime(2026, 11, 22, 8, 0), user_id=7, department_id=3
)

CASES: list[tuple[str, Any]] = [
    # logic
    ('IF(n > 10, "big", "small")', "big"),
    ("IF(blank > 1, 1)", None),
    ("IF(flag, 1, 2)", D(2)),
    ('IFS(n > 100, "a", n > 10, "b")', "b"),
    ('IFS(n > 100, "a")', None),
    ('SWITCH(t, "x", 1, "客户 Manager", 2, 0)', D(2)),
    ('SWITCH(blank, NULL, "blank", "other")', "blank"),
    ('SWITCH(n, 1, "one")', None),
    ("AND(n > 1, TRUE)", True),
    ("AND(n > 1, flag)", False),
    ("OR(FALSE, blank > 1)", False),
    ("OR(FALSE, n > 1)", True),
    ("NOT(flag)", True),
    ("NOT(n > 1)", False),
    ("ISBLANK(blank)", True),
    ('ISBLANK("")', True),
    ("ISBLANK(0)", False),
    ("COALESCE(blank, NULL, n)", D("12.5")),
    ("COALESCE(blank)", None),
    ("IFERROR(n / 0, -1)", D(-1)),
    ("IFERROR(n / 5, -1)", D("2.5")),
    # math and aggregates
    ("SUM(lines.x)", D("3.5")),
    ("SUM(n, blank, 1)", D("13.5")),
    ("SUM(lines.x * 2)", D(7)),
    ("AVERAGE(lines.x)", D("1.75")),
    ("AVERAGE(blank)", None),
    ("MIN(lines.x)", D("1.5")),
    ("MIN(d, DATE(2020, 1, 1))", date(2020, 1, 1)),
    ('MAX(t, "A")', "客户 Manager"),
    ("MAX(blank)", None),
    ("COUNT(lines)", D(3)),
    ("COUNT(lines.x)", D(2)),
    ("COUNT(n, blank)", D(1)),
    ('COUNTIF(lines, lines.s = "won")', D(2)),
    ('COUNTIF(lines.x, lines.s = "won")', D(1)),
    ('SUMIF(lines.x, lines.s = "won")', D("1.5")),
    ('SUMIF(lines.x, lines.s = "none")', D(0)),
    ("ROUND(2.675, 2)", D("2.68")),
    ("ROUND(-2.5)", D(-3)),
    ("ROUND(1234.5, -2)", D(1200)),
    ("ROUND(blank, 2)", None),
    ("ROUNDUP(3.141, 2)", D("3.15")),
    ("ROUNDUP(-3.141, 2)", D("-3.15")),
    ("ROUNDDOWN(3.149, 2)", D("3.14")),
    ("ROUNDDOWN(-3.149, 1)", D("-3.1")),
    ("INT(7.9)", D(7)),
    ("INT(-1.5)", D(-2)),
    ("ABS(-5)", D(5)),
    ("ABS(blank)", None),
    ("MOD(10, 3)", D(1)),
    ("MOD(-3, 2)", D(1)),
    ("MOD(3, -2)", D(-1)),
    ("MOD(3, 0)", None),
    ("POWER(2, 10)", D(1024)),
    ("POWER(-8, 0.5)", None),
    ("POWER(0, -1)", None),
    ("SQRT(16)", D(4)),
    ("SQRT(-1)", None),
    # text
    ('CONCAT("a", blank, 1.50, TRUE, d)', "a1.5TRUE2024-01-31"),
    ('LEFT("积木平台", 2)', "积木"),
    ("LEFT(t)", "客"),
    ('LEFT("abc", -1)', None),
    ("RIGHT(t, 7)", "Manager"),
    ('RIGHT("abc", 0)', ""),
    ('MID("HT-2026-0001", 4, 4)', "2026"),
    ('MID("客户管理", 2, 2)', "户管"),
    ('MID("abc", 0, 1)', None),
    ('LEN("客户管理")', D(4)),
    ('LEN(blank & "")', D(0)),
    ('LEN("' + "长" * 9000 + '")', D(9000)),
    ('UPPER("abc ß é")', "ABC ß é"),
    ('LOWER("ABC Ä")', "abc Ä"),
    ('TRIM("  a   b  ")', "a b"),
    ('TRIM("　全角")', "　全角"),
    ('SUBSTITUTE("138-0000-0000", "-", "")', "13800000000"),
    ('SUBSTITUTE("abc", "", "x")', "abc"),
    ('REPLACE("13800000000", 4, 4, "****")', "138****0000"),
    ('REPLACE("abc", 0, 1, "x")', None),
    ('FIND("-", "HT-0001")', D(3)),
    ('FIND("b", "abcb", 3)', D(4)),
    ('FIND("z", "abc")', None),
    ('FIND("B", "abc")', None),
    ('CONTAINS(t, "Man")', True),
    ('CONTAINS(t, "man")', False),
    ('STARTSWITH("13800000000", "138")', True),
    ('STARTSWITH(blank & "", "1")', False),
    ('TEXT(1234.5, "#,##0.00")', "1,234.50"),
    ('TEXT(0.256, "0.0%")', "25.6%"),
    ('TEXT(dt, "yyyy年m月d日 hh:mm")', "2026年3月5日 09:07"),
    ('TEXT(d, "yyyy-mm-dd")', "2024-01-31"),
    ('VALUE(" 12.5 ")', D("12.5")),
    ('VALUE("-.5")', D("-0.5")),
    ('VALUE("12a")', None),
    ('VALUE("")', None),
    ("RMB_UPPER(12345.67)", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("RMB_UPPER(0)", "零元整"),
    ("RMB_UPPER(100000.5)", "壹拾万元伍角"),
    ("RMB_UPPER(10010001)", "壹仟零壹万零壹元整"),
    ("RMB_UPPER(-3.05)", "负叁元零伍分"),
    ("RMB_UPPER(0.07)", "柒分"),
    ("RMB_UPPER(blank)", None),
    # dates
    ("TODAY()", date(2026, 11, 22)),
    ("NOW()", datetime(2026, 11, 22, 8, 0)),
    ("DATE(2024, 2, 29)", date(2024, 2, 29)),
    ("DATE(2023, 2, 29)", None),
    ("DATE(2026, 13, 1)", None),
    ("DATE(blank, 1, 1)", None),
    ("DATETIME(2026, 1, 1, 9, 30)", datetime(2026, 1, 1, 9, 30)),
    ("DATETIME(2026, 1, 1, 24)", None),
    ("YEAR(d)", D(2024)),
    ("MONTH(dt)", D(3)),
    ("DAY(d)", D(31)),
    ("YEAR(blank + d)", None),
    ("WEEKDAY(DATE(2026, 11, 22))", D(1)),  # a Sunday
    ("WEEKDAY(DATE(2026, 11, 22), 2)", D(7)),
    ("WEEKDAY(DATE(2026, 11, 23), 3)", D(0)),
    ("WEEKDAY(d, 9)", None),
    ("WEEKNUM(DATE(2026, 1, 4))", D(2)),
    ("WEEKNUM(DATE(2026, 1, 4), 2)", D(1)),
    ("WEEKNUM(DATE(2027, 1, 1), 21)", D(53)),
    ('DATEDIF(DATE(2020, 2, 29), DATE(2026, 2, 28), "y")', D(5)),
    ('DATEDIF(d, TODAY(), "m")', D(33)),
    ('DATEDIF(d, TODAY(), "d")', D(1026)),
    ('DATEDIF(DATE(2024, 1, 31), DATE(2024, 3, 1), "md")', D(-1)),
    ('DATEDIF(DATE(2024, 1, 31), DATE(2025, 3, 1), "ym")', D(1)),
    ('DATEDIF(DATE(2024, 2, 29), DATE(2026, 2, 28), "yd")', D(365)),
    ('DATEDIF(TODAY(), d, "d")', None),
    ("DAYS(DATE(2024, 3, 1), DATE(2024, 2, 1))", D(29)),
    ("DAYS(dt, d)", D(764)),
    ('DATEADD(d, 1, "m")', date(2024, 2, 29)),
    ('DATEADD(DATE(2023, 1, 31), 1, "m")', date(2023, 2, 28)),
    ('DATEADD(d, -2, "w")', date(2024, 1, 17)),
    ('DATEADD(DATE(2024, 2, 29), 1, "y")', date(2025, 2, 28)),
    ("DATEADD(d, 1)", date(2024, 2, 1)),
    ('DATEADD(dt, 1, "d")', datetime(2026, 3, 6, 9, 7, 30)),
    ('DATEADD(d, 1, "q")', None),
    ("EOMONTH(d, 1)", date(2024, 2, 29)),
    ("EOMONTH(d, -2)", date(2023, 11, 30)),
    ("EOMONTH(DATE(2026, 12, 15), 0)", date(2026, 12, 31)),
    ("NETWORKDAYS(DATE(2026, 11, 20), DATE(2026, 11, 23))", D(2)),
    ("NETWORKDAYS(DATE(2026, 11, 23), DATE(2026, 11, 20))", D(-2)),
    ("NETWORKDAYS(DATE(2026, 11, 21), DATE(2026, 11, 22))", D(0)),
    ("NETWORKDAYS(DATE(2026, 11, 2), DATE(2026, 11, 29))", D(20)),
    # system
    ("CURRENT_USER()", 7),
    ("owner = CURRENT_USER()", True),
    ("CURRENT_DEPT()", 3),
]


def _names(source: str) -> set[str]:
    return {name for name in REGISTRY if f"{name}(" in source}


def test_every_registry_function_has_cases() -> None:
    covered = set().union(*(_names(source) for source, _ in CASES))
    assert set(REGISTRY) - covered == set()


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_function(source: str, expected: Any) -> None:
    value = compile_python(check(source, SCHEMA))(ROW, CTX)
    if isinstance(expected, Decimal):
        assert isinstance(value, Decimal)
        assert value == expected
    else:
        assert value == expected
        assert type(value) is type(expected)


def test_record_meta_fields_read_their_columns() -> None:
    from jimu.engines.expr.types import with_meta

    schema = with_meta(Schema("form").add(FieldInfo("n", NUMBER)))
    checked = check("_owner = CURRENT_USER() AND _id > 0 AND [负责人] = 7", schema)
    assert checked.fields == ["_id", "_owner"]
    assert schema.fields["_owner"].column == "owner"
    row = {"_owner": 7, "_id": 3}
    assert compile_python(checked)(row, CTX) is True
