"""Hostile formulas: each ends in a clean ExprError or a correct literal value — no escape,
no hang, no crash of another kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import EvalContext, ExprError, check, compile_python
from jimu.engines.expr.types import NUMBER, TEXT, FieldInfo, Schema

SCHEMA = Schema("form").add(FieldInfo("name", TEXT)).add(FieldInfo("amount", NUMBER))
ROW = {"name": "甲", "amount": Decimal(5)}

REFUSED = [
    "__class__",
    "name.__class__",
    "name.__globals__",
    "().__class__.__bases__",
    "CURRENT_USER().__dict__",
    '__import__("os")',
    'eval("1")',
    'exec("1")',
    "lambda: 1",
    "1; 2",
    "name if amount else 1",
    "[x for x in name]",
    "{1: 2}",
    "amount.real",
    "open('/etc/passwd')",
    "globals()",
    "`ls`",
    "$amount",
    "amount @ 2",
    "a = 1; b",
    "\uff11 + 1",  # full-width digit one
    "\uff21\uff2e\uff24(TRUE)",  # full-width AND
    "n\u0430me",  # Cyrillic a
    "name\u200b",  # zero-width space
    "\u202ename",  # right-to-left override
    "10 ^ 100000",
    "POWER(9, 9 ^ 9)",
    "9" * 500,
    "(" * 1000 + "1" + ")" * 1000,
    "-" * 5000 + "1",
    "1" + "+1" * 3000,
    '"' + "x" * 11_000 + '"',
    "x" * 20_000,
    "name\x00",
    "IF(" * 200 + "1",
]


@pytest.mark.parametrize("source", REFUSED)
def test_hostile_input_is_a_clean_error(source: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_python(check(source, SCHEMA))(ROW, EvalContext())
    assert caught.value.line >= 1
    assert caught.value.message.render("zh-CN")
    assert caught.value.message.render("en")


LITERAL = [
    ('"\'; DROP TABLE users; --"', "'; DROP TABLE users; --"),
    ('"__import__(\\"os\\")"', '__import__("os")'),
    ('"{name}" & "{0}"', "{name}{0}"),
    ('"%s %d" & name', "%s %d甲"),
    ('"<script>alert(1)</script>"', "<script>alert(1)</script>"),
    ('LEN("' + "字" * 5000 + '")', Decimal(5000)),
    ('SUBSTITUTE("aaaa", "a", "bb")', "bbbbbbbb"),
]


@pytest.mark.parametrize(("source", "expected"), LITERAL)
def test_hostile_text_is_just_text(source: str, expected: Any) -> None:
    assert compile_python(check(source, SCHEMA))(ROW, EvalContext()) == expected


@pytest.mark.parametrize(
    "source",
    [
        'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(REPLACE("x", 1, 0, "'
        + "y" * 9000
        + '"), "y", "yy"), "y", "yy"), "y", "yy"), "y", "yy"), "y", "yy")',
        'CONCAT("'
        + "z" * 9000
        + '", "'
        + "z" * 9000
        + '") & "'
        + "z" * 9000
        + '"'
        + (' & "' + "z" * 9000 + '"') * 10,
        "POWER(10, 41)",
        "amount * 10 ^ 40",
    ],
)
def test_growth_is_stopped_by_limits(source: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_python(check(source, SCHEMA))(ROW, EvalContext())
    assert caught.value.reason in {"text_too_long", "number_too_large", "too_long"}


def test_non_text_formula_is_refused() -> None:
    with pytest.raises(ExprError):
        check(123, SCHEMA)  # type: ignore[arg-type]
