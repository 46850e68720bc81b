"""Every query on the records of one published form: rows with their sub-form rows and
links, writes, rollups, the audit trail and related records. Never commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines.expr import EvalContext
from jimu.engines.expr.sql import to_sql
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import spec as s
from jimu.form_engine.runtime import FormRuntime
from jimu.form_engine.store import RecordAudit
from jimu.form_engine.tables import is_multi

_AUDIT_INSERT = sa.insert(RecordAudit)
META = ("id", "owner", "version", "created_at", "updated_at", "created_by", "updated_by")


class RecordStore:
    """The queries of one form version's records, on the caller's session."""

    def __init__(self, session: Session, runtime: FormRuntime) -> None:
        self.session = session
        self.rt = runtime
        self.table = runtime.tables.main

    def conn(self) -> sa.Connection:
        """The session's connection (its transaction is the caller's)."""
        return self.session.connection()

    # -- reading ---------------------------------------------------------------------------

    def row(self, record_id: int, *, deleted: bool = False, scope: Any = None) -> Any:
        """The main-table row of a live (or deleted) record within ``scope``, or None."""
        query = self.rt.statement(
            f"row:{deleted}",
            lambda: sa.select(self.table).where(
                self.table.c.id == sa.bindparam("record_id"),
                self.table.c.deleted_at.is_not(None)
                if deleted
                else self.table.c.deleted_at.is_(None),
            ),
        )
        if scope is not None:
            query = query.where(scope)
        found = self.conn().execute(query, {"record_id": record_id}).mappings().first()
        return dict(found) if found is not None else None

    def exists(self, record_id: int) -> bool:
        """Whether a record with this id was ever saved (live or deleted)."""
        query = sa.select(self.table.c.id).where(self.table.c.id == record_id)
        return self.conn().execute(query).first() is not None

    def within(self, record_id: int, scope: Any) -> bool:
        """Whether the record (live or deleted) is among the rows of ``scope`` (None: all)."""
        if scope is None:
            return True
        query = sa.select(self.table.c.id).where(self.table.c.id == record_id, scope)
        return self.conn().execute(query).first() is not None

    def records(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Records from main-table rows, with sub-form rows and links in one query each."""
        ids = [row["id"] for row in rows]
        extra: dict[str, dict[int, list[Any]]] = {}
        for f in self.rt.spec.fields:
            if isinstance(f, s.SubformField):
                extra[f.key] = self._child_rows(f.key, ids)
            elif is_multi(f):
                extra[f.key] = self._links(f.key, ids)
        records = []
        for row in rows:
            record: dict[str, Any] = {f"_{name}": row[name] for name in META}
            for f in self.rt.spec.fields:
                if f.key in extra:
                    record[f.key] = extra[f.key].get(row["id"], [])
                elif f.key in row:
                    record[f.key] = row[f.key]
            records.append(record)
        return records

    def _child_rows(self, key: str, ids: list[int]) -> dict[int, list[Any]]:
        child = self.rt.tables.children[key]
        names = [c.name for c in child.c if c.name != "position"]
        query = (
            sa.select(*(child.c[n] for n in names))
            .where(child.c.parent_id.in_(ids))
            .order_by(child.c.parent_id, child.c.position)
        )
        grouped: dict[int, list[Any]] = {}
        for item in self.conn().execute(query).mappings():
            data = dict(item)
            grouped.setdefault(data.pop("parent_id"), []).append(data)
        return grouped

    def _links(self, key: str, ids: list[int]) -> dict[int, list[Any]]:
        link = self.rt.tables.links[key]
        query = (
            sa.select(link.c.record_id, link.c.target_id)
            .where(link.c.record_id.in_(ids))
            .order_by(link.c.record_id, link.c.position)
        )
        targets: dict[int, list[Any]] = {}
        for record_id, target_id in self.conn().execute(query):
            targets.setdefault(record_id, []).append(target_id)
        return targets

    def holder_of(self, key: str, value: Any, exclude: int | None) -> int | None:
        """The id of another live record holding ``value`` in the unique field ``key``."""
        query = sa.select(self.table.c.id).where(
            self.table.c[key] == value, self.table.c.deleted_at.is_(None)
        )
        if exclude is not None:
            query = query.where(self.table.c.id != exclude)
        found = self.conn().execute(query.limit(1)).scalar()
        return int(found) if found is not None else None

    def related(self, form_key: str, record_id: Any) -> Mapping[str, Any] | None:
        """A live record of a related form (``form`` or ``form.subform``) by id, for
        formulas, lookups and linkage; None when it is missing or in the recycle bin."""
        table = self.rt.targets.get(form_key.split(".")[0])
        if table is None or not isinstance(record_id, int):
            return None
        query = sa.select(table).where(table.c.id == record_id, table.c.deleted_at.is_(None))
        found = self.conn().execute(query).mappings().first()
        return dict(found) if found else None

    def live_ids(self, table: sa.Table, ids: list[Any], scope: Any) -> Any:
        """A query of which of ``ids`` are live rows of ``table`` within ``scope``."""
        query = sa.select(table.c.id).where(table.c.id.in_(ids), table.c.deleted_at.is_(None))
        return query if scope is None else query.where(scope)

    # -- writing ---------------------------------------------------------------------------

    def insert(self, values: Mapping[str, Any]) -> int:
        """Inserts a main-table row; its id."""
        # parameters, not .values(): the compiled INSERT is cached per form and column set
        result = self.conn().execute(self.table.insert(), dict(values))
        primary_key = result.inserted_primary_key
        assert primary_key is not None
        return int(primary_key[0])

    def update(
        self, record_id: int, version: int, values: Mapping[str, Any], actor_id: int
    ) -> bool:
        """Writes ``values`` if the record is still at ``version``; whether it was."""
        statement = (
            self.table.update()
            .where(self.table.c.id == record_id, self.table.c.version == version)
            .values(**values, updated_at=utcnow(), updated_by=actor_id, version=version + 1)
        )
        return self.conn().execute(statement).rowcount == 1

    def set_deleted(self, record_id: int, deleted_at: datetime | None, actor_id: int) -> None:
        """Moves a record to the recycle bin (a time) or back (None)."""
        self.conn().execute(
            self.table.update()
            .where(self.table.c.id == record_id)
            .values(deleted_at=deleted_at, updated_by=actor_id)
        )

    def save_rows(
        self, record_id: int, rows: Mapping[str, list[dict[str, Any]]], replace: bool
    ) -> None:
        """Writes sub-form rows and link rows (replacing the old ones on update)."""
        for key, items in rows.items():
            is_child = key in self.rt.tables.children
            table = self.rt.tables.children[key] if is_child else self.rt.tables.links[key]
            parent = "parent_id" if is_child else "record_id"
            if replace:
                self.conn().execute(table.delete().where(table.c[parent] == record_id))
            if items:
                # one executemany needs the same keys in every row: blanks are NULL
                keys = {k for item in items for k in item}
                self.conn().execute(
                    table.insert(),
                    [
                        {**dict.fromkeys(keys), **item, parent: record_id, "position": index}
                        for index, item in enumerate(items)
                    ],
                )

    def recompute(self, runtime: FormRuntime, ids: set[int], ctx: EvalContext) -> None:
        """Recomputes, in SQL, the rollups of records ``ids`` of ``runtime``'s form."""
        table = runtime.tables.main
        dialect = self.conn().dialect.name
        values = {
            key: to_sql(checked, dialect=dialect, ctx=ctx)
            for key, checked in runtime.rollups.items()
        }
        self.conn().execute(table.update().where(table.c.id.in_(ids)).values(values))

    def audit(
        self,
        record_id: int,
        action: str,
        changes: dict[str, Any],
        actor_id: int,
        via: str | None,
    ) -> None:
        """Appends an entry to the record's audit trail."""
        self.conn().execute(
            _AUDIT_INSERT,
            {
                "form_id": self.rt.form.id,
                "record_id": record_id,
                "action": action,
                "changes": changes,
                "actor_id": actor_id,
                "via": via,
                "at": utcnow(),
            },
        )
