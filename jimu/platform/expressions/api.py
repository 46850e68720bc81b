"""Endpoints for the formula editor: check a formula, list the functions, and what a formula
may read where it is written."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.apps.api import AppKey
from jimu.platform.apps.service import get_app
from jimu.platform.deps import CurrentUser, LocaleDep, SessionDep
from jimu.platform.expressions import service
from jimu.platform.expressions.schemas import (
    ContextCheck,
    ExpressionCheck,
    ExpressionResult,
    FormulaCatalogue,
    FormulaContext,
    FunctionRead,
)
from jimu.platform.permissions.service import require_app_admin
from jimu.platform.responses import PROBLEMS

router = APIRouter(tags=["expressions"], responses=PROBLEMS)


@router.post("/api/expressions/check", response_model=ExpressionResult)
def check_expression(body: ExpressionCheck, _: CurrentUser, locale: LocaleDep) -> ExpressionResult:
    """Checks a formula against the fields given: its type, the fields it reads, or where and
    why it is wrong."""
    return service.check_expression(body, locale)


@router.get("/api/expressions/functions", response_model=list[FunctionRead])
def list_functions(_: CurrentUser, locale: LocaleDep) -> list[FunctionRead]:
    """The function library, with descriptions in the caller's language."""
    return service.list_functions(locale)


@router.post("/api/apps/{app}/formulas/catalogue", response_model=FormulaCatalogue)
def formula_catalogue(
    app: AppKey, body: FormulaContext, user: CurrentUser, session: SessionDep
) -> FormulaCatalogue:
    """What a formula written in a context may read (the app's admins, who write them)."""
    app_row = get_app(session, app)
    require_app_admin(session, app_row, user)
    return service.catalogue_in_context(session, app_row, body)


@router.post("/api/apps/{app}/formulas/check", response_model=ExpressionResult)
def check_in_context(
    app: AppKey, body: ContextCheck, user: CurrentUser, session: SessionDep, locale: LocaleDep
) -> ExpressionResult:
    """Checks a formula where it is written, as publishing will check it."""
    app_row = get_app(session, app)
    require_app_admin(session, app_row, user)
    return service.check_in_context(session, app_row, body, locale)
