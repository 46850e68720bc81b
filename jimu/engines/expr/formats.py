"""TEXT's format codes: Excel number formats and date/time formats, shared by every backend.

The tokenizer here is the one the SQL backend compiles from; static/components/jimu-logic.js follows
the same rules in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from jimu.engines.expr.runtime import (
    checked_text,
    number_text,
    quantize,
    significant,
    to_datetime,
    to_text,
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
CHINESE_WEEKDAYS = "日一二三四五六"

# Letters that start a code, and the longest code of each (a longer run is split).
_LONGEST = {"y": 4, "m": 5, "d": 4, "h": 2, "s": 2}
_AMPM = re.compile(r"am/pm|a/p", re.IGNORECASE)

Token = tuple[str, str]


def format_text(value: Any, fmt: str | None) -> str | None:
    """TEXT(value, format) for the common number and date formats.

    A number is first rounded to 15 significant digits, as ``&`` shows it.
    """
    if value is None:
        return ""
    pattern = fmt or ""
    if isinstance(value, date):
        return checked_text(format_date(value, pattern))
    if isinstance(value, Decimal):
        return checked_text(_format_number(value, pattern))
    return to_text(value)


# -- dates and times ---------------------------------------------------------------------


def _run_codes(letter: str, run: int) -> list[str]:
    """A run of one code letter ("mmmmmm") as codes, longest first ("mmmmm", "m")."""
    if letter == "y":
        # y and yy show two digits, yyy and yyyy four
        sizes = [4] * (run // 4) + ([4] if run % 4 >= 3 else [2] if run % 4 else [])
        return ["yyyy" if size == 4 else "yy" for size in sizes]
    longest = _LONGEST[letter]
    codes = [letter * longest] * (run // longest)
    return codes + ([letter * (run % longest)] if run % longest else [])


def _scan(pattern: str) -> list[Token]:
    """Codes (lower case, "AM/PM" as written) and literal text, before minutes are resolved."""
    tokens: list[Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        letter = char.lower()
        ampm = _AMPM.match(pattern, index)
        if ampm is not None:
            text = ampm.group()
            style = text.upper() if text[0] == "A" else text.lower()
            tokens.append((style, ""))
            index = ampm.end()
        elif letter in _LONGEST or (letter == "a" and pattern[index : index + 3].lower() == "aaa"):
            end = index
            while end < len(pattern) and pattern[end].lower() == letter:
                end += 1
            if letter == "a":
                run = end - index
                tokens.extend(("aaaa", "") for _ in range(run // 4))
                tokens.extend(("aaa", "") for _ in range(1 if run % 4 == 3 else 0))
                if run % 4 in (1, 2):
                    tokens.append(("", "a" * (run % 4)))
            else:
                tokens.extend((code, "") for code in _run_codes(letter, end - index))
            index = end
        elif char == '"':
            close = pattern.find('"', index + 1)
            end = len(pattern) if close < 0 else close
            tokens.append(("", pattern[index + 1 : end]))
            index = end + 1
        elif char == "\\" and index + 1 < len(pattern):
            tokens.append(("", pattern[index + 1]))
            index += 2
        else:
            tokens.append(("", char))
            index += 1
    return tokens


def date_tokens(pattern: str) -> list[Token]:
    """A date/time format as (code, "") and ("", literal text) tokens, Excel's way.

    Codes: yyyy yy, m mm mmm mmmm mmmmm (month, name, initial), d dd ddd dddd (day, weekday
    name), h hh (h12 hh12 with AM/PM), n nn (minutes: m or mm right after an hour code or
    right before a seconds code, literal text between), s ss, AM/PM am/pm A/P a/p, aaa aaaa
    (Chinese weekday: 一, 星期一). Text in double quotes and a character after a backslash
    are literal, as is anything else.
    """
    tokens = _scan(pattern)
    positions = [i for i, (code, _) in enumerate(tokens) if code]
    codes = [tokens[i][0] for i in positions]
    twelve = any(code.lower() in ("am/pm", "a/p") for code in codes)
    for position, index in enumerate(positions):
        code = codes[position]
        before = codes[position - 1] if position else ""
        after = codes[position + 1] if position + 1 < len(codes) else ""
        if code in ("m", "mm") and (before in ("h", "hh") or after in ("s", "ss")):
            code = "n" * len(code)
        elif code in ("h", "hh") and twelve:
            code += "12"
        tokens[index] = (code, "")
    resolved: list[Token] = []
    for code, literal in tokens:
        if not code and resolved and not resolved[-1][0]:
            resolved[-1] = ("", resolved[-1][1] + literal)
        elif code or literal:
            resolved.append((code, literal))
    return resolved


def date_parts(value: date) -> dict[str, str]:
    """What each date code shows for ``value``."""
    dt = to_datetime(value)
    assert dt is not None
    month = MONTHS[dt.month - 1]
    weekday = dt.isoweekday() % 7  # Sunday = 0
    hour12 = dt.hour % 12 or 12
    morning = dt.hour < 12
    return {
        "yyyy": f"{dt.year:04d}",
        "yy": f"{dt.year % 100:02d}",
        "m": str(dt.month),
        "mm": f"{dt.month:02d}",
        "mmm": month[:3],
        "mmmm": month,
        "mmmmm": month[0],
        "d": str(dt.day),
        "dd": f"{dt.day:02d}",
        "ddd": WEEKDAYS[weekday][:3],
        "dddd": WEEKDAYS[weekday],
        "h": str(dt.hour),
        "hh": f"{dt.hour:02d}",
        "h12": str(hour12),
        "hh12": f"{hour12:02d}",
        "n": str(dt.minute),
        "nn": f"{dt.minute:02d}",
        "s": str(dt.second),
        "ss": f"{dt.second:02d}",
        "AM/PM": "AM" if morning else "PM",
        "am/pm": "am" if morning else "pm",
        "A/P": "A" if morning else "P",
        "a/p": "a" if morning else "p",
        "aaa": CHINESE_WEEKDAYS[weekday],
        "aaaa": "星期" + CHINESE_WEEKDAYS[weekday],
    }


def format_date(value: date, pattern: str) -> str:
    """A date or date-time shown in a date/time format."""
    parts = date_parts(value)
    return "".join(parts[code] if code else literal for code, literal in date_tokens(pattern))


# -- numbers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """A number format such as "#,##0.00", "00000", "0.0%" or "¥#,##0.00 元".

    Attributes:
        min_digits: integer digits always shown (the zeros before the point).
        decimals: decimals rounded to; the last ``decimals - required`` are dropped when zero
            (``#`` after the point).
        point: whether the point is shown.
        percent: the value is shown times 100 (a ``%`` in the prefix or suffix).
    """

    prefix: str
    suffix: str
    min_digits: int
    grouped: bool
    decimals: int
    required: int
    point: bool
    percent: bool


_NUMBER_CORE = re.compile(r"[#0,]*[#0](?:\.[#0]*)?|\.[#0]+")


def number_format(pattern: str) -> NumberFormat | None:
    """The number format in ``pattern``; None when it is not one (the number shows as text)."""
    match = _NUMBER_CORE.search(pattern)
    if match is None:
        return None
    prefix, suffix = pattern[: match.start()], pattern[match.end() :]
    if any(c in "#0.," for c in prefix + suffix):
        return None
    whole, point, decimals = match.group().partition(".")
    return NumberFormat(
        prefix=prefix,
        suffix=suffix,
        min_digits=whole.count("0"),
        grouped="," in whole,
        decimals=len(decimals),
        required=decimals.rfind("0") + 1,
        point=bool(point),
        percent="%" in prefix + suffix,
    )


def group_thousands(digits: str) -> str:
    """ "1234567" → "1,234,567"."""
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def _format_number(value: Decimal, pattern: str) -> str:
    fmt = number_format(pattern)
    if fmt is None:
        return number_text(value)
    value = significant(value)
    if fmt.percent:
        value = value.scaleb(2, Context(prec=len(value.as_tuple().digits) + 1))
    rounded = quantize(value, fmt.decimals, ROUND_HALF_UP)
    whole, _, fraction = format(abs(rounded), "f").partition(".")
    whole = whole.lstrip("0").rjust(fmt.min_digits, "0")
    if fmt.grouped and whole:
        whole = group_thousands(whole)
    fraction = fraction.ljust(fmt.decimals, "0")
    fraction = fraction[: fmt.required] + fraction[fmt.required :].rstrip("0")
    sign = "-" if rounded < 0 else ""
    return sign + fmt.prefix + whole + ("." + fraction if fmt.point else "") + fmt.suffix
