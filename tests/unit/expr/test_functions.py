"""Every function of the registry, evaluated in Python, with its edge cases: blank arguments,
negatives and zero, leap years and month ends, week types, Chinese and long text, 人民币大写.

``TABLES`` must name every function in ``REGISTRY``: a new function without cases fails
``test_every_registry_function_has_cases``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import (
    REGISTRY,
    EvalContext,
    FieldInfo,
    Schema,
    check,
    collection,
    compile_python,
    relation,
)
from jimu.engines.expr.types import BOOL, DATE, DATETIME, DEPARTMENT, NUMBER, TEXT, USER

D = Decimal

CUSTOMER = (
    Schema("customer")
    .add(FieldInfo("name", TEXT))
    .add(FieldInfo("industry", TEXT))
    .add(FieldInfo("credit", NUMBER))
)
LINE = (
    Schema("line")
    .add(FieldInfo("qty", NUMBER))
    .add(FieldInfo("price", NUMBER))
    .add(FieldInfo("subtotal", NUMBER))
    .add(FieldInfo("sku", TEXT))
    .add(FieldInfo("due", DATE))
)
OPPORTUNITY = (
    Schema("opportunity")
    .add(FieldInfo("amount", NUMBER))
    .add(FieldInfo("stage", TEXT))
    .add(FieldInfo("closed", DATETIME))
)
SCHEMA = (
    Schema("contract")
    .add(FieldInfo("amount", NUMBER, {"zh": "合同金额", "en": "Amount"}))
    .add(FieldInfo("blank", NUMBER))
    .add(FieldInfo("neg", NUMBER))
    .add(FieldInfo("zero", NUMBER))
    .add(FieldInfo("name", TEXT))
    .add(FieldInfo("empty", TEXT))
    .add(FieldInfo("long", TEXT))
    .add(FieldInfo("sign", DATE))
    .add(FieldInfo("nodate", DATE))
    .add(FieldInfo("at", DATETIME))
    .add(FieldInfo("vip", BOOL))
    .add(FieldInfo("unset", BOOL))
    .add(FieldInfo("owner", USER))
    .add(FieldInfo("dept", DEPARTMENT))
    .add(relation("customer", CUSTOMER))
    .add(relation("nobody", CUSTOMER))
    .add(collection("lines", LINE, "contract_id"))
    .add(collection("opps", OPPORTUNITY, "contract_id"))
    .add(collection("nolines", LINE, "contract_id"))
)
ROW: dict[str, Any] = {
    "amount": D("12345.67"),
    "blank": None,
    "neg": D("-2.5"),
    "zero": D(0),
    "name": "客户管理 CRM",
    "empty": None,
    "long": "长" * 50_000,
    "sign": date(2024, 1, 31),
    "nodate": None,
    "at": datetime(2026, 3, 5, 9, 7, 30),
    "vip": True,
    "unset": None,
    "owner": 7,
    "dept": 3,
    "customer": {"name": "积木科技", "industry": "IT", "credit": D(100)},
    "nobody": None,
    "lines": [
        {"qty": D(2), "price": D("10.5"), "subtotal": D(21), "sku": "A-1", "due": date(2024, 3, 1)},
        {"qty": D(1), "price": D(100), "subtotal": None, "sku": None, "due": None},
        {"qty": 3, "price": 0.1, "subtotal": 0.3, "sku": "c-3", "due": date(2023, 12, 25)},
    ],
    "opps": [
        {"amount": D(1000), "stage": "won", "closed": datetime(2026, 1, 5, 10, 0)},
        {"amount": D(500), "stage": "lost", "closed": None},
        {"amount": None, "stage": "won", "closed": None},
        {"amount": D(250), "stage": None, "closed": datetime(2025, 12, 31, 23, 59)},
    ],
    "nolines": [],
}
RECORDS = {("customer", 5): {"name": "远程客户", "industry": "制造", "credit": None}}


def load(schema: str, ident: Any) -> Mapping[str, Any] | None:
    return RECORDS.get((schema, ident))


CTX = EvalContext(
    today=date(2026, 11, 22),  # a Sunday
    now=datetime(2026, 11, 22, 8, 30),
    user_id=7,
    department_id=3,
    load=load,
)

Case = tuple[str, Any] | tuple[str, Mapping[str, Any], Any]

TABLES: dict[str, list[Case]] = {
    # -- logic ---------------------------------------------------------------------------
    "IF": [
        ('IF(amount > 10000, "VP", "Manager")', "VP"),
        ('IF(amount > 100000, "VP", "Manager")', "Manager"),
        ("IF(amount > 100000, 1)", None),
        ("IF(blank > 1, 1, 2)", D(2)),
        ("IF(unset, 1, 2)", D(2)),
        ("IF(vip, 1, 2)", D(1)),
        ("IF(NULL, 1, 2)", D(2)),
        ("IF(TRUE, NULL, 2)", None),
        ("IF(TRUE, sign, at)", date(2024, 1, 31)),
        ("IF(TRUE, 1, 1 / 0)", D(1)),
        ("SUM(IF(lines.qty > 1, lines.qty, 0))", D(5)),
        ("SUM(IF(lines.qty > 1, 1))", D(2)),
    ],
    "IFS": [
        ('IFS(amount >= 90000, "A", amount >= 10000, "B", TRUE, "C")', "B"),
        ('IFS(amount > 100000, "A")', None),
        ('IFS(blank > 1, "A", blank < 1, "B")', None),
        ('IFS(unset, "A", NOT unset, "B")', "B"),
        ("IFS(FALSE, 1 / 0, TRUE, 2)", D(2)),
        ("SUM(IFS(lines.qty > 2, 100, lines.qty > 1, 10, TRUE, 1))", D(111)),
    ],
    "SWITCH": [
        ('SWITCH(customer.industry, "IT", "tech", "manufacturing")', "tech"),
        ('SWITCH("x", "a", 1, "b", 2)', None),
        ('SWITCH("x", "a", 1, "b", 2, 0)', D(0)),
        ('SWITCH(blank, NULL, "none", "some")', "none"),
        ('SWITCH(zero, NULL, "none", 0, "zero", "some")', "zero"),
        ("SWITCH(2, 1, sign, 2, DATE(2026, 1, 1))", date(2026, 1, 1)),
        ("SUM(SWITCH(lines.qty, 1, 10, 2, 20, 0))", D(30)),
    ],
    "AND": [
        ("AND(TRUE, TRUE)", True),
        ("AND(TRUE, FALSE)", False),
        ("AND(amount > 0, vip)", True),
        ("AND(amount > 0, unset)", False),
        ("AND(blank > 0)", False),
        ("AND(NULL)", False),
        ("AND(TRUE, TRUE, TRUE, 1 = 1)", True),
        ("COUNTIF(lines, AND(lines.qty > 1, lines.price > 1))", D(1)),
    ],
    "OR": [
        ("OR(FALSE, FALSE)", False),
        ("OR(FALSE, TRUE)", True),
        ("OR(blank > 1, unset)", False),
        ("OR(NULL, amount > 0)", True),
        ('OR(name = "x", name = "客户管理 CRM")', True),
        ("COUNTIF(lines, OR(lines.qty > 2, lines.price > 50))", D(2)),
    ],
    "NOT": [
        ("NOT(TRUE)", False),
        ("NOT(FALSE)", True),
        ("NOT(unset)", True),
        ("NOT(NULL)", True),
        ("NOT(blank > 1)", True),
        ("NOT(vip)", False),
    ],
    "ISBLANK": [
        ("ISBLANK(blank)", True),
        ("ISBLANK(NULL)", True),
        ('ISBLANK("")', True),
        ("ISBLANK(empty)", True),
        ('ISBLANK(" ")', False),
        ("ISBLANK(0)", False),
        ("ISBLANK(zero)", False),
        ("ISBLANK(nodate)", True),
        ("ISBLANK(sign)", False),
        ("ISBLANK(1 / 0)", True),
        ("ISBLANK(nobody.name)", True),
        ("COUNTIF(lines, ISBLANK(lines.sku))", D(1)),
    ],
    "COALESCE": [
        ("COALESCE(blank, NULL, amount)", D("12345.67")),
        ("COALESCE(blank)", None),
        ("COALESCE(zero, 5)", D(0)),
        ('COALESCE(empty, "n/a")', "n/a"),
        ("COALESCE(nodate, sign)", date(2024, 1, 31)),
        ("SUM(COALESCE(lines.subtotal, 99))", D("120.3")),
    ],
    "IFERROR": [
        ("IFERROR(amount / 0, -1)", D(-1)),
        ("IFERROR(amount / 5, -1)", D("2469.134")),
        ("IFERROR(0 / 0, 0)", D(0)),
        ("IFERROR(SQRT(-1), 5)", D(5)),
        ('IFERROR(FIND("z", "abc"), 0)', D(0)),
        ('IFERROR(VALUE("x"), 0)', D(0)),
        ("IFERROR(DATE(2023, 2, 29), DATE(2023, 3, 1))", date(2023, 3, 1)),
        ("IFERROR(blank, 7)", D(7)),
        ("IFERROR(POWER(-8, 0.5), 1)", D(1)),
        ("IFERROR(1 / 0, NULL)", None),
    ],
    # -- math and aggregates -------------------------------------------------------------
    "SUM": [
        ("SUM(lines.subtotal)", D("21.3")),
        ("SUM(lines.qty * lines.price)", D("121.3")),
        ("SUM(amount, blank, 1)", D("12346.67")),
        ("SUM(blank)", D(0)),
        ("SUM(nolines.subtotal)", D(0)),
        ("SUM(opps.amount)", D(1750)),
        ("SUM(lines.qty, 10)", D(16)),
        ("SUM(-lines.qty)", D(-6)),
        ("SUM(lines.qty * amount)", D("74074.02")),
        ("SUM(neg, neg)", D(-5)),
        ("SUM(0.1, 0.2)", D("0.3")),
    ],
    "AVERAGE": [
        ("AVERAGE(lines.subtotal)", D("10.65")),
        ("AVERAGE(1, 2, blank)", D("1.5")),
        ("AVERAGE(blank)", None),
        ("AVERAGE(nolines.qty)", None),
        ("AVERAGE(opps.amount)", D("583.333333333333")),
        ("AVERAGE(-1, 1)", D(0)),
    ],
    "MIN": [
        ("MIN(lines.qty)", D(1)),
        ("MIN(lines.subtotal)", D("0.3")),
        ("MIN(3, neg, blank)", D("-2.5")),
        ("MIN(blank)", None),
        ("MIN(nolines.qty)", None),
        ("MIN(lines.due)", date(2023, 12, 25)),
        ("MIN(sign, DATE(2020, 1, 1))", date(2020, 1, 1)),
        ('MIN(lines.sku, "B")', "A-1"),
        ("MIN(opps.closed)", datetime(2025, 12, 31, 23, 59)),
        ("MIN(sign, at)", datetime(2024, 1, 31)),
    ],
    "MAX": [
        ("MAX(lines.qty)", D(3)),
        ("MAX(amount, 1000)", D("12345.67")),
        ("MAX(neg, blank)", D("-2.5")),
        ("MAX(blank)", None),
        ("MAX(nolines.due)", None),
        ("MAX(lines.due)", date(2024, 3, 1)),
        ('MAX(name, "A")', "客户管理 CRM"),
        ("MAX(lines.sku)", "c-3"),
        ("MAX(sign, at)", datetime(2026, 3, 5, 9, 7, 30)),
    ],
    "COUNT": [
        ("COUNT(lines)", D(3)),
        ("COUNT(lines.subtotal)", D(2)),
        ("COUNT(lines.sku)", D(2)),
        ("COUNT(nolines)", D(0)),
        ("COUNT(opps.closed)", D(2)),
        ("COUNT(amount, blank, 1)", D(2)),
        ("COUNT(blank)", D(0)),
        ("COUNT(customer)", D(1)),
        ("COUNT(nobody)", D(0)),
    ],
    "COUNTIF": [
        ('COUNTIF(opps, opps.stage = "won")', D(2)),
        ('COUNTIF(opps.amount, opps.stage = "won")', D(1)),
        ('COUNTIF(opps, opps.stage <> "won")', D(2)),
        ("COUNTIF(opps, opps.amount > 300)", D(2)),
        ("COUNTIF(opps, ISBLANK(opps.stage))", D(1)),
        ('COUNTIF(nolines, nolines.sku = "x")', D(0)),
        ("COUNTIF(lines, lines.qty IN (1, 3))", D(2)),
    ],
    "SUMIF": [
        ('SUMIF(opps.amount, opps.stage = "won")', D(1000)),
        ('SUMIF(opps.amount, opps.stage = "nobody")', D(0)),
        ('SUMIF(opps.amount, opps.stage <> "won")', D(750)),
        ("SUMIF(opps.amount, opps.amount >= 500)", D(1500)),
        ("SUMIF(lines.qty * lines.price, lines.qty > 1)", D("21.3")),
        ("SUMIF(nolines.qty, nolines.qty > 0)", D(0)),
        ("SUMIF(opps.amount, opps.closed > DATETIME(2026, 1, 1))", D(1000)),
    ],
    "ROUND": [
        ("ROUND(2.675, 2)", D("2.68")),
        ("ROUND(2.5)", D(3)),
        ("ROUND(-2.5)", D(-3)),
        ("ROUND(0.5)", D(1)),
        ("ROUND(-0.5)", D(-1)),
        ("ROUND(1.005, 2)", D("1.01")),
        ("ROUND(1234.5, -2)", D(1200)),
        ("ROUND(1250, -2)", D(1300)),
        ("ROUND(-1250, -2)", D(-1300)),
        ("ROUND(49, -2)", D(0)),
        ("ROUND(amount, 1)", D("12345.7")),
        ("ROUND(5, blank)", D(5)),
        ("ROUND(blank, 2)", None),
        ("ROUND(0, 3)", D(0)),
        ("ROUND(1 / 3, 4)", D("0.3333")),
        ("ROUND(1E39, 2)", D("1E39")),
        ("ROUND(1.5, 40)", D("1.5")),
        (
            "ROUND(123456789012345678901234567890123456.78, 1)",
            D("123456789012345678901234567890123456.8"),
        ),
    ],
    "ROUNDUP": [
        ("ROUNDUP(3.141, 2)", D("3.15")),
        ("ROUNDUP(-3.141, 2)", D("-3.15")),
        ("ROUNDUP(3.0001)", D(4)),
        ("ROUNDUP(3)", D(3)),
        ("ROUNDUP(1201, -2)", D(1300)),
        ("ROUNDUP(0, 2)", D(0)),
        ("ROUNDUP(blank)", None),
        ("ROUNDUP(-1E39, 3)", D("-1E39")),
    ],
    "ROUNDDOWN": [
        ("ROUNDDOWN(3.149, 2)", D("3.14")),
        ("ROUNDDOWN(-3.149, 1)", D("-3.1")),
        ("ROUNDDOWN(-0.9)", D(0)),
        ("ROUNDDOWN(1299, -2)", D(1200)),
        ("ROUNDDOWN(blank, 1)", None),
        ("ROUNDDOWN(9.99E39, 5)", D("9.99E39")),
    ],
    "INT": [
        ("INT(7.9)", D(7)),
        ("INT(-1.5)", D(-2)),
        ("INT(-0.1)", D(-1)),
        ("INT(0)", D(0)),
        ("INT(5)", D(5)),
        ("INT(blank)", None),
        ("INT(neg)", D(-3)),
    ],
    "ABS": [
        ("ABS(-5)", D(5)),
        ("ABS(5)", D(5)),
        ("ABS(0)", D(0)),
        ("ABS(neg)", D("2.5")),
        ("ABS(blank)", None),
        ("ABS(-0.001)", D("0.001")),
    ],
    "MOD": [
        ("MOD(10, 3)", D(1)),
        ("MOD(-3, 2)", D(1)),
        ("MOD(3, -2)", D(-1)),
        ("MOD(-3, -2)", D(-1)),
        ("MOD(6, 3)", D(0)),
        ("MOD(-6, 3)", D(0)),
        ("MOD(5.5, 2)", D("1.5")),
        ("MOD(-5.5, 2)", D("0.5")),
        ("MOD(0, 5)", D(0)),
        ("MOD(3, 0)", None),
        ("MOD(blank, 2)", None),
        ("MOD(2, blank)", None),
    ],
    "POWER": [
        ("POWER(2, 10)", D(1024)),
        ("POWER(2, -1)", D("0.5")),
        ("POWER(-2, 3)", D(-8)),
        ("POWER(-2, 2)", D(4)),
        ("POWER(4, 0.5)", D(2)),
        ("POWER(5, 0)", D(1)),
        ("POWER(1.05, 3)", D("1.157625")),
        ("POWER(-8, 1 / 3)", None),
        ("POWER(0, -1)", None),
        ("POWER(blank, 2)", None),
        ("POWER(2, blank)", None),
        ("POWER(1, 1000)", D(1)),
        ("POWER(0.5, 1000)", D(0)),
    ],
    "SQRT": [
        ("SQRT(16)", D(4)),
        ("SQRT(0)", D(0)),
        ("SQRT(0.25)", D("0.5")),
        ("SQRT(2)", D("1.4142135623731")),
        ("SQRT(-1)", None),
        ("SQRT(blank)", None),
    ],
    # -- text ----------------------------------------------------------------------------
    "CONCAT": [
        ('CONCAT("a", blank, "b")', "ab"),
        ("CONCAT(blank)", ""),
        ("CONCAT(empty, empty)", ""),
        ('CONCAT(name, "-", customer.name)', "客户管理 CRM-积木科技"),
        ("CONCAT(1.50)", "1.5"),
        ("CONCAT(100)", "100"),
        ("CONCAT(1E3)", "1000"),
        ("CONCAT(0)", "0"),
        ("CONCAT(-0.50)", "-0.5"),
        ("CONCAT(0.0000001)", "0.0000001"),
        ("CONCAT(1 / 3)", "0.333333333333333"),
        ("CONCAT(2 / 3)", "0.666666666666667"),
        ("CONCAT(-2 / 3)", "-0.666666666666667"),
        ("CONCAT(1234567.891234567891)", "1234567.89123457"),
        ("CONCAT(123456789012345678)", "123456789012346000"),
        ("CONCAT(0.1 + 0.2)", "0.3"),
        ("CONCAT(TRUE, FALSE)", "TRUEFALSE"),
        ("CONCAT(sign)", "2024-01-31"),
        ("CONCAT(at)", "2026-03-05 09:07:30"),
        ("CONCAT(owner)", "7"),
        ('CONCAT("客户", "管理")', "客户管理"),
    ],
    "LEFT": [
        ('LEFT("积木平台", 2)', "积木"),
        ("LEFT(name)", "客"),
        ("LEFT(name, 4)", "客户管理"),
        ('LEFT("abc", 10)', "abc"),
        ('LEFT("abc", 0)', ""),
        ('LEFT("abc", 1.9)', "a"),
        ('LEFT("abc", -1)', None),
        ('LEFT("abc", blank)', ""),
        ("LEFT(empty, 2)", ""),
        ("LEN(LEFT(long, 49999))", D(49_999)),
    ],
    "RIGHT": [
        ("RIGHT(name, 3)", "CRM"),
        ('RIGHT("客户管理", 2)', "管理"),
        ('RIGHT("abc")', "c"),
        ('RIGHT("abc", 0)', ""),
        ('RIGHT("abc", 10)', "abc"),
        ('RIGHT("abc", -1)', None),
        ("RIGHT(empty, 2)", ""),
    ],
    "MID": [
        ('MID("HT-2026-0001", 4, 4)', "2026"),
        ('MID("客户管理", 2, 2)', "户管"),
        ('MID("客户管理", 3, 10)', "管理"),
        ('MID("abc", 4, 1)', ""),
        ('MID("abc", 1, 0)', ""),
        ('MID("abc", 0, 1)', None),
        ('MID("abc", 1, -1)', None),
        ('MID("abc", blank, 1)', None),
        ("MID(empty, 1, 1)", ""),
        ("LEN(MID(long, 10, 40000))", D(40_000)),
    ],
    "LEN": [
        ('LEN("客户管理")', D(4)),
        ("LEN(name)", D(8)),
        ('LEN("")', D(0)),
        ("LEN(empty)", D(0)),
        ('LEN("a\\nb")', D(3)),
        ('LEN("😀")', D(1)),
        ("LEN(long)", D(50_000)),
        ('LEN("' + "长" * 9000 + '")', D(9000)),
        ("LEN(long & long)", D(100_000)),
    ],
    "UPPER": [
        ('UPPER("abc")', "ABC"),
        ('UPPER("aBc 1-2")', "ABC 1-2"),
        ('UPPER("ß é ä")', "ß é ä"),
        ('UPPER("客户crm")', "客户CRM"),
        ('UPPER("ｆｕｌｌ")', "ｆｕｌｌ"),
        ("UPPER(empty)", ""),
    ],
    "LOWER": [
        ('LOWER("ABC")', "abc"),
        ('LOWER("ÄÖÜ İ")', "ÄÖÜ İ"),
        ('LOWER("客户CRM")', "客户crm"),
        ("LOWER(empty)", ""),
    ],
    "TRIM": [
        ('TRIM("  a   b  ")', "a b"),
        ('TRIM("a b")', "a b"),
        ('TRIM("   ")', ""),
        ('TRIM(" 客户   管理 ")', "客户 管理"),
        ('TRIM("　全角")', "　全角"),
        ("TRIM(empty)", ""),
    ],
    "SUBSTITUTE": [
        ('SUBSTITUTE("138-0000-0000", "-", "")', "13800000000"),
        ('SUBSTITUTE("aaa", "a", "bb")', "bbbbbb"),
        ('SUBSTITUTE("abc", "", "x")', "abc"),
        ('SUBSTITUTE("客户管理", "管理", "关系")', "客户关系"),
        ('SUBSTITUTE("abc", "z", "y")', "abc"),
        ('SUBSTITUTE(empty, "a", "b")', ""),
        ('SUBSTITUTE("a-b", "-", empty)', "ab"),
        ('LEN(SUBSTITUTE(long, "长", "短"))', D(50_000)),
    ],
    "REPLACE": [
        ('REPLACE("13800000000", 4, 4, "****")', "138****0000"),
        ('REPLACE("客户管理", 2, 2, "X")', "客X理"),
        ('REPLACE("abc", 4, 0, "d")', "abcd"),
        ('REPLACE("abc", 1, 0, "x")', "xabc"),
        ('REPLACE("abc", 2, 100, "")', "a"),
        ('REPLACE("abc", 0, 1, "x")', None),
        ('REPLACE("abc", 1, -1, "x")', None),
        ('REPLACE(empty, 1, 1, "x")', "x"),
    ],
    "FIND": [
        ('FIND("-", "HT-0001")', D(3)),
        ('FIND("b", "abcb", 3)', D(4)),
        ('FIND("管理", "客户管理")', D(3)),
        ('FIND("z", "abc")', None),
        ('FIND("B", "abc")', None),
        ('FIND("a", "abc", 0)', None),
        ('FIND("a", "abc", 99)', None),
        ('FIND("", "abc")', D(1)),
        ('FIND("a", empty)', None),
    ],
    "CONTAINS": [
        ('CONTAINS(name, "CRM")', True),
        ('CONTAINS(name, "crm")', False),
        ('CONTAINS(name, "管理")', True),
        ('CONTAINS(name, "")', True),
        ('CONTAINS(empty, "a")', False),
        ("CONTAINS(empty, empty)", True),
    ],
    "STARTSWITH": [
        ('STARTSWITH("13800000000", "138")', True),
        ('STARTSWITH("13800000000", "139")', False),
        ('STARTSWITH(name, "客户")', True),
        ('STARTSWITH(empty, "1")', False),
        ('STARTSWITH("abc", "")', True),
    ],
    "TEXT": [
        ('TEXT(1234.5, "#,##0.00")', "1,234.50"),
        ('TEXT(1234567.891, "#,##0.00")', "1,234,567.89"),
        ('TEXT(-1234.567, "#,##0.00")', "-1,234.57"),
        ('TEXT(1234.5, "#,##0")', "1,235"),
        ('TEXT(1234.5, "0")', "1235"),
        ('TEXT(2.5, "0")', "3"),
        ('TEXT(-2.5, "0")', "-3"),
        ('TEXT(0, "0.00")', "0.00"),
        ('TEXT(0.256, "0.0%")', "25.6%"),
        ('TEXT(0.5, "0%")', "50%"),
        ('TEXT(1234.5, "")', "1234.5"),
        ('TEXT(1E38, "0.00")', "100000000000000000000000000000000000000.00"),
        ('TEXT(sign, "yyyy-mm-dd")', "2024-01-31"),
        ('TEXT(sign, "yyyy年m月d日")', "2024年1月31日"),
        ('TEXT(at, "yyyy年m月d日 hh:mm")', "2026年3月5日 09:07"),
        ('TEXT(at, "hh:mm")', "09:07"),
        ('TEXT(at, "yyyy/mm/dd hh:mm:ss")', "2026/03/05 09:07:30"),
        ('TEXT(at, "yy-m-d h:mm")', "26-3-5 9:07"),
        ('TEXT(at, "H : MM")', "9 : 07"),
        ('TEXT(at, "mm hh:mm")', "03 09:07"),
        ('TEXT(at, "hh::mm")', "09::07"),
        ('TEXT(at, "hh:ss mm")', "09:30 03"),
        ('TEXT(at, "hh mm")', "09 07"),
        ('TEXT(blank, "0.00")', ""),
        ('TEXT(nodate, "yyyy")', ""),
        ('TEXT("abc", "0.00")', "abc"),
        ('TEXT(12, "00000")', "00012"),
        ('TEXT(-12.4, "00000")', "-00012"),
        ('TEXT(1234567, "00000")', "1234567"),
        ('TEXT(12, "00,000")', "00,012"),
        ('TEXT(-0.001, "0.00")', "0.00"),
        ('TEXT(0.145, "0%")', "15%"),
        ('TEXT(1, "0.0#")', "1.0"),
        ('TEXT(1.256, "0.0#")', "1.26"),
        ('TEXT(1, "0.##")', "1."),
        ('TEXT(0, "#")', ""),
        ('TEXT(0.5, "#.00")', ".50"),
        ('TEXT(-5, "¥#,##0.00")', "-¥5.00"),
        ('TEXT(1234.5, "0.00 元")', "1234.50 元"),
        ('TEXT(1234.5, "abc")', "1234.5"),
        ('TEXT(1234.5, "0.0.0")', "1234.5"),
        ('TEXT(1234567890123456789, "#,##0")', "1,234,567,890,123,460,000"),
        ('TEXT(0.1234567890123456, "0.0000000000000000")', "0.1234567890123460"),
        ('TEXT(sign, "yyyy/mm/dd")', "2024/01/31"),
        ('TEXT(at, "hh:mm:ss")', "09:07:30"),
        ('TEXT(sign, "hh:mm")', "00:00"),
        ('TEXT(sign, "")', ""),
        ('TEXT(vip, "0")', "TRUE"),
    ],
    "VALUE": [
        ('VALUE("12.5")', D("12.5")),
        ('VALUE(" 12.5 ")', D("12.5")),
        ('VALUE("-.5")', D("-0.5")),
        ('VALUE("+3")', D(3)),
        ('VALUE("5.")', D(5)),
        ('VALUE("0")', D(0)),
        ('VALUE("-0")', D(0)),
        ('VALUE("12a")', None),
        ('VALUE("abc")', None),
        ('VALUE("")', None),
        ("VALUE(empty)", None),
        ('VALUE("１２")', None),
        ('VALUE("1 2")', None),
        ('VALUE("NaN")', None),
        ('VALUE("Infinity")', None),
        ('VALUE("1e3")', D(1000)),
        ('VALUE("1.5E-2")', D("0.015")),
        ('VALUE("-.5e+1")', D(-5)),
        ('VALUE("1,234.5")', D("1234.5")),
        ('VALUE(" 1,234,567 ")', D(1234567)),
        ('VALUE("12%")', D("0.12")),
        ('VALUE("-1,000%")', D(-10)),
        ('VALUE("\t7\n")', D(7)),
        ('VALUE("1,23")', None),
        ('VALUE("1234,5")', None),
        ('VALUE(",123")', None),
        ('VALUE("1e")', None),
        ('VALUE("e3")', None),
        ('VALUE("12 %")', None),
        ('VALUE("12%%")', None),
        ('VALUE("1e1001")', None),
        ('VALUE("1e-1001")', None),
    ],
    "RMB_UPPER": [
        ("RMB_UPPER(12345.67)", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("RMB_UPPER(0)", "零元整"),
        ("RMB_UPPER(100000.5)", "壹拾万元伍角"),
        ("RMB_UPPER(10010001)", "壹仟零壹万零壹元整"),
        ("RMB_UPPER(-12345.67)", "负壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("RMB_UPPER(-3.05)", "负叁元零伍分"),
        ("RMB_UPPER(-0.5)", "负伍角"),
        ("RMB_UPPER(0.07)", "柒分"),
        ("RMB_UPPER(0.5)", "伍角"),
        ("RMB_UPPER(1.05)", "壹元零伍分"),
        ("RMB_UPPER(10)", "壹拾元整"),
        ("RMB_UPPER(100)", "壹佰元整"),
        ("RMB_UPPER(1001)", "壹仟零壹元整"),
        ("RMB_UPPER(1010)", "壹仟零壹拾元整"),
        ("RMB_UPPER(20.1)", "贰拾元壹角"),
        ("RMB_UPPER(10000000)", "壹仟万元整"),
        ("RMB_UPPER(100010000)", "壹亿零壹万元整"),
        ("RMB_UPPER(100001000)", "壹亿零壹仟元整"),
        ("RMB_UPPER(123456789012.34)", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("RMB_UPPER(1000000000000)", "壹万亿元整"),
        ("RMB_UPPER(2.999)", "叁元整"),
        ("RMB_UPPER(-0.001)", "零元整"),
        ("RMB_UPPER(amount)", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("RMB_UPPER(10000000000000000)", None),
        ("RMB_UPPER(1E35)", None),
        ("RMB_UPPER(blank)", None),
    ],
    # -- dates ---------------------------------------------------------------------------
    "TODAY": [
        ("TODAY()", date(2026, 11, 22)),
        ("TODAY() - sign", D(1026)),
        ("TODAY() + 1", date(2026, 11, 23)),
    ],
    "NOW": [
        ("NOW()", datetime(2026, 11, 22, 8, 30)),
        ("NOW() > at", True),
        ("NOW() - DATE(2026, 11, 22)", D("0.354166666666667")),
    ],
    "DATE": [
        ("DATE(2024, 2, 29)", date(2024, 2, 29)),
        ("DATE(2023, 2, 29)", None),
        ("DATE(2000, 2, 29)", date(2000, 2, 29)),
        ("DATE(1900, 2, 29)", None),
        ("DATE(2026, 4, 31)", None),
        ("DATE(2026, 13, 1)", None),
        ("DATE(2026, 0, 1)", None),
        ("DATE(2026, 1, 0)", None),
        ("DATE(2024, 1, 1.9)", date(2024, 1, 1)),
        ("DATE(1, 1, 1)", date(1901, 1, 1)),
        ("DATE(9999, 12, 31)", date(9999, 12, 31)),
        ("DATE(10000, 1, 1)", None),
        ("DATE(-1, 1, 1)", None),
        ("DATE(blank, 1, 1)", None),
        ("DATE(2024, 1, blank)", None),
    ],
    "DATETIME": [
        ("DATETIME(2026, 1, 1, 9, 30)", datetime(2026, 1, 1, 9, 30)),
        ("DATETIME(2026, 1, 1)", datetime(2026, 1, 1)),
        ("DATETIME(2024, 2, 29, 23, 59, 59)", datetime(2024, 2, 29, 23, 59, 59)),
        ("DATETIME(2023, 2, 29)", None),
        ("DATETIME(2026, 1, 1, 24)", None),
        ("DATETIME(2026, 1, 1, 9, 60)", None),
        ("DATETIME(2026, 1, 1, blank)", None),
    ],
    "YEAR": [
        ("YEAR(sign)", D(2024)),
        ("YEAR(at)", D(2026)),
        ("YEAR(nodate)", None),
        ("YEAR(DATE(1, 1, 1))", D(1901)),
    ],
    "MONTH": [
        ("MONTH(sign)", D(1)),
        ("MONTH(at)", D(3)),
        ("MONTH(nodate)", None),
    ],
    "DAY": [
        ("DAY(sign)", D(31)),
        ("DAY(at)", D(5)),
        ("DAY(DATE(2024, 2, 29))", D(29)),
        ("DAY(nodate)", None),
    ],
    "WEEKDAY": [
        ("WEEKDAY(TODAY())", D(1)),  # Sunday
        ("WEEKDAY(TODAY(), 1)", D(1)),
        ("WEEKDAY(TODAY(), 2)", D(7)),
        ("WEEKDAY(TODAY(), 3)", D(6)),
        ("WEEKDAY(DATE(2026, 11, 23))", D(2)),  # Monday
        ("WEEKDAY(DATE(2026, 11, 23), 2)", D(1)),
        ("WEEKDAY(DATE(2026, 11, 23), 3)", D(0)),
        ("WEEKDAY(DATE(2026, 11, 21))", D(7)),  # Saturday
        ("WEEKDAY(DATE(2026, 11, 21), 2)", D(6)),
        ("WEEKDAY(at, 2)", D(4)),  # Thursday
        ("WEEKDAY(sign, 9)", None),
        ("WEEKDAY(nodate)", None),
    ],
    "WEEKNUM": [
        ("WEEKNUM(DATE(2026, 1, 1))", D(1)),
        ("WEEKNUM(DATE(2026, 1, 3))", D(1)),
        ("WEEKNUM(DATE(2026, 1, 4))", D(2)),  # Sunday starts week 2
        ("WEEKNUM(DATE(2026, 1, 4), 2)", D(1)),
        ("WEEKNUM(DATE(2026, 1, 5), 2)", D(2)),  # Monday starts week 2
        ("WEEKNUM(DATE(2023, 1, 1), 2)", D(1)),
        ("WEEKNUM(DATE(2023, 1, 2), 2)", D(2)),
        ("WEEKNUM(DATE(2024, 12, 31))", D(53)),
        ("WEEKNUM(DATE(2024, 12, 30), 21)", D(1)),
        ("WEEKNUM(DATE(2027, 1, 1), 21)", D(53)),
        ("WEEKNUM(DATE(2021, 1, 1), 21)", D(53)),
        ("WEEKNUM(DATE(2026, 1, 5), 21)", D(2)),
        ("WEEKNUM(sign, 3)", None),
        ("WEEKNUM(nodate)", None),
    ],
    "DATEDIF": [
        ('DATEDIF(DATE(2020, 2, 29), DATE(2026, 2, 28), "y")', D(5)),
        ('DATEDIF(DATE(2020, 2, 29), DATE(2026, 3, 1), "y")', D(6)),
        ('DATEDIF(DATE(2024, 1, 15), DATE(2024, 3, 14), "m")', D(1)),
        ('DATEDIF(DATE(2024, 1, 15), DATE(2024, 3, 15), "m")', D(2)),
        ('DATEDIF(DATE(2024, 1, 15), DATE(2024, 3, 14), "d")', D(59)),
        ('DATEDIF(DATE(2023, 1, 15), DATE(2023, 3, 14), "d")', D(58)),
        ('DATEDIF(DATE(2024, 1, 15), DATE(2024, 3, 14), "md")', D(28)),
        ('DATEDIF(DATE(2024, 1, 31), DATE(2024, 3, 1), "md")', D(-1)),
        ('DATEDIF(DATE(2023, 11, 15), DATE(2024, 3, 14), "ym")', D(3)),
        ('DATEDIF(DATE(2024, 1, 31), DATE(2025, 3, 1), "ym")', D(1)),
        ('DATEDIF(DATE(2023, 11, 15), DATE(2024, 3, 14), "yd")', D(120)),
        ('DATEDIF(DATE(2024, 2, 29), DATE(2026, 2, 28), "yd")', D(365)),
        ('DATEDIF(sign, TODAY(), "m")', D(33)),
        ('DATEDIF(sign, TODAY(), "D")', D(1026)),
        ('DATEDIF(sign, sign, "d")', D(0)),
        ('DATEDIF(sign, sign, "y")', D(0)),
        ('DATEDIF(sign, at, "d")', D(764)),
        ('DATEDIF(TODAY(), sign, "d")', None),
        ('DATEDIF(sign, TODAY(), "q")', None),
        ('DATEDIF(nodate, TODAY(), "d")', None),
        ("DATEDIF(sign, TODAY(), empty)", None),
    ],
    "DAYS": [
        ("DAYS(DATE(2024, 3, 1), DATE(2024, 2, 1))", D(29)),
        ("DAYS(DATE(2023, 3, 1), DATE(2023, 2, 1))", D(28)),
        ("DAYS(DATE(2024, 2, 1), DATE(2024, 3, 1))", D(-29)),
        ("DAYS(DATE(2025, 1, 1), DATE(2024, 1, 1))", D(366)),
        ("DAYS(at, sign)", D(764)),
        ("DAYS(nodate, sign)", None),
    ],
    "DATEADD": [
        ('DATEADD(sign, 1, "m")', date(2024, 2, 29)),
        ('DATEADD(DATE(2023, 1, 31), 1, "m")', date(2023, 2, 28)),
        ('DATEADD(sign, 2, "m")', date(2024, 3, 31)),
        ('DATEADD(sign, 3, "m")', date(2024, 4, 30)),
        ('DATEADD(DATE(2024, 3, 31), -1, "m")', date(2024, 2, 29)),
        ('DATEADD(sign, -2, "m")', date(2023, 11, 30)),
        ('DATEADD(sign, 12, "m")', date(2025, 1, 31)),
        ('DATEADD(DATE(2024, 2, 29), 1, "y")', date(2025, 2, 28)),
        ('DATEADD(DATE(2024, 2, 29), 4, "y")', date(2028, 2, 29)),
        ('DATEADD(sign, -2, "w")', date(2024, 1, 17)),
        ("DATEADD(sign, 1)", date(2024, 2, 1)),
        ('DATEADD(sign, 30, "d")', date(2024, 3, 1)),
        ('DATEADD(sign, 1, "M")', date(2024, 2, 29)),
        ('DATEADD(at, 1, "d")', datetime(2026, 3, 6, 9, 7, 30)),
        ('DATEADD(at, 1, "m")', datetime(2026, 4, 5, 9, 7, 30)),
        ('DATEADD(sign, 1, "q")', None),
        ("DATEADD(DATE(9999, 12, 31), 1)", None),
        ('DATEADD(DATE(9999, 12, 31), 1, "m")', None),
        ('DATEADD(DATE(1900, 1, 1), -1900, "y")', None),
        ("DATEADD(nodate, 1)", None),
        ("DATEADD(sign, blank)", date(2024, 1, 31)),
    ],
    "EOMONTH": [
        ("EOMONTH(sign, 1)", date(2024, 2, 29)),
        ("EOMONTH(DATE(2023, 1, 31), 1)", date(2023, 2, 28)),
        ("EOMONTH(DATE(2024, 3, 15), -1)", date(2024, 2, 29)),
        ("EOMONTH(sign, -2)", date(2023, 11, 30)),
        ("EOMONTH(DATE(2026, 12, 15), 0)", date(2026, 12, 31)),
        ("EOMONTH(DATE(2026, 11, 5), 14)", date(2028, 1, 31)),
        ("EOMONTH(at, 0)", date(2026, 3, 31)),
        ("EOMONTH(DATE(9999, 12, 1), 1)", None),
        ("EOMONTH(nodate, 0)", None),
        ("EOMONTH(sign, blank)", date(2024, 1, 31)),
    ],
    "NETWORKDAYS": [
        ("NETWORKDAYS(DATE(2026, 11, 20), DATE(2026, 11, 23))", D(2)),
        ("NETWORKDAYS(DATE(2026, 11, 23), DATE(2026, 11, 20))", D(-2)),
        ("NETWORKDAYS(DATE(2026, 11, 23), DATE(2026, 11, 23))", D(1)),
        ("NETWORKDAYS(DATE(2026, 11, 22), DATE(2026, 11, 22))", D(0)),
        ("NETWORKDAYS(DATE(2026, 11, 21), DATE(2026, 11, 22))", D(0)),
        ("NETWORKDAYS(DATE(2026, 11, 1), DATE(2026, 11, 30))", D(21)),
        ("NETWORKDAYS(DATE(2026, 11, 30), DATE(2026, 11, 1))", D(-21)),
        ("NETWORKDAYS(DATE(2024, 2, 26), DATE(2024, 3, 1))", D(5)),
        ("NETWORKDAYS(DATE(2026, 1, 1), DATE(2026, 12, 31))", D(261)),
        ("NETWORKDAYS(nodate, TODAY())", None),
    ],
    # -- system --------------------------------------------------------------------------
    "CURRENT_USER": [
        ("CURRENT_USER()", 7),
        ("owner = CURRENT_USER()", True),
        ("CURRENT_USER() = 8", False),
    ],
    "CURRENT_DEPT": [
        ("CURRENT_DEPT()", 3),
        ("dept = CURRENT_DEPT()", True),
        ("dept <> CURRENT_DEPT()", False),
    ],
}


def _params() -> list[Any]:
    params = []
    for name, cases in TABLES.items():
        for index, case in enumerate(cases):
            if len(case) == 3:
                formula, row, expected = case
            else:
                formula, expected = case
                row = ROW
            params.append(pytest.param(formula, row, expected, id=f"{name}-{index}"))
    return params


def assert_same(actual: Any, expected: Any) -> None:
    """Decimals by value; everything else by value and exact type (date is not datetime)."""
    if expected is None:
        assert actual is None
    elif isinstance(expected, Decimal):
        assert isinstance(actual, Decimal), repr(actual)
        assert actual == expected
    else:
        assert type(actual) is type(expected), repr(actual)
        assert actual == expected


def run(formula: str, row: Mapping[str, Any] = ROW, ctx: EvalContext = CTX) -> Any:
    return compile_python(check(formula, SCHEMA))(row, ctx)


def test_every_registry_function_has_cases() -> None:
    assert set(TABLES) == set(REGISTRY)
    for name, cases in TABLES.items():
        assert cases, name
        for case in cases:
            assert f"{name}(" in case[0].upper(), (name, case[0])


@pytest.mark.parametrize(("formula", "row", "expected"), _params())
def test_function(formula: str, row: Mapping[str, Any], expected: Any) -> None:
    assert_same(run(formula, row), expected)


ROW_CASES = [
    ("customer.name", {"customer": 5}, "远程客户"),
    ("customer.name", {"customer": 6}, None),
    ("COALESCE(customer.credit, 0)", {"customer": 5}, D(0)),
    ("SUM(lines.subtotal)", {"lines": None}, D(0)),
    ("COUNT(lines)", {}, D(0)),
    ("SUM(lines.qty)", {"lines": [{"qty": "2"}, {"qty": 1.5}, {"qty": None}, None]}, D("3.5")),
    ("amount + 1", {"amount": 1}, D(2)),
    ("amount + 1", {"amount": 0.1}, D("1.1")),
    ("amount + 1", {"amount": "2.5"}, D("3.5")),
    ("amount + 1", {"amount": "not a number"}, None),
    ("YEAR(sign)", {"sign": "2024-02-29"}, D(2024)),
    ("YEAR(sign)", {"sign": "2024-02-30"}, None),
    ('TEXT(at, "hh:mm")', {"at": "2026-03-05T09:07:30"}, "09:07"),
    ('IF(vip, "yes", "no")', {"vip": 1}, "yes"),
    ('IF(vip, "yes", "no")', {}, "no"),
]


@pytest.mark.parametrize(("formula", "row", "expected"), ROW_CASES)
def test_stored_values_are_coerced(formula: str, row: Mapping[str, Any], expected: Any) -> None:
    assert_same(run(formula, row), expected)


def test_context_without_user_gives_blank() -> None:
    anonymous = EvalContext(today=date(2024, 2, 29), now=datetime(2024, 2, 29, 23, 59))
    assert run("CURRENT_USER()", ROW, anonymous) is None
    assert run("CURRENT_DEPT()", ROW, anonymous) is None
    assert run("owner = CURRENT_USER()", ROW, anonymous) is False
    assert run('DATEADD(TODAY(), 1, "y")', ROW, anonymous) == date(2025, 2, 28)
    assert run("EOMONTH(NOW(), 0)", ROW, anonymous) == date(2024, 2, 29)


def test_compiled_formula_is_reusable_across_rows() -> None:
    compiled = compile_python(check('IF(amount >= 100, "big", "small") & "/" & name', SCHEMA))
    assert compiled({"amount": D(100), "name": "a"}, CTX) == "big/a"
    assert compiled({"amount": D(99), "name": None}, CTX) == "small/"
    assert compiled({}, CTX) == "small/"
