"""Parser stage: source text → AST, through the Lark grammar in grammar.lark."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive, UnexpectedInput, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

from jimu.engines.expr import nodes as n
from jimu.engines.expr.errors import ExprError, ExprLimitError
from jimu.engines.i18n import text

MAX_SOURCE = 10_000
MAX_DEPTH = 100
MAX_STRING_LITERAL = 10_000
MAX_DIGITS = 40

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r'\\(.)|""', re.DOTALL)

TOKEN_NAMES = {
    "RPAR": ")",
    "LPAR": "(",
    "COMMA": ",",
    "NAME": "field",
    "LABEL": "[label]",
    "AND_FN": "function",
    "OR_FN": "function",
    "NUMBER": "value",
    "STRING": "value",
    "_TRUE": "value",
    "_FALSE": "value",
    "_NULL": "value",
    "COMP_OP": "comparison",
    "ADD_OP": "+ or -",
    "MUL_OP": "* or /",
    "$END": "end",
    "_AND": "AND",
    "_OR": "OR",
    "_NOT": "NOT",
    "_IN": "IN",
    "AMPERSAND": "&",
    "CIRCUMFLEX": "^",
    "PERCENT": "%",
    "DOT": ".",
}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _unescape(raw: str) -> str:
    body = raw[1:-1]

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == '""':
            return '"'
        char = match.group(1)
        return _ESCAPES.get(char, char)

    return _ESCAPE_RE.sub(replace, body)


def _span(meta: Any) -> dict[str, int]:
    return {"pos": getattr(meta, "start_pos", 0), "end": getattr(meta, "end_pos", 0)}


def _tok(token: Token) -> dict[str, int]:
    return {"pos": token.start_pos or 0, "end": token.end_pos or 0}


def _build(tree: Any, source: str) -> n.Node:
    """Converts the tree bottom-up without recursion."""

    def number(meta: Any, tok: Token) -> n.Node:
        digits = str(tok).lstrip("0.")
        if len(digits.split("e")[0].split("E")[0]) > MAX_DIGITS:
            raise ExprLimitError(
                "too_many_digits",
                text("Numbers may have at most {n} digits.", "数字最多 {n} 位。", n=MAX_DIGITS),
                pos=tok.start_pos or 0,
            )
        try:
            value = Decimal(str(tok))
        except InvalidOperation:  # pragma: no cover - the grammar only lets numbers through
            value = Decimal(0)
        if value.is_finite() and value != 0 and abs(value.adjusted()) > MAX_DIGITS:
            raise ExprLimitError(
                "number_too_large",
                text("The number is too large.", "数字过大。"),
                pos=tok.start_pos or 0,
            )
        return n.Number(value, **_tok(tok))

    def string(meta: Any, tok: Token) -> n.Node:
        value = _unescape(str(tok))
        if len(value) > MAX_STRING_LITERAL:
            raise ExprLimitError(
                "string_too_long",
                text(
                    "Text literals may have at most {n} characters.",
                    "文本常量最多 {n} 个字符。",
                    n=MAX_STRING_LITERAL,
                ),
                pos=tok.start_pos or 0,
            )
        return n.String(value, **_tok(tok))

    handlers = {
        "number": number,
        "string": string,
        "true": lambda meta, *_: n.Bool(True, **_span(meta)),
        "false": lambda meta, *_: n.Bool(False, **_span(meta)),
        "null": lambda meta, *_: n.Null(**_span(meta)),
        "name": lambda meta, tok: n.Name(str(tok), **_tok(tok)),
        "label": lambda meta, tok: n.Label(str(tok)[1:-1].strip(), **_tok(tok)),
        "member": lambda meta, obj, tok: n.Member(obj, str(tok), **_span(meta)),
        "func_name": lambda meta, tok: tok,
        "args": lambda meta, *items: tuple(items),
        "call": lambda meta, name, args=(): n.Call(str(name).upper(), tuple(args), **_span(meta)),
        "unary_op": lambda meta, op, x: n.Unary(str(op), x, **_span(meta)),
        "percent_op": lambda meta, x: n.Percent(x, **_span(meta)),
        "power_op": lambda meta, a, b: n.Binary("^", a, b, **_span(meta)),
        "binary": lambda meta, a, op, b: n.Binary(str(op), a, b, **_span(meta)),
        "concat_op": lambda meta, a, b: n.Binary("&", a, b, **_span(meta)),
        "compare": lambda meta, a, op, b: n.Binary(str(op), a, b, **_span(meta)),
        "not_op": lambda meta, x: n.Not(x, **_span(meta)),
        "in_list": lambda meta, x, items: n.In(x, tuple(items), False, **_span(meta)),
        "not_in_list": lambda meta, x, items: n.In(x, tuple(items), True, **_span(meta)),
        "or_expr": lambda meta, *xs: _fold("OR", xs, meta),
        "and_expr": lambda meta, *xs: _fold("AND", xs, meta),
    }

    class Build(Transformer_NonRecursive[Token, Any]):
        pass

    for rule, handler in handlers.items():

        def method(self: Any, tree_: Any, _handler: Any = handler) -> Any:
            return _handler(tree_.meta, *tree_.children)

        setattr(Build, rule, method)

    built = v_args(tree=True)(Build)()
    try:
        result: n.Node = built.transform(tree)
    except VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, ExprError):
            raise inner.with_source(source) from None
        raise
    return result


def _fold(op: str, items: tuple[n.Node, ...], meta: Any) -> n.Node:
    result = items[0]
    for item in items[1:]:
        result = n.Binary(op, result, item, pos=result.pos, end=item.end)
    return result


def _depth(node: n.Node) -> int:
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in current.children())
    return deepest


def _syntax_error(exc: UnexpectedInput, source: str) -> ExprError:
    pos = getattr(exc, "pos_in_stream", None)
    if pos is None or pos < 0:
        pos = len(source)
    if isinstance(exc, UnexpectedCharacters):
        char = source[pos] if pos < len(source) else ""
        message = text("Unexpected character '{char}'.", "无法识别的字符“{char}”。", char=char)
    elif isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        pos = len(source)
        message = text(
            "The formula ends too early: a value or a closing parenthesis is missing.",
            "公式不完整：缺少数值或右括号。",
        )
    else:
        token = exc.token if isinstance(exc, UnexpectedToken) else None
        shown = str(token) if token is not None else ""
        expected = sorted(
            {TOKEN_NAMES.get(t, t.lower()) for t in getattr(exc, "expected", ()) if t}
        )
        message = text(
            "Unexpected '{token}' (expected: {expected}).",
            "此处不应出现“{token}”（应为：{expected}）。",
            token=shown,
            expected=", ".join(expected[:8]),
        )
    return ExprError("syntax", message, pos=pos, source=source)


def parse(source: str) -> n.Node:
    """Parses formula text into an AST; raises ExprError with the position on failure."""
    if not isinstance(source, str):
        raise ExprError("syntax", text("A formula must be text.", "公式必须是文本。"))
    if len(source) > MAX_SOURCE:
        raise ExprLimitError(
            "too_long",
            text(
                "Formulas may have at most {n} characters.",
                "公式最多 {n} 个字符。",
                n=MAX_SOURCE,
            ),
            pos=MAX_SOURCE,
            source=source[: MAX_SOURCE + 1],
        )
    if not source.strip():
        raise ExprError("empty", text("The formula is empty.", "公式为空。"), source=source)
    _check_nesting(source)
    try:
        tree = _lark().parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    node = _build(tree, source)
    if _depth(node) > MAX_DEPTH:
        raise _too_deep(source, 0)
    return node


def _too_deep(source: str, pos: int) -> ExprLimitError:
    return ExprLimitError(
        "too_deep",
        text(
            "The formula is nested too deeply (at most {n} levels).",
            "公式嵌套层数过多（最多 {n} 层）。",
            n=MAX_DEPTH,
        ),
        pos=pos,
        source=source,
    )


def _check_nesting(source: str) -> None:
    """Refuses deeply nested parentheses before the parser sees them."""
    depth = 0
    in_string = False
    index = 0
    while index < len(source):
        char = source[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(source, index)
        elif char == ")":
            depth -= 1
        index += 1
