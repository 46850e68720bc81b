"""Maps typed errors to RFC 9457 problem details (application/problem+json) in zh-CN or en."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from jimu.engines.errors import (
    BadRequest,
    Conflict,
    JimuError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooLarge,
    TooManyRequests,
    ValidationFailed,
)
from jimu.engines.i18n import Text, pick_locale, text

log = logging.getLogger("jimu.errors")

PROBLEM_JSON = "application/problem+json"
LOCALE_COOKIE = "jimu_lang"

STATUS_BY_ERROR: dict[type[JimuError], int] = {
    ValidationFailed: 422,
    BadRequest: 400,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    TooManyRequests: 429,
}

# Chinese wording of pydantic's error types; anything missing falls back to its English text.
PYDANTIC_ZH = {
    "missing": "必填项。",
    "extra_forbidden": "不允许的字段。",
    "string_type": "应为文本。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "int_from_float": "应为整数。",
    "float_type": "应为数字。",
    "float_parsing": "应为数字。",
    "bool_type": "应为布尔值。",
    "bool_parsing": "应为布尔值。",
    "dict_type": "应为对象。",
    "model_type": "应为对象。",
    "model_attributes_type": "应为对象。",
    "list_type": "应为列表。",
    "string_too_short": "文本过短。",
    "string_too_long": "文本过长。",
    "string_pattern_mismatch": "格式不正确。",
    "string_unicode": "不是有效文本（包含无效的 Unicode 字符）。",
    "greater_than": "数值过小。",
    "greater_than_equal": "数值过小。",
    "less_than": "数值过大。",
    "less_than_equal": "数值过大。",
    "literal_error": "不是允许的取值。",
    "enum": "不是允许的取值。",
    "json_invalid": "JSON 格式错误。",
    "value_error": "取值无效。",
    "datetime_parsing": "日期时间格式不正确。",
    "date_parsing": "日期格式不正确。",
    "too_long": "项目过多。",
    "too_short": "项目过少。",
    "url_parsing": "网址格式不正确。",
}

SERVER_ERROR = text("Internal server error", "服务器内部错误")
SERVER_DETAIL = text(
    "Something went wrong on the server; the change was not saved.",
    "服务器出错，本次修改未保存。",
)
MALFORMED = text("Malformed request body", "请求内容格式错误")


def request_locale(request: Request) -> str:
    """zh-CN or en: the language cookie first, then Accept-Language."""
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in ("zh-CN", "en"):
        return chosen
    return pick_locale(request.headers.get("accept-language"))


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: Text,
    detail: Text,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """Renders one problem document in the caller's language."""
    locale = request_locale(request)
    body: dict[str, Any] = {
        "type": f"urn:jimu:problem:{code}",
        "title": title.render(locale),
        "status": status,
        "detail": detail.render(locale),
        "code": code,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["content-type"] = PROBLEM_JSON
    response.headers["content-language"] = locale
    return response


def status_of(error: JimuError) -> int:
    """The HTTP status of an error class (its nearest mapped ancestor)."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = (
        list(loc[1:])
        if loc and loc[0] in ("body", "query", "path", "header", "cookie")
        else list(loc)
    )
    if not parts:
        return str(loc[0]) if loc else ""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _pydantic_error(err: dict[str, Any], locale: str) -> dict[str, Any]:
    ctx = err.get("ctx") or {}
    if locale.startswith("zh"):
        message = ctx.get("zh") or PYDANTIC_ZH.get(err["type"]) or err["msg"]
    else:
        message = err["msg"]
    field = "body" if err["type"] == "json_invalid" else _field_path(tuple(err["loc"]))
    return {"field": field, "code": err["type"], "message": message}


def render_pydantic_errors(request: Request, raw: list[dict[str, Any]]) -> JSONResponse:
    """A 422 (or 400 for unparsable JSON) listing every invalid field."""
    locale = request_locale(request)
    errors = [_pydantic_error(err, locale) for err in raw]
    if any(err["type"] == "json_invalid" for err in raw):
        return problem_response(
            request,
            400,
            "malformed_json",
            MALFORMED,
            text("The body is not valid JSON.", "请求内容不是有效的 JSON。"),
            errors=errors,
        )
    detail = text(
        "{count} field(s) are invalid: {fields}.",
        "{count} 个字段无效：{fields}。",
        count=len(errors),
        fields=", ".join(err["field"] for err in errors),
    )
    return problem_response(
        request, 422, ValidationFailed.code, ValidationFailed.title, detail, errors=errors
    )


def install_error_handlers(app: FastAPI) -> None:
    """Registers the handlers that turn every error into problem+json."""

    @app.exception_handler(JimuError)
    async def _jimu(request: Request, exc: JimuError) -> JSONResponse:
        locale = request_locale(request)
        errors = [
            {"field": e.field, "code": e.code, "message": e.message.render(locale)}
            for e in exc.errors
        ]
        headers = {}
        if isinstance(exc, TooManyRequests):
            headers["retry-after"] = str(exc.retry_after)
        if isinstance(exc, NotAuthenticated):
            headers["www-authenticate"] = 'Bearer realm="jimu"'
        return problem_response(
            request,
            status_of(exc),
            exc.code,
            exc.title,
            exc.detail,
            errors=errors if errors or isinstance(exc, ValidationFailed) else None,
            headers=headers,
            extra=exc.extra or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return render_pydantic_errors(request, list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            404: text("Not found", "未找到"),
            405: text("Method not allowed", "不支持的请求方法"),
            413: text("Request body too large", "请求内容过大"),
        }
        title = titles.get(exc.status_code, text("Request error", "请求错误"))
        detail = text(str(exc.detail), str(exc.detail)) if exc.detail else title
        return problem_response(
            request,
            exc.status_code,
            f"http_{exc.status_code}",
            title,
            detail,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error not caught by a service: %s", exc.orig)
        return problem_response(
            request,
            409,
            Conflict.code,
            Conflict.title,
            text(
                "The change clashes with existing data and was not saved.",
                "修改与现有数据冲突，未保存。",
            ),
        )

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        log.warning("database refused a value: %s", exc.orig)
        return problem_response(
            request,
            400,
            "invalid_value",
            text("Invalid value", "取值无效"),
            text("A value is out of range or malformed.", "有取值超出范围或格式不正确。"),
        )

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return problem_response(
            request,
            503,
            "database_busy",
            text("Database busy", "数据库繁忙"),
            text(
                "The database is busy or unreachable; nothing was saved. Try again.",
                "数据库繁忙或无法连接，未保存任何修改，请重试。",
            ),
            headers={"retry-after": "2"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "server_error", SERVER_ERROR, SERVER_DETAIL)
