"""ASGI middleware: request body size limit and CSRF checks answered as problem+json."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_csrf.middleware import CSRFMiddleware

from jimu.engines.i18n import text
from jimu.platform.errors import problem_response

CSRF_COOKIE = "jimu_csrftoken"
CSRF_HEADER = "x-csrftoken"


class BodySizeLimit:
    """Refuses request bodies larger than ``max_bytes`` with 413, declared or streamed.

    The body is read (up to the limit) before the app runs, so an oversized stream is
    refused before any handler sees a byte of it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope),
            413,
            "body_too_large",
            text("Request body too large", "请求内容过大"),
            text(
                "The body may be at most {limit} bytes.",
                "请求内容最多 {limit} 字节。",
                limit=self.max_bytes,
            ),
            errors=[
                {"field": "body", "code": "too_large", "message": f"max {self.max_bytes} bytes"}
            ],
        )
        await response(scope, receive, send)


def _replay(chunks: list[bytes], final: Message | None, upstream: Receive) -> Receive:
    """A ``receive`` that hands the buffered body to the app, then listens upstream."""
    body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
    pending = [final if final is not None else body]

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await upstream()

    return receive


class ProblemCSRFMiddleware(CSRFMiddleware):
    """starlette-csrf's double-submit check, with a problem+json refusal."""

    def _get_error_response(self, request: Request) -> Response:
        return problem_response(
            request,
            403,
            "csrf_failed",
            text("CSRF check failed", "CSRF 校验失败"),
            text(
                "Send the value of the jimu_csrftoken cookie in the X-CSRFToken header.",
                "请在请求头 X-CSRFToken 中携带 jimu_csrftoken Cookie 的值。",
            ),
            errors=[
                {
                    "field": "X-CSRFToken",
                    "code": "csrf_failed",
                    "message": "missing or wrong CSRF token",
                }
            ],
        )
