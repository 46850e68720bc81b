"""Checks a form spec as a whole and reports every problem at once.

Pydantic already checked each field's shape; this adds what needs the whole form and the
app: duplicate keys, formulas (names, types, cycles), relations, lookups, layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.errors import FieldError, ValidationFailed
from jimu.engines.expr import Checked, ExprError, check
from jimu.engines.expr.nodes import Name, walk
from jimu.engines.expr.parser import parse
from jimu.engines.expr.types import BOOL, NUMBER, Type
from jimu.engines.i18n import Text, text
from jimu.form_engine import spec as s
from jimu.form_engine.catalogue import build_schema, row_schema

FORMULA_TYPES = ("formula",)


@dataclass
class ValidatedForm:
    """A form that passed every check, with its formulas compiled once.

    Attributes:
        formulas: checked formula of each formula field, in dependency order.
        results: the result type of each formula field.
        rollups: checked rollup formulas (over sub-forms or relations pointing here).
        row_formulas: per sub-form, the checked formulas of its rows in dependency order.
    """

    form: s.FormSpec
    formulas: dict[str, Checked] = field(default_factory=dict)
    results: dict[str, Type] = field(default_factory=dict)
    rollups: dict[str, Checked] = field(default_factory=dict)
    row_formulas: dict[str, dict[str, Checked]] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, code: str, message: Text) -> None:
        self.errors.append(FieldError(path, code, message))


def _keys(form: s.FormSpec, problems: _Problems) -> None:
    seen: dict[str, int] = {}
    for index, f in enumerate(form.fields):
        if f.key in seen:
            problems.add(
                f"fields[{index}].key",
                "duplicate",
                text("Key '{key}' is used twice.", "字段标识“{key}”重复。", key=f.key),
            )
        seen[f.key] = index
        if isinstance(f, s.SubformField):
            inner: set[str] = set()
            for position, sub in enumerate(f.fields):
                if sub.key in inner:
                    problems.add(
                        f"fields[{index}].fields[{position}].key",
                        "duplicate",
                        text("Key '{key}' is used twice.", "字段标识“{key}”重复。", key=sub.key),
                    )
                inner.add(sub.key)
        if isinstance(f, (s.SelectField, s.MultiSelectField)):
            keys = [o.key for o in f.options]
            if len(keys) != len(set(keys)):
                problems.add(
                    f"fields[{index}].options",
                    "duplicate",
                    text("Option keys must be unique.", "选项标识不能重复。"),
                )
            defaults = f.default if isinstance(f.default, list) else [f.default]
            if f.default is not None and not set(defaults) <= set(keys):
                problems.add(
                    f"fields[{index}].default",
                    "not_an_option",
                    text("The default must be one of the options.", "默认值必须是选项之一。"),
                )


def _references(form: s.FormSpec, forms: Mapping[str, s.FormSpec], problems: _Problems) -> None:
    for index, f in enumerate(form.fields):
        if isinstance(f, s.RelationField):
            target = forms.get(f.target_form)
            if target is None:
                problems.add(
                    f"fields[{index}].target_form",
                    "missing_form",
                    text(
                        "There is no form '{form}' in this app.",
                        "应用中没有表单“{form}”。",
                        form=f.target_form,
                    ),
                )
            elif f.display_field and target.field(f.display_field) is None:
                problems.add(
                    f"fields[{index}].display_field",
                    "missing_field",
                    text(
                        "'{form}' has no field '{key}'.",
                        "“{form}”中没有字段“{key}”。",
                        form=f.target_form,
                        key=f.display_field,
                    ),
                )
        if isinstance(f, s.LookupField):
            via = form.field(f.relation)
            if not isinstance(via, s.RelationField) or via.multiple:
                problems.add(
                    f"fields[{index}].relation",
                    "not_a_relation",
                    text(
                        "'{key}' is not a single relation of this form.",
                        "“{key}”不是本表单的单条关联数据字段。",
                        key=f.relation,
                    ),
                )
            elif (target := forms.get(via.target_form)) is not None and target.field(
                f.source_field
            ) is None:
                problems.add(
                    f"fields[{index}].source_field",
                    "missing_field",
                    text(
                        "'{form}' has no field '{key}'.",
                        "“{form}”中没有字段“{key}”。",
                        form=via.target_form,
                        key=f.source_field,
                    ),
                )
    for index, f in enumerate(form.fields):
        link = f.linkage
        if link is None:
            continue
        via = form.field(link.relation)
        target = forms.get(via.target_form) if isinstance(via, s.RelationField) else None
        if target is None or target.field(link.source_field) is None:
            problems.add(
                f"fields[{index}].linkage",
                "bad_linkage",
                text(
                    "Linkage needs a single relation of this form and a field of its form.",
                    "数据联动需要本表单的关联数据字段及其目标表单中的字段。",
                ),
            )
    for name in ("title_field", "owner_field"):
        key = getattr(form, name)
        target_field = form.field(key) if key else None
        if key and target_field is None:
            problems.add(
                name,
                "missing_field",
                text("There is no field '{key}'.", "没有字段“{key}”。", key=key),
            )
        if (
            name == "owner_field"
            and target_field is not None
            and (not isinstance(target_field, s.MemberField) or target_field.multiple)
        ):
            problems.add(
                name,
                "not_a_member",
                text("The owner must be a single member field.", "负责人必须是单选成员字段。"),
            )
    known = {f.key for f in form.fields}
    stack = list(enumerate(form.layout))
    while stack:
        index, item = stack.pop()
        for key in item.fields:
            if key not in known:
                problems.add(
                    f"layout[{index}].fields",
                    "missing_field",
                    text("There is no field '{key}'.", "没有字段“{key}”。", key=key),
                )
        stack.extend((index, child) for child in item.children)


def _formula_order(fields: list[Any], problems: _Problems, base: str = "") -> list[Any]:
    """Formula fields sorted so each comes after the formula fields it reads."""
    formulas = {f.key: (index, f) for index, f in enumerate(fields) if f.type == "formula"}
    reads: dict[str, set[str]] = {}
    for key, (_index, f) in formulas.items():
        try:
            names = {node.key for node in walk(parse(f.formula)) if isinstance(node, Name)}
        except ExprError:
            names = set()
        reads[key] = names & set(formulas)
    order: list[Any] = []
    state: dict[str, str] = {}

    def visit(key: str, path: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "active":
            cycle = [*path[path.index(key) :], key]
            index = formulas[key][0]
            problems.add(
                f"{base}fields[{index}].formula",
                "cycle",
                text(
                    "Formulas depend on each other in a loop: {cycle}.",
                    "公式之间存在循环依赖：{cycle}。",
                    cycle=" → ".join(cycle),
                ),
            )
            return
        state[key] = "active"
        for dep in sorted(reads[key]):
            visit(dep, [*path, key])
        state[key] = "done"
        order.append(formulas[key])

    for key in formulas:
        visit(key, [])
    return order


def _check(
    problems: _Problems, path: str, source: str | None, schema: Any, expect: Type | None = None
) -> Checked | None:
    if not source:
        return None
    try:
        return check(source, schema, expect=expect)
    except ExprError as exc:
        problems.add(path, exc.reason, exc.detail)
        return None


def _row_formulas(
    form: s.FormSpec, forms: Mapping[str, s.FormSpec], problems: _Problems, result: ValidatedForm
) -> None:
    """Checks the formula fields of sub-form rows (they read the fields of their row)."""
    for position, sub in enumerate(form.fields):
        if not isinstance(sub, s.SubformField):
            continue
        base = f"fields[{position}]."
        checked_rows: dict[str, Checked] = {}
        for index, inner in _formula_order(sub.fields, problems, base):
            schema = row_schema(form, sub, forms, result.results)
            checked = _check(problems, f"{base}fields[{index}].formula", inner.formula, schema)
            if checked is not None:
                checked_rows[inner.key] = checked
                result.results[f"{sub.key}.{inner.key}"] = checked.type
        if checked_rows:
            result.row_formulas[sub.key] = checked_rows


def validate_form(form: s.FormSpec, forms: Mapping[str, s.FormSpec]) -> ValidatedForm:
    """Checks ``form`` within its app (``forms`` by key, this one included).

    Raises ValidationFailed listing every problem, each with the spec path it concerns.
    """
    result, problems = _validate(form, forms)
    if problems.errors:
        raise ValidationFailed(
            text("The form has {n} problem(s).", "表单有 {n} 处问题。", n=len(problems.errors)),
            errors=problems.errors,
        )
    return result


def known_results(form: s.FormSpec, forms: Mapping[str, s.FormSpec]) -> dict[str, Type]:
    """The result types of the formula fields that check, even when others do not: what a
    draft being edited can already offer to the formulas written next."""
    return _validate(form, forms)[0].results


def _validate(form: s.FormSpec, forms: Mapping[str, s.FormSpec]) -> tuple[ValidatedForm, _Problems]:
    problems = _Problems()
    _keys(form, problems)
    _references(form, forms, problems)
    result = ValidatedForm(form)
    _row_formulas(form, forms, problems, result)
    for index, f in _formula_order(form.fields, problems):
        schema = build_schema(form, forms, results=result.results)
        checked = _check(problems, f"fields[{index}].formula", f.formula, schema)
        if checked is not None:
            result.formulas[f.key] = checked
            result.results[f.key] = checked.type
    schema = build_schema(form, forms, results=result.results)
    rollup_schema = build_schema(form, forms, results=result.results, reverse=True)
    for index, f in enumerate(form.fields):
        base = f"fields[{index}]"
        _check(problems, f"{base}.default_formula", f.default_formula, schema)
        _check(problems, f"{base}.visible_when", f.visible_when, schema, BOOL)
        _check(problems, f"{base}.required_when", f.required_when, schema, BOOL)
        for position, rule in enumerate(f.validations):
            _check(problems, f"{base}.validations[{position}].formula", rule.formula, schema, BOOL)
        if isinstance(f, s.RollupField):
            checked = _check(problems, f"{base}.formula", f.formula, rollup_schema, NUMBER)
            if checked is not None:
                result.rollups[f.key] = checked
    return result, problems
