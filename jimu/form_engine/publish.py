"""Publishing: the migration plan from the published version to the draft, and applying it.

Nothing is ever dropped: removed fields are archived with their columns; a field whose
type changes gets a new column and its old one is archived; changes that existing rows
would break are refused with the ids of those rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.schema import CreateIndex, CreateTable

from jimu.engines.expr.types import Type
from jimu.engines.i18n import Text, text
from jimu.form_engine import convert
from jimu.form_engine import spec as s
from jimu.form_engine.fieldtypes import FIELD_TYPES
from jimu.form_engine.tables import FormTables, build_tables, column_type, is_multi

MAX_BLOCKING_IDS = 20


@dataclass
class Step:
    """One change a publish makes (or refuses).

    Attributes:
        action: create_table, add_column, add_table, create_index, archive, restore,
            backfill, check, convert, no_ddl.
        sql: the statements it runs, for the analyst to read.
        refused: why it cannot be done; the whole publish is then refused.
        blocking_ids: records that prevent it (at most 20; 50 for a conversion).
        blocking_total: how many records prevent it (when counted beyond the list).
    """

    action: str
    field: str | None
    message: Text
    sql: list[str] = dc_field(default_factory=list)
    refused: Text | None = None
    blocking_ids: list[int] = dc_field(default_factory=list)
    run: Any = None
    blocking_total: int = 0

    def as_dict(self, locale: str) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "action": self.action,
            "field": self.field,
            "message": self.message.render(locale),
            "sql": self.sql,
            "refused": self.refused.render(locale) if self.refused else None,
            "blocking_ids": self.blocking_ids,
            "blocking_total": max(self.blocking_total, len(self.blocking_ids)),
        }


@dataclass
class Plan:
    """Everything a publish would do; ``ok`` when nothing is refused."""

    steps: list[Step]
    tables: FormTables
    archived: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        """Whether the plan can be applied."""
        return all(step.refused is None for step in self.steps)


def _sql(element: Any, conn: sa.Connection) -> str:
    return str(element.compile(dialect=conn.dialect)).strip()


def _storage(f: Any, results: Mapping[str, Type], forms: Mapping[str, s.FormSpec]) -> str:
    kind = column_type(f, results, forms)
    if kind is None:
        return f"{f.type}:{'multi' if is_multi(f) else 'none'}"
    return repr(kind)


def _ids(conn: sa.Connection, query: sa.Select[Any]) -> list[int]:
    return [int(v) for v in conn.execute(query.limit(MAX_BLOCKING_IDS)).scalars()]


def plan_publish(
    conn: sa.Connection,
    app: str,
    draft: s.FormSpec,
    published: s.FormSpec | None,
    *,
    results: Mapping[str, Type],
    old_results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
    platform: Mapping[str, sa.Table],
    archived: list[dict[str, Any]],
    version: int = 0,
) -> Plan:
    """Compares the draft with the published version (number ``version``) and lists the steps."""
    archived_specs = [_field(a) for a in archived]
    archived_keys = {f.key for f in archived_specs}
    kept = [f for f in archived_specs if draft.field(f.key) is None]
    metadata = sa.MetaData()
    removed = [f for f in published.fields if draft.field(f.key) is None] if published else []
    tables = build_tables(
        metadata,
        app,
        draft,
        results=results,
        forms=forms,
        platform=platform,
        archived=[*kept, *removed],
    )
    if published is None:
        return Plan(_create_steps(conn, tables), tables, [])
    steps: list[Step] = []
    table = tables.main
    has_rows = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > 0
    taken = {f.key for f in [*draft.fields, *archived_specs, *removed]}
    taken |= {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    converted: list[Any] = []
    for f in draft.fields:
        old = published.field(f.key)
        if old is None and f.key in archived_keys:
            steps.append(_restore(f, results, forms, archived_specs, old_results))
        elif old is None:
            steps.extend(_add(conn, tables, f, has_rows))
        elif old.type != f.type or _storage(old, old_results, forms) != _storage(f, results, forms):
            step, kept_as = _convert(conn, tables, old, f, old_results, forms, taken, version)
            steps.append(step)
            converted.extend([kept_as] if kept_as is not None else [])
        else:
            steps.extend(_change(conn, tables, old, f, results, old_results, forms))
    for f in removed:
        steps.append(
            Step(
                "archive",
                f.key,
                text(
                    "Field '{key}' is archived: hidden, its column and data kept (restorable).",
                    "字段“{key}”将被归档：隐藏但保留列和数据，可恢复。",
                    key=f.key,
                ),
            )
        )
    new_archive = [f.model_dump(mode="json") for f in [*kept, *removed, *converted]]
    if not steps:
        steps.append(Step("no_ddl", None, text("No table changes.", "无需修改数据表。")))
    return Plan(steps, tables, new_archive)


def _field(data: dict[str, Any]) -> Any:
    return s.FormSpec.model_validate({"key": "x", "name": {"en": "x"}, "fields": [data]}).fields[0]


def _create_steps(conn: sa.Connection, tables: FormTables) -> list[Step]:
    steps = []
    for table in tables.all():
        statements = [_sql(CreateTable(table), conn)]
        statements += [_sql(CreateIndex(index), conn) for index in table.indexes]
        steps.append(
            Step(
                "create_table",
                None,
                text("Create table {table}.", "创建数据表 {table}。", table=table.name),
                statements,
                run=lambda c, t=table: t.create(c),
            )
        )
    return steps


def _add(conn: sa.Connection, tables: FormTables, f: Any, has_rows: bool) -> list[Step]:
    table = tables.main
    if isinstance(f, s.SubformField) or is_multi(f):
        target = (
            tables.children.get(f.key) if isinstance(f, s.SubformField) else tables.links[f.key]
        )
        assert target is not None
        return [
            Step(
                "add_table",
                f.key,
                text(
                    "Create table {table} for '{key}'.",
                    "为“{key}”创建数据表 {table}。",
                    table=target.name,
                    key=f.key,
                ),
                [_sql(CreateTable(target), conn)],
                run=lambda c, t=target: t.create(c),
            )
        ]
    column = table.c[f.key]
    steps = [_add_column_step(conn, table, column, f)]
    if f.default is not None and not isinstance(f.default, (list, dict)):
        update = table.update().values({f.key: f.default})
        steps.append(
            Step(
                "backfill",
                f.key,
                text(
                    "Fill '{key}' of existing records with its default.",
                    "用默认值填充现有记录的“{key}”。",
                    key=f.key,
                ),
                [_sql(update, conn)],
                run=lambda c, u=update: c.execute(u),
            )
        )
    elif f.required and has_rows:
        blocking = _ids(conn, sa.select(table.c.id).where(table.c.deleted_at.is_(None)))
        if blocking:
            steps.append(
                Step(
                    "check",
                    f.key,
                    text(
                        "'{key}' is required but existing records have no value.",
                        "“{key}”为必填，但现有记录没有值。",
                        key=f.key,
                    ),
                    refused=text(
                        "Give it a default, or make it optional first.",
                        "请设置默认值，或先设为非必填。",
                    ),
                    blocking_ids=blocking,
                )
            )
    for index in table.indexes:
        if list(index.columns.keys()) == [f.key]:
            steps.append(
                Step(
                    "create_index",
                    f.key,
                    text("Index '{key}'.", "为“{key}”建立索引。", key=f.key),
                    [_sql(CreateIndex(index), conn)],
                    run=lambda c, i=index: i.create(c),
                )
            )
    return steps


def _add_column_step(conn: sa.Connection, table: sa.Table, column: Any, f: Any) -> Step:
    copy = column._copy()

    def run(c: sa.Connection) -> None:
        Operations(MigrationContext.configure(c)).add_column(table.name, copy)

    ddl = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(conn.dialect)}"
    return Step(
        "add_column",
        f.key,
        text("Add column '{key}'.", "新增列“{key}”。", key=f.key),
        [ddl],
        run=run,
    )


def _restore(
    f: Any,
    results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
    archived: list[Any],
    old_results: Mapping[str, Type],
) -> Step:
    old = next(a for a in archived if a.key == f.key)
    if _storage(old, old_results, forms) != _storage(f, results, forms):
        return Step(
            "restore",
            f.key,
            text("Restore '{key}'.", "恢复“{key}”。", key=f.key),
            refused=text(
                "An archived field '{key}' holds another type of data; choose another key.",
                "已归档的字段“{key}”存放的是其他类型的数据，请换一个字段标识。",
                key=f.key,
            ),
        )
    return Step(
        "restore",
        f.key,
        text(
            "Restore archived field '{key}' with its data.",
            "恢复已归档字段“{key}”及其数据。",
            key=f.key,
        ),
    )


def _change(
    conn: sa.Connection,
    tables: FormTables,
    old: Any,
    new: Any,
    results: Mapping[str, Type],
    old_results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
) -> list[Step]:
    steps: list[Step] = []
    table = tables.main
    if isinstance(new, s.SubformField):
        return _change_subform(conn, tables, old, new)
    if new.key not in table.c:
        return steps
    live = table.c.deleted_at.is_(None)
    if new.required and not old.required:
        blocking = _ids(conn, sa.select(table.c.id).where(live, table.c[new.key].is_(None)))
        steps.append(
            Step(
                "check",
                new.key,
                text("Make '{key}' required.", "将“{key}”设为必填。", key=new.key),
                refused=text("Some records have no value.", "部分记录没有值。")
                if blocking
                else None,
                blocking_ids=blocking,
            )
        )
    if new.unique and not old.unique:
        column = table.c[new.key]
        dupes = (
            sa.select(column)
            .where(live, column.is_not(None))
            .group_by(column)
            .having(sa.func.count() > 1)
        )
        blocking = _ids(
            conn,
            sa.select(table.c.id).where(live, column.in_(dupes)),
        )
        index = next(i for i in table.indexes if list(i.columns.keys()) == [new.key])
        steps.append(
            Step(
                "create_index",
                new.key,
                text("Make '{key}' unique.", "将“{key}”设为唯一。", key=new.key),
                [_sql(CreateIndex(index), conn)],
                refused=text("Some records share a value.", "部分记录的值重复。")
                if blocking
                else None,
                blocking_ids=blocking,
                run=lambda c, i=index: i.create(c),
            )
        )
    return steps


def _convert(
    conn: sa.Connection,
    tables: FormTables,
    old: Any,
    new: Any,
    old_results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
    taken: set[str],
    version: int,
) -> tuple[Step, Any]:
    """A type change: converted into a new column (the old one archived), or refused."""
    title = text(
        "Change '{key}' from {old} to {new}.",
        "将“{key}”由 {old} 改为 {new}。",
        key=new.key,
        old=old.type,
        new=new.type,
    )
    refused = convert.refusal(old, new)
    if refused is not None:
        return Step("convert", new.key, title, refused=refused), None
    archived = convert.archive_key(new.key, version, taken)
    conversion = convert.Conversion(
        tables, old, new, column_type(old, old_results, forms), archived
    )
    message, sql, found = convert.plan_steps(conn, conversion)
    step = Step("convert", new.key, message, sql, run=lambda c: convert.apply(c, conversion))
    if found.failures:
        step.refused = convert.refused_reason(found)
        step.blocking_ids = found.failed
        step.blocking_total = found.failures
    return step, convert.archived_spec(old, archived, version)


def _change_subform(
    conn: sa.Connection, tables: FormTables, old: s.SubformField, new: s.SubformField
) -> list[Step]:
    child = tables.children[new.key]
    steps = []
    old_fields = {f.key: f for f in old.fields}
    for inner in new.fields:
        before = old_fields.get(inner.key)
        if before is None and inner.key in child.c:
            steps.append(_add_column_step(conn, child, child.c[inner.key], inner))
        elif before is not None and _inner_changed(before, inner):
            steps.append(
                Step(
                    "convert",
                    f"{new.key}.{inner.key}",
                    text(
                        "Change '{key}' from {old} to {new}.",
                        "将“{key}”由 {old} 改为 {new}。",
                        key=f"{new.key}.{inner.key}",
                        old=before.type,
                        new=inner.type,
                    ),
                    refused=text(
                        "Fields inside a sub-form cannot change type; add a new one instead.",
                        "子表单内的字段不能更改类型；请新增字段。",
                    ),
                )
            )
    return steps


def _inner_changed(old: Any, new: Any) -> bool:
    if old.type != new.type:
        return True
    if FIELD_TYPES[new.type].follows_source:
        return False
    return repr(column_type(old, {}, {})) != repr(column_type(new, {}, {}))


def apply_plan(conn: sa.Connection, plan: Plan) -> None:
    """Runs the steps on ``conn`` (inside the caller's transaction)."""
    for step in plan.steps:
        if step.run is not None:
            step.run(conn)
