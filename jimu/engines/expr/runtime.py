"""Runtime values and the Python implementation of every function (shared with SQLite UDFs)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    InvalidOperation,
    Overflow,
)
from typing import Any

from jimu.engines.expr.errors import ExprEvalError, ExprLimitError
from jimu.engines.i18n import text

MAX_TEXT = 100_000
MAX_LIST = 10_000
MAX_MAGNITUDE = Decimal(10) ** 40
# powers smaller than this are 0: numbers have at most 40 digits either side of the point
MIN_POWER = Decimal(10) ** -40
MAX_PLACES = 1_000
MAX_DIGITS = 40
DECIMAL = Context(prec=34, Emax=999_999, Emin=-999_999)
TEXT_DIGITS = 15

Value = Any


# -- coercion of stored values -------------------------------------------------------------


def to_number(value: Any) -> Decimal | None:
    """A stored number as Decimal (floats through their shortest repr)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def to_date(value: Any) -> date | None:
    """A stored date (ISO text on SQLite) as ``date``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def to_datetime(value: Any) -> datetime | None:
    """A stored datetime as a naive ``datetime``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return None


def to_bool(value: Any) -> bool:
    """A stored checkbox value; blank reads as FALSE (booleans are two-valued)."""
    return bool(value) if value is not None else False


COERCE: dict[str, Callable[[Any], Any]] = {
    "number": to_number,
    "date": to_date,
    "datetime": to_datetime,
    "bool": to_bool,
    "text": lambda v: v if v is None or isinstance(v, str) else str(v),
    "user": lambda v: None if v is None else int(v),
    "department": lambda v: None if v is None else int(v),
}


# -- limits ------------------------------------------------------------------------------


def too_large() -> ExprLimitError:
    """The error for a result beyond the magnitude limit."""
    return ExprLimitError(
        "number_too_large",
        text("A result is too large (over 10^40).", "计算结果过大（超过 10^40）。"),
    )


def checked_number(value: Decimal | None) -> Decimal | None:
    """Refuses results beyond the magnitude limit."""
    if value is not None and value.is_finite() and value.copy_abs() >= MAX_MAGNITUDE:
        raise too_large()
    return value


def checked_text(value: str) -> str:
    """Refuses text results beyond the length limit."""
    if len(value) > MAX_TEXT:
        raise ExprLimitError(
            "text_too_long",
            text(
                "A text result is longer than {n} characters.",
                "文本结果超过 {n} 个字符。",
                n=MAX_TEXT,
            ),
        )
    return value


def quantize(value: Decimal, places: int, rounding: str) -> Decimal:
    """``value`` rounded to ``places`` decimals (negative: tens, hundreds ...), exactly.

    Never fails for lack of precision: a value already that coarse is returned as it is,
    and the rounding itself needs no more digits than the value has.
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= -places:
        return value
    exact = Context(prec=len(digits) + 1, Emax=DECIMAL.Emax, Emin=DECIMAL.Emin)
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=exact)


# -- conversions to text -----------------------------------------------------------------


def significant(value: Decimal) -> Decimal:
    """``value`` rounded to 15 significant digits, half away from zero."""
    if value == 0:
        return value
    return quantize(value, TEXT_DIGITS - 1 - value.adjusted(), ROUND_HALF_UP)


def plain(value: Decimal) -> Decimal:
    """``value`` written plainly: no trailing zeros after the point (1.500 → 1.5), and no
    exponent below the magnitude limit (1.2E+3 → 1200)."""
    if value == 0:
        return Decimal(0)
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return value
    if exponent > 0:
        if value.adjusted() >= MAX_DIGITS:
            return value
        return value.quantize(Decimal(1), context=Context(prec=MAX_DIGITS + 2))
    drop = 0
    while drop < -exponent and digits[len(digits) - 1 - drop] == 0:
        drop += 1
    return Decimal((sign, digits[: len(digits) - drop], exponent + drop))


def settle(value: Any) -> Any:
    """A computed number as it leaves arithmetic: rounded to 15 significant digits.

    Operators and SUM/AVERAGE keep 34 digits; a number they compute is settled when it is
    compared, shown, given to another function or returned, as Excel keeps 15 digits, so
    ``1/3*3 = 1`` is TRUE and ``INT(10/3*3)`` is 10. Lists are settled item by item.
    """
    if isinstance(value, Decimal):
        return plain(significant(value)) if value.is_finite() else value
    if isinstance(value, list):
        return [settle(v) for v in value]
    return value


def number_text(value: Decimal) -> str:
    """A number as text: at most 15 significant digits, no trailing zeros, no exponent."""
    if value == 0:
        return "0"
    out = format(significant(value).normalize(DECIMAL), "f")
    return "0" if out in ("-0", "") else out


def to_text(value: Any) -> str:
    """Any scalar as text, the way ``&`` and CONCAT show it (blank is empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return str(value)


# -- operators ---------------------------------------------------------------------------


def add(a: Any, b: Any) -> Any:
    """``a + b``: numbers, or a date plus days."""
    if a is None or b is None:
        return None
    if isinstance(a, date):
        return shift_days(a, b)
    if isinstance(b, date):
        return shift_days(b, a)
    return checked_number(DECIMAL.add(a, b))


def sub(a: Any, b: Any) -> Any:
    """``a - b``: numbers, a date minus days, or the days between two dates."""
    if a is None or b is None:
        return None
    if isinstance(a, date) and isinstance(b, date):
        return days_between(b, a)
    if isinstance(a, date):
        return shift_days(a, -b)
    return checked_number(DECIMAL.subtract(a, b))


def mul(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """``a * b``."""
    if a is None or b is None:
        return None
    return checked_number(DECIMAL.multiply(a, b))


def div(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """``a / b``; division by zero is blank."""
    if a is None or b is None or b == 0:
        return None
    return checked_number(DECIMAL.divide(a, b))


def power(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """``a ^ b``: computed at 34 digits (bounded work for any exponent), then checked.

    Results of 10^40 or more are refused like every result; results below 10^-40 are 0.
    Undefined ones (0^0, 0 to a negative power, a negative base to a fraction) are blank.
    """
    if a is None or b is None:
        return None
    if (a == 0 and b <= 0) or (a < 0 and b != b.to_integral_value()):
        return None
    try:
        result = DECIMAL.power(a, b)
    except Overflow:
        raise too_large() from None
    except InvalidOperation:
        return None
    if result.copy_abs() < MIN_POWER:
        return Decimal(0)
    return checked_number(result)


def negate(a: Decimal | None) -> Decimal | None:
    """``-a``, exactly (every digit kept)."""
    return None if a is None else a.copy_negate()


def absolute(a: Decimal | None) -> Decimal | None:
    """ABS, exactly (every digit kept)."""
    return None if a is None else a.copy_abs()


def percent(a: Decimal | None) -> Decimal | None:
    """``a%``."""
    return None if a is None else DECIMAL.divide(a, Decimal(100))


def concat(a: Any, b: Any) -> str:
    """``a & b``: blanks count as empty text."""
    return checked_text(to_text(a) + to_text(b))


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, datetime) != isinstance(b, datetime):
        a, b = to_datetime(a), to_datetime(b)
    return a, b


def equals(a: Any, b: Any) -> bool:
    """``a = b``; blank equals blank."""
    if a is None or b is None:
        return a is None and b is None
    a, b = _comparable(a, b)
    return bool(a == b)


def compare(op: str, a: Any, b: Any) -> bool:
    """``< <= > >=``; FALSE when either side is blank."""
    if a is None or b is None:
        return False
    a, b = _comparable(a, b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def truthy(value: Any) -> bool:
    """A condition's value: blank counts as FALSE."""
    return bool(value) if value is not None else False


# -- dates -------------------------------------------------------------------------------


def shift_days(d: date, days: Decimal) -> date | None:
    """A date (or datetime) plus whole days (the fraction is dropped)."""
    try:
        return d + timedelta(days=int(days))
    except OverflowError:
        return None


def days_between(start: date, end: date) -> Decimal:
    """Days from start to end (fractional for datetimes)."""
    if isinstance(start, datetime) or isinstance(end, datetime):
        s, e = to_datetime(start), to_datetime(end)
        assert s is not None
        assert e is not None
        seconds = Decimal((e - s).days * 86400 + (e - s).seconds)
        return DECIMAL.divide(seconds, Decimal(86400))
    return Decimal((end - start).days)


def _int(value: Decimal | None) -> int:
    if value is None:
        raise ExprEvalError("blank")
    return int(value)


def excel_year(year: int) -> int:
    """Excel's year rule: 0–1899 are years after 1900 (24 is 1924), 1900–9999 as written."""
    return year + 1900 if 0 <= year < 1900 else year


def make_date(y: Decimal | None, m: Decimal | None, d: Decimal | None) -> date | None:
    """DATE(y, m, d) with Excel's year rule; blank when it does not exist."""
    try:
        return date(excel_year(_int(y)), _int(m), _int(d))
    except (ValueError, ExprEvalError, OverflowError):
        return None


def make_datetime(*parts: Decimal | None) -> datetime | None:
    """DATETIME(y, m, d, [h], [mi], [s]) with DATE's year rule."""
    values = list(parts) + [Decimal(0)] * (6 - len(parts))
    try:
        y, mo, d, h, mi, s = (_int(v) for v in values[:6])
        return datetime(excel_year(y), mo, d, h, mi, s)
    except (ValueError, ExprEvalError, OverflowError):
        return None


def rolled_date(year: int, month: int, day: int) -> date:
    """The date ``day - 1`` days after the 1st of the month: Feb 30 is Mar 1 or 2, as in
    Excel's DATE (month 0 is December of the year before)."""
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1) + timedelta(days=day - 1)


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end."""
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise ExprEvalError("year out of range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return d.replace(year=year, month=month + 1, day=day)


def date_add(d: date | None, count: Decimal | None, unit: str | None = "d") -> date | None:
    """DATEADD(date, count, unit); a blank count is 0, a blank unit is no unit (blank)."""
    if d is None or unit is None:
        return None
    count = count or Decimal(0)
    unit = unit.lower()
    try:
        if unit == "d":
            return d + timedelta(days=int(count))
        if unit == "w":
            return d + timedelta(weeks=int(count))
        if unit == "m":
            return add_months(d, int(count))
        if unit == "y":
            return add_months(d, 12 * int(count))
    except (OverflowError, ExprEvalError, ValueError):
        return None
    return None


def eomonth(d: date | None, months: Decimal | None) -> date | None:
    """EOMONTH(date, months); blank months count as 0."""
    if d is None:
        return None
    try:
        shifted = add_months(to_date(d) or d, int(months or 0))
    except (ExprEvalError, ValueError, OverflowError):
        return None
    return shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])


def datedif(start: date | None, end: date | None, unit: str | None) -> Decimal | None:
    """DATEDIF(start, end, unit) as in Excel; blank when start is after end."""
    s, e = to_date(start), to_date(end)
    if s is None or e is None or unit is None or s > e:
        return None
    unit = unit.lower()
    months = (e.year - s.year) * 12 + (e.month - s.month) - (1 if e.day < s.day else 0)
    if unit == "d":
        return Decimal((e - s).days)
    if unit == "m":
        return Decimal(months)
    if unit == "y":
        return Decimal(months // 12)
    if unit == "ym":
        return Decimal(months % 12)
    if unit == "md":
        return Decimal(_datedif_md(s, e))
    if unit == "yd":
        return Decimal(_datedif_yd(s, e))
    return None


def _datedif_md(s: date, e: date) -> int:
    """Excel's "md": the days' difference; when the end's day is smaller, the days since
    the start's day in the month before the end, rolled over like DATE (so 31 Jan to 1 Mar
    2024 is -1: 31 Feb is 2 Mar, as Excel documents that "md" may be negative)."""
    if e.day >= s.day:
        return e.day - s.day
    return (e - rolled_date(e.year, e.month - 1, s.day)).days


def _datedif_yd(s: date, e: date) -> int:
    """Excel's "yd": the days from the start's month and day in the end's year when that is
    not after the end; otherwise from the start to the end's month and day in the year after
    the start (29 Feb rolls over to 1 Mar in other years)."""
    if (e.month, e.day) >= (s.month, s.day):
        return (e - rolled_date(e.year, s.month, s.day)).days
    return (rolled_date(s.year + 1, e.month, e.day) - s).days


def weekday(d: date | None, kind: Decimal | None = Decimal(1)) -> Decimal | None:
    """WEEKDAY(date, type); a blank type counts as 0, which is no type (blank)."""
    if d is None:
        return None
    iso = d.isoweekday()  # Monday=1 … Sunday=7
    k = int(kind or 0)
    if k == 1:
        return Decimal(iso % 7 + 1)
    if k == 2:
        return Decimal(iso)
    if k == 3:
        return Decimal(iso - 1)
    return None


def weeknum(d: date | None, kind: Decimal | None = Decimal(1)) -> Decimal | None:
    """WEEKNUM(date, type): 1 Sunday-start, 2 Monday-start, 21 ISO 8601 (blank type: 0)."""
    if d is None:
        return None
    d = to_date(d) or d
    k = int(kind or 0)
    if k == 21:
        return Decimal(d.isocalendar()[1])
    if k not in (1, 2):
        return None
    jan1 = date(d.year, 1, 1)
    first_weekday = jan1.isoweekday() % 7 if k == 1 else jan1.isoweekday() - 1
    return Decimal((d - jan1).days + first_weekday) // 7 + 1


def networkdays(start: date | None, end: date | None) -> Decimal | None:
    """Monday–Friday days from start to end, inclusive; negative when end < start."""
    s, e = to_date(start), to_date(end)
    if s is None or e is None:
        return None
    sign = 1
    if e < s:
        s, e, sign = e, s, -1
    days = (e - s).days + 1
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    first = s.isoweekday()
    for offset in range(extra):
        if (first - 1 + offset) % 7 < 5:
            count += 1
    return Decimal(sign * count)


# -- numbers -----------------------------------------------------------------------------


def _round(value: Decimal | None, digits: Decimal | None, mode: str) -> Decimal | None:
    if value is None:
        return None
    places = 0 if digits is None else int(digits)  # a blank digits counts as 0
    return plain(quantize(value, max(-MAX_PLACES, min(places, MAX_PLACES)), mode))


def round_half(value: Decimal | None, digits: Decimal | None = None) -> Decimal | None:
    """ROUND: half away from zero."""
    return _round(value, digits, ROUND_HALF_UP)


def round_up(value: Decimal | None, digits: Decimal | None = None) -> Decimal | None:
    """ROUNDUP: away from zero."""
    return _round(value, digits, ROUND_UP)


def round_down(value: Decimal | None, digits: Decimal | None = None) -> Decimal | None:
    """ROUNDDOWN: toward zero."""
    return _round(value, digits, ROUND_DOWN)


def int_floor(value: Decimal | None) -> Decimal | None:
    """INT: toward minus infinity."""
    return None if value is None else value.to_integral_value(rounding=ROUND_FLOOR)


def excel_mod(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """MOD with the divisor's sign; blank when the quotient has more than 34 digits."""
    if a is None or b is None or b == 0:
        return None
    try:
        rest = DECIMAL.remainder(a, b)  # exact, with the sign of a
    except InvalidOperation:
        return None
    if rest != 0 and (rest < 0) != (b < 0):
        rest = DECIMAL.add(rest, b)
    return checked_number(rest)


def sqrt(value: Decimal | None) -> Decimal | None:
    """SQRT; blank for negatives."""
    if value is None or value < 0:
        return None
    return value.sqrt(DECIMAL)


def ceiling_to(value: Decimal) -> Decimal:
    """Smallest integer ≥ value (helper)."""
    return value.to_integral_value(rounding=ROUND_CEILING)


# -- text --------------------------------------------------------------------------------

_ASCII_UPPER = {ord(c): ord(c.upper()) for c in "abcdefghijklmnopqrstuvwxyz"}
_ASCII_LOWER = {ord(c.upper()): ord(c) for c in "abcdefghijklmnopqrstuvwxyz"}
_SPACES = re.compile(" {2,}")


def upper(s: str | None) -> str:
    """UPPER: letters a–z only."""
    return (s or "").translate(_ASCII_UPPER)


def lower(s: str | None) -> str:
    """LOWER: letters A–Z only."""
    return (s or "").translate(_ASCII_LOWER)


def trim(s: str | None) -> str:
    """TRIM: outer spaces removed, inner runs collapsed."""
    return _SPACES.sub(" ", (s or "").strip(" "))


# A blank count or start counts as 0, as in Excel (LEFT("abc", blank) is ""); only a
# count that is left out takes its default.


def _count(n: Decimal | None) -> int | None:
    """A whole count; blank when negative."""
    if n is not None and n < 0:
        return None
    return int(n or 0)


def _start(n: Decimal | None) -> int | None:
    """A 1-based start as a 0-based index; blank when below 1."""
    value = int(n or 0)
    return value - 1 if value >= 1 else None


def left(s: str | None, n: Decimal | None = Decimal(1)) -> str | None:
    """LEFT(text, n)."""
    count = _count(n)
    return None if count is None else (s or "")[:count]


def right(s: str | None, n: Decimal | None = Decimal(1)) -> str | None:
    """RIGHT(text, n)."""
    count = _count(n)
    if count is None:
        return None
    return (s or "")[-count:] if count else ""


def mid(s: str | None, start: Decimal | None, n: Decimal | None) -> str | None:
    """MID(text, start, n) with a 1-based start."""
    begin, count = _start(start), _count(n)
    if begin is None or count is None:
        return None
    return (s or "")[begin : begin + count]


def length(s: str | None) -> Decimal:
    """LEN."""
    return Decimal(len(s or ""))


def substitute(s: str | None, old: str | None, new: str | None) -> str:
    """SUBSTITUTE: every occurrence; an empty ``old`` changes nothing."""
    source = s or ""
    if not old:
        return source
    if new and len(new) > len(old) and source.count(old) * (len(new) - len(old)) > MAX_TEXT:
        checked_text("x" * (MAX_TEXT + 1))
    return checked_text(source.replace(old, new or ""))


def replace_text(
    s: str | None, start: Decimal | None, n: Decimal | None, new: str | None
) -> str | None:
    """REPLACE(text, start, n, new)."""
    begin, count = _start(start), _count(n)
    if begin is None or count is None:
        return None
    source = s or ""
    return checked_text(source[:begin] + (new or "") + source[begin + count :])


def find(
    needle: str | None, haystack: str | None, start: Decimal | None = Decimal(1)
) -> Decimal | None:
    """FIND: 1-based position or blank."""
    begin = _start(start)
    if begin is None:
        return None
    index = (haystack or "").find(needle or "", begin)
    return None if index < 0 else Decimal(index + 1)


def contains(s: str | None, part: str | None) -> bool:
    """CONTAINS."""
    return (part or "") in (s or "")


def startswith(s: str | None, prefix: str | None) -> bool:
    """STARTSWITH."""
    return (s or "").startswith(prefix or "")


VALUE_MAX_LENGTH = 100
VALUE_MAX_EXPONENT = 1_000
# sign, digits (optionally grouped by thousands), exponent, percent; ASCII spaces around
VALUE_PATTERN = (
    "^[ \t\r\n]*([-+]?)((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:[.][0-9]*)?|[.][0-9]+)"
    "(?:[eE]([-+]?[0-9]+))?(%?)[ \t\r\n]*$"
)
_NUMBER_TEXT = re.compile(VALUE_PATTERN)


def value_of(s: str | None) -> Decimal | None:
    """VALUE: the number in the text ("1,234.5", "1e3", "12%"), or blank."""
    if s is None or len(s) > VALUE_MAX_LENGTH:
        return None
    match = _NUMBER_TEXT.fullmatch(s)
    if match is None:
        return None
    sign, digits, exponent, pct = match.groups()
    if exponent and abs(int(exponent)) > VALUE_MAX_EXPONENT:
        return None
    number = Decimal(sign + digits.replace(",", "") + (f"e{exponent}" if exponent else ""))
    return checked_number(percent(number) if pct else number)


def is_blank(value: Any) -> bool:
    """ISBLANK: NULL or empty text."""
    return value is None or value == ""


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def rmb_upper(amount: Decimal | None) -> str | None:
    """人民币大写, e.g. 12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分."""
    if amount is None:
        return None
    value = quantize(amount, 2, ROUND_HALF_UP)
    if abs(value) >= Decimal(10) ** 16:
        return None
    negative = value < 0
    value = abs(value)
    integer = int(value)
    cents = int((value - integer) * 100)
    jiao, fen = divmod(cents, 10)
    words = _integer_words(integer)
    out = ("负" if negative else "") + (words + "元" if integer else "")
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif integer:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def _integer_words(number: int) -> str:
    if number == 0:
        return ""
    sections: list[int] = []
    while number:
        number, rest = divmod(number, 10_000)
        sections.append(rest)
    out = ""
    need_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or section < 1000):
            out += "零"
        out += _section_words(section) + _SECTIONS[index]
        need_zero = False
    return out


def _section_words(section: int) -> str:
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = section // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _UNITS[position]
    return out


# -- aggregates --------------------------------------------------------------------------


def present(values: Sequence[Any]) -> list[Any]:
    """The non-blank values."""
    if len(values) > MAX_LIST:
        raise ExprLimitError(
            "list_too_long",
            text("A list has more than {n} items.", "列表超过 {n} 项。", n=MAX_LIST),
        )
    return [v for v in values if v is not None]


def agg_sum(values: Sequence[Any]) -> Decimal:
    """SUM; 0 when empty."""
    total = Decimal(0)
    for v in present(values):
        total = DECIMAL.add(total, v)
    return checked_number(total) or Decimal(0)


def agg_average(values: Sequence[Any]) -> Decimal | None:
    """AVERAGE; blank when empty."""
    items = present(values)
    return DECIMAL.divide(agg_sum(items), Decimal(len(items))) if items else None


def _orderable(values: Sequence[Any]) -> list[Any]:
    """The non-blank values; dates become datetimes when mixed with datetimes."""
    items = present(values)
    if any(isinstance(v, datetime) for v in items):
        return [to_datetime(v) for v in items]
    return items


def agg_min(values: Sequence[Any]) -> Any:
    """MIN; blank when empty."""
    items = _orderable(values)
    return min(items) if items else None


def agg_max(values: Sequence[Any]) -> Any:
    """MAX; blank when empty."""
    items = _orderable(values)
    return max(items) if items else None


def agg_count(values: Sequence[Any]) -> Decimal:
    """COUNT of non-blank values."""
    return Decimal(len(present(values)))
