"""Errors of the expression language, each pointing at a position in the source."""

from __future__ import annotations

from typing import Any

from jimu.engines.errors import FieldError, ValidationFailed
from jimu.engines.i18n import Text, text


def locate(source: str, pos: int) -> tuple[int, int, str]:
    """The 1-based line and column of ``pos`` and a two-line caret excerpt."""
    pos = max(0, min(pos, len(source)))
    line_start = source.rfind("\n", 0, pos) + 1
    line_end = source.find("\n", pos)
    if line_end == -1:
        line_end = len(source)
    line_text = source[line_start:line_end]
    column = pos - line_start
    # Keep the excerpt short around the caret.
    left = max(0, column - 40)
    shown = line_text[left : left + 80]
    caret = " " * (column - left) + "^"
    return source.count("\n", 0, pos) + 1, column + 1, f"{shown}\n{caret}"


class ExprError(ValidationFailed):
    """An expression that does not parse, type-check or stay within limits.

    Attributes:
        reason: stable code (``syntax``, ``unknown_field``, ``arity``, ``type`` ...).
        message: what is wrong, in zh-CN and en.
        pos: offset in the source; ``line``, ``column`` and ``excerpt`` derive from it.
    """

    code = "expression_invalid"
    title = text("Invalid expression", "公式有误")

    def __init__(self, reason: str, message: Text, *, pos: int = 0, source: str = "") -> None:
        self.reason = reason
        self.message = message
        self.pos = pos
        self.source = source
        self.line, self.column, self.excerpt = locate(source, pos)
        where = text(
            "line {line}, column {column}: ",
            "第 {line} 行第 {column} 列：",
            line=self.line,
            column=self.column,
        )
        detail = text("{where}{message}", "{where}{message}", where=where, message=message)
        super().__init__(
            detail,
            errors=[FieldError("expression", reason, detail)],
            extra={
                "position": pos,
                "line": self.line,
                "column": self.column,
                "excerpt": self.excerpt,
            },
        )

    def with_source(self, source: str) -> ExprError:
        """The same error located in ``source`` (for errors raised before it was known)."""
        return type(self)(self.reason, self.message, pos=self.pos, source=source)

    def as_dict(self, locale: str) -> dict[str, Any]:
        """A JSON-ready description for the designers."""
        return {
            "code": self.reason,
            "message": self.message.render(locale),
            "position": self.pos,
            "line": self.line,
            "column": self.column,
            "excerpt": self.excerpt,
        }


class ExprLimitError(ExprError):
    """A limit (length, depth, size, magnitude) was exceeded while parsing or evaluating."""


class ExprEvalError(Exception):
    """A domain error during evaluation (division by zero, bad date ...): the value is blank.

    Caught by the evaluator and turned into NULL, the same as SQL and the browser do.
    """
