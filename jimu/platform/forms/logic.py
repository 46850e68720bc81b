"""A form's formulas and rules compiled to JsonLogic, for live evaluation in the browser.

The browser computes formulas, visibility, required-when and defaults while the user types;
the server computes and checks everything again on save. What cannot run in the browser is
listed in ``server_only`` and simply shown after saving.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from jimu.engines.expr import ExprError, check
from jimu.engines.expr.jsonlogic import to_jsonlogic
from jimu.engines.expr.types import BOOL, Schema, Type
from jimu.form_engine.catalogue import build_schema
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.validate import validate_form


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


class FormLogic(BaseModel):
    """Everything the form page evaluates live.

    Attributes:
        order: formula fields in dependency order (compute them in this order).
        types: the result type of each formula field (number, text, bool, date ...).
        server_only: ``key.part`` of formulas and rules computed only by the server.
    """

    fields: dict[str, FieldLogic] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)
    types: dict[str, str] = Field(default_factory=dict)
    server_only: list[str] = Field(default_factory=list)


def _compile(source: str, schema: Schema, expect: Type | None = None) -> Any:
    """JsonLogic of a formula, or None when only the server can compute it."""
    try:
        return to_jsonlogic(check(source, schema, expect=expect))
    except ExprError:
        return None


def form_logic(spec: FormSpec, forms: Mapping[str, FormSpec]) -> FormLogic:
    """Compiles every formula and rule of ``spec`` (``forms``: the app's forms, by key)."""
    validated = validate_form(spec, {**forms, spec.key: spec})
    schema = build_schema(spec, forms, results=validated.results)
    out = FormLogic(
        order=list(validated.formulas),
        types={key: str(kind) for key, kind in validated.results.items()},
    )
    for key, checked in validated.formulas.items():
        try:
            out.fields.setdefault(key, FieldLogic()).formula = to_jsonlogic(checked)
        except ExprError:
            out.server_only.append(f"{key}.formula")
    for f in spec.fields:
        _field_rules(f, schema, out)
    return FormLogic(
        fields={k: v for k, v in out.fields.items() if v != FieldLogic()},
        order=[k for k in out.order if f"{k}.formula" not in out.server_only],
        types=out.types,
        server_only=out.server_only,
    )


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
