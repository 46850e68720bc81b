"""Checks formulas for the designers and describes the function library."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jimu.engines.expr import ExprError, check, normalize
from jimu.engines.expr.functions import CATEGORIES, REGISTRY
from jimu.engines.expr.jsonlogic import JS_UNSUPPORTED, to_jsonlogic
from jimu.engines.expr.types import FieldInfo, Schema, Type, collection, relation
from jimu.form_engine.fieldtypes import EXPRESSION_TYPES
from jimu.platform.apps.models import App
from jimu.platform.expressions.contexts import catalogue_of, place_of
from jimu.platform.expressions.schemas import (
    CatalogueField,
    ContextCheck,
    ExpressionCheck,
    ExpressionProblem,
    ExpressionResult,
    FormulaCatalogue,
    FormulaContext,
    FunctionRead,
)


def build_schema(name: str, fields: list[CatalogueField], depth: int = 0) -> Schema:
    """A schema from a field list given inline (relations and sub-forms one level deep)."""
    schema = Schema(name)
    for item in fields:
        label: dict[str, str] = {str(k): v for k, v in item.label.items()}
        if item.type in ("relation", "subform", "collection") and depth < 2:
            target = build_schema(item.key, item.fields, depth + 1)
            if item.type == "relation":
                schema.add(relation(item.key, target, label=label))
            else:
                schema.add(collection(item.key, target, f"{name}_id", label=label))
        elif item.type in EXPRESSION_TYPES:
            schema.add(FieldInfo(item.key, EXPRESSION_TYPES[item.type], label))
    return schema


def check_expression(data: ExpressionCheck, locale: str) -> ExpressionResult:
    """Checks a formula against the given fields; problems come back as data, not errors."""
    expect = EXPRESSION_TYPES.get(data.expect) if data.expect else None
    return check_in(data.expression, build_schema("form", data.fields), expect, locale)


def check_in_context(
    session: Session, app: App, data: ContextCheck, locale: str
) -> ExpressionResult:
    """Checks a formula where it is written (its context's catalogue and expected type)."""
    place = place_of(session, app, data.context)
    expect = EXPRESSION_TYPES.get(data.expect) if data.expect else place.expect
    return check_in(data.expression, place.schema, expect, locale)


def catalogue_in_context(session: Session, app: App, context: FormulaContext) -> FormulaCatalogue:
    """What a formula written in ``context`` may read."""
    place = place_of(session, app, context)
    return FormulaCatalogue(
        kind=context.kind,
        expect=str(place.expect) if place.expect else None,
        fields=catalogue_of(place.schema),
    )


def check_in(source: str, schema: Schema, expect: Type | None, locale: str) -> ExpressionResult:
    """Checks ``source`` against ``schema``; problems come back as data, not errors."""
    try:
        checked = check(source, schema, expect=expect)
        normalized = normalize(source, schema)
    except ExprError as exc:
        return ExpressionResult(valid=False, errors=[ExpressionProblem(**exc.as_dict(locale))])
    try:
        logic = to_jsonlogic(checked)
    except ExprError:
        logic = None
    return ExpressionResult(
        valid=True,
        type=str(checked.type),
        fields=checked.fields,
        functions=checked.functions,
        normalized=normalized,
        sql_capable=checked.sql_capable,
        browser_capable=logic is not None,
        jsonlogic=logic,
    )


def list_functions(locale: str) -> list[FunctionRead]:
    """The function library in the caller's language, by category then name."""
    zh = locale.startswith("zh")
    order = list(CATEGORIES)
    specs = sorted(REGISTRY.values(), key=lambda s: (order.index(s.category), s.name))
    return [
        FunctionRead(
            name=spec.name,
            signature=spec.signature(),
            category=spec.category,
            category_label=CATEGORIES[spec.category].render(locale),
            description=spec.zh if zh else spec.en,
            example=spec.example,
            sql=spec.sql,
            browser=spec.name not in JS_UNSUPPORTED,
        )
        for spec in specs
    ]
