"""The pure stages of a record write: accept → coerce and default → link → compute →
visibility → validation rules. No database: related records come through ``load``.

It returns the draft with every error found; the records service adds the checks that need
the database (relations, unique values, files), then saves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.errors import FieldError
from jimu.engines.expr import EvalContext
from jimu.engines.i18n import Text, text
from jimu.form_engine import spec as s
from jimu.form_engine.access import FieldMode
from jimu.form_engine.fieldtypes import COMPUTED, coerce
from jimu.form_engine.runtime import FormRuntime
from jimu.form_engine.serialize import to_json
from jimu.form_engine.tables import is_multi
from jimu.form_engine.values import Invalid

# (relation field key, related record id) -> the related record's stored row, or None
Loader = Callable[[str, Any], Mapping[str, Any] | None]


@dataclass
class Draft:
    """A record on its way to being saved.

    Attributes:
        values: main-table columns to write.
        rows: sub-form rows and link-table rows to write, by field key.
        errors: every problem found, by field path.
        merged: the whole record as the formulas see it (stored values, then the changes).
        hidden: fields whose visibility rule is false.
        stopped: the values did not fit their fields, so nothing was computed.
    """

    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    merged: dict[str, Any] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    stopped: bool = False

    def error(self, path: str, code: str, message: Text) -> None:
        """Records a problem with the field at ``path``."""
        self.errors.append(FieldError(path, code, message))


class Pipeline:
    """The write stages of one form version for one actor (their field modes, their
    formula context)."""

    def __init__(
        self,
        runtime: FormRuntime,
        ctx: EvalContext,
        mode: Callable[[str], FieldMode],
        load: Loader,
    ) -> None:
        self.rt = runtime
        self.ctx = ctx
        self.mode = mode
        self.load = load

    def run(self, values: Mapping[str, Any], existing: Mapping[str, Any] | None) -> Draft:
        """The draft of a create (``existing`` None) or an update; stops after coercion
        when values do not fit their fields (formulas would read nonsense)."""
        draft = Draft(merged=dict(existing or {}))
        self._accept(values, draft)
        self._coerce(values, existing, draft)
        if draft.errors:
            draft.stopped = True
            return draft
        self._link(values, existing, draft)
        self._compute(draft)
        draft.hidden = self._hide(draft)
        if draft.hidden:
            self._compute(draft)  # formulas may read the values just cleared
        self._check_rules(draft)
        return draft

    def _accept(self, values: Mapping[str, Any], draft: Draft) -> None:
        """Only fields of the form, never computed or read-only ones, and only those the
        actor may edit."""
        fields = {f.key: f for f in self.rt.spec.fields}
        for key in values:
            f = fields.get(key)
            if f is None:
                draft.error(key, "unknown_field", text("No such field.", "没有这个字段。"))
            elif f.type in COMPUTED or f.read_only:
                draft.error(
                    key,
                    "read_only",
                    text("This field is computed or read-only.", "该字段为计算字段或只读。"),
                )
            elif self.mode(key) != "edit":
                draft.error(
                    key,
                    "not_editable",
                    text("You may not edit this field.", "您没有编辑该字段的权限。"),
                )

    def _coerce(
        self, values: Mapping[str, Any], existing: Mapping[str, Any] | None, draft: Draft
    ) -> None:
        """Each given value fitted to its field; on create, defaults for the rest."""
        for f in self.rt.spec.fields:
            if f.type in COMPUTED or (f.key not in values and existing is not None):
                continue
            raw = values[f.key] if f.key in values else self._default(f, draft.merged)
            if isinstance(f, s.SubformField):
                draft.rows[f.key] = draft.merged[f.key] = self._rows(f, raw, draft)
                continue
            try:
                value = coerce(f, raw)
            except Invalid as exc:
                draft.error(f.key, exc.code, exc.message)
                continue
            draft.merged[f.key] = value
            if is_multi(f):
                draft.rows[f.key] = [{"target_id": v} for v in (value or [])]
            else:
                draft.values[f.key] = value

    def _default(self, f: Any, row: Mapping[str, Any]) -> Any:
        if f.default_formula:
            value = self.rt.formula(f.default_formula)(row, self.ctx)
            return to_json(value) if not isinstance(value, bool) else value
        return f.default

    def _rows(self, f: s.SubformField, raw: Any, draft: Draft) -> list[dict[str, Any]]:
        """A sub-form's rows, each field coerced, then the rows' own formulas."""
        if raw is None:
            raw = []
        if not isinstance(raw, list) or len(raw) > f.max_rows:
            draft.error(f.key, "rows", text("At most {n} rows.", "最多 {n} 行。", n=f.max_rows))
            return []
        if len(raw) < f.min_rows:
            draft.error(f.key, "rows", text("At least {n} rows.", "至少 {n} 行。", n=f.min_rows))
        rows = []
        for index, item in enumerate(raw):
            if not isinstance(item, dict):
                draft.error(f"{f.key}[{index}]", "type", text("Expected a row.", "应为一行数据。"))
                continue
            rows.append(self._row(f, index, item, draft))
        return rows

    def _row(self, f: s.SubformField, index: int, item: dict[str, Any], draft: Draft) -> Any:
        row: dict[str, Any] = {}
        for inner in f.fields:
            path = f"{f.key}[{index}].{inner.key}"
            if inner.key in item and inner.type not in COMPUTED:
                try:
                    row[inner.key] = coerce(inner, item[inner.key])
                except Invalid as exc:
                    draft.error(path, exc.code, exc.message)
            elif inner.default is not None:
                row[inner.key] = coerce(inner, inner.default)
            if inner.required and row.get(inner.key) is None:
                draft.error(path, "required", text("Required.", "必填项。"))
        for key, compiled in self.rt.row_formulas.get(f.key, {}).items():
            row[key] = compiled(row, self.ctx)  # in dependency order, like the form's own
        for key in sorted(set(item) - {i.key for i in f.fields} - {"id"}):
            draft.error(
                f"{f.key}[{index}].{key}", "unknown_field", text("No such field.", "没有这个字段。")
            )
        return row

    def _link(
        self, values: Mapping[str, Any], existing: Mapping[str, Any] | None, draft: Draft
    ) -> None:
        """Data linkage (数据联动): fills a field from the related record when the relation is
        set or changed, unless the value was given too."""
        row = draft.merged
        for f in self.rt.spec.fields:
            link = f.linkage
            if link is None or f.key in values or link.relation not in values:
                continue
            if existing is not None and existing.get(link.relation) == row.get(link.relation):
                continue
            related = self.load(link.relation, row.get(link.relation))
            value = related.get(link.source_field) if related else None
            try:
                row[f.key] = draft.values[f.key] = coerce(f, to_json(value))
            except Invalid as exc:
                draft.error(f.key, exc.code, exc.message)

    def _compute(self, draft: Draft) -> None:
        """Formula fields in dependency order, then lookups (他表字段)."""
        row = draft.merged
        for key, compiled in self.rt.formulas.items():
            row[key] = draft.values[key] = compiled(row, self.ctx)
        for f in self.rt.spec.fields:
            if isinstance(f, s.LookupField):
                related = self.load(f.relation, row.get(f.relation))
                row[f.key] = draft.values[f.key] = related.get(f.source_field) if related else None

    def _hide(self, draft: Draft) -> set[str]:
        """Fields whose visibility rule is false now: not required, not validated, and
        (unless the form keeps hidden values) blanked, as the browser does."""
        row = draft.merged
        hidden = {
            f.key
            for f in self.rt.spec.fields
            if f.visible_when and not self.rt.formula(f.visible_when)(row, self.ctx)
        }
        if self.rt.spec.options.hidden_values == "keep":
            return hidden
        for key in hidden:
            f = self.rt.spec.field(key)
            if f is None or f.type in COMPUTED:
                continue
            if isinstance(f, s.SubformField) or is_multi(f):
                if row.get(key):
                    row[key] = draft.rows[key] = []
            elif row.get(key) is not None:
                row[key] = draft.values[key] = None
        return hidden

    def _check_rules(self, draft: Draft) -> None:
        """Required (also when a formula says so) and the analyst's validation rules."""
        row = draft.merged
        for f in self.rt.spec.fields:
            if f.key in draft.hidden:
                continue
            value = row.get(f.key)
            required = f.required
            if f.required_when:
                required = required or bool(self.rt.formula(f.required_when)(row, self.ctx))
            blank = value in (None, "", [])
            if required and blank and f.type not in COMPUTED:
                draft.error(f.key, "required", text("Required.", "必填项。"))
            for rule in [] if blank else f.validations:  # a blank value is "required"'s case
                if not self.rt.formula(rule.formula)(row, self.ctx):
                    message = rule.message
                    draft.error(
                        f.key, "rule", Text(message.en or message.zh, message.zh or message.en)
                    )
