"""Endpoints for the formula editor: check a formula, list the functions."""

from __future__ import annotations

from fastapi import APIRouter

from jimu.platform.deps import CurrentUser, LocaleDep
from jimu.platform.expressions import service
from jimu.platform.expressions.schemas import ExpressionCheck, ExpressionResult, FunctionRead
from jimu.platform.responses import PROBLEMS

router = APIRouter(tags=["expressions"], responses=PROBLEMS)


@router.post("/api/expressions/check", response_model=ExpressionResult)
def check_expression(body: ExpressionCheck, _: CurrentUser, locale: LocaleDep) -> ExpressionResult:
    """Checks a formula: its type, the fields it reads, or where and why it is wrong."""
    return service.check_expression(body, locale)


@router.get("/api/expressions/functions", response_model=list[FunctionRead])
def list_functions(_: CurrentUser, locale: LocaleDep) -> list[FunctionRead]:
    """The function library, with descriptions in the caller's language."""
    return service.list_functions(locale)
