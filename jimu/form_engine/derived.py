"""Which fields each field is computed from, across the forms of an app, and what follows.

A field computed from others — a formula, a lookup (他表字段), a rollup (汇总) or a field
filled by linkage (数据联动) — would show the values it reads. So a field is hidden from a
user when any field it is computed from is hidden from them, transitively and across forms
(a lookup of a lookup, a formula reading ``customer.level``). The graph is built once per
published version; the modes are then a fixpoint over it, per user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from jimu.engines.errors import ValidationFailed
from jimu.form_engine import spec as s
from jimu.form_engine.access import FormGrant
from jimu.form_engine.catalogue import reverse_relations
from jimu.form_engine.validate import validate_form

# (form key, field key); a field inside a sub-form row is ``subform.field``
Node = tuple[str, str]
# stands for the sources of a form that no longer validates: always hidden
UNKNOWN: Node = ("", "")


def path_nodes(
    forms: Mapping[str, s.FormSpec], form_key: str, path: str, row_of: str | None = None
) -> set[Node]:
    """Every field a formula path passes through: ``customer.region`` from an opportunity
    reads the opportunity's ``customer`` and the customer form's ``region``; a rollup's
    ``opportunity.amount`` reads the opportunity form's relation and its ``amount``.
    ``row_of`` names the sub-form whose rows the path starts from."""
    nodes: set[Node] = set()
    current = forms.get(form_key)
    segments = path.split(".")
    if row_of is not None and current is not None:
        sub = current.field(row_of)
        inner = (
            next((i for i in sub.fields if i.key == segments[0]), None)
            if isinstance(sub, s.SubformField)
            else None
        )
        if inner is None:
            return nodes
        nodes.add((form_key, f"{row_of}.{inner.key}"))
        if not isinstance(inner, s.RelationField) or inner.multiple:
            return nodes
        current, segments = forms.get(inner.target_form), segments[1:]
    for index, segment in enumerate(segments):
        if current is None:
            break
        f = current.field(segment)
        if f is None and index == 0 and row_of is None:
            via = next((r for r in reverse_relations(current, forms) if r[0] == segment), None)
            if via is None:
                break  # a record meta field (_owner, _created_at ...): never hidden
            nodes.add((via[1].key, via[2].key))
            current = via[1]
            continue
        if f is None:
            break
        nodes.add((current.key, segment))
        if isinstance(f, s.SubformField):
            if index + 1 < len(segments):
                nodes.add((current.key, f"{segment}.{segments[index + 1]}"))
            break
        if not isinstance(f, s.RelationField) or f.multiple:
            break
        current = forms.get(f.target_form)
    return nodes


def _field_sources(
    forms: Mapping[str, s.FormSpec], form: s.FormSpec, f: object, row_of: str | None
) -> set[Node]:
    """Sources a field has by its kind: a lookup's or a linkage's related field."""
    found: set[Node] = set()
    if isinstance(f, s.LookupField):
        found |= path_nodes(forms, form.key, f"{f.relation}.{f.source_field}", row_of)
    link = getattr(f, "linkage", None)
    if link is not None:
        found |= path_nodes(forms, form.key, f"{link.relation}.{link.source_field}", row_of)
    return found


def form_sources(forms: Mapping[str, s.FormSpec], form: s.FormSpec) -> dict[Node, set[Node]]:
    """The fields each field of ``form`` is computed from directly."""
    graph: dict[Node, set[Node]] = {}
    try:
        validated = validate_form(form, forms)
    except ValidationFailed:
        # the form no longer fits the app: what it computes cannot be vouched for
        return {(form.key, f.key): {UNKNOWN} for f in form.fields if _computed(f)}
    for key, checked in [*validated.formulas.items(), *validated.rollups.items()]:
        for path in checked.fields:
            graph.setdefault((form.key, key), set()).update(path_nodes(forms, form.key, path))
    for sub, inner in validated.row_formulas.items():
        for key, checked in inner.items():
            reads = {(form.key, f"{sub}.{p.split('.')[0]}") for p in checked.fields}
            graph.setdefault((form.key, f"{sub}.{key}"), set()).update(reads)
    for f in form.fields:
        if found := _field_sources(forms, form, f, None):
            graph.setdefault((form.key, f.key), set()).update(found)
        if isinstance(f, s.SubformField):
            for inner_field in f.fields:
                if found := _field_sources(forms, form, inner_field, f.key):
                    graph.setdefault((form.key, f"{f.key}.{inner_field.key}"), set()).update(found)
    return graph


def _computed(f: object) -> bool:
    return getattr(f, "type", None) in ("formula", "lookup", "rollup") or (
        getattr(f, "linkage", None) is not None
    )


def app_sources(forms: Mapping[str, s.FormSpec]) -> dict[Node, frozenset[Node]]:
    """The direct sources of every computed field of every form of an app."""
    graph: dict[Node, frozenset[Node]] = {}
    for form in forms.values():
        for node, found in form_sources(forms, form).items():
            graph[node] = frozenset(found - {node})
    return graph


def derive(
    graph: Mapping[Node, frozenset[Node]], hidden_at_base: Callable[[Node], bool]
) -> dict[Node, tuple[Node, ...]]:
    """The fields hidden only because they are computed from fields hidden from the user
    (by the user's roles, or in turn by derivation), each with the hidden fields it reads."""
    checked: dict[Node, bool] = {}

    def base(node: Node) -> bool:
        if node == UNKNOWN:
            return True
        if node not in checked:
            checked[node] = hidden_at_base(node)
        return checked[node]

    hidden = {node for node in graph if base(node)}
    because: dict[Node, tuple[Node, ...]] = {}
    changed = True
    while changed:
        changed = False
        for node, sources in graph.items():
            if node in hidden:
                continue
            reasons = tuple(sorted(n for n in sources if n in hidden or base(n)))
            if reasons:
                hidden.add(node)
                because[node] = reasons
                changed = True
    return because


def first_hidden(
    grant: FormGrant, forms: Mapping[str, s.FormSpec], form_key: str, paths: Iterable[str]
) -> str | None:
    """The first of a formula's field paths that passes through a field hidden from the user
    (``secret``, or ``customer.secret`` when the customer form hides it), else None."""
    for path in paths:
        for form, key in path_nodes(forms, form_key, path):
            mode = grant.mode(key) if form == form_key else grant.mode_in(form, key)
            if mode == "hidden":
                return path
    return None
