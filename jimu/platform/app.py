"""The FastAPI app factory: settings, database, middleware, error handlers and routers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, inspect, text

from jimu import __version__
from jimu.engines.i18n import text as msg
from jimu.platform.bootstrap import bootstrap
from jimu.platform.db import make_engine, make_session_factory, refresh_statistics, transaction
from jimu.platform.deps import SESSION_COOKIE
from jimu.platform.errors import install_error_handlers, problem_response
from jimu.platform.middleware import (
    CSRF_COOKIE,
    CSRF_HEADER,
    BodySizeLimit,
    ProblemCSRFMiddleware,
    SecurityHeaders,
    security_headers,
)
from jimu.platform.org.service import ensure_system_roles
from jimu.platform.routers import ROUTERS
from jimu.platform.settings import Settings, get_settings
from jimu.platform.web.render import install_page_handlers

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger("jimu")


def _prepare_database(app: FastAPI) -> None:
    """Makes sure the built-in roles exist and the planner has statistics (if migrated)."""
    engine: Engine = app.state.engine
    if inspect(engine).has_table("roles"):
        with transaction(app.state.session_factory) as session:
            ensure_system_roles(session)
        refresh_statistics(engine)
    else:
        log.warning("database is not migrated yet: run `jimu migrate`")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Builds the ASGI app for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    bootstrap(settings)
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _prepare_database(app)
        yield

    app = FastAPI(
        title="Jimu API",
        version=__version__,
        description="Jimu (积木) no-code app builder. Errors are application/problem+json.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)

    install_error_handlers(app)
    install_page_handlers(app)
    app.add_middleware(
        ProblemCSRFMiddleware,
        secret=settings.secret_key,
        sensitive_cookies={SESSION_COOKIE},
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeaders)

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Interactive API docs, served from our own static files (no CDN)."""
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Jimu API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/shell/favicon.svg",
        )
        # Swagger UI starts from an inline script: allow that one by a per-response nonce
        nonce = secrets.token_urlsafe(16)
        body = bytes(page.body).replace(b"<script>", f'<script nonce="{nonce}">'.encode())
        return HTMLResponse(body, headers=security_headers(nonce=nonce))

    @app.get("/healthz", tags=["system"])
    def healthz(request: Request) -> JSONResponse:
        """Liveness and database reachability."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # the database is down: say so, do not crash
            log.exception("health check: database unreachable")
            return problem_response(
                request,
                503,
                "database_unavailable",
                msg("Database unavailable", "数据库不可用"),
                msg("The database cannot be reached.", "无法连接数据库。"),
            )
        return JSONResponse({"status": "ok", "version": __version__, "database": "ok"})

    return app
