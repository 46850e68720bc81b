"""A form spec's layout as blocks the form page renders: plain fields, sections, tabs, columns."""

from __future__ import annotations

from typing import Any

from jimu.form_engine.spec import FormSpec, LayoutItem


def _fields(spec: FormSpec, item: LayoutItem, placed: set[str]) -> list[Any]:
    found = []
    for key in item.fields:
        f = spec.field(key)
        if f is not None and key not in placed:
            placed.add(key)
            found.append(f)
    return found


def blocks(spec: FormSpec) -> list[dict[str, Any]]:
    """The form's blocks in order; fields the layout does not place come last."""
    out: list[dict[str, Any]] = []
    placed: set[str] = set()
    for item in spec.layout:
        fields = _fields(spec, item, placed)
        if item.type == "tab":
            tab = {"label": item.label, "fields": fields}
            if out and out[-1]["kind"] == "tabs":
                out[-1]["tabs"].append(tab)
            else:
                out.append({"kind": "tabs", "tabs": [tab]})
        elif item.type == "section" and item.label is None:
            out.append({"kind": "fields", "fields": fields})
        else:
            out.append({"kind": item.type, "label": item.label, "fields": fields})
    rest = [f for f in spec.fields if f.key not in placed]
    if rest:
        out.append({"kind": "fields", "fields": rest})
    return out
