"""A form's formulas and rules compiled to JsonLogic, for live evaluation in the browser.

The browser computes formulas (sub-form rows' first, then the form's), visibility,
required-when and defaults while the user types; the server computes and checks everything
again on save. What cannot run in the browser is listed in ``server_only`` and simply shown
after saving; so is a formula reading one of those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from jimu.engines.expr import Checked, ExprError, check
from jimu.engines.expr.jsonlogic import to_jsonlogic
from jimu.engines.expr.types import BOOL, Schema, Type
from jimu.form_engine.catalogue import build_schema
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.validate import ValidatedForm, validate_form


class RuleLogic(BaseModel):
    """A validation rule: the condition and the message shown when it is false."""

    logic: Any
    message: dict[str, str]


class FieldLogic(BaseModel):
    """The JsonLogic of one field's formula and rules (absent: none, or server only)."""

    formula: Any = None
    visible: Any = None
    required: Any = None
    default: Any = None
    validations: list[RuleLogic] = Field(default_factory=list)


class RowLogic(BaseModel):
    """The formulas of one sub-form's rows, each reading the fields of its own row.

    Attributes:
        fields: the JsonLogic of each row formula, by the inner field's key.
        order: row formulas in dependency order.
        types: the result type of each row formula.
    """

    fields: dict[str, Any] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)
    types: dict[str, str] = Field(default_factory=dict)


class FormLogic(BaseModel):
    """Everything the form page evaluates live.

    Attributes:
        order: formula fields in dependency order (compute them in this order).
        types: the result type of each formula field (number, text, bool, date ...).
        rows: per sub-form, the formulas of its rows (computed before the form's own).
        server_only: ``key.part`` of formulas and rules computed only by the server
            (``lines.subtotal.formula`` for a row formula).
    """

    fields: dict[str, FieldLogic] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)
    types: dict[str, str] = Field(default_factory=dict)
    rows: dict[str, RowLogic] = Field(default_factory=dict)
    server_only: list[str] = Field(default_factory=list)


def _compile(source: str, schema: Schema, expect: Type | None = None) -> Any:
    """JsonLogic of a formula, or None when only the server can compute it."""
    try:
        return to_jsonlogic(check(source, schema, expect=expect))
    except ExprError:
        return None


def _browser_formulas(
    formulas: Mapping[str, Checked], prefix: str, unavailable: set[str]
) -> dict[str, Any]:
    """JsonLogic of the formulas the browser can compute, in dependency order; the others,
    and those reading them, are added to ``unavailable`` (as ``prefix`` + key)."""
    out: dict[str, Any] = {}
    for key, checked in formulas.items():
        reads = {prefix + name for name in checked.fields}
        logic = None if reads & unavailable else _browser(checked)
        if logic is None:
            unavailable.add(prefix + key)
        else:
            out[key] = logic
    return out


def _browser(checked: Checked) -> Any:
    """JsonLogic of a checked formula, or None when only the server can compute it."""
    try:
        return to_jsonlogic(checked)
    except ExprError:
        return None


def _row_logic(validated: ValidatedForm, unavailable: set[str]) -> dict[str, RowLogic]:
    """The browser's part of each sub-form's row formulas."""
    rows: dict[str, RowLogic] = {}
    for sub, formulas in validated.row_formulas.items():
        compiled = _browser_formulas(formulas, f"{sub}.", unavailable)
        rows[sub] = RowLogic(
            fields=compiled,
            order=list(compiled),
            types={key: str(checked.type) for key, checked in formulas.items()},
        )
    return rows


def form_logic(spec: FormSpec, forms: Mapping[str, FormSpec]) -> FormLogic:
    """Compiles every formula and rule of ``spec`` (``forms``: the app's forms, by key)."""
    validated = validate_form(spec, {**forms, spec.key: spec})
    schema = build_schema(spec, forms, results=validated.results)
    unavailable: set[str] = set()
    rows = _row_logic(validated, unavailable)
    compiled = _browser_formulas(validated.formulas, "", unavailable)
    out = FormLogic(
        fields={key: FieldLogic(formula=logic) for key, logic in compiled.items()},
        order=list(compiled),
        types={key: str(kind) for key, kind in validated.results.items() if "." not in key},
        rows=rows,
        server_only=[f"{key}.formula" for key in sorted(unavailable)],
    )
    for f in spec.fields:
        _field_rules(f, schema, out)
    out.fields = {k: v for k, v in out.fields.items() if v != FieldLogic()}
    return out


def _field_rules(f: Any, schema: Schema, out: FormLogic) -> None:
    logic = out.fields.setdefault(f.key, FieldLogic())
    parts = (
        ("visible", f.visible_when, BOOL),
        ("required", f.required_when, BOOL),
        ("default", f.default_formula, None),
    )
    for part, source, expect in parts:
        if source:
            compiled = _compile(source, schema, expect)
            if compiled is None:
                out.server_only.append(f"{f.key}.{part}")
            setattr(logic, part, compiled)
    for rule in f.validations:
        compiled = _compile(rule.formula, schema, BOOL)
        if compiled is None:
            out.server_only.append(f"{f.key}.validations")
            continue
        message = {"zh": rule.message.zh, "en": rule.message.en}
        logic.validations.append(RuleLogic(logic=compiled, message=message))
