"""Request and response bodies of saved views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from jimu.engines.text import JsonData
from jimu.platform.schemas import Name, ReadModel, StrictModel

ColumnKey = Annotated[str, StringConstraints(pattern=r"^_?[a-z][a-z0-9_]{0,39}$")]
Sort = Annotated[
    str, StringConstraints(max_length=200, pattern=r"^-?[a-z_][a-z0-9_]*(,-?[a-z_][a-z0-9_]*)*$")
]
Filter = Annotated[str, StringConstraints(max_length=10_000)]


class Condition(StrictModel):
    """One clicked filter condition (kept so the filter bar can show and edit it)."""

    field: ColumnKey
    op: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}$")]
    value: JsonData = None


class ViewCreate(StrictModel):
    """A new saved view."""

    name: Name
    shared: bool = False
    columns: list[ColumnKey] = Field(default_factory=list, max_length=200)
    sort: Sort | None = None
    filter: Filter | None = None
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class ViewUpdate(StrictModel):
    """Changes to a saved view."""

    name: Name | None = None
    shared: bool | None = None
    columns: list[ColumnKey] | None = Field(default=None, max_length=200)
    sort: Sort | None = None
    filter: Filter | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=50)
    sort_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class ViewRead(ReadModel):
    """A saved view; ``mine`` tells whether the caller made it."""

    id: int
    name: str
    shared: bool
    owner_id: int | None
    columns: list[str]
    sort: str | None
    filter: str | None
    conditions: list[dict[str, Any]]
    sort_order: int
    created_at: datetime
    updated_at: datetime
