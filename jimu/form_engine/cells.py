"""Imported cells (CSV, XLSX) as the values the records API takes, one function per kind of
field; the field type registry (``fieldtypes``) says which applies to which type.

Each takes a cell that is not blank (text from CSV; text, numbers, booleans, dates and times
from XLSX), the field spec and a :class:`CellContext`, and returns the API value. A cell that
does not parse comes back as text, so the field's coercion says what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (after Excel's 1900-02-29)
SEPARATORS = re.compile(r"\s*[,，、;；\n]\s*")
DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
CURRENCY = re.compile(r"^(?:[A-Z]{3}|[¥￥$€£])\s*")
YES = frozenset({"是", "对", "true", "yes", "y", "1", "√", "✓", "✔"})
NO = frozenset({"否", "错", "false", "no", "n", "0", "\u00d7", "✗", "✘"})


def _unknown(*_: str) -> int | None:
    return None


@dataclass(frozen=True)
class CellContext:
    """How names in cells become ids.

    Attributes:
        user_id: a member's id by name, None when there is no such member.
        department_id: a department's id by name, None when there is none.
        record_id: a record's id by its form's key and its title, None when there is none.
    """

    user_id: Callable[[str], int | None] = _unknown
    department_id: Callable[[str], int | None] = _unknown
    record_id: Callable[[str, str], int | None] = _unknown


def plain(cell: Any) -> str:
    """A cell as text: whole numbers without ``.0``, dates in ISO form."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, (date, time)):
        return cell.isoformat()
    return str(cell).strip()


def _whole(cell: Any) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return None


def _number_text(cell: Any) -> Decimal | None:
    cleaned = CURRENCY.sub("", re.sub(r"[,，\s]", "", plain(cell)))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_text(cell: Any, f: Any, ctx: CellContext) -> str:
    """The cell's text."""
    return plain(cell)


def parse_number(cell: Any, f: Any, ctx: CellContext) -> Any:
    """A number: whole floats as integers; text without thousands separators or currency."""
    whole = _whole(cell)
    if whole is not None:
        return whole
    if isinstance(cell, (float, Decimal)):
        return plain(cell)
    number = _number_text(cell)
    return plain(cell) if number is None else format(number, "f")


def parse_percent(cell: Any, f: Any, ctx: CellContext) -> Any:
    """A fraction: numbers are one already (Excel keeps 12.5% as 0.125); text reads as typed
    in the form, with or without ``%`` (``12.5%`` and ``12.5`` are both 0.125)."""
    if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        return parse_number(cell, f, ctx)
    number = _number_text(plain(cell).rstrip("%"))
    return plain(cell) if number is None else format(number.scaleb(-2).normalize(), "f")


def parse_rating(cell: Any, f: Any, ctx: CellContext) -> Any:
    """Whole stars: a number or ``★★★``."""
    whole = _whole(cell)
    if whole is not None:
        return whole
    value = plain(cell)
    if value.isdigit():
        return int(value)
    if value and set(value) <= {"★", "☆"}:
        return value.count("★")
    return value


def _serial(cell: Any) -> datetime | None:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 0 < cell < 2_958_466:
        return (EXCEL_EPOCH + timedelta(days=float(cell))).replace(microsecond=0)
    return None


def _moment(cell: Any) -> datetime | date | None:
    if isinstance(cell, (datetime, date)):
        return cell
    serial = _serial(cell)
    if serial is not None:
        return serial
    found = DATE_TEXT.match(plain(cell))
    if not found:
        return None
    y, m, d, hh, mm, ss = (int(g) if g else 0 for g in found.groups())
    try:
        return datetime(y, m, d, hh, mm, ss) if found.group(4) else date(y, m, d)
    except ValueError:
        return None


def parse_date(cell: Any, f: Any, ctx: CellContext) -> str:
    """``YYYY-MM-DD`` from a date cell, an Excel serial number or text such as ``2026/1/5``."""
    moment = _moment(cell)
    if moment is None:
        return plain(cell)
    return moment.strftime("%Y-%m-%d")


def parse_datetime(cell: Any, f: Any, ctx: CellContext) -> str:
    """``YYYY-MM-DD HH:MM:SS`` from a date-time cell, an Excel serial number or text."""
    moment = _moment(cell)
    if moment is None:
        return plain(cell)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if isinstance(moment, datetime) else "%Y-%m-%d")


def parse_time(cell: Any, f: Any, ctx: CellContext) -> str:
    """``HH:MM:SS`` from a time cell, a fraction of a day or text such as ``9:30``."""
    if isinstance(cell, datetime):
        return cell.strftime("%H:%M:%S")
    if isinstance(cell, time):
        return cell.strftime("%H:%M:%S")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 0 <= cell < 1:
        seconds = round(cell * 86_400)
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    found = TIME_TEXT.match(plain(cell))
    if not found:
        return plain(cell)
    hh, mm, ss = (int(g) if g else 0 for g in found.groups())
    return f"{hh:02d}:{mm:02d}:{ss:02d}"


def parse_checkbox(cell: Any, f: Any, ctx: CellContext) -> Any:
    """True or false from 是 / 否, true / false, yes / no, 1 / 0."""
    if isinstance(cell, bool):
        return cell
    value = plain(cell).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return plain(cell)


def _option_key(f: Any, value: str) -> str:
    if any(o.key == value for o in f.options):
        return value
    wanted = value.casefold()
    for o in f.options:
        if wanted in (o.label.zh.casefold(), o.label.en.casefold()):
            return str(o.key)
    return value


def parse_select(cell: Any, f: Any, ctx: CellContext) -> str:
    """An option's key, from its key or its label (Chinese or English)."""
    return _option_key(f, plain(cell))


def parse_multiselect(cell: Any, f: Any, ctx: CellContext) -> list[str]:
    """Option keys from keys or labels separated by commas, 、 or semicolons."""
    return [_option_key(f, part) for part in SEPARATORS.split(plain(cell)) if part]


def _id(cell: Any, find: Callable[[str], int | None]) -> Any:
    whole = _whole(cell)
    if whole is not None:
        return whole
    value = plain(cell)
    if value.lstrip("#").isdigit():
        return int(value.lstrip("#"))
    found = find(value)
    return value if found is None else found


def _ids(cell: Any, f: Any, find: Callable[[str], int | None]) -> Any:
    if not getattr(f, "multiple", False):
        return _id(cell, find)
    parts = [cell] if _whole(cell) is not None else SEPARATORS.split(plain(cell))
    return [_id(part, find) for part in parts if part != ""]


def parse_members(cell: Any, f: Any, ctx: CellContext) -> Any:
    """Member ids, from ids or names."""
    return _ids(cell, f, ctx.user_id)


def parse_departments(cell: Any, f: Any, ctx: CellContext) -> Any:
    """Department ids, from ids or names."""
    return _ids(cell, f, ctx.department_id)


def parse_relation(cell: Any, f: Any, ctx: CellContext) -> Any:
    """Related record ids, from ids or titles."""
    return _ids(cell, f, lambda title: ctx.record_id(f.target_form, title))


def parse_address(cell: Any, f: Any, ctx: CellContext) -> dict[str, str]:
    """Province / city / district / detail, separated by ``/`` or spaces."""
    parts = [p for p in re.split(r"\s*/\s*|\s+", plain(cell)) if p]
    named = dict(zip(("province", "city", "district"), parts[:3], strict=False))
    if len(parts) > 3:
        named["detail"] = " ".join(parts[3:])
    return named


def parse_location(cell: Any, f: Any, ctx: CellContext) -> Any:
    """Latitude and longitude from ``lat, lng``."""
    parts = re.split(r"\s*[,，]\s*|\s+", plain(cell))
    try:
        lat, lng = (float(p) for p in parts)
    except ValueError:
        return plain(cell)
    return {"lat": lat, "lng": lng}
