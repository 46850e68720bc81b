"""SQLite side of the SQL backend: the jimu_* functions, registered on every connection.

They wrap the Python runtime, so SQLite computes exactly what the Python evaluator does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.engines.expr import formats
from jimu.engines.expr import runtime as rt
from jimu.engines.expr.errors import ExprLimitError

_IN: dict[str, Callable[[Any], Any]] = {
    "n": rt.to_number,
    "t": lambda v: v if v is None or isinstance(v, str) else str(v),
    "d": rt.to_date,
    "dt": rt.to_datetime,
    "x": lambda v: v,
}


def _out(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**62:
            return int(value)
        return float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text_or_blank(value: Any, kind: str) -> str | None:
    return None if value is None else _text_of(value, kind)


def _text_of(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "number":
        number = rt.to_number(value)
        return rt.to_text(number)
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    if kind == "datetime":
        return rt.to_text(rt.to_datetime(value))
    if kind == "date":
        return rt.to_text(rt.to_date(value))
    return str(value)


def _format_of(value: Any, kind: str, fmt: str | None) -> str | None:
    coerce = {"number": rt.to_number, "date": rt.to_date, "datetime": rt.to_datetime}
    try:
        if kind in coerce:
            return formats.format_text(coerce[kind](value), fmt)
        return formats.format_text(None if value is None else _text_of(value, kind), fmt)
    except ExprLimitError:
        return None


def _max_of(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _min_of(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


# name: (python function, argument kinds)
FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "settle": (rt.settle, "n"),
    "power": (rt.power, "n n"),
    "round": (rt.round_half, "n n"),
    "roundup": (rt.round_up, "n n"),
    "rounddown": (rt.round_down, "n n"),
    "int": (rt.int_floor, "n"),
    "mod": (rt.excel_mod, "n n"),
    "sqrt": (rt.sqrt, "n"),
    "left": (rt.left, "t n"),
    "right": (rt.right, "t n"),
    "mid": (rt.mid, "t n n"),
    "trim": (rt.trim, "t"),
    "upper": (rt.upper, "t"),
    "lower": (rt.lower, "t"),
    "substitute": (rt.substitute, "t t t"),
    "replace": (rt.replace_text, "t n n t"),
    "find": (rt.find, "t t n"),
    "value": (rt.value_of, "t"),
    "date": (rt.make_date, "n n n"),
    "datetime": (rt.make_datetime, "n n n n n n"),
    "year": (lambda d: None if d is None else Decimal(d.year), "d"),
    "month": (lambda d: None if d is None else Decimal(d.month), "d"),
    "day": (lambda d: None if d is None else Decimal(d.day), "d"),
    "weekday": (rt.weekday, "d n"),
    "weeknum": (rt.weeknum, "d n"),
    "datedif": (rt.datedif, "d d t"),
    "dateadd_d": (rt.date_add, "d n t"),
    "dateadd_dt": (rt.date_add, "dt n t"),
    "eomonth": (rt.eomonth, "d n"),
    "networkdays": (rt.networkdays, "d d"),
    "shift_d": (rt.shift_days, "d n"),
    "shift_dt": (rt.shift_days, "dt n"),
    "days_d": (rt.days_between, "d d"),
    "days_dt": (rt.days_between, "dt dt"),
    "dt": (lambda v: v, "dt"),
}


def _wrap(fn: Callable[..., Any], kinds: list[str]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            converted = [
                _IN[kinds[i] if i < len(kinds) else "x"](a) if a is not None else None
                for i, a in enumerate(args)
            ]
            if fn in (rt.shift_days,) and (converted[0] is None or converted[1] is None):
                return None
            return _out(fn(*converted))
        except (ExprLimitError, ArithmeticError, ValueError, TypeError, OverflowError):
            # SQL cannot raise per row: like every evaluation error, the value is blank.
            return None

    return call


def register(connection: sqlite3.Connection) -> None:
    """Adds the jimu_* functions to a sqlite3 connection."""
    for name, (fn, kinds) in FUNCTIONS.items():
        parts = kinds.split()
        connection.create_function(f"jimu_{name}", -1, _wrap(fn, parts), deterministic=True)
    connection.create_function("jimu_text", 2, _text_of, deterministic=True)
    connection.create_function("jimu_text_or_blank", 2, _text_or_blank, deterministic=True)
    connection.create_function("jimu_format", 3, _format_of, deterministic=True)
    connection.create_function("jimu_max", -1, _max_of, deterministic=True)
    connection.create_function("jimu_min", -1, _min_of, deterministic=True)
