"""Rules where formulas once differed from Excel, one table each: powers, 15-digit precision,
TEXT's date/time codes, DATEDIF "md"/"yd", blank counts, IFERROR of mixed types, ROUND's
digits, DATE's years and exact negation. tests/db/test_expr_excel.py runs the same tables in
SQL and in the browser."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import EvalContext, ExprError, check, compile_python
from jimu.engines.expr.types import NUMBER, TEXT, FieldInfo, Schema

D = Decimal
SCHEMA = Schema("rules").add(FieldInfo("blank", NUMBER)).add(FieldInfo("none", TEXT))
ROW: dict[str, Any] = {"blank": None, "none": None}
CTX = EvalContext(today=date(2026, 11, 22), now=datetime(2026, 11, 22, 9, 30))

RULES: dict[str, list[tuple[str, Any]]] = {
    # computed, then checked against the limits (10^40; below 10^-40 is 0)
    "power": [
        ("POWER(1.01, 365)", D("37.7834343328872")),
        ("(1 + 0.05/12)^360", D("4.46774431400613")),
        ("2^100", D("1267650600228230000000000000000")),
        ("POWER(0.9, 100)", D("0.0000265613988875875")),
        ("1.05^-100", D("0.00760448999787351")),
        ("POWER(1.0001, 1000)", D("1.10516539260323")),
        ("POWER(0.999999, 1000000)", D("0.367879257231645")),
        ("POWER(98.6, 3.2)", D("2401077.22206958")),
        ("POWER(4, 5/4)", D("5.65685424949238")),
        ("10^39", D(10) ** 39),
        ("POWER(2, -3)", D("0.125")),
        ("(-2)^3", D(-8)),
        ("POWER(0.5, 1000)", D(0)),
        ("POWER(0, 0)", None),
        ("POWER(0, -1)", None),
        ("POWER(-8, 1/3)", None),
    ],
    # arithmetic keeps 34 digits; what leaves it is rounded to 15 significant digits
    "precision": [
        ("1/3*3 = 1", True),
        ("1/3*3", D(1)),
        ("INT(10/3*3)", D(10)),
        ("0.1 + 0.2 = 0.3", True),
        ("1/3", D("0.333333333333333")),
        ("2/3", D("0.666666666666667")),
        ("10/3*3 >= 10", True),
        ("MOD(10/3*3, 10)", D(0)),
        ("ROUNDDOWN(10/3*3, 0)", D(10)),
        ("SUM(1/3, 1/3, 1/3)", D(1)),
        ("AVERAGE(1/3, 2/3)", D("0.5")),
        ("DATE(2024, 1, 1) + 10/3*3", date(2024, 1, 11)),
        ('"" & (1/3*3)', "1"),
        ("(1/3*3) IN (1, 2)", True),
        ("IF(1/3*3 = 1, 1/3*3, 0)", D(1)),
        ("12345678901234567 * 1", D("12345678901234600")),
        ("(1/3 + 1/3 + 1/3) * 3 = 3", True),
    ],
    # Excel's date/time codes
    "text_dates": [
        ('TEXT(DATE(2024, 3, 5), "dddd")', "Tuesday"),
        ('TEXT(DATE(2024, 3, 5), "ddd, d mmm yyyy")', "Tue, 5 Mar 2024"),
        ('TEXT(DATE(2024, 3, 5), "mmmm")', "March"),
        ('TEXT(DATE(2024, 3, 5), "mmmmm")', "M"),
        ('TEXT(DATE(2024, 3, 5), "dd/mm/yy")', "05/03/24"),
        ('TEXT(DATE(2024, 3, 5), "m/d/yyyy")', "3/5/2024"),
        ('TEXT(DATE(2024, 3, 5), "aaaa")', "星期二"),
        ('TEXT(DATE(2024, 3, 10), "yyyy年m月d日 aaa")', "2024年3月10日 日"),
        ('TEXT(DATE(2024, 3, 5), "YYYY-MM-DD")', "2024-03-05"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "h:m")', "14:7"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "mm:ss")', "07:09"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "h:mm AM/PM")', "2:07 PM"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "hh:mm:ss a/p")', "02:07:09 p"),
        ('TEXT(DATETIME(2024, 3, 5, 0, 30, 0), "h:mm am/pm")', "12:30 am"),
        ('TEXT(DATETIME(2024, 3, 5, 9, 5, 3), "h:mm:ss A/P")', "9:05:03 A"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "s")', "9"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "h \\"h\\" m \\"min\\"")', "14 h 7 min"),
        ('TEXT(DATETIME(2024, 3, 5, 14, 7, 9), "yyyy-mm-dd hh:mm")', "2024-03-05 14:07"),
        ('TEXT(DATE(2024, 3, 5), "\\\\d\\\\a\\\\y d")', "day 5"),
        ('TEXT(DATE(2024, 3, 5), "yy")', "24"),
    ],
    # Excel's rules, including its documented negative "md"
    "datedif": [
        ('DATEDIF(DATE(2024, 1, 31), DATE(2024, 3, 1), "md")', D(-1)),
        ('DATEDIF(DATE(2003, 5, 31), DATE(2005, 3, 1), "md")', D(-2)),
        ('DATEDIF(DATE(2011, 1, 29), DATE(2011, 3, 1), "md")', D(0)),
        ('DATEDIF(DATE(2012, 1, 28), DATE(2012, 3, 1), "md")', D(2)),
        ('DATEDIF(DATE(2001, 6, 1), DATE(2002, 8, 15), "md")', D(14)),
        ('DATEDIF(DATE(2023, 12, 20), DATE(2024, 1, 5), "md")', D(16)),
        ('DATEDIF(DATE(2001, 6, 1), DATE(2002, 8, 15), "yd")', D(75)),
        ('DATEDIF(DATE(2016, 2, 29), DATE(2020, 2, 27), "yd")', D(364)),
        ('DATEDIF(DATE(2016, 2, 28), DATE(2020, 2, 27), "yd")', D(365)),
        ('DATEDIF(DATE(2016, 2, 29), DATE(2021, 3, 1), "yd")', D(0)),
        ('DATEDIF(DATE(2020, 2, 29), DATE(2021, 2, 28), "yd")', D(365)),
        ('DATEDIF(DATE(1988, 6, 22), DATE(2012, 5, 11), "yd")', D(323)),
        ('DATEDIF(DATE(2015, 3, 1), DATE(2020, 2, 29), "yd")', D(365)),
    ],
    # a blank count, start or type counts as 0, as in Excel; left out, it takes its default
    "blank_counts": [
        ('LEFT("abc", blank)', ""),
        ('LEFT("abc")', "a"),
        ('RIGHT("abc", blank)', ""),
        ('MID("abc", 1, blank)', ""),
        ('MID("abc", blank, 1)', None),
        ('REPLACE("abc", 2, blank, "X")', "aXbc"),
        ('REPLACE("abc", blank, 1, "X")', None),
        ('FIND("b", "abc", blank)', None),
        ('FIND("b", "abc")', D(2)),
        ("WEEKDAY(DATE(2024, 3, 5), blank)", None),
        ("WEEKDAY(DATE(2024, 3, 5))", D(3)),
        ("WEEKNUM(DATE(2024, 3, 5), blank)", None),
        ("ROUND(2.5, blank)", D(3)),
        ("EOMONTH(DATE(2024, 1, 15), blank)", date(2024, 1, 31)),
        ("DATEADD(DATE(2024, 1, 15), blank)", date(2024, 1, 15)),
        ("DATEADD(DATE(2024, 1, 15), 1, none)", None),
        ("DATETIME(2024, 1, 1, blank)", None),
    ],
    # a fallback of another type makes the result text
    "iferror": [
        ('IFERROR(1/0, "x")', "x"),
        ('IFERROR(10/4, "x")', "2.5"),
        ('IFERROR(210/35, "Error in calculation")', "6"),
        ('IFERROR(DATE(2023, 2, 29), "no such day")', "no such day"),
        ('IFERROR(DATE(2024, 2, 29), "no such day")', "2024-02-29"),
        ('IFERROR(1 > 0, "x")', "TRUE"),
        ('IFERROR(blank, "x")', "x"),
        ('IFERROR(1/0, none) & "!"', "!"),
        ("IFERROR(1/0, 0)", D(0)),
        ('IFERROR("a", "b")', "a"),
    ],
    # any number of digits, negative ones included
    "round_digits": [
        ("ROUND(123.456, -50)", D(0)),
        ("ROUNDDOWN(-123.456, -50)", D(0)),
        ("ROUND(626.3, -3)", D(1000)),
        ("ROUND(1.98, -1)", D(0)),
        ("ROUND(-50.55, -2)", D(-100)),
        ("ROUNDUP(31415.92654, -2)", D(31500)),
        ("ROUND(1E-30 * 1.234E-15, 47)", D("1.23E-45")),
        ("ROUND(5.5, 100000)", D("5.5")),
        ("ROUND(5.5, -100000)", D(0)),
    ],
    # 0–1899 are years after 1900
    "years": [
        ("DATE(24, 1, 1)", date(1924, 1, 1)),
        ("DATE(108, 1, 2)", date(2008, 1, 2)),
        ("DATE(0, 1, 1)", date(1900, 1, 1)),
        ("DATE(1899, 12, 31)", date(3799, 12, 31)),
        ("DATE(1900, 1, 1)", date(1900, 1, 1)),
        ("DATE(-1, 1, 1)", None),
        ("DATE(10000, 1, 1)", None),
        ("DATETIME(24, 1, 1, 8)", datetime(1924, 1, 1, 8)),
    ],
    # every digit kept, like binary minus
    "exact_digits": [
        ("-1234567890123456789012345678901234", D("-1234567890123456789012345678901234")),
        ("ABS(-1234567890123456789012345678901234)", D("1234567890123456789012345678901234")),
        ("MOD(1234567890123456789012345678901234, 10)", D(4)),
        ("MOD(-1234567890123456789012345678901234, 10)", D(6)),
        ("-(1/3) + 1/3 = 0", True),
        ("0 - 1234567890123456789012345678901234", D("-1234567890123460000000000000000000")),
    ],
}


def params() -> list[Any]:
    """Every rule's cases, named by rule."""
    return [
        pytest.param(source, expected, id=f"{rule}-{index}")
        for rule, cases in RULES.items()
        for index, (source, expected) in enumerate(cases)
    ]


def same(actual: Any, expected: Any) -> bool:
    """Numbers by value, everything else by value and type (a date is not a datetime)."""
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, Decimal):
        return isinstance(actual, Decimal) and actual == expected
    return type(actual) is type(expected) and bool(actual == expected)


@pytest.mark.parametrize(("source", "expected"), params())
def test_excel_rule(source: str, expected: Any) -> None:
    value = compile_python(check(source, SCHEMA))(ROW, CTX)
    assert same(value, expected), (source, value)


def test_iferror_of_mixed_types_is_text_and_if_still_refuses_them() -> None:
    assert check('IFERROR(1/0, "x")', SCHEMA).type.kind == "text"
    assert check("IFERROR(1/0, 0)", SCHEMA).type.kind == "number"
    assert check("IFERROR(DATE(2024, 1, 1), NOW())", SCHEMA).type.kind == "datetime"
    with pytest.raises(ExprError):
        check('IF(TRUE, 1, "x")', SCHEMA)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("0.5 ^ 1E30", D(0)),
        ("0.9999999999 ^ 1E9", D("0.904837418031435")),
        ("POWER(1.0000001, 123456789.5)", D("229964.064114133")),
    ],
)
def test_power_is_computed_for_any_exponent(source: str, expected: Decimal) -> None:
    assert compile_python(check(source, SCHEMA))(ROW, CTX) == expected


@pytest.mark.parametrize("source", ["1.0000000001 ^ 1E30", "2 ^ 133", "POWER(9, 9^9)"])
def test_power_over_the_limit_is_refused_quickly(source: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_python(check(source, SCHEMA))(ROW, CTX)
    assert caught.value.reason == "number_too_large"
