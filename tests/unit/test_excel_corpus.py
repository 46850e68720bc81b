"""Excel compatibility corpus: the examples of Microsoft's function reference
(support.microsoft.com, "<NAME> function"), written as Jimu formulas, with Excel's result.

A cell reference of an example is written as its value; a range as a sub-form (``fruit``,
``homes``) holding the example's rows. Excel's errors (#NUM!, #DIV/0!, #VALUE!) are blank
in Jimu. Numbers are Excel's full value, not its display (POWER(98.6, 3.2) shows 2401077.222).
``DEVIATIONS`` lists where Jimu deliberately gives another answer; each is explained in
docs/formulas.md. tests/db/test_expr_excel.py runs the corpus in SQL and in the browser.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.expr import EvalContext, check, compile_python
from jimu.engines.expr.functions import REGISTRY
from jimu.engines.expr.types import NUMBER, TEXT, FieldInfo, Schema, collection

D = Decimal
DOC = Path(__file__).resolve().parents[2] / "docs" / "formulas.md"

FRUIT = Schema("fruit").add(FieldInfo("name", TEXT)).add(FieldInfo("qty", NUMBER))
HOMES = Schema("homes").add(FieldInfo("value", NUMBER)).add(FieldInfo("commission", NUMBER))
SCHEMA = (
    Schema("corpus")
    .add(FieldInfo("blank", NUMBER))
    .add(FieldInfo("none", TEXT))
    .add(collection("fruit", FRUIT, "corpus_id"))
    .add(collection("homes", HOMES, "corpus_id"))
)
ROW: dict[str, Any] = {
    "blank": None,
    "none": None,
    # COUNTIF example: A2:A5 and B2:B5
    "fruit": [
        {"name": "apples", "qty": D(32)},
        {"name": "oranges", "qty": D(54)},
        {"name": "peaches", "qty": D(75)},
        {"name": "apples", "qty": D(86)},
    ],
    # SUMIF example: property values A2:A5 and commissions B2:B5
    "homes": [
        {"value": D(100000), "commission": D(7000)},
        {"value": D(200000), "commission": D(14000)},
        {"value": D(300000), "commission": D(21000)},
        {"value": D(400000), "commission": D(28000)},
    ],
}
CTX = EvalContext(today=date(2026, 11, 22), now=datetime(2026, 11, 22, 9, 30))

# Functions Excel does not have (or has with another meaning): no corpus entry.
NOT_IN_EXCEL = {
    "COALESCE",
    "CONTAINS",
    "STARTSWITH",
    "DATEADD",
    "DATETIME",
    "RMB_UPPER",
    "CURRENT_USER",
    "CURRENT_DEPT",
}

P = pytest.param
CORPUS = [
    # -- logic -----------------------------------------------------------------------------
    # IF: =IF(C2="Yes",1,2) with C2 = "Yes"
    P('IF("Yes" = "Yes", 1, 2)', D(1), id="IF-yes"),
    P('IF("No" = "Yes", 1, 2)', D(2), id="IF-no"),
    # IFS: =IFS(A2>89,"A",A2>79,"B",A2>69,"C",A2>59,"D",TRUE,"F") with A2 = 93, then 89
    P('IFS(93 > 89, "A", 93 > 79, "B", 93 > 69, "C", 93 > 59, "D", TRUE, "F")', "A", id="IFS-93"),
    P('IFS(89 > 89, "A", 89 > 79, "B", 89 > 69, "C", 89 > 59, "D", TRUE, "F")', "B", id="IFS-89"),
    # SWITCH: =SWITCH(A2,1,"Sunday",2,"Monday",3,"Tuesday","No match") with A2 = 2, and
    # =SWITCH(A4,1,"Sunday",7,"Saturday","weekday") with A4 = 99
    P('SWITCH(2, 1, "Sunday", 2, "Monday", 3, "Tuesday", "No match")', "Monday", id="SWITCH-2"),
    P('SWITCH(99, 1, "Sunday", 7, "Saturday", "weekday")', "weekday", id="SWITCH-default"),
    P('SWITCH(3, 1, "Sunday", 2, "Monday", 3, "Tuesday", "No match")', "Tuesday", id="SWITCH-3"),
    # SWITCH without a default and no match: #N/A
    P('SWITCH(99, 1, "Sunday", 2, "Monday", 3, "Tuesday")', None, id="SWITCH-no-match"),
    # AND: =AND(A2>1,A2<100) and =AND(A2<A3,A2<100) with A2 = 50, A3 = 25
    P("AND(50 > 1, 50 < 100)", True, id="AND-true"),
    P("AND(50 < 25, 50 < 100)", False, id="AND-false"),
    # OR: =OR(A2>1,A2<100) with A2 = 50
    P("OR(50 > 1, 50 < 100)", True, id="OR-true"),
    P("OR(50 > 100, 50 < 25)", False, id="OR-false"),
    # NOT: =NOT(A2>100) with A2 = 50
    P("NOT(50 > 100)", True, id="NOT"),
    # ISBLANK: =ISBLANK(A2) with A2 = "Region1"; an empty cell is TRUE
    P('ISBLANK("Region1")', False, id="ISBLANK-text"),
    P("ISBLANK(blank)", True, id="ISBLANK-empty"),
    # IFERROR: =IFERROR(A2/B2, 0) style, with 210/35 and 55/0
    P("IFERROR(210 / 35, 0)", D(6), id="IFERROR-value"),
    P('IFERROR(55 / 0, "Error in calculation")', "Error in calculation", id="IFERROR-error"),
    # -- math ------------------------------------------------------------------------------
    # SUM: =SUM(3, 2); =SUM(A2:A4) and =SUM(A2:A4, 15) with -5, 15, 30
    P("SUM(3, 2)", D(5), id="SUM-3-2"),
    P("SUM(-5, 15, 30)", D(40), id="SUM-range"),
    P("SUM(-5, 15, 30, 15)", D(55), id="SUM-range-15"),
    # AVERAGE: =AVERAGE(A2:A6) and =AVERAGE(A2:A6, 5) with 10, 7, 9, 27, 2
    P("AVERAGE(10, 7, 9, 27, 2)", D(11), id="AVERAGE"),
    P("AVERAGE(10, 7, 9, 27, 2, 5)", D(10), id="AVERAGE-5"),
    # MIN / MAX: =MIN(A2:A6), =MAX(A2:A6), =MAX(A2:A6, 30), =MIN(A2:A6, 0), same data
    P("MIN(10, 7, 9, 27, 2)", D(2), id="MIN"),
    P("MIN(10, 7, 9, 27, 2, 0)", D(0), id="MIN-0"),
    P("MAX(10, 7, 9, 27, 2)", D(27), id="MAX"),
    P("MAX(10, 7, 9, 27, 2, 30)", D(30), id="MAX-30"),
    # COUNT: =COUNT(A2:A8) over 12/8/2008, an empty cell, 19, 22.24 (and text): 3
    P("COUNT(DATE(2008, 12, 8), blank, 19, 22.24)", D(3), id="COUNT"),
    # COUNTIF: =COUNTIF(A2:A5,"apples") and =COUNTIF(B2:B5,">55")
    P('COUNTIF(fruit, fruit.name = "apples")', D(2), id="COUNTIF-apples"),
    P("COUNTIF(fruit, fruit.qty > 55)", D(2), id="COUNTIF-55"),
    # SUMIF: =SUMIF(A2:A5,">160000",B2:B5), =SUMIF(A2:A5,">160000"),
    # =SUMIF(A2:A5,300000,B2:B5)
    P("SUMIF(homes.commission, homes.value > 160000)", D(63000), id="SUMIF-commission"),
    P("SUMIF(homes.value, homes.value > 160000)", D(900000), id="SUMIF-values"),
    P("SUMIF(homes.commission, homes.value = 300000)", D(21000), id="SUMIF-equal"),
    # ROUND: the seven examples of the ROUND page
    P("ROUND(2.15, 1)", D("2.2"), id="ROUND-2.15"),
    P("ROUND(2.149, 1)", D("2.1"), id="ROUND-2.149"),
    P("ROUND(-1.475, 2)", D("-1.48"), id="ROUND--1.475"),
    P("ROUND(21.5, -1)", D(20), id="ROUND-21.5"),
    P("ROUND(626.3, -3)", D(1000), id="ROUND-626.3"),
    P("ROUND(1.98, -1)", D(0), id="ROUND-1.98"),
    P("ROUND(-50.55, -2)", D(-100), id="ROUND--50.55"),
    # ROUNDUP
    P("ROUNDUP(3.2, 0)", D(4), id="ROUNDUP-3.2"),
    P("ROUNDUP(76.9, 0)", D(77), id="ROUNDUP-76.9"),
    P("ROUNDUP(3.14159, 3)", D("3.142"), id="ROUNDUP-pi"),
    P("ROUNDUP(-3.14159, 1)", D("-3.2"), id="ROUNDUP--pi"),
    P("ROUNDUP(31415.92654, -2)", D(31500), id="ROUNDUP-hundreds"),
    # ROUNDDOWN
    P("ROUNDDOWN(3.2, 0)", D(3), id="ROUNDDOWN-3.2"),
    P("ROUNDDOWN(76.9, 0)", D(76), id="ROUNDDOWN-76.9"),
    P("ROUNDDOWN(3.14159, 3)", D("3.141"), id="ROUNDDOWN-pi"),
    P("ROUNDDOWN(-3.14159, 1)", D("-3.1"), id="ROUNDDOWN--pi"),
    P("ROUNDDOWN(31415.92654, -2)", D(31400), id="ROUNDDOWN-hundreds"),
    # INT: =INT(8.9), =INT(-8.9), =A2-INT(A2) with 19.5
    P("INT(8.9)", D(8), id="INT-8.9"),
    P("INT(-8.9)", D(-9), id="INT--8.9"),
    P("19.5 - INT(19.5)", D("0.5"), id="INT-fraction"),
    # ABS: =ABS(2), =ABS(-2), =ABS(A2) with -4
    P("ABS(2)", D(2), id="ABS-2"),
    P("ABS(-2)", D(2), id="ABS--2"),
    P("ABS(-4)", D(4), id="ABS--4"),
    # MOD: =MOD(3, 2), =MOD(-3, 2), =MOD(3, -2), =MOD(-3, -2); MOD(3, 0) is #DIV/0!
    P("MOD(3, 2)", D(1), id="MOD-3-2"),
    P("MOD(-3, 2)", D(1), id="MOD--3-2"),
    P("MOD(3, -2)", D(-1), id="MOD-3--2"),
    P("MOD(-3, -2)", D(-1), id="MOD--3--2"),
    P("MOD(3, 0)", None, id="MOD-div0"),
    # POWER: =POWER(5,2), =POWER(98.6,3.2) (2401077.222), =POWER(4,5/4) (5.656854249)
    P("POWER(5, 2)", D(25), id="POWER-5-2"),
    P("POWER(98.6, 3.2)", D("2401077.22206958"), id="POWER-98.6"),
    P("POWER(4, 5/4)", D("5.65685424949238"), id="POWER-4"),
    P("ROUND(POWER(98.6, 3.2), 3)", D("2401077.222"), id="POWER-98.6-shown"),
    # SQRT: =SQRT(16), =SQRT(-16) (#NUM!), =SQRT(ABS(-16))
    P("SQRT(16)", D(4), id="SQRT-16"),
    P("SQRT(-16)", None, id="SQRT-negative"),
    P("SQRT(ABS(-16))", D(4), id="SQRT-ABS"),
    # -- text ------------------------------------------------------------------------------
    # CONCAT: =CONCAT("Stream population for ", A2," ", A3, " is ", A4, "/mile.")
    P(
        'CONCAT("Stream population for ", "brook trout", " ", "species", " is ", 32, "/mile.")',
        "Stream population for brook trout species is 32/mile.",
        id="CONCAT",
    ),
    # LEFT: =LEFT(A2,4) with "Sale Price", =LEFT(A3) with "Sweden"
    P('LEFT("Sale Price", 4)', "Sale", id="LEFT-4"),
    P('LEFT("Sweden")', "S", id="LEFT-1"),
    # RIGHT: =RIGHT(A2,5) with "Sale Price", =RIGHT(A3) with "Stock Number"
    P('RIGHT("Sale Price", 5)', "Price", id="RIGHT-5"),
    P('RIGHT("Stock Number")', "r", id="RIGHT-1"),
    # MID: =MID(A2,1,5), =MID(A2,7,20), =MID(A2,20,5) with "Fluid Flow"
    P('MID("Fluid Flow", 1, 5)', "Fluid", id="MID-1"),
    P('MID("Fluid Flow", 7, 20)', "Flow", id="MID-7"),
    P('MID("Fluid Flow", 20, 5)', "", id="MID-20"),
    # LEN: =LEN(A2) with "Phoenix, AZ", "" and "     One   "
    P('LEN("Phoenix, AZ")', D(11), id="LEN-phoenix"),
    P('LEN("")', D(0), id="LEN-empty"),
    P('LEN("     One   ")', D(11), id="LEN-spaces"),
    # UPPER: "total", "Yield"; LOWER: "E. E. Cummings", "Apt. 2B"
    P('UPPER("total")', "TOTAL", id="UPPER-total"),
    P('UPPER("Yield")', "YIELD", id="UPPER-yield"),
    P('LOWER("E. E. Cummings")', "e. e. cummings", id="LOWER-cummings"),
    P('LOWER("Apt. 2B")', "apt. 2b", id="LOWER-apt"),
    # TRIM: =TRIM(" First Quarter Earnings ")
    P('TRIM(" First Quarter Earnings ")', "First Quarter Earnings", id="TRIM"),
    # SUBSTITUTE: =SUBSTITUTE(A2, "Sales", "Cost") with "Sales Data"
    P('SUBSTITUTE("Sales Data", "Sales", "Cost")', "Cost Data", id="SUBSTITUTE"),
    # REPLACE: =REPLACE(A2,6,5,"*"), =REPLACE(A3,3,2,"10"), =REPLACE(A4,1,3,"@")
    P('REPLACE("abcdefghijk", 6, 5, "*")', "abcde*k", id="REPLACE-star"),
    P('REPLACE("2009", 3, 2, "10")', "2010", id="REPLACE-year"),
    P('REPLACE("123456", 1, 3, "@")', "@456", id="REPLACE-at"),
    # FIND: =FIND("M",A2), =FIND("m",A2), =FIND("M",A2,3) with "Miriam McGovern"
    P('FIND("M", "Miriam McGovern")', D(1), id="FIND-M"),
    P('FIND("m", "Miriam McGovern")', D(6), id="FIND-m"),
    P('FIND("M", "Miriam McGovern", 3)', D(8), id="FIND-M-3"),
    # TEXT: =TEXT(1234.567,"$#,##0.00"), =TEXT(0.285,"0.0%"), =TEXT(1234,"0000000")
    P('TEXT(1234.567, "$#,##0.00")', "$1,234.57", id="TEXT-currency"),
    P('TEXT(0.285, "0.0%")', "28.5%", id="TEXT-percent"),
    P('TEXT(1234, "0000000")', "0001234", id="TEXT-zeros"),
    # TEXT with the date codes of "Number format codes" (mmm Jan, mmmm January, ddd Sun,
    # dddd Sunday, yy 12, h:mm AM/PM 4:36 PM, mm:ss, [the example date 2012-01-01 16:36:03])
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "mmm")', "Jan", id="TEXT-mmm"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "mmmm")', "January", id="TEXT-mmmm"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "ddd")', "Sun", id="TEXT-ddd"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "dddd")', "Sunday", id="TEXT-dddd"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "yy")', "12", id="TEXT-yy"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "h:mm AM/PM")', "4:36 PM", id="TEXT-ampm"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "h:mm:ss A/P")', "4:36:03 P", id="TEXT-ap"),
    P('TEXT(DATETIME(2012, 1, 1, 16, 36, 3), "mm:ss")', "36:03", id="TEXT-mm-ss"),
    # VALUE: =VALUE("1,000")-style text numbers
    P('VALUE("1,000")', D(1000), id="VALUE"),
    # -- dates -----------------------------------------------------------------------------
    # TODAY: =TODAY()+5 is five days from today
    P("DAYS(TODAY() + 5, TODAY())", D(5), id="TODAY"),
    # NOW: =NOW()+7 is seven days from now
    P("DAYS(NOW() + 7, NOW())", D(7), id="NOW"),
    # DATE: =DATE(C2,A2,B2) with 2011, 1, 1; DATE(108,1,2) is January 2, 2008 (1900+108)
    P("DATE(2011, 1, 1)", date(2011, 1, 1), id="DATE"),
    P("DATE(108, 1, 2)", date(2008, 1, 2), id="DATE-year-108"),
    P("DATE(2008, 1, 2)", date(2008, 1, 2), id="DATE-year-2008"),
    # a year below 0 or from 10000 is #NUM!
    P("DATE(-1, 1, 2)", None, id="DATE-negative-year"),
    P("DATE(10000, 1, 2)", None, id="DATE-year-10000"),
    # YEAR: =YEAR(A3) with 7/5/2008, =YEAR(A4) with 7/5/2010
    P("YEAR(DATE(2008, 7, 5))", D(2008), id="YEAR-2008"),
    P("YEAR(DATE(2010, 7, 5))", D(2010), id="YEAR-2010"),
    # MONTH / DAY: =MONTH(A2), =DAY(A2) with 15-Apr-11
    P("MONTH(DATE(2011, 4, 15))", D(4), id="MONTH"),
    P("DAY(DATE(2011, 4, 15))", D(15), id="DAY"),
    # WEEKDAY: =WEEKDAY(A2), =WEEKDAY(A2, 2), =WEEKDAY(A2, 3) with 2/14/2008
    P("WEEKDAY(DATE(2008, 2, 14))", D(5), id="WEEKDAY-1"),
    P("WEEKDAY(DATE(2008, 2, 14), 2)", D(4), id="WEEKDAY-2"),
    P("WEEKDAY(DATE(2008, 2, 14), 3)", D(3), id="WEEKDAY-3"),
    # WEEKNUM: =WEEKNUM(A2), =WEEKNUM(A2,2) with 3/9/2012
    P("WEEKNUM(DATE(2012, 3, 9))", D(10), id="WEEKNUM-1"),
    P("WEEKNUM(DATE(2012, 3, 9), 2)", D(11), id="WEEKNUM-2"),
    # DATEDIF: 1/1/2001 to 1/1/2003 "Y" is 2; 6/1/2001 to 8/15/2002 "D" is 440, "YD" 75,
    # and "MD" (the days' difference, months and years ignored) 14
    P('DATEDIF(DATE(2001, 1, 1), DATE(2003, 1, 1), "Y")', D(2), id="DATEDIF-Y"),
    P('DATEDIF(DATE(2001, 6, 1), DATE(2002, 8, 15), "D")', D(440), id="DATEDIF-D"),
    P('DATEDIF(DATE(2001, 6, 1), DATE(2002, 8, 15), "YD")', D(75), id="DATEDIF-YD"),
    P('DATEDIF(DATE(2001, 6, 1), DATE(2002, 8, 15), "MD")', D(14), id="DATEDIF-MD"),
    # a start after the end is #NUM!
    P('DATEDIF(DATE(2003, 1, 1), DATE(2001, 1, 1), "Y")', None, id="DATEDIF-reversed"),
    # DAYS: =DAYS("15-MAR-2021","1-FEB-2021"), =DAYS(A2,A3) with 31-DEC-2021, 1-JAN-2021
    P("DAYS(DATE(2021, 3, 15), DATE(2021, 2, 1))", D(42), id="DAYS-42"),
    P("DAYS(DATE(2021, 12, 31), DATE(2021, 1, 1))", D(364), id="DAYS-364"),
    # EOMONTH: =EOMONTH(A2,1), =EOMONTH(A2,-3) with 1-Jan-11
    P("EOMONTH(DATE(2011, 1, 1), 1)", date(2011, 2, 28), id="EOMONTH-1"),
    P("EOMONTH(DATE(2011, 1, 1), -3)", date(2010, 10, 31), id="EOMONTH--3"),
    # NETWORKDAYS: =NETWORKDAYS(A2,A3) with 10/1/2012 and 3/1/2013
    P("NETWORKDAYS(DATE(2012, 10, 1), DATE(2013, 3, 1))", D(110), id="NETWORKDAYS"),
]

# Where Jimu answers otherwise on purpose: (formula, Jimu's value, Excel's value, the words
# of docs/formulas.md that explain it).
DEVIATIONS = [
    # DATE: =DATE(2008,14,2) is February 2, 2009; =DATE(2008,1,35) is February 4, 2008
    P("DATE(2008, 14, 2)", None, date(2009, 2, 2), "impossible dates", id="DATE-month-14"),
    P("DATE(2008, 1, 35)", None, date(2008, 2, 4), "impossible dates", id="DATE-day-35"),
    # VALUE: =VALUE("$1,000") is 1000
    P('VALUE("$1,000")', None, D(1000), "currency symbols", id="VALUE-currency"),
    # COUNT: =COUNT(A2:A8) does not count "Sales"
    P('COUNT("Sales", 19, 22.24)', D(3), D(2), "like Excel's COUNTA", id="COUNT-text"),
    # IFERROR: =IFERROR(A2/B2, "Error in calculation") with 210/35 is the number 6
    P('IFERROR(210 / 35, "Error in calculation")', "6", D(6), "the result is text", id="IFERROR"),
    # Floating-point arithmetic may give inaccurate results in Excel: =1*(0.5-0.4-0.1) is
    # -2.78E-17
    P("1 * (0.5 - 0.4 - 0.1)", D(0), D("-2.78E-17"), "exact decimals", id="float-residue"),
    # Text comparison ignores case in Excel
    P('"a" = "A"', False, True, "case-sensitive", id="text-case"),
]


def same(actual: Any, expected: Any) -> bool:
    """Numbers by value, everything else by value and type (a date is not a datetime)."""
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, Decimal):
        return isinstance(actual, Decimal) and actual == expected
    return type(actual) is type(expected) and bool(actual == expected)


def evaluate(source: str) -> Any:
    return compile_python(check(source, SCHEMA))(ROW, CTX)


@pytest.mark.parametrize(("source", "excel"), CORPUS)
def test_formula_gives_excels_result(source: str, excel: Any) -> None:
    value = evaluate(source)
    assert same(value, excel), (source, value)


@pytest.mark.parametrize(("source", "jimu", "excel", "explained"), DEVIATIONS)
def test_deliberate_deviation_is_documented(
    source: str, jimu: Any, excel: Any, explained: str
) -> None:
    value = evaluate(source)
    assert same(value, jimu), (source, value)
    assert not same(value, excel)
    assert explained in DOC.read_text(encoding="utf-8"), explained


def test_every_excel_function_of_the_registry_is_in_the_corpus() -> None:
    called = {name for p in CORPUS for name in REGISTRY if f"{name}(" in p.values[0]}
    assert set(REGISTRY) - NOT_IN_EXCEL - called == set()
    assert NOT_IN_EXCEL <= set(REGISTRY)
