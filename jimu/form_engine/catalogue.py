"""The bridge to the expression language: a form spec as a field catalogue (Schema)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expr.types import FieldInfo, Schema, Type, collection, relation, with_meta
from jimu.form_engine import spec as s
from jimu.form_engine.fieldtypes import FIELD_TYPES


def field_type(
    field: Any, forms: Mapping[str, s.FormSpec], results: Mapping[str, Type]
) -> Type | None:
    """The expression type of a field; None when formulas cannot read it."""
    if field.type == "formula":
        return results.get(field.key)
    kind = FIELD_TYPES[field.type]
    if kind.expr_type is None or kind.storage_of(field) == "link":
        return None
    return kind.expr_type


def _label(field: Any) -> dict[str, str]:
    label = field.label if hasattr(field, "label") else field.name
    return {k: v for k, v in (("zh", label.zh), ("en", label.en)) if v}


def inner_results(subform: Any, results: Mapping[str, Type]) -> dict[str, Type]:
    """Result types of a sub-form's formula fields (kept as ``subform.key`` in ``results``)."""
    prefix = f"{subform.key}."
    return {k[len(prefix) :]: v for k, v in results.items() if k.startswith(prefix)}


def row_schema(
    form: s.FormSpec,
    subform: Any,
    forms: Mapping[str, s.FormSpec],
    results: Mapping[str, Type],
    tables: Mapping[str, Any] | None = None,
) -> Schema:
    """The catalogue of one sub-form row: what its formula fields may read."""
    name = f"{form.key}.{subform.key}"
    child = Schema(name, table=(tables or {}).get(name))
    own = inner_results(subform, results)
    for inner in subform.fields:
        inner_kind = field_type(inner, forms, own)
        if inner_kind is not None:
            child.add(FieldInfo(inner.key, inner_kind, _label(inner), inner.key))
    return child


def build_schema(
    form: s.FormSpec,
    forms: Mapping[str, s.FormSpec],
    *,
    results: Mapping[str, Type] | None = None,
    tables: Mapping[str, Any] | None = None,
    depth: int = 0,
    reverse: bool = False,
) -> Schema:
    """The catalogue formulas of ``form`` are checked against.

    ``forms`` are the other forms of the app (for relations); ``results`` the already
    known result types of formula fields; ``tables`` the SQLAlchemy tables by form key
    (and ``form.subform`` for child tables) for the SQL backend.
    """
    results = results or {}
    tables = tables or {}
    schema = with_meta(Schema(form.key, table=tables.get(form.key)))
    for field in form.fields:
        kind = field_type(field, forms, results)
        if kind is not None:
            schema.add(FieldInfo(field.key, kind, _label(field), field.key))
        elif field.type == "subform":
            child = row_schema(form, field, forms, results, tables)
            schema.add(collection(field.key, child, "parent_id", label=_label(field)))
        elif field.type == "relation" and not field.multiple and depth < 2:
            target = forms.get(field.target_form)
            if target is not None:
                target_schema = build_schema(target, forms, tables=tables, depth=depth + 1)
                schema.add(
                    relation(field.key, target_schema, label=_label(field), column=field.key)
                )
        elif field.type == "lookup":
            lookup_type = _lookup_type(form, field, forms)
            if lookup_type is not None:
                schema.add(FieldInfo(field.key, lookup_type, _label(field), field.key))
    if reverse and depth == 0:
        for key, source, via in reverse_relations(form, forms):
            if key not in schema.fields:
                items = build_schema(source, forms, tables=tables, depth=depth + 1)
                schema.add(collection(key, items, via.key, label=_label(source)))
    return schema


def reverse_relations(
    form: s.FormSpec, forms: Mapping[str, s.FormSpec]
) -> list[tuple[str, s.FormSpec, s.RelationField]]:
    """Relations of other forms pointing here, as (collection key, form, relation field).

    The key is the other form's key, or ``<form>__<field>`` when it points here twice.
    """
    found = []
    for other in forms.values():
        if other.key == form.key:
            continue
        pointing = [
            f
            for f in other.fields
            if isinstance(f, s.RelationField) and f.target_form == form.key and not f.multiple
        ]
        for f in pointing:
            key = other.key if len(pointing) == 1 else f"{other.key}__{f.key}"
            found.append((key, other, f))
    return found


def _lookup_type(
    form: s.FormSpec, field: s.LookupField, forms: Mapping[str, s.FormSpec]
) -> Type | None:
    via = form.field(field.relation)
    if via is None or via.type != "relation":
        return None
    target = forms.get(via.target_form)
    source = target.field(field.source_field) if target else None
    if source is None:
        return None
    return field_type(source, forms, {})
