"""Shared request/response building blocks: strict models, bilingual labels, pages."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from jimu.engines import i18n
from jimu.engines.i18n import bilingual_error

T = TypeVar("T")

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
KEY_RE = re.compile(KEY_PATTERN)


MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="a record id")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class StrictModel(BaseModel):
    """A request body: unknown fields are refused, strings are stripped, NUL is refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        if _has_nul(data):
            raise bilingual_error(
                "nul_character",
                "Text must not contain the NUL character (\\u0000).",
                "文本中不能包含空字符（\\u0000）。",
            )
        return data


class ReadModel(BaseModel):
    """A response body built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise bilingual_error("blank", "Must not be blank.", "不能为空。")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=KEY_PATTERN),
    Field(description="ASCII key: a lowercase letter, then letters, digits or _ (max 40)."),
]


class Label(i18n.Label, StrictModel):
    """A label people read, in Chinese and English; at least one is required."""

    zh: Annotated[str, StringConstraints(max_length=100)] = ""
    en: Annotated[str, StringConstraints(max_length=100)] = ""


NonBlank = Annotated[str, AfterValidator(_not_blank)]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise bilingual_error("nul_character", "Must not contain NUL.", "不能包含空字符。")
    return value


SearchText = Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_nul)]
