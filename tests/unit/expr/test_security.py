"""Hostile formulas: each ends in a clean ExprError / ExprLimitError or in a correct literal
value — no escape into Python, no other exception, no hang. Inputs are small but would blow
up (time, memory, recursion) without the limits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import (
    EvalContext,
    ExprError,
    ExprLimitError,
    FieldInfo,
    Schema,
    check,
    collection,
    compile_python,
    parse,
    relation,
)
from jimu.engines.expr.types import BOOL, DATE, NUMBER, TEXT

D = Decimal

CUSTOMER = Schema("customer").add(FieldInfo("name", TEXT))
LINE = Schema("line").add(FieldInfo("x", NUMBER))
SCHEMA = (
    Schema("form")
    .add(FieldInfo("name", TEXT, {"zh": "名称", "en": "Name"}))
    .add(FieldInfo("amount", NUMBER))
    .add(FieldInfo("vip", BOOL))
    .add(FieldInfo("sign", DATE))
    .add(relation("customer", CUSTOMER))
    .add(collection("lines", LINE, "form_id"))
)
ROW: dict[str, Any] = {
    "name": "甲",
    "amount": D(5),
    "vip": True,
    "sign": date(2024, 2, 29),
    "customer": {"name": "乙"},
    "lines": [{"x": D(1)}, {"x": D(2)}],
}
CTX = EvalContext(today=date(2026, 11, 22), now=datetime(2026, 11, 22, 8, 0), user_id=1)

LIMITS = {
    "too_long",
    "too_deep",
    "too_many_digits",
    "number_too_large",
    "string_too_long",
    "text_too_long",
}


def evaluate(source: Any, row: Mapping[str, Any] = ROW) -> Any:
    return compile_python(check(source, SCHEMA))(row, CTX)


def _nested_substitute(times: int) -> str:
    source = '"x"'
    for _ in range(times):
        source = f'SUBSTITUTE({source}, "x", "xx")'
    return source


REFUSED = [
    # attribute and dunder tricks
    pytest.param("__class__", "unknown_field", id="dunder-name"),
    pytest.param("__builtins__", "unknown_field", id="builtins"),
    pytest.param("name.__class__", "not_a_record", id="text-class"),
    pytest.param("name.__globals__", "not_a_record", id="text-globals"),
    pytest.param("amount.real", "not_a_record", id="number-attribute"),
    pytest.param("(1).__class__", "not_a_record", id="literal-class"),
    pytest.param("().__class__", "syntax", id="tuple-class"),
    pytest.param("().__class__.__bases__[0].__subclasses__()", "syntax", id="subclasses"),
    pytest.param("CURRENT_USER().__dict__", "not_a_record", id="user-dict"),
    pytest.param("customer.__dict__", "unknown_field", id="record-dict"),
    pytest.param("lines.__len__", "unknown_field", id="list-len"),
    pytest.param('__import__("os")', "unknown_function", id="import"),
    pytest.param('__import__("os").system("id")', "syntax", id="import-system"),
    pytest.param('eval("1 + 1")', "unknown_function", id="eval"),
    pytest.param('exec("x = 1")', "unknown_function", id="exec"),
    pytest.param('getattr(name, "upper")', "unknown_function", id="getattr"),
    pytest.param('open("/etc/passwd")', "unknown_function", id="open"),
    pytest.param("globals()", "unknown_function", id="globals"),
    pytest.param("[__class__]", "unknown_field", id="dunder-label"),
    # other languages' syntax
    pytest.param("lambda: 1", "syntax", id="lambda"),
    pytest.param("lambda x: x", "syntax", id="lambda-arg"),
    pytest.param("def f(): pass", "syntax", id="def"),
    pytest.param("1; 2", "syntax", id="semicolon"),
    pytest.param("amount ** 2", "syntax", id="py-power"),
    pytest.param("amount // 2", "syntax", id="py-floordiv"),
    pytest.param("amount if vip else 1", "syntax", id="py-ternary"),
    pytest.param("[x for x in name]", "unknown_field", id="py-comprehension-label"),
    pytest.param("(x for x in name)", "syntax", id="py-generator"),
    pytest.param("{1: 2}", "syntax", id="py-dict"),
    pytest.param("amount @ 2", "syntax", id="py-matmul"),
    pytest.param('f"{name}"', "syntax", id="py-fstring"),
    pytest.param("name[0]", "syntax", id="subscript"),
    pytest.param("amount => amount + 1", "syntax", id="js-arrow"),
    pytest.param("amount === 1", "syntax", id="js-strict-equal"),
    pytest.param("amount != 1", "syntax", id="js-not-equal"),
    pytest.param("vip && vip", "syntax", id="js-and"),
    pytest.param("vip || vip", "syntax", id="js-or"),
    pytest.param("!vip", "syntax", id="js-not"),
    pytest.param("vip ? 1 : 2", "syntax", id="js-ternary"),
    pytest.param("`id`", "syntax", id="backticks"),
    pytest.param("$amount", "syntax", id="dollar"),
    pytest.param("new Date()", "syntax", id="js-new"),
    pytest.param("name.constructor.constructor('return process')()", "syntax", id="js-ctor"),
    # SQL outside strings
    pytest.param("amount; DROP TABLE users; --", "syntax", id="sql-drop"),
    pytest.param('name = "x" OR 1=1 --', "syntax", id="sql-tautology"),
    pytest.param("1 UNION SELECT password FROM users", "syntax", id="sql-union"),
    pytest.param("amount /* comment */", "syntax", id="sql-comment"),
    # numbers that would explode
    pytest.param("10^100000", "number_too_large", id="pow-huge"),
    pytest.param("10 ^ 41", "number_too_large", id="pow-over"),
    pytest.param("POWER(9, 9^9)", "number_too_large", id="power-tower"),
    pytest.param("2^2^2^2^2^2^2^2^2", "number_too_large", id="left-tower"),
    pytest.param("10^40", "number_too_large", id="magnitude"),
    pytest.param("POWER(1.0001, 100000) * 10^39", "number_too_large", id="compound"),
    pytest.param("9999999999999999999999999999999999999999 + 1", "number_too_large", id="sum-over"),
    pytest.param(
        "-9999999999999999999999999999999999999999 - 1", "number_too_large", id="diff-over"
    ),
    pytest.param(
        "SUM(10^39, 10^39, 10^39, 10^39, 10^39, 10^39, 10^39, 10^39, 10^39, 10^39)",
        "number_too_large",
        id="sum-of-many",
    ),
    pytest.param("9" * 500, "too_many_digits", id="500-digits"),
    pytest.param("9" * 41, "too_many_digits", id="41-digits"),
    pytest.param("0." + "0" * 500 + "1", "number_too_large", id="tiny-literal"),
    pytest.param("1e999999999", "number_too_large", id="huge-exponent-literal"),
    pytest.param('VALUE("' + "9" * 45 + '")', "number_too_large", id="value-huge"),
    # nesting
    pytest.param("(" * 1000 + "1" + ")" * 1000, "too_deep", id="1000-parens"),
    pytest.param("(" * 5000, "too_deep", id="unclosed-parens"),
    pytest.param("-" * 5000 + "1", "too_deep", id="5000-minus"),
    pytest.param("1" + "+1" * 3000, "too_deep", id="3000-plus"),
    pytest.param("1" + "^1" * 3000, "too_deep", id="3000-power"),
    pytest.param("1" + "%" * 5000, "too_deep", id="5000-percent"),
    pytest.param("NOT " * 2000 + "TRUE", "too_deep", id="2000-not"),
    pytest.param('"a"' + ' & "a"' * 1500, "too_deep", id="1500-concat"),
    pytest.param("TRUE" + " AND TRUE" * 1000, "too_deep", id="1000-and"),
    pytest.param("IF(" * 200 + "1", "too_deep", id="200-if"),
    pytest.param("ABS(" * 150 + "1" + ")" * 150, "too_deep", id="150-calls"),
    pytest.param("customer" + ".name" * 1900, "too_deep", id="1900-members"),
    # size
    pytest.param('"' + "x" * 11_000 + '"', "too_long", id="11000-literal"),
    pytest.param("x" * 20_000, "too_long", id="20000-name"),
    pytest.param(" " * 10_001, "too_long", id="10001-spaces"),
    pytest.param(_nested_substitute(18), "text_too_long", id="substitute-doubling"),
    pytest.param(
        "CONCAT("
        + ", ".join(['SUBSTITUTE("' + "x" * 100 + '", "x", "' + "y" * 100 + '")'] * 11)
        + ")",
        "text_too_long",
        id="concat-repeated",
    ),
    pytest.param(
        'SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "y" * 101 + '")',
        "text_too_long",
        id="substitute-growth",
    ),
    pytest.param(
        'REPLACE("a", 1, 1, SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "y" * 101 + '"))',
        "text_too_long",
        id="replace-growth",
    ),
    pytest.param(
        'TEXT(sign, SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "d " * 50 + '"))',
        "text_too_long",
        id="text-format-growth",
    ),
    pytest.param(
        'LEN(SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "y" * 100 + '") & "!")',
        "text_too_long",
        id="concat-over-by-one",
    ),
    # unicode confusables and invisible characters
    pytest.param("\uff21\uff2e\uff24(TRUE)", "syntax", id="fullwidth-AND"),
    pytest.param("TRUE \uff21\uff2e\uff24 TRUE", "syntax", id="fullwidth-AND-infix"),
    pytest.param("\uff11 + 1", "syntax", id="fullwidth-digit"),
    pytest.param("SUM\uff081\uff09", "syntax", id="fullwidth-parens"),
    pytest.param("n\u0430me", "syntax", id="cyrillic-a"),
    pytest.param("\u0421UM(1)", "syntax", id="cyrillic-function"),
    pytest.param("TRUE \u0391ND TRUE", "syntax", id="greek-alpha"),
    pytest.param("name\u200b", "syntax", id="zero-width-space"),
    pytest.param("\u200bname", "syntax", id="leading-zero-width"),
    pytest.param("\u202ename", "syntax", id="rtl-override"),
    pytest.param("1\u00a0+ 1", "syntax", id="nbsp"),
    pytest.param("\ufeff1", "syntax", id="bom"),
    pytest.param("1\u2028+ 1", "syntax", id="line-separator"),
    # control characters
    pytest.param("name\x00", "syntax", id="nul-after"),
    pytest.param("\x00", "syntax", id="nul-only"),
    pytest.param("amount\x1b[31m", "syntax", id="ansi-escape"),
    # labels
    pytest.param("[" + "a" * 9000 + "]", "unknown_field", id="long-label"),
    pytest.param("[]", "syntax", id="empty-label"),
    pytest.param("[[名称]]", "syntax", id="nested-label"),
    # the empty formula
    pytest.param("", "empty", id="empty"),
    pytest.param(" \n\t ", "empty", id="whitespace"),
]


@pytest.mark.parametrize(("source", "reason"), REFUSED)
def test_hostile_input_is_a_clean_error(source: str, reason: str) -> None:
    with pytest.raises(ExprError) as caught:
        evaluate(source)
    error = caught.value
    assert error.reason == reason
    assert isinstance(error, ExprLimitError) is (reason in LIMITS)
    assert error.line >= 1
    assert error.column >= 1
    assert error.message.render("zh-CN")
    assert error.message.render("en")
    assert error.as_dict("en")["code"] == reason


LITERAL = [
    pytest.param('"\'; DROP TABLE users; --"', "'; DROP TABLE users; --", id="sql-in-text"),
    pytest.param(
        '"Robert\'); DROP TABLE students;--" & name',
        "Robert'); DROP TABLE students;--甲",
        id="bobby-tables",
    ),
    pytest.param('"1 OR 1=1"', "1 OR 1=1", id="sql-tautology-text"),
    pytest.param('"__import__(\\"os\\")"', '__import__("os")', id="import-in-text"),
    pytest.param('"{name}" & "{0}" & "{{}}"', "{name}{0}{{}}", id="format-braces"),
    pytest.param('"%s %d %(x)s" & name', "%s %d %(x)s甲", id="percent-format"),
    pytest.param('"<script>alert(1)</script>"', "<script>alert(1)</script>", id="html"),
    pytest.param('"${7*7}" & "{{7*7}}"', "${7*7}{{7*7}}", id="template-injection"),
    pytest.param('"a\x00b"', "a\x00b", id="nul-in-text"),
    pytest.param('"\u202e\u200b"', "\u202e\u200b", id="invisible-in-text"),
    pytest.param('"\uff21\uff2e\uff24"', "\uff21\uff2e\uff24", id="fullwidth-in-text"),
    pytest.param('"(((" & ")))"', "((()))", id="parens-in-text"),
    pytest.param('"' + "(" * 5000 + '"', "(" * 5000, id="5000-parens-in-text"),
    pytest.param('"\\"' + "(" * 500 + '"', '"' + "(" * 500, id="escaped-quote-parens"),
    pytest.param('"a""' + "(" * 500 + '"', 'a"' + "(" * 500, id="doubled-quote-parens"),
    pytest.param('"' + "x" * 9_998 + '"', "x" * 9_998, id="9998-literal"),
    pytest.param('LEN("' + "字" * 5_000 + '")', D(5_000), id="5000-chinese"),
    pytest.param('"😀" & "𠀀"', "😀𠀀", id="astral"),
    pytest.param('SUBSTITUTE("aaaa", "a", "bb")', "bbbbbbbb", id="small-growth"),
    pytest.param(
        'LEN(SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "y" * 100 + '"))',
        D(100_000),
        id="text-at-limit",
    ),
    pytest.param(
        'LEN(TEXT(sign, SUBSTITUTE("' + "x" * 1000 + '", "x", "' + "y" * 100 + '")))',
        D(100_000),
        id="date-format-of-100000-chars",
    ),
    pytest.param(_nested_substitute(16), "x" * 65_536, id="doubling-within-limit"),
    pytest.param("9" * 40, D("9" * 40), id="40-digits"),
    pytest.param("10^39 * 9.99", D("9.99E39"), id="below-magnitude"),
    pytest.param("1^1000", D(1), id="exponent-at-limit"),
    pytest.param("(-1)^999", D(-1), id="negative-base"),
    pytest.param("0.5^1000", D(0), id="underflow-is-zero"),
    pytest.param("1 IN (" + "2, " * 2000 + "1)", True, id="long-in-list"),
    pytest.param("SUM(" + "1, " * 3000 + "1)", D(3001), id="many-arguments"),
    pytest.param("(" * 99 + "1" + ")" * 99, D(1), id="99-parens"),
    pytest.param("1\t+\r\n1", D(2), id="ascii-whitespace"),
]


@pytest.mark.parametrize(("source", "expected"), LITERAL)
def test_hostile_text_is_just_text(source: str, expected: Any) -> None:
    value = evaluate(source)
    assert type(value) is type(expected)
    assert value == expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(123, id="int"),
        pytest.param(1.5, id="float"),
        pytest.param(None, id="none"),
        pytest.param(b"1 + 1", id="bytes"),
        pytest.param(["1"], id="list"),
        pytest.param({"source": "1"}, id="dict"),
        pytest.param(object(), id="object"),
    ],
)
def test_non_text_formula_is_refused(source: Any) -> None:
    with pytest.raises(ExprError) as caught:
        check(source, SCHEMA)
    assert caught.value.reason == "syntax"
    with pytest.raises(ExprError):
        parse(source)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(float("nan"), id="float-nan"),
        pytest.param(float("inf"), id="float-inf"),
        pytest.param(float("-inf"), id="float-minus-inf"),
        pytest.param("NaN", id="text-nan"),
        pytest.param("Infinity", id="text-infinity"),
        pytest.param("sNaN", id="text-snan"),
        pytest.param(D("NaN"), id="decimal-nan"),
        pytest.param(D("-Infinity"), id="decimal-minus-infinity"),
        pytest.param("12abc", id="text-garbage"),
        pytest.param({"x": 1}, id="mapping"),
    ],
)
def test_stored_non_numbers_read_as_blank(stored: Any) -> None:
    row = {**ROW, "amount": stored}
    assert evaluate("amount + 1", row) is None
    assert evaluate("amount > 1", row) is False
    assert evaluate("amount = NULL", row) is True
    assert evaluate("ROUND(amount, 2)", row) is None
    assert evaluate('"" & amount', row) == ""
    assert evaluate('TEXT(amount, "0.00")', row) == ""
    assert evaluate("RMB_UPPER(amount)", row) is None
    assert evaluate("SUM(amount, 1)", row) == D(1)
    assert evaluate("MAX(amount, 1)", row) == D(1)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("ROUND(1E39, 2)", D("1E39")),
        ("ROUNDUP(-9.99E39, 10)", D("-9.99E39")),
        (
            "ROUND(123456789012345678901234567890123456.78, 1)",
            D("123456789012345678901234567890123456.8"),
        ),
        ('TEXT(1E38, "#,##0")', "100,000,000,000,000,000,000,000,000,000,000,000,000"),
        ("RMB_UPPER(1E39)", None),
        ('"" & 9.99E39', "9990000000000000000000000000000000000000"),
        ('"" & 1E-39', "0.000000000000000000000000000000000000001"),
        ("MIN(sign, DATETIME(2024, 2, 29, 12))", datetime(2024, 2, 29)),
    ],
)
def test_extreme_but_valid_values_do_not_crash(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


def test_errors_from_evaluation_are_limit_errors_with_bilingual_messages() -> None:
    compiled = compile_python(check("amount ^ (amount ^ amount)", SCHEMA))
    assert compiled({"amount": D(2)}, CTX) == D(16)
    with pytest.raises(ExprLimitError) as caught:
        compiled({"amount": D(9)}, CTX)
    assert caught.value.reason == "number_too_large"
    assert "10^40" in caught.value.message.render("en")
    assert "过大" in caught.value.message.render("zh-CN")


def test_formula_text_is_never_executed_as_python() -> None:
    marker: list[str] = []
    hostile = '__import__("builtins").print("pwned") & ' + repr(marker)
    with pytest.raises(ExprError):
        evaluate(hostile)
    assert marker == []
    # a field value is data, never code
    payload = '__import__("os").system("echo pwned")'
    row = {**ROW, "name": payload}
    assert evaluate('name & ""', row) == payload
    assert evaluate("LEN(name)", row) == len(payload)
