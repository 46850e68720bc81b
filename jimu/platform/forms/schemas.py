"""Response bodies of the forms API (requests are form specs themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class FormRead(BaseModel):
    """A form: its draft and what is published."""

    key: str
    name: dict[str, str]
    draft: dict[str, Any]
    published_version: int
    table_name: str | None
    archived: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class FormSummary(BaseModel):
    """A form in a list."""

    key: str
    name: dict[str, str]
    published_version: int
    updated_at: datetime


class PlanStep(BaseModel):
    """One step of a publish plan."""

    action: str
    field: str | None
    message: str
    sql: list[str]
    refused: str | None
    blocking_ids: list[int]
    blocking_total: int = 0


class PublishPlan(BaseModel):
    """What a publish would do."""

    ok: bool
    steps: list[PlanStep]


class FormVersionRead(BaseModel):
    """A published version."""

    version: int
    spec: dict[str, Any]
    published_at: datetime
    published_by: int | None
