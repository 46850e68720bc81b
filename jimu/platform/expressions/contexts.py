"""Where formulas are written, and what each place lets them read.

A formula editor names its context (a form's field, a sub-form row, a rollup, a role's data
scope; flows, rules and reports register theirs); the server answers with the catalogue of
that place, built by the form engine's own schema builder, so the editor and publishing
agree on what a formula may read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from jimu.engines.errors import FieldError, ValidationFailed
from jimu.engines.expr.types import ANY, NUMBER, Schema, Type
from jimu.engines.i18n import Text, text
from jimu.form_engine import service as forms
from jimu.form_engine import spec as s
from jimu.form_engine.catalogue import build_schema, row_schema
from jimu.form_engine.validate import known_results
from jimu.platform.apps.models import App
from jimu.platform.expressions.schemas import CatalogueField, FormulaContext


@dataclass(frozen=True)
class Place:
    """What a formula written in one place may read, and the type it must give if any."""

    schema: Schema
    expect: Type | None = None


ContextBuilder = Callable[[Session, App, FormulaContext], Place]


@dataclass(frozen=True)
class ContextKind:
    """A kind of place formulas are written in, and how its catalogue is built."""

    name: Text
    build: ContextBuilder


_KINDS: dict[str, ContextKind] = {}


def register_context(kind: str, name: Text, build: ContextBuilder) -> None:
    """Adds a kind of formula context (the engines add theirs: flow conditions, rule
    mappings, report measures)."""
    _KINDS[kind] = ContextKind(name, build)


def context_kinds() -> dict[str, ContextKind]:
    """Every registered kind of formula context, by key."""
    return dict(_KINDS)


def place_of(session: Session, app: App, context: FormulaContext) -> Place:
    """The catalogue of ``context`` (422 for an unknown kind, form or sub-form)."""
    kind = _KINDS.get(context.kind)
    if kind is None:
        known = ", ".join(sorted(_KINDS))
        raise ValidationFailed(
            text("Unknown formula context.", "未知的公式上下文。"),
            errors=[
                FieldError(
                    "context.kind",
                    "unknown_context",
                    text("Known contexts: {known}.", "可用的上下文：{known}。", known=known),
                )
            ],
        )
    return kind.build(session, app, context)


def _drafts(session: Session, app: App) -> dict[str, s.FormSpec]:
    return {f.key: s.FormSpec.model_validate(f.draft) for f in forms.list_forms(session, app.id)}


def _unknown_form() -> ValidationFailed:
    return ValidationFailed(
        text("No such form.", "没有这个表单。"),
        errors=[
            FieldError("context.form", "unknown_form", text("No such form.", "没有这个表单。"))
        ],
    )


def _lenient(draft: dict[str, Any], key: str) -> s.FormSpec | None:
    """The designer's unsaved spec, less the fields it cannot read yet (a key being typed, a
    relation without its form); None when even that is not a form."""
    data = dict(draft)
    for _ in range(3):
        try:
            spec = s.FormSpec.model_validate(data)
        except ValidationError as exc:
            fields = data.get("fields")
            broken = [e["loc"] for e in exc.errors() if e["loc"][:1] == ("fields",)]
            if not broken or not isinstance(fields, list):
                return None
            data["fields"] = _without(fields, broken)
            continue
        return spec if spec.key == key else None
    return None


def _without(fields: list[Any], broken: list[tuple[Any, ...]]) -> list[Any]:
    """``fields`` less those the error locations point at (inside a sub-form: its field)."""
    top = {loc[1] for loc in broken if not _inner(loc)}
    inner: dict[Any, set[Any]] = {}
    for loc in broken:
        if _inner(loc):
            inner.setdefault(loc[1], set()).add(loc[4])
    kept = []
    for index, item in enumerate(fields):
        if index in top:
            continue
        if index in inner and isinstance(item, dict) and isinstance(item.get("fields"), list):
            gone = inner[index]
            item = {**item, "fields": [f for i, f in enumerate(item["fields"]) if i not in gone]}
        kept.append(item)
    return kept


def _inner(loc: tuple[Any, ...]) -> bool:
    return len(loc) > 4 and loc[3] == "fields" and isinstance(loc[4], int)


def _form_specs(
    session: Session, app: App, context: FormulaContext
) -> tuple[s.FormSpec, dict[str, s.FormSpec]]:
    """The form's spec (the unsaved draft when given, else the saved one) and the app's."""
    specs = _drafts(session, app)
    if context.form not in specs:
        raise _unknown_form()
    if context.draft is not None:
        edited = _lenient(context.draft, context.form)
        if edited is not None:
            specs[context.form] = edited
    return specs[context.form], specs


def _results(spec: s.FormSpec, specs: dict[str, s.FormSpec]) -> dict[str, Type]:
    """Result types of the form's formulas; one still being written (empty, or wrong for
    now) reads as "any value", so the formulas after it can already name it."""
    results = dict(known_results(spec, specs))
    for f in spec.fields:
        if f.type == "formula":
            results.setdefault(f.key, ANY)
        if isinstance(f, s.SubformField):
            for inner in f.fields:
                if inner.type == "formula":
                    results.setdefault(f"{f.key}.{inner.key}", ANY)
    return results


def _form(session: Session, app: App, context: FormulaContext) -> Place:
    spec, specs = _form_specs(session, app, context)
    return Place(build_schema(spec, specs, results=_results(spec, specs)))


def _row(session: Session, app: App, context: FormulaContext) -> Place:
    spec, specs = _form_specs(session, app, context)
    sub = spec.field(context.subform or "")
    if not isinstance(sub, s.SubformField):
        raise ValidationFailed(
            text("No such sub-form.", "没有这个子表单。"),
            errors=[
                FieldError(
                    "context.subform",
                    "unknown_subform",
                    text("No such sub-form.", "没有这个子表单。"),
                )
            ],
        )
    return Place(row_schema(spec, sub, specs, _results(spec, specs)))


def _rollup(session: Session, app: App, context: FormulaContext) -> Place:
    spec, specs = _form_specs(session, app, context)
    schema = build_schema(spec, specs, results=_results(spec, specs), reverse=True)
    return Place(schema, NUMBER)


def _scope(session: Session, app: App, context: FormulaContext) -> Place:
    """A role's data-scope filter: the saved drafts, as the permissions API checks it."""
    return _form(session, app, context.model_copy(update={"draft": None}))


register_context("form", text("a field of a form", "表单字段"), _form)
register_context("row", text("a sub-form row", "子表单行"), _row)
register_context("rollup", text("a rollup", "汇总字段"), _rollup)
register_context("scope", text("a role's data scope", "角色的数据范围"), _scope)


def catalogue_of(schema: Schema, depth: int = 0) -> list[CatalogueField]:
    """A schema as the field tree the formula editor shows (and can send back to check)."""
    out: list[CatalogueField] = []
    for info in schema.fields.values():
        label: Any = {k: v[:100] for k, v in info.label.items() if k in ("zh", "en") and v}
        kind = info.type
        if kind.kind == "record" and info.target is not None:
            if depth < 2:
                inner = catalogue_of(info.target, depth + 1)
                out.append(CatalogueField(key=info.key, type="relation", label=label, fields=inner))
        elif kind.is_list and info.target is not None:
            if depth < 2:
                inner = catalogue_of(info.target, depth + 1)
                sort = "subform" if info.parent_column == "parent_id" else "collection"
                out.append(CatalogueField(key=info.key, type=sort, label=label, fields=inner))
        elif kind.kind in _SCALARS:
            out.append(CatalogueField(key=info.key, type=kind.kind, label=label))
    return out


_SCALARS = {"number", "text", "bool", "date", "datetime", "user", "department", "any"}
