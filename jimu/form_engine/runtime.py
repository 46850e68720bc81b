"""A published form ready to serve records: spec, tables, compiled formulas, cached by version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.errors import Conflict
from jimu.engines.expr import Checked, Compiled, check, compile_python
from jimu.engines.expr.types import Schema
from jimu.engines.i18n import text
from jimu.form_engine import store
from jimu.form_engine.catalogue import build_schema
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.form_engine.tables import FormTables, build_tables
from jimu.form_engine.validate import validate_form


@dataclass
class FormRuntime:
    """Everything the records service needs about one published form version.

    Attributes:
        forms: the published specs of the app (for relations), by key.
        targets: tables of related forms, by form key.
        schema: the expression catalogue bound to the tables (for SQL filters).
        formulas: compiled formula fields in dependency order.
        rollups: rollup formulas bound to the tables, recomputed in SQL after writes.
        row_formulas: per sub-form, its rows' compiled formula fields in dependency order.
    """

    form: Form
    version: int
    spec: FormSpec
    forms: dict[str, FormSpec]
    tables: FormTables
    targets: dict[str, sa.Table]
    schema: Schema
    formulas: dict[str, Compiled]
    rollups: dict[str, Checked]
    row_formulas: dict[str, dict[str, Compiled]] = field(default_factory=dict)
    statements: dict[str, Any] = field(default_factory=dict)
    compiled: dict[str, Compiled] = field(default_factory=dict)
    grants: dict[Any, Any] = field(default_factory=dict)

    def grant(self, key: Any, build: Callable[[], Any]) -> Any:
        """A user's grant on this version, built once per ``key`` (who, which roles, when)."""
        found = self.grants.get(key)
        if found is None:
            if len(self.grants) >= 1000:
                self.grants.clear()
            found = self.grants[key] = build()
        return found

    def statement(self, name: str, build: Callable[[], Any]) -> Any:
        """A statement built once per form version (its compiled form is then cached)."""
        found = self.statements.get(name)
        if found is None:
            found = self.statements[name] = build()
        return found

    def formula(self, source: str) -> Compiled:
        """An analyst's rule (visibility, required-when, validation, default) compiled once."""
        found = self.compiled.get(source)
        if found is None:
            found = self.compiled[source] = compile_python(check(source, self.schema))
        return found


_cache: dict[tuple[Any, ...], FormRuntime] = {}


def load_runtime(
    session: Session, app_key: str, form: Form, platform: Mapping[str, sa.Table]
) -> FormRuntime:
    """The runtime of the form's published version (rebuilt when a new version appears)."""
    if not form.published_version:
        raise Conflict(
            text("Form '{key}' has not been published yet.", "表单“{key}”尚未发布。", key=form.key)
        )
    # ids can be reused (SQLite, restores): the key also carries the form's last change
    dialect = session.get_bind().dialect.name
    cache_key = (form.id, form.key, form.published_version, form.updated_at, dialect)
    cached = _cache.get(cache_key)
    if cached is not None:
        cached.form = form
        return cached
    forms: dict[str, FormSpec] = {}
    for other in store.forms_of_app(session, form.app_id):
        version = store.version_of(session, other.id, other.published_version)
        if version is not None:
            forms[other.key] = FormSpec.model_validate(version.spec)
    spec = forms[form.key]
    validated = validate_form(spec, forms)
    metadata = sa.MetaData()
    archived = [
        FormSpec.model_validate({"key": "x", "name": {"en": "x"}, "fields": [a]}).fields[0]
        for a in form.archived or []
    ]
    tables = build_tables(
        metadata,
        app_key,
        spec,
        results=validated.results,
        forms=forms,
        platform=platform,
        archived=archived,
    )
    targets: dict[str, sa.Table] = {form.key: tables.main}
    for key, other_spec in forms.items():
        if key != form.key:
            targets[key] = build_tables(
                sa.MetaData(), app_key, other_spec, results={}, forms=forms, platform=platform
            ).main
    bound: dict[str, Any] = dict(targets)
    bound.update({f"{form.key}.{k}": t for k, t in tables.children.items()})
    schema = build_schema(spec, forms, results=validated.results, tables=bound)
    formulas = {key: compile_python(checked) for key, checked in validated.formulas.items()}
    rollup_schema = build_schema(spec, forms, results=validated.results, tables=bound, reverse=True)
    rollups = {key: check(c.ast, rollup_schema) for key, c in validated.rollups.items()}
    row_formulas = {
        sub: {key: compile_python(checked) for key, checked in inner.items()}
        for sub, inner in validated.row_formulas.items()
    }
    runtime = FormRuntime(
        form,
        form.published_version,
        spec,
        forms,
        tables,
        targets,
        schema,
        formulas,
        rollups,
        row_formulas,
    )
    if len(_cache) > 256:
        _cache.clear()
    _cache[cache_key] = runtime
    return runtime
