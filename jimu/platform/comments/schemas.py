"""Request and response bodies of record comments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from jimu.platform.schemas import StrictModel

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class CommentCreate(StrictModel):
    """A new comment."""

    body: Body


class CommentRead(BaseModel):
    """A comment with its author's name."""

    id: int
    body: str
    author_id: int | None
    author_name: str | None
    created_at: datetime
