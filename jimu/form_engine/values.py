"""Coercion and checks of submitted values, one function per field type.

Each takes the raw JSON value and the field spec and returns the value to store, or raises
``Invalid`` with a bilingual reason; the field type registry (``fieldtypes``) says which
applies to which type. Record-wide rules (required, unique, formulas) live in the records
service.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import nh3

from jimu.engines.clock import clock
from jimu.engines.i18n import Text, text
from jimu.engines.text import INVALID_TEXT_EN, INVALID_TEXT_ZH, is_valid_text
from jimu.form_engine import spec as s

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
ALLOWED_TAGS = {
    "p",
    "br",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "span",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "img",
    "hr",
}


class Invalid(Exception):
    """A value that does not fit its field."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message.en)
        self.code = code
        self.message = message


def _type_error(wanted: Text) -> Invalid:
    return Invalid("type", text("Expected {w}.", "应为{w}。", w=wanted))


def coerce_text(value: Any, f: Any) -> str:
    """Text within the field's length and pattern."""
    if not isinstance(value, str):
        raise _type_error(text("text", "文本"))
    if "\x00" in value:
        raise Invalid("nul_character", text("Must not contain NUL.", "不能包含空字符。"))
    if not is_valid_text(value):
        raise Invalid("invalid_text", text(INVALID_TEXT_EN, INVALID_TEXT_ZH))
    limit = getattr(f, "max_length", 10_000)
    if len(value) > limit:
        raise Invalid("too_long", text("At most {n} characters.", "最多 {n} 个字符。", n=limit))
    minimum = getattr(f, "min_length", None)
    if minimum and len(value) < minimum:
        raise Invalid("too_short", text("At least {n} characters.", "至少 {n} 个字符。", n=minimum))
    pattern = getattr(f, "pattern", None)
    if pattern and value and not re.fullmatch(pattern, value):
        raise Invalid("pattern", text("The format is not valid.", "格式不正确。"))
    return value


def coerce_number(value: Any, f: Any) -> Decimal:
    """A decimal within the field's bounds and decimals (a percent's as a fraction)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _type_error(text("a number", "数字"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _type_error(text("a number", "数字")) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 24:
        raise Invalid("out_of_range", text("The number is too large.", "数字过大。"))
    decimals = getattr(f, "decimals", None)
    if isinstance(f, s.PercentField):
        decimals = f.decimals + 2
    if decimals is not None and number != number.quantize(Decimal(1).scaleb(-decimals)):
        raise Invalid(
            "decimals", text("At most {n} decimal places.", "最多 {n} 位小数。", n=decimals)
        )
    low, high = getattr(f, "min", None), getattr(f, "max", None)
    if low is not None and number < low:
        raise Invalid("min", text("At least {n}.", "不能小于 {n}。", n=low))
    if high is not None and number > high:
        raise Invalid("max", text("At most {n}.", "不能大于 {n}。", n=high))
    return number


def coerce_rating(value: Any, f: s.RatingField) -> int:
    """Whole stars from 0 to the field's maximum."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= f.max:
        raise Invalid("out_of_range", text("0 to {n} stars.", "0 到 {n} 星。", n=f.max))
    return value


def coerce_date(value: Any, f: Any) -> date:
    """A date from ``YYYY-MM-DD``."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _type_error(text("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"))


def coerce_datetime(value: Any, f: Any) -> datetime:
    """A wall-clock date and time; an instant with a zone becomes the platform's time."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:  # an instant: stored as the platform's wall clock
                return clock().local(parsed)
            return parsed.replace(microsecond=0)
        except ValueError:
            pass
    raise _type_error(text("a date-time (YYYY-MM-DD HH:MM:SS)", "日期时间（YYYY-MM-DD HH:MM:SS）"))


def coerce_time(value: Any, f: Any) -> time:
    """A time of day from ``HH:MM[:SS]``."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise _type_error(text("a time (HH:MM)", "时间（HH:MM）"))


def coerce_select(value: Any, f: s.SelectField) -> str:
    """One of the field's option keys."""
    if not isinstance(value, str) or value not in {o.key for o in f.options}:
        raise Invalid("not_an_option", text("Not one of the options.", "不是可选项。"))
    return value


def coerce_multiselect(value: Any, f: s.MultiSelectField) -> list[str]:
    """Option keys of the field, each once, within its item limits."""
    keys = {o.key for o in f.options}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in keys for v in value):
        raise Invalid("not_an_option", text("Only the listed options.", "只能选择列出的选项。"))
    if f.max_items is not None and len(value) > f.max_items:
        raise Invalid("too_many", text("At most {n} options.", "最多选择 {n} 项。", n=f.max_items))
    if f.min_items and len(value) < f.min_items:
        raise Invalid("too_few", text("At least {n} options.", "至少选择 {n} 项。", n=f.min_items))
    return list(dict.fromkeys(value))


def coerce_checkbox(value: Any, f: Any) -> bool:
    """True or false."""
    if not isinstance(value, bool):
        raise _type_error(text("true or false", "是或否"))
    return value


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2_147_483_647:
        raise _type_error(text("an id", "编号"))
    return value


def coerce_ids(value: Any, f: Any) -> int | list[int]:
    """An id, or a list of distinct ids when the field takes several."""
    if getattr(f, "multiple", False):
        if not isinstance(value, list) or len(value) > 1000:
            raise _type_error(text("a list of ids", "编号列表"))
        return list(dict.fromkeys(_id(v) for v in value))
    return _id(value)


def coerce_email(value: Any, f: Any) -> str:
    """An e-mail address."""
    address = coerce_text(value, f)
    if not EMAIL.match(address) or len(address) > 254:
        raise Invalid("email", text("Not an e-mail address.", "邮箱格式不正确。"))
    return address


def coerce_url(value: Any, f: Any) -> str:
    """An http(s) address."""
    address = coerce_text(value, f)
    if not URL.match(address) or len(address) > 2048:
        raise Invalid(
            "url", text("Not a web address (http/https).", "网址格式不正确（http/https）。")
        )
    return address


def coerce_richtext(value: Any, f: Any) -> str:
    """Sanitised HTML."""
    return sanitize_html(coerce_text(value, f))


def _keep_url(tag: str, attribute: str, value: str) -> str | None:
    """Images load over http(s) only; links may also be mailto (nh3 checks the schemes)."""
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "img": {"src"}},
    attribute_filter=_keep_url,
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(source: str) -> str:
    """Keeps a safe subset of HTML (ammonia): known tags, http(s)/mailto links with
    ``rel="noopener noreferrer"``, http(s) images; no other attribute, no style, no script."""
    return _CLEANER.clean(source)


_PART = s.TextField(type="text", key="x", label=s.Label(en="x"))


def coerce_address(value: Any, f: Any) -> dict[str, str]:
    """Province / city / district / detail, each text."""
    parts = ("province", "city", "district", "detail")
    if not isinstance(value, dict) or not set(value) <= set(parts):
        raise _type_error(text("province / city / district / detail", "省 / 市 / 区 / 详细地址"))
    return {k: coerce_text(v, _PART) for k, v in value.items() if v is not None}


def coerce_location(value: Any, f: Any) -> dict[str, Any]:
    """Latitude, longitude and an optional label."""
    if not isinstance(value, dict):
        raise _type_error(text("a location", "位置"))
    try:
        lat, lng = float(value["lat"]), float(value["lng"])
    except (KeyError, TypeError, ValueError):
        raise _type_error(text("lat and lng", "经纬度")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("out_of_range", text("Not a place on Earth.", "经纬度超出范围。"))
    label = value.get("label")
    return {
        "lat": lat,
        "lng": lng,
        "label": coerce_text(label, _PART) if isinstance(label, str) else None,
    }


FILE_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
FILE_ID = re.compile(FILE_ID_PATTERN)


def coerce_files(value: Any, f: Any) -> list[dict[str, Any]]:
    """``[{"id": ...}]`` of uploads, other keys ignored: the records service replaces each by
    the stored descriptor (name, size, type come from the upload, never from the client)."""
    if not isinstance(value, list) or len(value) > 1000:
        raise _type_error(text("a list of uploaded files", "已上传文件列表"))
    ids = []
    for item in value:
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not FILE_ID.fullmatch(ident):
            raise _type_error(text("uploaded files, each with its id", "已上传文件（含 id）"))
        ids.append(ident)
    unique = list(dict.fromkeys(ids))
    limit = getattr(f, "max_files", 1)
    if len(unique) > limit:
        raise Invalid("too_many", text("At most {n} files.", "最多 {n} 个文件。", n=limit))
    return [{"id": ident} for ident in unique]
