"""Request and response bodies of the expressions API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from jimu.platform.schemas import StrictModel

FieldType = Literal[
    "number", "text", "bool", "date", "datetime", "user", "department", "relation", "subform"
]
FieldKey = Annotated[str, StringConstraints(pattern=r"^_?[A-Za-z][A-Za-z0-9_]{0,62}$")]


class CatalogueField(StrictModel):
    """A field a formula may use; relations and sub-forms carry their own fields."""

    key: FieldKey
    type: FieldType
    label: dict[Literal["zh", "en"], Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=dict
    )
    fields: list[CatalogueField] = Field(default_factory=list, max_length=500)


class ExpressionCheck(StrictModel):
    """A formula and the fields it may use."""

    expression: Annotated[str, StringConstraints(max_length=20_000)]
    fields: list[CatalogueField] = Field(default_factory=list, max_length=500)
    expect: Literal["number", "text", "bool", "date", "datetime"] | None = None


class ExpressionProblem(StrictModel):
    """Where and why a formula is wrong."""

    code: str
    message: str
    position: int
    line: int
    column: int
    excerpt: str


class ExpressionResult(StrictModel):
    """The outcome of checking a formula."""

    valid: bool
    type: str | None = None
    fields: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    normalized: str | None = None
    sql_capable: bool = False
    browser_capable: bool = False
    jsonlogic: Any = None
    errors: list[ExpressionProblem] = Field(default_factory=list)


class FunctionRead(StrictModel):
    """One function of the formula library."""

    name: str
    signature: str
    category: str
    category_label: str
    description: str
    example: str
    sql: bool
    browser: bool
