"""Stored record values as JSON: decimals as text, dates and times in ISO form."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def to_json(value: Any) -> Any:
    """A stored value as JSON (decimals as text, dates in ISO form), lists and rows too."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value
