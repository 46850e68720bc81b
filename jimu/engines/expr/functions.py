"""The function registry: names, arity, argument and result types, zh/en docs, backends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from jimu.engines.expr.types import (
    ANY,
    BOOL,
    DATE,
    DATETIME,
    DEPARTMENT,
    NULL,
    NUMBER,
    TEXT,
    USER,
    Type,
)
from jimu.engines.i18n import Text, text


class SignatureError(Exception):
    """An argument of the wrong type; ``index`` is the argument's position (0-based)."""

    def __init__(self, index: int, message: Text) -> None:
        super().__init__(message.en)
        self.index = index
        self.message = message


Checker = Callable[[Sequence[Type]], Type]


@dataclass(frozen=True)
class FunctionSpec:
    """One function of the language.

    Attributes:
        aggregate: takes lists (a sub-form's or relation's values) and returns one value;
            other functions apply element-wise when given lists.
        sql: compiles to SQL on SQLite and PostgreSQL.
        js: has a JsonLogic operation for live evaluation in the browser.
        sql_literals: argument positions that must be literal text for SQL (a format).
    """

    name: str
    category: str
    min_args: int
    max_args: int | None
    check: Checker
    en: str
    zh: str
    example: str
    aggregate: bool = False
    sql: bool = True
    js: bool = True
    sql_literals: tuple[int, ...] = ()

    def signature(self) -> str:
        """A short human signature such as ``ROUND(number, [digits])``."""
        return SIGNATURES.get(self.name, f"{self.name}(...)")


# -- type rules -------------------------------------------------------------------------

DATE_LIKE = ("date", "datetime")


def _accepts(t: Type, kind: str) -> bool:
    if t.kind in ("null", "any"):
        return True
    if kind == "any":
        return t.kind != "record" and t.kind != "list"
    if kind == "date":
        return t.kind in DATE_LIKE
    if kind == "number":
        return t.kind == "number"
    return t.kind == kind


def expect(t: Type, kind: str, index: int) -> None:
    """Raises SignatureError unless ``t`` fits ``kind``."""
    if not _accepts(t, kind):
        from jimu.engines.expr.types import TYPE_NAMES, type_name

        raise SignatureError(
            index,
            text(
                "argument {n} must be {want}, not {got}",
                "第 {n} 个参数应为{want}，而不是{got}",
                n=index + 1,
                want=TYPE_NAMES.get(kind, text(kind, kind)),
                got=type_name(t),
            ),
        )


def unify(types: Sequence[Type], first_index: int = 0, step: int = 1) -> Type:
    """The common type of branches (NULL fits anything); refuses mixed kinds."""
    result = NULL
    for offset, t in enumerate(types):
        if t.kind in ("null",):
            continue
        if result.kind in ("null", "any"):
            result = t
        elif t.kind == "any":
            continue
        elif {result.kind, t.kind} == {"date", "datetime"}:
            result = DATETIME
        elif t.kind != result.kind:
            from jimu.engines.expr.types import type_name

            raise SignatureError(
                first_index + offset * step,
                text(
                    "all results must have the same type ({a} vs {b})",
                    "各分支结果的类型必须一致（{a} 与 {b}）",
                    a=type_name(result),
                    b=type_name(t),
                ),
            )
    return result


def fixed(*kinds: str, returns: Type) -> Checker:
    """Arguments of the given kinds (optional ones may be missing)."""

    def check(args: Sequence[Type]) -> Type:
        for index, (t, kind) in enumerate(zip(args, kinds, strict=False)):
            expect(t, kind, index)
        return returns

    return check


def all_of(kind: str, returns: Type) -> Checker:
    """Any number of arguments of one kind."""

    def check(args: Sequence[Type]) -> Type:
        for index, t in enumerate(args):
            expect(t, kind, index)
        return returns

    return check


def _scalar_list_args(args: Sequence[Type], kind: str) -> None:
    """Aggregate arguments: lists of ``kind`` (one collection) or plain values of it."""
    sources = {t.source for t in args if t.is_list}
    if len(sources) > 1:
        raise SignatureError(
            0,
            text(
                "values from different sub-forms or relations cannot be combined",
                "不能混用来自不同子表单或关联的数据",
            ),
        )
    for index, t in enumerate(args):
        expect(t.scalar(), kind, index)


def aggregate_of(kind: str, returns: Type | None = None) -> Checker:
    """SUM / AVERAGE / MIN / MAX: numbers, or a list of numbers (dates for MIN/MAX)."""

    def check(args: Sequence[Type]) -> Type:
        if kind == "orderable":
            base = unify([a.scalar() for a in args])
            if base.kind not in ("number", "date", "datetime", "text", "null", "any"):
                expect(base, "number", 0)
            return base if base.kind != "null" else NUMBER
        _scalar_list_args(args, kind)
        return returns or NUMBER

    return check


def _count(args: Sequence[Type]) -> Type:
    sources = {t.source for t in args if t.is_list}
    if len(sources) > 1:
        _scalar_list_args(args, "any")
    return NUMBER


def _conditional(value_kind: str) -> Checker:
    def check(args: Sequence[Type]) -> Type:
        values, condition = args
        if not values.is_list:
            raise SignatureError(
                0,
                text(
                    "argument 1 must be a sub-form or relation field (a list)",
                    "第 1 个参数应为子表单或关联数据的字段（列表）",
                ),
            )
        if value_kind != "any":
            expect(values.scalar(), value_kind, 0)
        if not condition.is_list or condition.source != values.source:
            raise SignatureError(
                1,
                text(
                    "the condition must test the same sub-form or relation, e.g. "
                    '{name}.stage = "won"',
                    '条件必须针对同一个子表单或关联，例如 {name}.stage = "won"',
                    name=values.source,
                ),
            )
        expect(condition.scalar(), "bool", 1)
        return NUMBER

    return check


def _if(args: Sequence[Type]) -> Type:
    expect(args[0], "bool", 0)
    return unify(args[1:], 1)


def _ifs(args: Sequence[Type]) -> Type:
    if len(args) % 2:
        raise SignatureError(
            len(args) - 1,
            text("IFS takes condition/value pairs", "IFS 的参数应为“条件, 值”成对出现"),
        )
    for index in range(0, len(args), 2):
        expect(args[index], "bool", index)
    return unify(args[1::2], 1, 2)


def _switch(args: Sequence[Type]) -> Type:
    subject = args[0]
    pairs = args[1:]
    for index in range(0, len(pairs) - (len(pairs) % 2), 2):
        # the subject is argument 0; the case, argument index + 1
        unify([subject, pairs[index]], index)
    result = unify(pairs[1::2], 2, 2)
    if len(pairs) % 2:
        # the default is the last argument
        result = unify([result, pairs[-1]], len(args) - 2)
    return result


def _any_to(returns: Type) -> Checker:
    def check(args: Sequence[Type]) -> Type:
        for index, t in enumerate(args):
            expect(t, "any", index)
        return returns

    return check


def _coalesce(args: Sequence[Type]) -> Type:
    return unify(args)


def _iferror(args: Sequence[Type]) -> Type:
    """The common type of the value and the fallback, or text when they differ (the value
    is then shown as ``&`` shows it): ``IFERROR(a / b, "n/a")``."""
    for index, t in enumerate(args):
        expect(t, "any", index)
    try:
        return unify(args)
    except SignatureError:
        return TEXT


def mixed_iferror(result: Type, args: Sequence[Type]) -> bool:
    """Whether an IFERROR turns its chosen value into text (value and fallback differ)."""
    kinds = {t.scalar().kind for t in args} - {"null", "any"}
    return result.scalar().kind == "text" and kinds != {"text"}


def _date_shift(args: Sequence[Type]) -> Type:
    expect(args[0], "date", 0)
    expect(args[1], "number", 1)
    if len(args) > 2:
        expect(args[2], "text", 2)
    return DATETIME if args[0].kind == "datetime" else DATE


def _current_user(_: Sequence[Type]) -> Type:
    return USER


def _current_dept(_: Sequence[Type]) -> Type:
    return DEPARTMENT


SIGNATURES: dict[str, str] = {}


def _spec(
    signature: str,
    category: str,
    lo: int,
    hi: int | None,
    check: Checker,
    en: str,
    zh: str,
    example: str,
    **flags: Any,
) -> FunctionSpec:
    name = signature.split("(")[0]
    SIGNATURES[name] = signature
    return FunctionSpec(name, category, lo, hi, check, en, zh, example, **flags)


REGISTRY: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in [
        # logic
        _spec(
            "IF(condition, then, [else])",
            "logic",
            2,
            3,
            _if,
            "Returns `then` when the condition is TRUE, otherwise `else` (blank if left out).",
            "条件为真时返回 then，否则返回 else（省略时为空）。",
            'IF(amount > 100000, "VP", "Manager")',
        ),
        _spec(
            "IFS(condition1, value1, ...)",
            "logic",
            2,
            None,
            _ifs,
            "Returns the value of the first TRUE condition; blank if none is TRUE.",
            "返回第一个为真的条件对应的值；都不为真时为空。",
            'IFS(score >= 90, "A", score >= 60, "B", TRUE, "C")',
        ),
        _spec(
            "SWITCH(value, case1, result1, ..., [default])",
            "logic",
            3,
            None,
            _switch,
            "Compares value with each case and returns the matching result, else default.",
            "将值与各个 case 比较，返回匹配的结果，否则返回 default。",
            'SWITCH(stage, "won", 1, "lost", 0, 0.5)',
        ),
        _spec(
            "AND(condition, ...)",
            "logic",
            1,
            None,
            all_of("bool", BOOL),
            "TRUE when every condition is TRUE (a blank counts as FALSE).",
            "所有条件都为真时为真（空值视为假）。",
            'AND(amount > 0, stage = "won")',
        ),
        _spec(
            "OR(condition, ...)",
            "logic",
            1,
            None,
            all_of("bool", BOOL),
            "TRUE when at least one condition is TRUE.",
            "任一条件为真时为真。",
            'OR(city = "北京", city = "上海")',
        ),
        _spec(
            "NOT(condition)",
            "logic",
            1,
            1,
            fixed("bool", returns=BOOL),
            "TRUE when the condition is FALSE or blank.",
            "条件为假或为空时为真。",
            "NOT(is_vip)",
        ),
        _spec(
            "ISBLANK(value)",
            "logic",
            1,
            1,
            _any_to(BOOL),
            "TRUE when the value is blank (NULL or empty text).",
            "值为空（NULL 或空文本）时为真。",
            "ISBLANK(phone)",
        ),
        _spec(
            "COALESCE(value1, value2, ...)",
            "logic",
            1,
            None,
            _coalesce,
            "The first value that is not blank.",
            "返回第一个非空的值。",
            "COALESCE(mobile, phone)",
        ),
        _spec(
            "IFERROR(value, fallback)",
            "logic",
            2,
            2,
            _iferror,
            "The value, or the fallback when it is an error (e.g. division by zero) or blank. "
            'When the two have different types the result is text: `IFERROR(a / b, "n/a")`.',
            "值出错（如除以零）或为空时返回 fallback。两者类型不同时结果为文本："
            '`IFERROR(a / b, "n/a")`。',
            "IFERROR(won / total, 0)",
        ),
        # math
        _spec(
            "SUM(number or list, ...)",
            "math",
            1,
            None,
            aggregate_of("number"),
            "Adds numbers, or every value of a sub-form/relation field; blanks are skipped.",
            "求和；可对子表单或关联字段的所有值求和，空值忽略。",
            "SUM(lines.subtotal)",
            aggregate=True,
        ),
        _spec(
            "AVERAGE(number or list, ...)",
            "math",
            1,
            None,
            aggregate_of("number"),
            "The mean of the non-blank values; blank when there are none.",
            "非空值的平均数；没有值时为空。",
            "AVERAGE(lines.price)",
            aggregate=True,
        ),
        _spec(
            "MIN(value or list, ...)",
            "math",
            1,
            None,
            aggregate_of("orderable"),
            "The smallest non-blank value (numbers, dates or text); blank when none.",
            "最小的非空值（数字、日期或文本）；没有值时为空。",
            "MIN(lines.delivery_date)",
            aggregate=True,
        ),
        _spec(
            "MAX(value or list, ...)",
            "math",
            1,
            None,
            aggregate_of("orderable"),
            "The largest non-blank value; blank when none.",
            "最大的非空值；没有值时为空。",
            "MAX(budget, 1000)",
            aggregate=True,
        ),
        _spec(
            "COUNT(value or list, ...)",
            "math",
            1,
            None,
            _count,
            "How many values are not blank; COUNT(contacts) counts related records.",
            "非空值的个数；COUNT(contacts) 统计关联记录数。",
            "COUNT(contacts)",
            aggregate=True,
        ),
        _spec(
            "COUNTIF(list, condition)",
            "math",
            2,
            2,
            _conditional("any"),
            "How many items of a sub-form/relation meet the condition.",
            "子表单或关联记录中满足条件的条数。",
            'COUNTIF(opportunities, opportunities.stage = "won")',
            aggregate=True,
        ),
        _spec(
            "SUMIF(list, condition)",
            "math",
            2,
            2,
            _conditional("number"),
            "Adds the values of the items that meet the condition.",
            "对满足条件的子表单或关联记录求和。",
            'SUMIF(opportunities.amount, opportunities.stage = "won")',
            aggregate=True,
        ),
        _spec(
            "ROUND(number, [digits])",
            "math",
            1,
            2,
            fixed("number", "number", returns=NUMBER),
            "Rounds half away from zero to `digits` decimals (0 by default or when blank; "
            "negative rounds to tens, hundreds...: `ROUND(123, -50)` is 0).",
            "四舍五入到指定小数位（默认或为空时为 0；负数表示到十位、百位……）。",
            "ROUND(2.675, 2)",
        ),
        _spec(
            "ROUNDUP(number, [digits])",
            "math",
            1,
            2,
            fixed("number", "number", returns=NUMBER),
            "Rounds away from zero.",
            "远离零方向舍入（向上舍入）。",
            "ROUNDUP(3.141, 2)",
        ),
        _spec(
            "ROUNDDOWN(number, [digits])",
            "math",
            1,
            2,
            fixed("number", "number", returns=NUMBER),
            "Rounds toward zero.",
            "向零方向舍入（向下舍去）。",
            "ROUNDDOWN(3.149, 2)",
        ),
        _spec(
            "INT(number)",
            "math",
            1,
            1,
            fixed("number", returns=NUMBER),
            "Rounds down to the nearest integer (INT(-1.5) is -2).",
            "向下取整（INT(-1.5) 为 -2）。",
            "INT(7.9)",
        ),
        _spec(
            "ABS(number)",
            "math",
            1,
            1,
            fixed("number", returns=NUMBER),
            "The absolute value.",
            "绝对值。",
            "ABS(-5)",
        ),
        _spec(
            "MOD(number, divisor)",
            "math",
            2,
            2,
            fixed("number", "number", returns=NUMBER),
            "The remainder, with the sign of the divisor (as in Excel); blank when dividing "
            "by zero.",
            "余数，符号与除数相同（同 Excel）；除数为 0 时为空。",
            "MOD(10, 3)",
        ),
        _spec(
            "POWER(number, power)",
            "math",
            2,
            2,
            fixed("number", "number", returns=NUMBER),
            "number raised to power (the same as ^); results from 10^40 are refused, results "
            "below 10^-40 are 0; 0^0 is blank.",
            "乘方（同 ^）；结果达到 10^40 时报错，小于 10^-40 时为 0；0^0 为空。",
            "POWER(1.05, 3)",
        ),
        _spec(
            "SQRT(number)",
            "math",
            1,
            1,
            fixed("number", returns=NUMBER),
            "The square root; blank for negative numbers.",
            "平方根；负数时为空。",
            "SQRT(16)",
        ),
        # text
        _spec(
            "CONCAT(value, ...)",
            "text",
            1,
            None,
            _any_to(TEXT),
            "Joins values as text (blanks count as empty text).",
            "把各个值连接成文本（空值视为空文本）。",
            'CONCAT(name, "-", city)',
        ),
        _spec(
            "LEFT(text, [count])",
            "text",
            1,
            2,
            fixed("text", "number", returns=TEXT),
            "The first `count` characters (1 when left out; a blank count is 0, as in Excel).",
            "取左边若干个字符（省略时为 1；为空时按 0）。",
            'LEFT("积木平台", 2)',
        ),
        _spec(
            "RIGHT(text, [count])",
            "text",
            1,
            2,
            fixed("text", "number", returns=TEXT),
            "The last `count` characters (1 when left out; a blank count is 0).",
            "取右边若干个字符（省略时为 1；为空时按 0）。",
            "RIGHT(phone, 4)",
        ),
        _spec(
            "MID(text, start, count)",
            "text",
            3,
            3,
            fixed("text", "number", "number", returns=TEXT),
            "`count` characters from position `start` (1-based; a blank count is 0, a blank "
            "start gives blank).",
            "从第 start 个字符起取 count 个字符（count 为空按 0，start 为空时结果为空）。",
            'MID("HT-2026-0001", 4, 4)',
        ),
        _spec(
            "LEN(text)",
            "text",
            1,
            1,
            fixed("text", returns=NUMBER),
            "The number of characters (a Chinese character counts as one).",
            "字符个数（一个汉字算一个）。",
            'LEN("客户管理")',
        ),
        _spec(
            "UPPER(text)",
            "text",
            1,
            1,
            fixed("text", returns=TEXT),
            "Letters A–Z in upper case (other characters unchanged).",
            "把英文字母转为大写（其他字符不变）。",
            'UPPER("abc")',
        ),
        _spec(
            "LOWER(text)",
            "text",
            1,
            1,
            fixed("text", returns=TEXT),
            "Letters A–Z in lower case.",
            "把英文字母转为小写。",
            'LOWER("ABC")',
        ),
        _spec(
            "TRIM(text)",
            "text",
            1,
            1,
            fixed("text", returns=TEXT),
            "Removes leading and trailing spaces and collapses runs of spaces to one.",
            "去掉首尾空格，并把连续空格合并为一个。",
            'TRIM("  a   b ")',
        ),
        _spec(
            "SUBSTITUTE(text, old, new)",
            "text",
            3,
            3,
            fixed("text", "text", "text", returns=TEXT),
            "Replaces every occurrence of `old` with `new`.",
            "把所有 old 替换为 new。",
            'SUBSTITUTE(phone, "-", "")',
        ),
        _spec(
            "REPLACE(text, start, count, new)",
            "text",
            4,
            4,
            fixed("text", "number", "number", "text", returns=TEXT),
            "Replaces `count` characters from position `start` with `new`.",
            "把从 start 起的 count 个字符替换为 new。",
            'REPLACE(phone, 4, 4, "****")',
        ),
        _spec(
            "FIND(find, text, [start])",
            "text",
            2,
            3,
            fixed("text", "text", "number", returns=NUMBER),
            "The position (1-based) of `find` in `text`, case-sensitive; blank if absent.",
            "find 在 text 中的位置（从 1 开始，区分大小写）；找不到时为空。",
            'FIND("-", "HT-0001")',
        ),
        _spec(
            "CONTAINS(text, part)",
            "text",
            2,
            2,
            fixed("text", "text", returns=BOOL),
            "TRUE when `text` contains `part` (case-sensitive).",
            "text 包含 part 时为真（区分大小写）。",
            'CONTAINS(name, "科技")',
        ),
        _spec(
            "STARTSWITH(text, prefix)",
            "text",
            2,
            2,
            fixed("text", "text", returns=BOOL),
            "TRUE when `text` starts with `prefix`.",
            "text 以 prefix 开头时为真。",
            'STARTSWITH(phone, "138")',
        ),
        _spec(
            "TEXT(value, format)",
            "text",
            2,
            2,
            fixed("any", "text", returns=TEXT),
            'Formats a number or date. Numbers (first rounded to 15 significant digits): "0.00", '
            '"00000" (zero padding), "#,##0", "#,##0.00", "0.0#" (optional decimals), "0%", '
            '"0.0%", with text around them ("¥#,##0.00", "0 元"). Dates and times, Excel\'s '
            "codes: yyyy yy (year), m mm (month), mmm mmmm mmmmm (Jan, January, J), d dd (day), "
            "ddd dddd (Mon, Monday), aaa aaaa (一, 星期一), h hh (hour), m mm right after h or "
            "before s (minutes), s ss (seconds), AM/PM am/pm A/P (12-hour clock); text in double "
            'quotes or after \\ is shown as written: "yyyy-mm-dd", "yyyy年m月d日 aaaa", '
            '"h:mm AM/PM", "dddd, mmmm d". Any other format shows the number as `&` does. In '
            "the database the format must be written in the formula.",
            "按格式显示数字或日期。数字（先保留 15 位有效数字）："
            '"0.00"、"00000"（补零）、"#,##0"、"#,##0.00"、"0.0#"（可省略的小数）、"0%"、"0.0%"，'
            '可带前后文字（"¥#,##0.00"、"0 元"）。'
            "日期和时间使用 Excel 的格式代码：yyyy yy（年）、m mm（月）、"
            "mmm mmmm mmmmm（英文月份）、d dd（日）、ddd dddd（英文星期）、"
            "aaa aaaa（一、星期一）、h hh（时）、紧跟 h 或位于 s 之前的 m mm（分）、"
            "s ss（秒）、AM/PM am/pm A/P（12 小时制）；双引号内或 \\ 之后的文字"
            '原样显示，如 "yyyy-mm-dd"、"yyyy年m月d日 aaaa"、"h:mm AM/PM"。'
            "其他格式按 `&` 的方式显示数字。在数据库中计算时，格式须直接写在公式里。",
            'TEXT(amount, "#,##0.00")',
            sql_literals=(1,),
        ),
        _spec(
            "VALUE(text)",
            "text",
            1,
            1,
            fixed("text", returns=NUMBER),
            'The number written in the text: "12.5", " 1,234.5 ", "1e3", "-.5", "12%" (0.12); '
            "blank when it is not a number.",
            '把文本转换为数字："12.5"、" 1,234.5 "、"1e3"、"-.5"、"12%"（即 0.12）；'
            "不是数字时为空。",
            'VALUE("1,234.5")',
        ),
        _spec(
            "RMB_UPPER(amount)",
            "text",
            1,
            1,
            fixed("number", returns=TEXT),
            "The amount in Chinese capital numerals (人民币大写).",
            "人民币大写金额。",
            "RMB_UPPER(12345.67)",
            sql=False,
        ),
        # date
        _spec(
            "TODAY()", "date", 0, 0, fixed(returns=DATE), "Today's date.", "今天的日期。", "TODAY()"
        ),
        _spec(
            "NOW()",
            "date",
            0,
            0,
            fixed(returns=DATETIME),
            "The current date and time.",
            "当前日期和时间。",
            "NOW()",
        ),
        _spec(
            "DATE(year, month, day)",
            "date",
            3,
            3,
            fixed("number", "number", "number", returns=DATE),
            "The date of year, month and day; blank when it does not exist. Years 0–1899 are "
            "added to 1900, as in Excel (`DATE(24, 1, 1)` is 1924-01-01).",
            "由年、月、日组成日期；日期不存在时为空。年份 0–1899 按 Excel 规则加 1900。",
            "DATE(2026, 2, 28)",
        ),
        _spec(
            "DATETIME(year, month, day, [hour], [minute], [second])",
            "date",
            3,
            6,
            all_of("number", DATETIME),
            "A date and time (years as in DATE).",
            "由年月日时分秒组成日期时间（年份规则同 DATE）。",
            "DATETIME(2026, 1, 1, 9, 30)",
        ),
        _spec(
            "YEAR(date)",
            "date",
            1,
            1,
            fixed("date", returns=NUMBER),
            "The year.",
            "年份。",
            "YEAR(sign_date)",
        ),
        _spec(
            "MONTH(date)",
            "date",
            1,
            1,
            fixed("date", returns=NUMBER),
            "The month, 1–12.",
            "月份（1–12）。",
            "MONTH(sign_date)",
        ),
        _spec(
            "DAY(date)",
            "date",
            1,
            1,
            fixed("date", returns=NUMBER),
            "The day of the month.",
            "日（1–31）。",
            "DAY(sign_date)",
        ),
        _spec(
            "WEEKDAY(date, [type])",
            "date",
            1,
            2,
            fixed("date", "number", returns=NUMBER),
            "Day of the week: type 1 (default) Sunday=1…Saturday=7; type 2 Monday=1…"
            "Sunday=7; type 3 Monday=0…Sunday=6; another type (a blank one too) gives blank.",
            "星期几：类型 1（默认）周日=1…周六=7；类型 2 周一=1…周日=7；类型 3 周一=0…周日=6；"
            "其他类型（包括空值）结果为空。",
            "WEEKDAY(TODAY(), 2)",
        ),
        _spec(
            "WEEKNUM(date, [type])",
            "date",
            1,
            2,
            fixed("date", "number", returns=NUMBER),
            "Week of the year: type 1 (default) weeks start on Sunday, 2 on Monday, 21 ISO 8601.",
            "一年中的第几周：类型 1（默认）周日开始，2 周一开始，21 为 ISO 8601。",
            "WEEKNUM(sign_date, 21)",
        ),
        _spec(
            "DATEDIF(start, end, unit)",
            "date",
            3,
            3,
            fixed("date", "date", "text", returns=NUMBER),
            'Whole "y" years, "m" months or "d" days from start to end; blank when start is '
            'after end. "ym" months and "md" days left over, "yd" days without the years, by '
            "Excel's rules: \"md\" counts from the start's day in the month before the end, "
            "rolled over like DATE, so it can be 0 or negative as Excel documents "
            "(31 Jan to 1 Mar 2024 is -1).",
            "两个日期之间的整年 y、整月 m 或天数 d；开始晚于结束时为空。"
            "ym、md、yd 按 Excel 的规则计算（md 可能为 0 或负数，与 Excel 相同）。",
            'DATEDIF(sign_date, TODAY(), "d")',
        ),
        _spec(
            "DAYS(end, start)",
            "date",
            2,
            2,
            fixed("date", "date", returns=NUMBER),
            "Days from start to end.",
            "两个日期相差的天数。",
            "DAYS(due_date, TODAY())",
        ),
        _spec(
            "DATEADD(date, count, [unit])",
            "date",
            2,
            3,
            _date_shift,
            'The date `count` units later: "d" days (default), "w" weeks, "m" months, '
            '"y" years (month ends are kept: Jan 31 + 1 month = Feb 28/29). A blank count is 0.',
            "日期加上若干单位：d 天（默认）、w 周、m 月、y 年（月末对齐：1月31日加一月为2月末）。"
            "count 为空时按 0。",
            'DATEADD(sign_date, 1, "m")',
        ),
        _spec(
            "EOMONTH(date, months)",
            "date",
            2,
            2,
            fixed("date", "number", returns=DATE),
            "The last day of the month `months` after date (blank months count as 0).",
            "若干个月后所在月份的最后一天（months 为空按 0）。",
            "EOMONTH(TODAY(), 0)",
        ),
        _spec(
            "NETWORKDAYS(start, end)",
            "date",
            2,
            2,
            fixed("date", "date", returns=NUMBER),
            "Working days (Monday–Friday) from start to end, both included; negative when "
            "end is before start.",
            "两个日期之间的工作日数（周一至周五，含首尾）；结束早于开始时为负数。",
            "NETWORKDAYS(start_date, end_date)",
        ),
        # system
        _spec(
            "CURRENT_USER()",
            "system",
            0,
            0,
            _current_user,
            "The signed-in member.",
            "当前登录的成员。",
            "_owner = CURRENT_USER()",
        ),
        _spec(
            "CURRENT_DEPT()",
            "system",
            0,
            0,
            _current_dept,
            "The signed-in member's main department.",
            "当前成员的主部门。",
            "department = CURRENT_DEPT()",
        ),
    ]
}

CATEGORIES: dict[str, Text] = {
    "logic": text("Logic", "逻辑函数"),
    "math": text("Math and aggregates", "数学与汇总函数"),
    "text": text("Text", "文本函数"),
    "date": text("Date and time", "日期函数"),
    "system": text("System", "系统函数"),
}

__all__ = ["ANY", "CATEGORIES", "REGISTRY", "FunctionSpec", "SignatureError"]
