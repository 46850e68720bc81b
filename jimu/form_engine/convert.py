"""Type changes on publish: which are allowed, which values convert, and the steps that
archive the old column, add the new one and fill it with the converted values.

A value converts when the field's own coercion (``fieldtypes.coerce``) accepts it in the form
a client would send it; blank stays blank. The old column is renamed, never dropped, and kept
as an archived field, so a conversion can be undone by restoring that field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.schema import CreateIndex, CreateTable

from jimu.engines.errors import Conflict, FieldError, ValidationFailed
from jimu.engines.i18n import Text, text
from jimu.form_engine import spec as s
from jimu.form_engine.fieldtypes import FIELD_TYPES, coerce
from jimu.form_engine.serialize import to_json
from jimu.form_engine.tables import FormTables, _indexes, column_type, is_multi
from jimu.form_engine.validate import validate_form
from jimu.form_engine.values import Invalid

MAX_IDS = 50
BATCH = 1000


@dataclass
class Scan:
    """What converting a column's values gives.

    Attributes:
        converted: rows whose value converts (blank rows not counted).
        failed: ids of rows whose value does not convert (at most ``MAX_IDS``).
        failures: how many rows do not convert.
        reason: why the first of them does not.
    """

    converted: int = 0
    failed: list[int] = field(default_factory=list)
    failures: int = 0
    reason: Text | None = None
    values: dict[int, Any] = field(default_factory=dict)

    def fail(self, record_id: int, reason: Text) -> None:
        """Records a row that does not convert."""
        self.failures += 1
        if len(self.failed) < MAX_IDS:
            self.failed.append(record_id)
        self.reason = self.reason or reason


def as_input(value: Any, new: Any) -> Any:
    """A stored value in the JSON form a client would send for the field ``new``."""
    raw = to_json(value)
    if is_multi(new):
        return raw if isinstance(raw, list) else [raw]
    free_text = FIELD_TYPES[new.type].free_text
    if isinstance(raw, list) and new.type != "multiselect":
        if free_text and all(isinstance(v, str) for v in raw):
            return ", ".join(raw) if raw else None
        return raw[0] if len(raw) == 1 else (None if not raw else raw)
    if new.type == "multiselect" and isinstance(raw, str):
        return [raw]
    if isinstance(raw, bool) and free_text:
        return "true" if raw else "false"
    if isinstance(raw, int) and not isinstance(raw, bool) and free_text:
        return str(raw)
    if new.type == "checkbox" and isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if new.type == "rating" and isinstance(raw, str):
        return _integral(raw)
    if new.type == "date" and isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return raw


def _integral(raw: str) -> Any:
    try:
        number = Decimal(raw.strip())
    except ArithmeticError:
        return raw
    if number.is_finite() and number == number.to_integral_value() and abs(number) < 2**31:
        return int(number)
    return raw


def convert_value(value: Any, new: Any) -> Any:
    """The value to store in the new column; raises ``Invalid``."""
    if value is None:
        return None
    return coerce(new, as_input(value, new))


def refusal(old: Any, new: Any) -> Text | None:
    """Why a change of ``old`` into ``new`` cannot be converted at all, or None."""
    if isinstance(old, s.SubformField) or isinstance(new, s.SubformField):
        return text(
            "A sub-form cannot become another type of field, nor the other way round; "
            "add a new field instead.",
            "子表单不能与其他类型的字段互相转换；请新增字段。",
        )
    if FIELD_TYPES[new.type].computed:
        return text(
            "A {new} field is computed by the system; existing values cannot become one. "
            "Add a new field instead.",
            "{new} 字段由系统计算，已有的值不能转换为它；请新增字段。",
            new=new.type,
        )
    if FIELD_TYPES[old.type].follows_source:
        return text(
            "A {old} field's stored type follows its source; remove it and add a new field.",
            "{old} 字段的存储类型由其来源决定；请移除后新增字段。",
            old=old.type,
        )
    if is_multi(old):
        return text(
            "A multi-value field cannot become single or another type: its values live in "
            "a link table. Add a new field instead.",
            "多值字段不能改为单值或其他类型（其值存放在关联表中）；请新增字段。",
        )
    if FIELD_TYPES[new.type].refers_to and not _same_reference(old, new):
        return text(
            "Values cannot become references to users, departments or records; add a new "
            "field instead.",
            "已有的值不能转换为成员、部门或关联记录；请新增字段。",
        )
    return None


def _same_reference(old: Any, new: Any) -> bool:
    if old.type != new.type:
        return False
    return old.type != "relation" or bool(old.target_form == new.target_form)


def archive_key(key: str, version: int, taken: set[str]) -> str:
    """A free field key for the old column: ``<key>_v<version>`` (``_2``... if taken)."""
    suffix = f"_v{version}"
    candidate = key[: 40 - len(suffix)] + suffix
    n = 2
    while candidate in taken:
        extra = f"{suffix}_{n}"
        candidate = key[: 40 - len(extra)] + extra
        n += 1
    taken.add(candidate)
    return candidate


def archived_spec(old: Any, key: str, version: int) -> Any:
    """The old field as an archived field named ``key``: hidden, no rules, no index."""
    label = s.Label(
        zh=f"{old.label.zh[:180]}（v{version}）" if old.label.zh else "",
        en=f"{old.label.en[:180]} (v{version})" if old.label.en else "",
    )
    return old.model_copy(
        update={
            "key": key,
            "label": label,
            "required": False,
            "required_when": None,
            "unique": False,
            "filterable": False,
            "default": None,
            "default_formula": None,
            "validations": [],
            "visible_when": None,
            "linkage": None,
        }
    )


def _shadow(name: str, f: Any, kind: Any) -> sa.Table:
    """A table object with just the columns a conversion reads and the indexes of ``f``."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("deleted_at", sa.types.NullType()),
        sa.Column(f.key, kind),
        *_indexes(name, f),
    )


def scan(conn: sa.Connection, source: sa.Table, key: str, new: Any, *, keep: bool) -> Scan:
    """Converts every row's value of ``source.c[key]``, checking required and unique too."""
    result = Scan()
    seen: dict[Any, int] = {}
    for batch in _batches(conn, source, key):
        for record_id, deleted_at, value in batch:
            try:
                converted = convert_value(value, new)
            except Invalid as exc:
                result.fail(record_id, exc.message)
                continue
            live = deleted_at is None
            if converted is not None:
                result.converted += 1
                if keep:
                    result.values[record_id] = converted
            if live and new.required and converted is None:
                result.fail(record_id, text("It has no value.", "没有值。"))
            if live and new.unique and converted is not None:
                hashable = _hashable(converted)
                if hashable in seen:
                    result.fail(record_id, text("Two records share a value.", "有记录的值重复。"))
                else:
                    seen[hashable] = record_id
    return result


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(to_json(value), sort_keys=True)
    return value


def _batches(conn: sa.Connection, source: sa.Table, key: str) -> Iterator[list[Any]]:
    last = 0
    column = source.c[key]
    while True:
        query = (
            sa.select(source.c.id, source.c.deleted_at, column)
            .where(source.c.id > last)
            .order_by(source.c.id)
            .limit(BATCH)
        )
        rows = conn.execute(query).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]


@dataclass
class Conversion:
    """One field changing type: the tables involved and the names used.

    Attributes:
        archived: the key the old column is renamed to (an archived field).
    """

    tables: FormTables
    old: Any
    new: Any
    old_type: Any
    archived: str

    @property
    def key(self) -> str:
        """The field's key."""
        return str(self.new.key)

    def before(self) -> sa.Table:
        """The main table as the old field sees it."""
        return _shadow(self.tables.main.name, self.old, self.old_type)

    def after(self) -> sa.Table:
        """The main table with the old column under its archived name."""
        spec = archived_spec(self.old, self.archived, 0)
        return _shadow(self.tables.main.name, spec, self.old_type)

    def new_indexes(self) -> list[sa.Index]:
        """Indexes the new column needs."""
        return [i for i in self.tables.main.indexes if list(i.columns.keys()) == [self.key]]


def plan_steps(conn: sa.Connection, c: Conversion) -> tuple[Text, list[str], Scan]:
    """The message, SQL and value check of a conversion."""
    found = scan(conn, c.before(), c.key, c.new, keep=False)
    message = text(
        "Convert '{key}' from {old} to {new}: {n} value(s) convert; the old column is kept "
        "as archived field '{archived}'.",
        "将“{key}”由 {old} 转换为 {new}：{n} 个值可转换；原列保留为已归档字段“{archived}”。",
        key=c.key,
        old=c.old.type,
        new=c.new.type,
        n=found.converted,
        archived=c.archived,
    )
    return message, _sql(conn, c), found


def _quote(conn: sa.Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _rename(conn: sa.Connection, c: Conversion) -> str:
    q = _quote
    return (
        f"ALTER TABLE {q(conn, c.tables.main.name)} RENAME COLUMN {q(conn, c.key)} "
        f"TO {q(conn, c.archived)}"
    )


def _sql(conn: sa.Connection, c: Conversion) -> list[str]:
    def compiled(element: Any) -> str:
        return str(element.compile(dialect=conn.dialect)).strip()

    statements = [compiled(sa.schema.DropIndex(i, if_exists=True)) for i in c.before().indexes]
    statements.append(_rename(conn, c))
    statements += [compiled(CreateIndex(i)) for i in c.after().indexes]
    if is_multi(c.new):
        link = c.tables.links[c.key]
        statements.append(compiled(CreateTable(link)))
        statements.append(compiled(_copy_links(c, link)))
        return statements
    column = c.tables.main.c[c.key]
    statements.append(
        f"ALTER TABLE {c.tables.main.name} ADD COLUMN {c.key} {column.type.compile(conn.dialect)}"
    )
    statements.append(f"UPDATE {c.tables.main.name} SET {c.key} = <converted {c.archived}>")
    statements += [compiled(CreateIndex(i)) for i in c.new_indexes()]
    return statements


def _copy_links(c: Conversion, link: sa.Table) -> Any:
    after = c.after()
    old = after.c[c.archived]
    return link.insert().from_select(
        ["record_id", "target_id", "position"],
        sa.select(after.c.id, old, sa.literal(0)).where(old.is_not(None)),
    )


def apply(conn: sa.Connection, c: Conversion) -> None:
    """Archives the old column, adds the new one and fills it; refuses if a value fails."""
    for index in c.before().indexes:
        conn.execute(sa.schema.DropIndex(index, if_exists=True))
    conn.exec_driver_sql(_rename(conn, c))
    after = c.after()
    for index in after.indexes:
        index.create(conn)
    if is_multi(c.new):
        link = c.tables.links[c.key]
        link.create(conn)
        conn.execute(_copy_links(c, link))
        return
    column = c.tables.main.c[c.key]._copy()
    Operations(MigrationContext.configure(conn)).add_column(c.tables.main.name, column)
    found = scan(conn, after, c.archived, c.new, keep=True)
    if found.failures:
        raise not_converted(c.key, found)
    _fill(conn, c.tables.main, c.key, found.values)
    for index in c.new_indexes():
        index.create(conn)


def _fill(conn: sa.Connection, table: sa.Table, key: str, values: Mapping[int, Any]) -> None:
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values({key: sa.bindparam("new_value", type_=table.c[key].type)})
    )
    items = [{"row_id": k, "new_value": v} for k, v in values.items()]
    for start in range(0, len(items), BATCH):
        conn.execute(update, items[start : start + BATCH])


def not_converted(key: str, found: Scan) -> Conflict:
    """The error of a conversion some rows block (found again while publishing)."""
    reason = refused_reason(found)
    return Conflict(
        text(
            "'{key}' cannot be converted: {reason}",
            "“{key}”无法转换：{reason}",
            key=key,
            reason=reason,
        ),
        errors=[FieldError(f"fields.{key}", "convert", reason)],
        extra={"blocking_ids": found.failed, "blocking_total": found.failures},
    )


def refused_reason(found: Scan) -> Text:
    """Why a conversion is refused, with the first reason."""
    return text(
        "{n} record(s) hold values that do not convert (record {first}: {reason}).",
        "有 {n} 条记录的值无法转换（记录 {first}：{reason}）。",
        n=found.failures,
        first=found.failed[0] if found.failed else "-",
        reason=found.reason or text("invalid", "无效"),
    )


def dependents(
    form_key: str, published: s.FormSpec, new: Any, forms: Mapping[str, s.FormSpec]
) -> list[str]:
    """Fields of other published forms that ``new`` replacing its published self would break:
    their formulas no longer check, or their stored type (a lookup's) would change."""
    variant = published.model_copy(
        update={"fields": [new if f.key == new.key else f for f in published.fields]}
    )
    after = {**forms, form_key: variant}
    found: list[str] = []
    for key, other in forms.items():
        if key == form_key:
            continue
        try:
            before = validate_form(other, forms).results
        except ValidationFailed:
            continue  # already broken before this change
        try:
            results = validate_form(other, after).results
        except ValidationFailed as exc:
            found += [f"{key}.{error.field}" for error in exc.errors]
            continue
        found += [
            f"{key}.{f.key}"
            for f in other.fields
            if repr(column_type(f, before, forms)) != repr(column_type(f, results, after))
        ]
    return found


def dependents_refusal(found: list[str]) -> Text:
    """Why a conversion other forms depend on is refused."""
    return text(
        "Other forms read this field and would break: {fields}. Change them first.",
        "其他表单引用了此字段，转换后会出错：{fields}。请先修改它们。",
        fields=", ".join(found[:10]),
    )
