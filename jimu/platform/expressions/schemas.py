"""Request and response bodies of the expressions API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from jimu.platform.schemas import KEY_PATTERN, StrictModel

FieldType = Literal[
    "number",
    "text",
    "bool",
    "date",
    "datetime",
    "user",
    "department",
    "relation",
    "subform",
    "collection",
    "any",
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


class FormulaContext(StrictModel):
    """Where a formula is written: the kind of place, its form, and what is being edited."""

    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")] = Field(
        description="form, row (a sub-form row), rollup, scope (a role's data scope), "
        "and the kinds the engines add"
    )
    form: Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
    subform: FieldKey | None = Field(None, description="the sub-form of a row context")
    draft: dict[str, Any] | None = Field(
        None, description="the form's spec being edited, unsaved (the designer's)"
    )


class ContextCheck(StrictModel):
    """A formula and the place it is written in."""

    expression: Annotated[str, StringConstraints(max_length=20_000)]
    context: FormulaContext
    expect: Literal["number", "text", "bool", "date", "datetime"] | None = None


class FormulaCatalogue(StrictModel):
    """What a formula written in a context may read."""

    kind: str
    expect: str | None = None
    fields: list[CatalogueField]


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
