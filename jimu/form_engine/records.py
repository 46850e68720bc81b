"""The records service — the one write path for form records.

Every change goes: permission (the user's ``FormGrant``: actions, row scopes, field modes) →
the pure pipeline (``pipeline.py``: coerce, defaults, linkage, formulas and lookups,
visibility, validation rules) → relation, unique and file checks → save with sub-form rows
and links (``record_store.py``, the caller's transaction) → audit trail → domain events
(sent after commit). Lists are built by ``listing.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines import events
from jimu.engines.clock import clock
from jimu.engines.errors import (
    Conflict,
    FieldError,
    NotFound,
    NotPublished,
    PermissionDenied,
    ValidationFailed,
)
from jimu.engines.expr import EvalContext
from jimu.engines.i18n import Text, text
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import spec as s
from jimu.form_engine.access import FormGrant, GrantOf
from jimu.form_engine.files import attach_files, resolve_files
from jimu.form_engine.listing import COUNT_LIMIT, ListQuery, RecordQuery, titles_query
from jimu.form_engine.pipeline import Draft, Pipeline
from jimu.form_engine.record_store import RecordStore
from jimu.form_engine.runtime import FormRuntime
from jimu.form_engine.serialize import to_json
from jimu.form_engine.store import RecordAudit, history_of, next_serial
from jimu.form_engine.tables import unique_index_name

__all__ = ["COUNT_LIMIT", "Actor", "RecordEvent", "RecordPage", "RecordsService"]

RECORD = text("Record", "记录")
ALREADY_TAKEN = text("Another record already has this value.", "已有其他记录使用该值。")
OUTSIDE_SCOPE = text(
    "This record is outside the records you may {action}.",
    "这条记录不在您可{action}的数据范围内。",
)


@dataclass(frozen=True)
class Actor:
    """Who is acting, for permissions, ``owner`` and the formula context.

    Attributes:
        via: the automation acting for the user (``rule:12``), kept in the audit trail.
    """

    user_id: int
    department_id: int | None = None
    is_admin: bool = False
    via: str | None = None


@dataclass(frozen=True)
class RecordEvent:
    """A domain event for rules and flows: ``record.created`` / ``updated`` / ``deleted``."""

    kind: str
    form_id: int
    record_id: int
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordPage:
    """A page of records and how many match (exact up to ``COUNT_LIMIT``, else at least)."""

    items: list[dict[str, Any]]
    total: int
    exact: bool


class RecordsService:
    """Reads and writes the records of one published form for one actor."""

    def __init__(
        self,
        session: Session,
        runtime: FormRuntime,
        actor: Actor,
        *,
        access: GrantOf,
        runtimes: Callable[[str], FormRuntime],
        today: date | None = None,
    ) -> None:
        """Built by the platform's one factory (``jimu.platform.records``), which always
        passes a grant and the resolver of related forms."""
        self.session = session
        self.runtimes = runtimes
        self.rt = runtime
        self.actor = actor
        self.access = access
        self.grant: FormGrant = access(runtime)
        self.table = runtime.tables.main
        self.store = RecordStore(session, runtime)
        self.ctx = EvalContext(
            today=today or clock().today(),
            user_id=actor.user_id,
            department_id=actor.department_id,
            load=self.store.related,
        )
        self.pipeline = Pipeline(runtime, self.ctx, self.grant.mode, self._load_via)

    # -- reading ---------------------------------------------------------------------------

    def _row(self, record_id: int, *, deleted: bool = False, scope: Any = None) -> dict[str, Any]:
        """A record by id (live or deleted), within ``scope`` (None: any row), else 404."""
        row = self.store.row(record_id, deleted=deleted, scope=scope)
        if row is None:
            raise NotFound(RECORD, record_id)
        return self.store.records([row])[0]

    def public(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as this user may see it: fields hidden from them left out."""
        return self.grant.visible(record)

    def get(self, record_id: int) -> dict[str, Any]:
        """One record."""
        return self.public(self._row(record_id, scope=self.grant.view))

    def query(self) -> RecordQuery:
        """The list query of this form as this user sees it (filters, search, sort, scope)."""
        return RecordQuery(self.rt, self.grant, self.ctx, self.store.conn().dialect.name)

    def list_records(
        self,
        *,
        filter: str | None = None,
        sort: str | None = None,
        q: str | None = None,
        page: int = 1,
        page_size: int = 50,
        after: int | None = None,
    ) -> RecordPage:
        """A page of records matching an expression filter, a search and a sort."""
        self.grant.require("view")
        ask = ListQuery(filter, sort, q, page, page_size, after)
        builder = self.query()
        conditions = builder.conditions(ask)
        conn = self.store.conn()
        total = int(conn.execute(builder.count(conditions)).scalar_one())
        rows = [dict(r) for r in conn.execute(builder.page(conditions, ask)).mappings()]
        items = [self.public(r) for r in self.store.records(rows)]
        return RecordPage(items, min(total, COUNT_LIMIT), total <= COUNT_LIMIT)

    def expand(self, records: list[dict[str, Any]], key: str) -> None:
        """Replaces a relation's ids by ``{"_id", "title"}`` of the related records;
        ``lines.product`` expands a relation inside the rows of a sub-form."""
        top, _, inner = key.partition(".")
        f = self.rt.spec.field(top)
        if inner and isinstance(f, s.SubformField):
            relation = next((i for i in f.fields if i.key == inner), None)
            holders = [row for r in records for row in r.get(top) or []]
        else:
            relation, holders, inner = (None if inner else f), records, top
        if not isinstance(relation, s.RelationField):
            raise ValidationFailed.single(
                "expand",
                "not_a_relation",
                text("'{key}' is not a relation field.", "“{key}”不是关联数据字段。", key=key),
            )
        if self.grant.mode(top) == "hidden":
            return
        ids = {i for h in holders for i in _as_list(h.get(inner)) if isinstance(i, int)}
        titles = self._titles(relation, ids)

        def one(ident: Any) -> Any:
            return {"_id": ident, "title": titles.get(ident)} if ident in titles else None

        for holder in holders:
            value = holder.get(inner)
            holder[inner] = [one(v) for v in value] if isinstance(value, list) else one(value)

    def _titles(self, f: s.RelationField, ids: set[int]) -> dict[int, Any]:
        """Titles of the related records the user may see (hidden titles are None)."""
        target = self._target(f.target_form)
        if target is None:
            return {}
        query = titles_query(target, self.access(target), f.display_field, ids)
        rows = self.store.conn().execute(query).all()
        return {row[0]: (row[1] if len(row) > 1 else None) for row in rows}

    def history(self, record_id: int) -> list[RecordAudit]:
        """The audit trail of a record (deleted ones too)."""
        if not self.store.exists(record_id):
            raise NotFound(RECORD, record_id)
        if not self._sees(record_id):
            raise NotFound(RECORD, record_id)
        entries = history_of(self.session, self.rt.form.id, record_id)
        if self.grant.hidden():
            for entry in entries:
                self.session.expunge(entry)  # hidden fields are left out, never saved back
                entry.changes = self.grant.visible(entry.changes)
        return entries

    # -- writing ---------------------------------------------------------------------------

    def validate(self, values: Mapping[str, Any], record_id: int | None = None) -> list[FieldError]:
        """Every problem a create (or an update of ``record_id``) with ``values`` would meet,
        nothing saved: the importer's dry run, a flow node's checks."""
        if record_id is None:
            self.grant.require("create")
            existing = None
        else:
            existing = self._row(record_id, scope=self.grant.view)
            self._in_scope(record_id, self.grant.edit, "edit")
        return self._draft(values, existing).errors

    def create(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validates and saves a new record."""
        self.grant.require("create")
        draft = self._prepare(values, existing=None)
        self._number(draft)
        now = utcnow()
        system = {
            "created_at": now,
            "updated_at": now,
            "created_by": self.actor.user_id,
            "updated_by": self.actor.user_id,
            "owner": self._owner(draft),
            "version": 1,
        }
        with self._unique_race():
            record_id = self.store.insert({**system, **draft.values})
        self._save(record_id, draft, before=None, replace=False)
        record = self._row(record_id)
        changes = {
            k: [None, to_json(v)]
            for k, v in record.items()
            if not k.startswith("_") and v not in (None, [])
        }
        self._audit(record_id, "create", changes)
        self._emit(RecordEvent("record.created", self.rt.form.id, record_id, tuple(changes)))
        return self.public(record)

    def update(self, record_id: int, values: Mapping[str, Any], version: int) -> dict[str, Any]:
        """Applies changes if ``version`` is current (optimistic locking)."""
        current = self._row(record_id, scope=self.grant.view)
        self._in_scope(record_id, self.grant.edit, "edit")
        if current["_version"] != version:
            raise Conflict(
                STALE,
                errors=[FieldError("version", "stale", text("Stale version.", "版本已过期。"))],
                extra={"current": {k: to_json(v) for k, v in self.public(current).items()}},
            )
        draft = self._prepare(values, existing=current)
        with self._unique_race():
            saved = self.store.update(record_id, version, draft.values, self.actor.user_id)
        if not saved:
            raise Conflict(STALE)
        self._save(record_id, draft, before=current, replace=True)
        record = self._row(record_id)
        changes = {
            k: [to_json(current.get(k)), to_json(v)]
            for k, v in record.items()
            if not k.startswith("_") and to_json(current.get(k)) != to_json(v)
        }
        self._audit(record_id, "update", changes)
        self._emit(RecordEvent("record.updated", self.rt.form.id, record_id, tuple(changes)))
        return self.public(record)

    def delete(self, record_id: int) -> None:
        """Soft-deletes a record (restorable)."""
        current = self._row(record_id, scope=self.grant.view)
        self._in_scope(record_id, self.grant.delete, "delete")
        self.store.set_deleted(record_id, utcnow(), self.actor.user_id)
        self._refresh_rollups(record_id, current, {})
        self._audit(record_id, "delete", {})
        self._emit(RecordEvent("record.deleted", self.rt.form.id, record_id))

    def restore(self, record_id: int) -> dict[str, Any]:
        """Brings a deleted record back, if its unique values are still free."""
        current = self._row(record_id, deleted=True, scope=self.grant.view)
        self._in_scope(record_id, self.grant.delete, "delete")
        errors = Draft()
        self._check_unique({k: current.get(k) for k in current}, errors, exclude=record_id)
        if errors.errors:
            raise ValidationFailed(errors.errors[0].message, errors=errors.errors)
        with self._unique_race():
            self.store.set_deleted(record_id, None, self.actor.user_id)
        self._refresh_rollups(record_id, None, current)
        self._audit(record_id, "restore", {})
        self._emit(RecordEvent("record.created", self.rt.form.id, record_id))
        return self.public(self._row(record_id))

    def bulk(
        self,
        creates: Sequence[Mapping[str, Any]],
        updates: Sequence[tuple[int, int, Mapping[str, Any]]],
        deletes: Sequence[int],
    ) -> dict[str, list[Any]]:
        """Creates, updates and deletes together: all succeed, or nothing is kept."""
        errors: list[FieldError] = []
        done: dict[str, list[Any]] = {"created": [], "updated": [], "deleted": []}
        steps: list[tuple[str, str, Callable[[], Any]]] = [
            ("created", f"create[{i}]", partial(self.create, values))
            for i, values in enumerate(creates)
        ]
        steps += [
            ("updated", f"update[{i}]", partial(self.update, ident, values, version))
            for i, (ident, version, values) in enumerate(updates)
        ]
        steps += [
            ("deleted", f"delete[{i}]", partial(self._delete_returning_id, ident))
            for i, ident in enumerate(deletes)
        ]
        for bucket, prefix, action in steps:
            try:
                done[bucket].append(action())
            except ValidationFailed as exc:
                errors.extend(
                    FieldError(f"{prefix}.{e.field}", e.code, e.message) for e in exc.errors
                )
            except (NotFound, Conflict, PermissionDenied) as exc:
                errors.append(FieldError(prefix, exc.code, exc.detail))
        if errors:
            raise ValidationFailed(
                text(
                    "{n} problem(s); nothing was saved.",
                    "有 {n} 处问题，未保存任何修改。",
                    n=len(errors),
                ),
                errors=errors,
            )
        return done

    def _delete_returning_id(self, record_id: int) -> int:
        self.delete(record_id)
        return record_id

    # -- the checks around the pipeline ----------------------------------------------------

    def _prepare(self, values: Mapping[str, Any], existing: Mapping[str, Any] | None) -> Draft:
        """The draft to save, or ValidationFailed with every problem."""
        draft = self._draft(values, existing)
        if draft.errors:
            raise ValidationFailed(_summary(draft), errors=draft.errors)
        return draft

    def _draft(self, values: Mapping[str, Any], existing: Mapping[str, Any] | None) -> Draft:
        """The pipeline's draft plus the checks that need the database."""
        draft = self.pipeline.run(values, existing)
        if draft.stopped:
            return draft  # values that do not fit their fields: nothing further to check
        references = Draft()
        self._check_references(draft.merged, references, existing)
        draft.errors[:0] = references.errors
        self._check_unique(draft.merged, draft, exclude=existing["_id"] if existing else None)
        draft.errors += resolve_files(
            self.session,
            self.rt.spec,
            self.rt.form.id,
            draft.values,
            draft.rows,
            actor_id=self.actor.user_id,
            record_id=existing["_id"] if existing else None,
        )
        return draft

    def _in_scope(self, record_id: int, scope: Any, action: str) -> None:
        """Refuses a change to a visible record outside the user's scope for ``action``."""
        if not self.store.within(record_id, scope):
            verb = text("edit", "编辑") if action == "edit" else text("delete", "删除")
            raise PermissionDenied(OUTSIDE_SCOPE.with_params(action=verb))

    def _sees(self, record_id: int) -> bool:
        """Whether the record (live or deleted) is within the user's view scope."""
        return self.store.within(record_id, self.grant.view)

    def _check_references(
        self, row: Mapping[str, Any], draft: Draft, existing: Mapping[str, Any] | None
    ) -> None:
        """Related records, members and departments must exist; a relation may newly point
        only at records the user may see (a lookup would otherwise read hidden records)."""
        for f in self.rt.spec.fields:
            value = row.get(f.key)
            if value in (None, []) or f.type not in ("relation", "member", "department"):
                continue
            ids = value if isinstance(value, list) else [value]
            if f.type == "relation":
                kept = set(_as_list((existing or {}).get(f.key)))
                ids = [i for i in ids if i not in kept]
                query = self._reachable(f.target_form, ids)
                if query is None:
                    continue
            else:
                table = sa.table("users" if f.type == "member" else "departments", sa.column("id"))
                query = sa.select(table.c.id).where(table.c.id.in_(ids))
            found = set(self.store.conn().execute(query).scalars())
            missing = [i for i in ids if i not in found]
            if missing:
                draft.error(
                    f.key,
                    "not_found",
                    text(
                        "No such record: {ids}.",
                        "关联的记录不存在：{ids}。",
                        ids=", ".join(map(str, missing)),
                    ),
                )

    def _reachable(self, form_key: str, ids: list[Any]) -> Any:
        """A query of which of ``ids`` are live records of the form the user may see."""
        if not ids:
            return None
        target = self._target(form_key)
        if target is not None:
            return self.store.live_ids(target.tables.main, ids, self.access(target).view)
        table = self.rt.targets.get(form_key)
        return None if table is None else self.store.live_ids(table, ids, None)

    def _target(self, form_key: str) -> FormRuntime | None:
        """The published runtime of a related form, if it can be loaded."""
        try:
            return self.runtimes(form_key)
        except (NotFound, NotPublished):
            return None

    def _check_unique(self, row: Mapping[str, Any], draft: Draft, exclude: int | None) -> None:
        for f in self.rt.spec.fields:
            value = row.get(f.key)
            if not f.unique or value is None or f.key not in self.table.c:
                continue
            other = self.store.holder_of(f.key, value, exclude)
            if other is None:
                continue
            if self._sees(other):
                message = text(
                    "Record {id} already has this value.", "记录 {id} 已使用该值。", id=other
                )
            else:  # the other record is outside the user's scope: do not name it
                message = ALREADY_TAKEN
            draft.error(f.key, "duplicate", message)

    @contextmanager
    def _unique_race(self) -> Iterator[None]:
        """A concurrent write took a unique value after the check: the same ``422``
        ``duplicate`` as the check gives (the caller's transaction is then rolled back)."""
        try:
            yield
        except sa.exc.IntegrityError as exc:
            message = str(exc.orig)
            name = self.table.name
            taken = [
                f.key
                for f in self.rt.spec.fields
                if f.unique
                and (unique_index_name(name, f.key) in message or f"{name}.{f.key}" in message)
            ]
            if not taken:
                raise
            raise ValidationFailed(
                text("The value is already taken.", "该值已被使用。"),
                errors=[FieldError(taken[0], "duplicate", ALREADY_TAKEN)],
            ) from None

    # -- saving ----------------------------------------------------------------------------

    def _save(
        self, record_id: int, draft: Draft, before: Mapping[str, Any] | None, replace: bool
    ) -> None:
        """Sub-form rows, links, files and rollups of a saved main row."""
        self.store.save_rows(record_id, draft.rows, replace)
        attach_files(
            self.session, self.rt.spec, self.rt.form.id, record_id, draft.values, draft.rows
        )
        self._refresh_rollups(record_id, before, draft.values)

    def _number(self, draft: Draft) -> None:
        """Hands out serial numbers (流水号) inside this transaction."""
        day = self.ctx.today
        for f in self.rt.spec.fields:
            if isinstance(f, s.SerialField):
                period = {
                    "never": "",
                    "year": f"{day:%Y}",
                    "month": f"{day:%Y%m}",
                    "day": f"{day:%Y%m%d}",
                }[f.reset]
                number = next_serial(self.session, self.rt.form.id, f.key, period)
                draft.values[f.key] = format_serial(f.pattern, number, day)

    def _owner(self, draft: Draft) -> int:
        key = self.rt.spec.owner_field
        value = draft.values.get(key) if key else None
        return int(value) if value else self.actor.user_id

    def _refresh_rollups(
        self, record_id: int, before: Mapping[str, Any] | None, after: Mapping[str, Any]
    ) -> None:
        """Recomputes, in SQL, the rollups of this record and of the records it points to."""
        if self.rt.rollups:
            self.store.recompute(self.rt, {record_id}, self.ctx)
        for f in self.rt.spec.fields:
            if not isinstance(f, s.RelationField) or f.multiple:
                continue
            ids = {v for v in ((before or {}).get(f.key), after.get(f.key)) if isinstance(v, int)}
            if not ids:
                continue
            target = self.runtimes(f.target_form)
            if target.rollups:
                self.store.recompute(target, ids, self.ctx)

    def _audit(self, record_id: int, action: str, changes: dict[str, Any]) -> None:
        self.store.audit(record_id, action, changes, self.actor.user_id, self.actor.via)

    def _emit(self, event: RecordEvent) -> None:
        events.queue(self.session, event)

    def _load_via(self, relation: str, record_id: Any) -> Mapping[str, Any] | None:
        """The live record a relation field of this form points at (lookups, linkage)."""
        f = self.rt.spec.field(relation)
        if not isinstance(f, s.RelationField) or not record_id:
            return None
        return self.store.related(f.target_form, record_id)


STALE = text(
    "The record was changed by someone else; reload it.", "记录已被他人修改，请刷新后重试。"
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_COUNTER = re.compile(r"\{(0+)\}")


def format_serial(pattern: str, number: int, day: date) -> str:
    """``HT-{YYYY}{MM}-{0000}`` with today's date and the number, zero-padded."""
    out = (
        pattern.replace("{YYYY}", f"{day:%Y}")
        .replace("{YY}", f"{day:%y}")
        .replace("{MM}", f"{day:%m}")
        .replace("{DD}", f"{day:%d}")
    )
    if not _COUNTER.search(out):
        out += "{0000}"
    return _COUNTER.sub(lambda m: str(number).zfill(len(m.group(1))), out, count=1)


def _summary(draft: Draft) -> Text:
    return text(
        "{n} field(s) are invalid: {fields}.",
        "{n} 个字段无效：{fields}。",
        n=len(draft.errors),
        fields=", ".join(e.field for e in draft.errors),
    )
