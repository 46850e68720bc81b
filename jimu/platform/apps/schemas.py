"""Request and response bodies of the apps registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from jimu.platform.schemas import Key, Label, ReadModel, StrictModel

Icon = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9-]{1,64}$")]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Description = Annotated[str, StringConstraints(max_length=2000)]


class AppCreate(StrictModel):
    """A new app."""

    key: Key
    name: Label
    icon: Icon | None = None
    color: Color | None = None
    description: Description | None = None
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class AppUpdate(StrictModel):
    """Changes to an app (its key never changes)."""

    name: Label | None = None
    icon: Icon | None = None
    color: Color | None = None
    description: Description | None = None
    sort_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class AppRead(ReadModel):
    """An app as the API shows it."""

    id: int
    key: str
    name: Label
    icon: str | None
    color: str | None
    description: str | None
    sort_order: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
