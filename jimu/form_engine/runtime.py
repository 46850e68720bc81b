"""A published form ready to serve records: spec, tables, compiled formulas, cached by version.

A runtime is shared by every request thread of the process, so it holds no ORM row (a row
belongs to one session) and is never changed once built; what it caches on the way
(statements, compiled rules, grants) sits in bounded, locked caches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.errors import NotPublished
from jimu.engines.expr import Checked, Compiled, check, compile_python
from jimu.engines.expr.types import Schema, Type
from jimu.engines.i18n import text
from jimu.engines.lru import LRUCache
from jimu.form_engine import store
from jimu.form_engine.catalogue import build_schema
from jimu.form_engine.spec import FormSpec
from jimu.form_engine.store import Form
from jimu.form_engine.tables import FormTables, build_tables
from jimu.form_engine.validate import validate_form


@dataclass(frozen=True)
class FormRef:
    """The form a runtime serves, as it was when the runtime was built (no session attached).

    Attributes:
        app_id: the app (apps.id).
        published_version: the version the runtime serves.
        table_name: the physical table.
        updated_at: the form row's last change (part of the cache key: ids can be reused).
        archived: keys of the fields a publish archived.
    """

    id: int
    app_id: int
    key: str
    published_version: int
    table_name: str | None
    updated_at: datetime
    archived: tuple[str, ...] = ()

    @classmethod
    def of(cls, form: Form) -> FormRef:
        """The reference of a form row."""
        return cls(
            id=form.id,
            app_id=form.app_id,
            key=form.key,
            published_version=form.published_version,
            table_name=form.table_name,
            updated_at=form.updated_at,
            archived=tuple(str(a.get("key")) for a in form.archived or []),
        )


@dataclass(frozen=True)
class FormRuntime:
    """Everything the records service needs about one published form version.

    Attributes:
        form: the form it serves (a frozen reference, never an ORM row).
        forms: the published specs of the app (for relations), by key.
        targets: tables of related forms, by form key.
        schema: the expression catalogue bound to the tables (for SQL filters).
        formulas: compiled formula fields in dependency order.
        rollups: rollup formulas bound to the tables, recomputed in SQL after writes.
        row_formulas: per sub-form, its rows' compiled formula fields in dependency order.
    """

    form: FormRef
    version: int
    spec: FormSpec
    forms: dict[str, FormSpec]
    tables: FormTables
    targets: dict[str, sa.Table]
    schema: Schema
    formulas: dict[str, Compiled]
    rollups: dict[str, Checked]
    row_formulas: dict[str, dict[str, Compiled]] = field(default_factory=dict)
    statements: LRUCache[str, Any] = field(default_factory=lambda: LRUCache(512))
    compiled: LRUCache[str, Compiled] = field(default_factory=lambda: LRUCache(512))
    grants: LRUCache[Any, Any] = field(default_factory=lambda: LRUCache(1000))
    checks: LRUCache[tuple[str, str], Checked] = field(default_factory=lambda: LRUCache(512))

    def grant(self, key: Any, build: Callable[[], Any]) -> Any:
        """A user's grant on this version, built once per ``key`` (who, which roles, when)."""
        return self.grants.get_or_build(key, build)

    def statement(self, name: str, build: Callable[[], Any]) -> Any:
        """A statement built once per form version (its compiled form is then cached)."""
        return self.statements.get_or_build(name, build)

    def checked(self, source: str, expect: Type | None = None) -> Checked:
        """An expression read against this version once (list filters, custom data scopes):
        parsing and checking cost more than the query they become."""
        return self.checks.get_or_build(
            (source, str(expect)), lambda: check(source, self.schema, expect=expect)
        )

    def formula(self, source: str) -> Compiled:
        """An analyst's rule (visibility, required-when, validation, default) compiled once."""
        return self.compiled.get_or_build(
            source, lambda: compile_python(check(source, self.schema))
        )


_cache: LRUCache[tuple[Any, ...], FormRuntime] = LRUCache(256)


def load_runtime(
    session: Session, app_key: str, form: Form, platform: Mapping[str, sa.Table]
) -> FormRuntime:
    """The runtime of the form's published version (rebuilt when a new version appears)."""
    if not form.published_version:
        raise NotPublished(
            text("Form '{key}' has not been published yet.", "表单“{key}”尚未发布。", key=form.key)
        )
    # ids can be reused (SQLite, restores): the key also carries the form's last change
    dialect = session.get_bind().dialect.name
    cache_key = (form.id, form.key, form.published_version, form.updated_at, dialect)
    cached = _cache.get(cache_key)
    if cached is not None:
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
        FormRef.of(form),
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
    return _cache.put(cache_key, runtime)
