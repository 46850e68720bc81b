"""ASGI middleware: request body size limit, CSRF checks answered as problem+json, and the
security headers of HTML pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_csrf.middleware import CSRFMiddleware

from jimu.engines.i18n import text
from jimu.platform.errors import problem_response

CSRF_COOKIE = "jimu_csrftoken"
CSRF_HEADER = "x-csrftoken"


UPLOAD_PATH = re.compile(r"^/api/apps/[^/]+/forms/[^/]+/files/?$")
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the uploaded file


class _BodyTooLarge(Exception):
    """Raised into the app when a streamed upload passes its limit."""


class BodySizeLimit:
    """Refuses request bodies larger than ``max_bytes`` with 413, declared or streamed.

    The body is read (up to the limit) before the app runs, so an oversized stream is
    refused before any handler sees a byte of it. File uploads (``POST .../files``) may be
    up to ``upload_max_bytes`` and are streamed to the app (which spools them to disk), not
    held in memory; one that turns out bigger is cut off and answered with 413 all the same.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = max(max_bytes, upload_max_bytes or 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and bool(UPLOAD_PATH.match(scope["path"]))
        limit = self.upload_max_bytes + MULTIPART_OVERHEAD if upload else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            shown = self.upload_max_bytes if upload else self.max_bytes
            await self._too_large(scope, receive, send, shown)
            return
        if upload:
            await self._stream(scope, receive, send, limit)
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
                await self._too_large(scope, receive, send, self.max_bytes)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Passes the body through while counting; past ``limit`` the app's reading fails,
        its answer is dropped and a 413 is sent instead."""
        received = 0
        exceeded = False
        started = False

        async def counting() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope, receive, send, limit - MULTIPART_OVERHEAD)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope)
        field = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("field")
        where = field[0][:100] if field and UPLOAD_PATH.match(scope["path"]) else "body"
        response = problem_response(
            request,
            413,
            "body_too_large",
            text("Request body too large", "请求内容过大"),
            text(
                "The body may be at most {limit} bytes.",
                "请求内容最多 {limit} 字节。",
                limit=limit,
            ),
            errors=[{"field": where, "code": "too_large", "message": f"max {limit} bytes"}],
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
    """starlette-csrf's double-submit check, with a problem+json refusal. The CSRF cookie is
    handed to browsers only: a Bearer caller sends no cookies, so its responses carry none
    (signing a fresh token for every API call was most of this middleware's cost)."""

    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        if message["type"] != "http.response.start" or any(
            name == b"authorization" for name, _ in scope["headers"]
        ):
            await send(message)
            return
        await super().send(message, send, scope)

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


def content_security_policy(nonce: str | None = None, frame_ancestors: str = "'none'") -> str:
    """The pages' Content-Security-Policy; ``nonce`` allows that one inline script."""
    scripts = "'self' 'unsafe-eval'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def security_headers(nonce: str | None = None, framable: bool = False) -> dict[str, str]:
    """The headers of an HTML page; ``framable`` pages may be framed by this site only."""
    return {
        "content-security-policy": content_security_policy(
            nonce, "'self'" if framable else "'none'"
        ),
        "x-frame-options": "SAMEORIGIN" if framable else "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }


class SecurityHeaders:
    """Adds :func:`security_headers` to every ``text/html`` response, keeping any of them the
    response set itself (a page with a nonce, a page framed by the designer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.defaults = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").lower().startswith("text/html"):
                    for name, value in self.defaults.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
