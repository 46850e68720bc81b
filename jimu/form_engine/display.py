"""Record values as text people read (print templates, exports), one function per kind of
field; the field type registry (``fieldtypes``) says which applies to which type.

Each takes a value that is not blank (as stored, or as the records API returns it), the
field spec and a :class:`DisplayContext`, and returns the text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jimu.engines.i18n import text

LIST_SEPARATOR = ", "
TAG = re.compile(r"<[^>]*>")


def _hash_id(ident: int) -> str:
    return f"#{ident}"


def _hash_record(form: str, ident: int) -> str:
    return f"#{ident}"


@dataclass(frozen=True)
class DisplayContext:
    """What showing a value needs besides the field.

    Attributes:
        locale: ``zh-CN`` or ``en``: yes / no, option labels, counts.
        user_name: a member's name by user id.
        department_name: a department's name by id.
        record_title: a related record's title by its form's key and its id.
    """

    locale: str = "zh-CN"
    user_name: Callable[[int], str] = _hash_id
    department_name: Callable[[int], str] = _hash_id
    record_title: Callable[[str, int], str] = _hash_record


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fixed(number: Decimal, decimals: int | None) -> str:
    if decimals is None:
        out = format(number.normalize(), "f")
    else:
        out = format(number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), "f")
    return "0" if out == "-0" else out


def _many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def show_text(value: Any, f: Any, ctx: DisplayContext) -> str:
    """Text as it is."""
    return str(value)


def show_richtext(value: Any, f: Any, ctx: DisplayContext) -> str:
    """Rich text without its markup."""
    return " ".join(html.unescape(TAG.sub(" ", str(value))).split())


def show_number(value: Any, f: Any, ctx: DisplayContext) -> str:
    """A number with the field's decimals (all its digits when it sets none)."""
    number = _decimal(value)
    return str(value) if number is None else _fixed(number, getattr(f, "decimals", None))


def show_amount(value: Any, f: Any, ctx: DisplayContext) -> str:
    """Money with its currency: ``CNY 1200.00``."""
    return f"{f.currency} {show_number(value, f, ctx)}"


def show_percent(value: Any, f: Any, ctx: DisplayContext) -> str:
    """A fraction as a percentage with the field's decimals: 0.125 is ``12.50%``."""
    number = _decimal(value)
    return str(value) if number is None else f"{_fixed(number.scaleb(2), f.decimals)}%"


def show_rating(value: Any, f: Any, ctx: DisplayContext) -> str:
    """Stars: ``★★★☆☆``."""
    stars = int(value)
    return "★" * stars + "☆" * max(0, int(f.max) - stars)


def show_date(value: Any, f: Any, ctx: DisplayContext) -> str:
    """``YYYY-MM-DD``."""
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def show_datetime(value: Any, f: Any, ctx: DisplayContext) -> str:
    """``YYYY-MM-DD HH:MM:SS``."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).replace("T", " ")


def show_time(value: Any, f: Any, ctx: DisplayContext) -> str:
    """``HH:MM:SS``."""
    return value.strftime("%H:%M:%S") if isinstance(value, time) else str(value)


def _option(f: Any, key: Any, locale: str) -> str:
    found = next((o for o in f.options if o.key == key), None)
    return found.label.pick(locale) if found else str(key)


def show_select(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The option's label."""
    return _option(f, value, ctx.locale)


def show_multiselect(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The options' labels."""
    return LIST_SEPARATOR.join(_option(f, key, ctx.locale) for key in _many(value))


def show_checkbox(value: Any, f: Any, ctx: DisplayContext) -> str:
    """是 / 否 (Yes / No)."""
    return (text("Yes", "是") if value else text("No", "否")).render(ctx.locale)


def show_members(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The members' names."""
    return LIST_SEPARATOR.join(ctx.user_name(int(v)) for v in _many(value))


def show_departments(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The departments' names."""
    return LIST_SEPARATOR.join(ctx.department_name(int(v)) for v in _many(value))


def _title(f: Any, item: Any, ctx: DisplayContext) -> str:
    if isinstance(item, dict):  # expanded by the records API: {_id, title}
        return str(item.get("title") or f"#{item.get('_id')}")
    return ctx.record_title(f.target_form, int(item))


def show_relation(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The related records' titles."""
    return LIST_SEPARATOR.join(_title(f, item, ctx) for item in _many(value))


def show_address(value: Any, f: Any, ctx: DisplayContext) -> str:
    """Province city district detail."""
    parts = ("province", "city", "district", "detail")
    return " ".join(str(value[p]) for p in parts if value.get(p))


def show_location(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The place's label and its coordinates: ``Office (31.2, 121.5)``."""
    point = f"({value.get('lat')}, {value.get('lng')})"
    return f"{value['label']} {point}" if value.get("label") else point


def show_files(value: Any, f: Any, ctx: DisplayContext) -> str:
    """The files' names."""
    return LIST_SEPARATOR.join(
        str(item.get("name") or item.get("id")) if isinstance(item, dict) else str(item)
        for item in _many(value)
    )


def show_rows(value: Any, f: Any, ctx: DisplayContext) -> str:
    """How many rows a sub-form holds."""
    rows = len(_many(value))
    return text("{n} row" if rows == 1 else "{n} rows", "{n} 行", n=rows).render(ctx.locale)


def show_computed(value: Any, f: Any, ctx: DisplayContext) -> str:
    """A computed value by what it holds: yes / no, a number with the field's decimals."""
    if isinstance(value, bool):
        return show_checkbox(value, f, ctx)
    if isinstance(value, datetime):
        return show_datetime(value, f, ctx)
    if isinstance(value, date):
        return show_date(value, f, ctx)
    number = _decimal(value) if isinstance(value, (int, float, Decimal)) else None
    if number is None and getattr(f, "decimals", None) is not None:
        number = _decimal(value)
    return str(value) if number is None else _fixed(number, getattr(f, "decimals", None))
