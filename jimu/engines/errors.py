"""Typed errors raised by engines and services; the HTTP layer maps each class to a status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.engines.i18n import Text, text


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field.

    Attributes:
        field: dotted path of the field (``parent_id``, ``fields[3].formula``).
        code: stable machine-readable reason (``required``, ``duplicate``, ``cycle`` ...).
        message: the reason for people, in zh-CN and en.
    """

    field: str
    code: str
    message: Text


class JimuError(Exception):
    """Base of every expected error: a stable code, a bilingual title and detail."""

    code = "error"
    title = text("Error", "错误")

    def __init__(
        self,
        detail: Text | None = None,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.errors = list(errors or [])
        self.extra = dict(extra or {})
        super().__init__(self.detail.render("en"))


class ValidationFailed(JimuError):
    """The input breaks one or more rules; ``errors`` lists every one of them."""

    code = "validation_failed"
    title = text("Validation failed", "数据校验失败")

    @classmethod
    def single(cls, field: str, code: str, message: Text) -> ValidationFailed:
        """Builds the error for one field."""
        return cls(message, errors=[FieldError(field, code, message)])


class BadRequest(JimuError):
    """The request cannot be understood (malformed body, bad parameter)."""

    code = "bad_request"
    title = text("Bad request", "请求无效")


class NotFound(JimuError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    code = "not_found"
    title = text("Not found", "未找到")

    def __init__(self, kind: Text, ident: object) -> None:
        super().__init__(
            text(
                "{kind} '{ident}' was not found.", "未找到{kind}“{ident}”。", kind=kind, ident=ident
            )
        )
        self.kind = kind
        self.ident = ident


class Conflict(JimuError):
    """The change clashes with existing data (duplicate key, stale version, in use)."""

    code = "conflict"
    title = text("Conflict", "冲突")


class NotPublished(Conflict):
    """A form (later a flow, a report) is asked for at run time before its first publish."""

    code = "not_published"
    title = text("Not published", "尚未发布")


class NotAuthenticated(JimuError):
    """No valid session or token came with the request."""

    code = "not_authenticated"
    title = text("Not signed in", "未登录")


class PermissionDenied(JimuError):
    """The caller is known but may not do this."""

    code = "permission_denied"
    title = text("Permission denied", "没有权限")


class TooLarge(JimuError):
    """The content is bigger than allowed (an uploaded file over its field's limit)."""

    code = "too_large"
    title = text("Too large", "内容过大")


class TooManyRequests(JimuError):
    """The caller must wait before trying again."""

    code = "too_many_requests"
    title = text("Too many requests", "请求过于频繁")

    def __init__(self, detail: Text, *, retry_after: int) -> None:
        super().__init__(detail, extra={"retry_after": retry_after})
        self.retry_after = retry_after
