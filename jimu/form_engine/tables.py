"""Physical tables of a form: names, system columns, one typed column per stored field,
child tables for sub-forms and link tables for multi-value fields."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.types import Type
from jimu.engines.sqltypes import UTCDateTime
from jimu.form_engine import spec as s
from jimu.form_engine.catalogue import inner_results
from jimu.form_engine.fieldtypes import FIELD_TYPES, storage_of
from jimu.form_engine.fieldtypes import column_type as column_type

MAX_IDENTIFIER = 63


def _shorten(name: str) -> str:
    """Keeps identifiers within PostgreSQL's 63 characters, stable and unique."""
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def table_name(app: str, form: str) -> str:
    """``f_<app>_<form>``."""
    return _shorten(f"f_{app}_{form}")


def child_table_name(table: str, field_key: str) -> str:
    """The table of a sub-form, or the link table of a multi-value field."""
    return _shorten(f"{table}__{field_key}")


@dataclass
class FormTables:
    """The tables of one form version.

    Attributes:
        children: sub-form tables by field key (columns ``parent_id``, ``position``).
        links: link tables by field key (columns ``record_id``, ``target_id``, ``position``).
    """

    main: sa.Table
    children: dict[str, sa.Table] = field(default_factory=dict)
    links: dict[str, sa.Table] = field(default_factory=dict)

    def all(self) -> list[sa.Table]:
        """Every table, the main one first."""
        return [self.main, *self.children.values(), *self.links.values()]


def is_multi(f: Any) -> bool:
    """Whether the field keeps several ids in a link table."""
    return storage_of(f) == "link"


def _foreign_key(f: Any, platform: Mapping[str, sa.Table]) -> list[Any]:
    target = FIELD_TYPES[f.type].refers_to
    if target and target in platform:
        return [sa.ForeignKey(platform[target].c.id, ondelete="SET NULL")]
    return []


def build_tables(
    metadata: sa.MetaData,
    app: str,
    form: s.FormSpec,
    *,
    results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
    platform: Mapping[str, sa.Table],
    archived: list[Any] = (),  # type: ignore[assignment]
) -> FormTables:
    """Declares the tables of ``form`` (its archived fields keep their columns)."""
    name = table_name(app, form.key)
    fields = [*form.fields, *archived]
    columns: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer, nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=True),
        sa.Column("owner", sa.Integer, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]
    # owner first: data scopes count a user's or a department's live records from it alone
    indexes = [sa.Index(_shorten(f"ix_{name}_owner"), "owner", "deleted_at")]
    for f in fields:
        kind = column_type(f, results, forms)
        if kind is None:
            continue
        columns.append(sa.Column(f.key, kind, *_foreign_key(f, platform), nullable=True))
        indexes.extend(_indexes(name, f))
    main = sa.Table(name, metadata, *columns, *indexes, extend_existing=True)
    tables = FormTables(main)
    for f in fields:
        if isinstance(f, s.SubformField):
            tables.children[f.key] = _child_table(metadata, name, f, results, forms, platform)
        elif is_multi(f):
            tables.links[f.key] = _link_table(metadata, name, f.key)
    return tables


def unique_index_name(table: str, column: str) -> str:
    """The name of the index that keeps a unique field's live values unique."""
    return _shorten(f"ux_{table}_{column}")


def _indexes(table: str, f: Any) -> list[sa.Index]:
    column = f.key
    if f.unique:
        return [
            sa.Index(
                unique_index_name(table, column),
                column,
                unique=True,
                sqlite_where=sa.text("deleted_at IS NULL"),
                postgresql_where=sa.text("deleted_at IS NULL"),
            )
        ]
    if f.filterable or FIELD_TYPES[f.type].indexed:
        return [sa.Index(_shorten(f"ix_{table}_{column}"), column)]
    return []


def _child_table(
    metadata: sa.MetaData,
    parent: str,
    f: s.SubformField,
    results: Mapping[str, Type],
    forms: Mapping[str, s.FormSpec],
    platform: Mapping[str, sa.Table],
) -> sa.Table:
    name = child_table_name(parent, f.key)
    columns: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
    ]
    own = inner_results(f, results)
    for inner in f.fields:
        kind = column_type(inner, own, forms)
        if kind is not None:
            columns.append(
                sa.Column(inner.key, kind, *_foreign_key(inner, platform), nullable=True)
            )
    return sa.Table(name, metadata, *columns, extend_existing=True)


def _link_table(metadata: sa.MetaData, parent: str, key: str) -> sa.Table:
    name = child_table_name(parent, key)
    return sa.Table(
        name,
        metadata,
        sa.Column(
            "record_id",
            sa.Integer,
            sa.ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target_id", sa.Integer, primary_key=True, index=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        extend_existing=True,
    )
