"""The records service — the one write path for form records.

Every change goes: permission (the user's ``FormGrant``: actions, row scopes, field modes) →
coerce and validate every field → defaults, formulas and
lookups in dependency order → unique and relation checks → save with sub-form rows and
links (one transaction, the caller's) → audit trail → domain events (sent after commit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines import events
from jimu.engines.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.engines.expr import EvalContext, ExprError, check
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import BOOL
from jimu.engines.i18n import Text, text
from jimu.engines.sqltypes import utcnow
from jimu.form_engine import spec as s
from jimu.form_engine.access import FULL, FormGrant, GrantOf, scope_rows
from jimu.form_engine.derived import first_hidden
from jimu.form_engine.files import attach_files, resolve_files
from jimu.form_engine.runtime import FormRuntime
from jimu.form_engine.store import RecordAudit, history_of, next_serial
from jimu.form_engine.tables import is_multi
from jimu.form_engine.values import COMPUTED, Invalid, coerce

RECORD = text("Record", "记录")
MAX_PAGE_SIZE = 200
COUNT_LIMIT = 10_000
SYSTEM_SORT = {"id", "created_at", "updated_at"}
_AUDIT_INSERT = sa.insert(RecordAudit)


@dataclass(frozen=True)
class Actor:
    """Who is acting, for permissions, ``owner`` and the formula context."""

    user_id: int
    department_id: int | None = None
    is_admin: bool = False


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


def _full(runtime: FormRuntime) -> FormGrant:
    return FULL


OUTSIDE_SCOPE = text(
    "This record is outside the records you may {action}.",
    "这条记录不在您可{action}的数据范围内。",
)


@dataclass
class _Draft:
    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    def error(self, path: str, code: str, message: Text) -> None:
        self.errors.append(FieldError(path, code, message))


def to_json(value: Any) -> Any:
    """A stored value as JSON (decimals as text, dates in ISO form), lists and rows too."""
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


class RecordsService:
    """Reads and writes the records of one published form for one actor."""

    def __init__(
        self,
        session: Session,
        runtime: FormRuntime,
        actor: Actor,
        *,
        access: GrantOf = _full,
        today: date | None = None,
        runtimes: Callable[[str], FormRuntime] | None = None,
    ) -> None:
        self.session = session
        self.runtimes = runtimes
        self.rt = runtime
        self.actor = actor
        self.access = access
        self.grant: FormGrant = access(runtime)
        self.table = runtime.tables.main
        self.ctx = EvalContext(
            today=today or date.today(),
            user_id=actor.user_id,
            department_id=actor.department_id,
            load=self._load_related,
        )

    # -- reading ---------------------------------------------------------------------------

    def _conn(self) -> sa.Connection:
        return self.session.connection()

    def _row(self, record_id: int, *, deleted: bool = False, scope: Any = None) -> dict[str, Any]:
        """A record by id (live or deleted), within ``scope`` (None: any row), else 404."""
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
        row = self._conn().execute(query, {"record_id": record_id}).mappings().first()
        if row is None:
            raise NotFound(RECORD, record_id)
        return self._record(dict(row))

    def _within(self, record_id: int, scope: Any) -> bool:
        """Whether the record (live or deleted) is among the rows of ``scope`` (None: all)."""
        if scope is None:
            return True
        query = sa.select(self.table.c.id).where(self.table.c.id == record_id, scope)
        return self._conn().execute(query).first() is not None

    def _in_scope(self, record_id: int, scope: Any, action: str) -> None:
        """Refuses a change to a visible record outside the user's scope for ``action``."""
        if not self._within(record_id, scope):
            verb = text("edit", "编辑") if action == "edit" else text("delete", "删除")
            raise PermissionDenied(OUTSIDE_SCOPE.with_params(action=verb))

    def public(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as this user may see it: fields hidden from them left out."""
        return self.grant.visible(record)

    def _record(self, row: dict[str, Any]) -> dict[str, Any]:
        return self._records([row])[0]

    def _records(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Records from main-table rows, with sub-form rows and links in one query each."""
        ids = [row["id"] for row in rows]
        extra: dict[str, dict[int, list[Any]]] = {}
        for f in self.rt.spec.fields:
            if isinstance(f, s.SubformField):
                child = self.rt.tables.children[f.key]
                names = [c.name for c in child.c if c.name != "position"]
                query = (
                    sa.select(*(child.c[n] for n in names))
                    .where(child.c.parent_id.in_(ids))
                    .order_by(child.c.parent_id, child.c.position)
                )
                grouped: dict[int, list[Any]] = {}
                for item in self._conn().execute(query).mappings():
                    data = dict(item)
                    grouped.setdefault(data.pop("parent_id"), []).append(data)
                extra[f.key] = grouped
            elif is_multi(f):
                link = self.rt.tables.links[f.key]
                query = (
                    sa.select(link.c.record_id, link.c.target_id)
                    .where(link.c.record_id.in_(ids))
                    .order_by(link.c.record_id, link.c.position)
                )
                targets: dict[int, list[Any]] = {}
                for record_id, target_id in self._conn().execute(query):
                    targets.setdefault(record_id, []).append(target_id)
                extra[f.key] = targets
        records = []
        for row in rows:
            record: dict[str, Any] = {
                "_id": row["id"],
                "_owner": row["owner"],
                "_version": row["version"],
                "_created_at": row["created_at"],
                "_updated_at": row["updated_at"],
                "_created_by": row["created_by"],
                "_updated_by": row["updated_by"],
            }
            for f in self.rt.spec.fields:
                if f.key in extra:
                    record[f.key] = extra[f.key].get(row["id"], [])
                elif f.key in row:
                    record[f.key] = row[f.key]
            records.append(record)
        return records

    def get(self, record_id: int) -> dict[str, Any]:
        """One record."""
        return self.public(self._row(record_id, scope=self.grant.view))

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
        conditions: list[Any] = [self.table.c.deleted_at.is_(None)]
        if filter:
            try:
                checked = check(filter, self.rt.schema, expect=BOOL)
                self._refuse_hidden(checked.fields, "filter")
                conditions.append(
                    to_sql(checked, dialect=self._conn().dialect.name, ctx=self.ctx, condition=True)
                )
            except ExprError as exc:
                raise ValidationFailed(
                    exc.detail, errors=[FieldError("filter", exc.reason, exc.detail)]
                ) from None
        if q:
            texts = [
                self.table.c[f.key]
                for f in self.rt.spec.fields
                if f.type in ("text", "textarea", "phone", "email", "serial")
                and self.grant.mode(f.key) != "hidden"
            ]
            needle = q.lower()
            conditions.append(
                sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in texts))
                if texts
                else sa.false()
            )
        query = sa.select(self.table.c.id).where(*conditions, *scope_rows(self.grant.view))
        if after is not None:
            if sort not in (None, "-id"):
                raise ValidationFailed.single(
                    "after",
                    "keyset_sort",
                    text(
                        "'after' pages by newest first only (sort=-id).",
                        "after 只能与按编号倒序（sort=-id）一起使用。",
                    ),
                )
            conditions.append(self.table.c.id < after)
            page = 1
        # the count stops after COUNT_LIMIT matches: an exact count of a huge result would scan
        # all of it for every page (the page itself only reads what it shows)
        capped = query.limit(COUNT_LIMIT + 1).subquery()
        total = int(
            self._conn().execute(sa.select(sa.func.count()).select_from(capped)).scalar_one()
        )
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        page_query = (
            sa.select(self.table)
            .where(*conditions, *scope_rows(self.grant.view_page))
            .order_by(*self._order(sort))
            .offset((max(page, 1) - 1) * size)
            .limit(size)
        )
        rows = [dict(r) for r in self._conn().execute(page_query).mappings()]
        items = [self.public(r) for r in self._records(rows)]
        return RecordPage(items, min(total, COUNT_LIMIT), total <= COUNT_LIMIT)

    def _refuse_hidden(self, paths: Sequence[str], where: str) -> None:
        """A filter may not read a field hidden from the user, here or through a relation
        (it would reveal its values)."""
        path = first_hidden(self.grant, self.rt.forms, self.rt.form.key, paths)
        if path is not None:
            raise ValidationFailed.single(
                where,
                "unknown_field",
                text("Unknown field '{key}'.", "未知字段“{key}”。", key=path),
            )

    def _order(self, sort: str | None) -> list[Any]:
        order: list[Any] = []
        sortable = {
            f.key
            for f in self.rt.spec.fields
            if f.key in self.table.c and self.grant.mode(f.key) != "hidden"
        } | SYSTEM_SORT
        for part in (sort or "-id").split(","):
            key = part.strip().lstrip("-")
            if key not in sortable:
                raise ValidationFailed.single(
                    "sort",
                    "unknown_field",
                    text("Cannot sort by '{key}'.", "不能按“{key}”排序。", key=key),
                )
            column = self.table.c[key]
            order.append(column.desc() if part.strip().startswith("-") else column.asc())
        order.append(self.table.c.id.desc())
        return order

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
        if self.grant.mode(top) == "hidden" or self.runtimes is None:
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
        target_rt = self._target(f.target_form)
        if target_rt is None:
            return {}
        grant = self.access(target_rt)
        target = target_rt.tables.main
        shown = f.display_field or target_rt.spec.title_field
        if shown and grant.mode(shown) == "hidden":
            shown = None  # the title would reveal a field hidden from this user
        columns = [target.c.id] + ([target.c[shown]] if shown and shown in target.c else [])
        query = sa.select(*columns).where(target.c.id.in_(ids), target.c.deleted_at.is_(None))
        rows = self._conn().execute(query.where(*scope_rows(grant.view))).all()
        return {row[0]: (row[1] if len(row) > 1 else None) for row in rows}

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

    def history(self, record_id: int) -> list[RecordAudit]:
        """The audit trail of a record (deleted ones too)."""
        exists = (
            self._conn()
            .execute(sa.select(self.table.c.id).where(self.table.c.id == record_id))
            .first()
        )
        if exists is None:
            raise NotFound(RECORD, record_id)
        self._visible_ever(record_id)
        entries = history_of(self.session, self.rt.form.id, record_id)
        if self.grant.hidden():
            for entry in entries:
                self.session.expunge(entry)  # hidden fields are left out, never saved back
                entry.changes = self.grant.visible(entry.changes)
        return entries

    def _visible_ever(self, record_id: int) -> None:
        """404 unless the record, live or deleted, is within the user's view scope."""
        if not self._sees(record_id):
            raise NotFound(RECORD, record_id)

    # -- writing ---------------------------------------------------------------------------

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
        # parameters, not .values(): the compiled INSERT is cached per form and column set
        result = self._conn().execute(self.table.insert(), {**system, **draft.values})
        primary_key = result.inserted_primary_key
        assert primary_key is not None
        record_id = int(primary_key[0])
        self._save_children(record_id, draft)
        attach_files(
            self.session, self.rt.spec, self.rt.form.id, record_id, draft.values, draft.rows
        )
        self._refresh_rollups(record_id, None, draft.values)
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
                text(
                    "The record was changed by someone else; reload it.",
                    "记录已被他人修改，请刷新后重试。",
                ),
                errors=[FieldError("version", "stale", text("Stale version.", "版本已过期。"))],
                extra={"current": {k: to_json(v) for k, v in self.public(current).items()}},
            )
        draft = self._prepare(values, existing=current)
        updated = self._conn().execute(
            self.table.update()
            .where(self.table.c.id == record_id, self.table.c.version == version)
            .values(
                **draft.values,
                updated_at=utcnow(),
                updated_by=self.actor.user_id,
                version=version + 1,
            )
        )
        if updated.rowcount != 1:
            raise Conflict(
                text(
                    "The record was changed by someone else; reload it.",
                    "记录已被他人修改，请刷新后重试。",
                )
            )
        self._save_children(record_id, draft, replace=True)
        attach_files(
            self.session, self.rt.spec, self.rt.form.id, record_id, draft.values, draft.rows
        )
        self._refresh_rollups(record_id, current, draft.values)
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
        self._conn().execute(
            self.table.update()
            .where(self.table.c.id == record_id)
            .values(deleted_at=utcnow(), updated_by=self.actor.user_id)
        )
        self._refresh_rollups(record_id, current, {})
        self._audit(record_id, "delete", {})
        self._emit(RecordEvent("record.deleted", self.rt.form.id, record_id))

    def restore(self, record_id: int) -> dict[str, Any]:
        """Brings a deleted record back, if its unique values are still free."""
        current = self._row(record_id, deleted=True, scope=self.grant.view)
        self._in_scope(record_id, self.grant.delete, "delete")
        errors = _Draft()
        self._check_unique({k: current.get(k) for k in current}, errors, exclude=record_id)
        if errors.errors:
            raise ValidationFailed(errors.errors[0].message, errors=errors.errors)
        self._conn().execute(
            self.table.update()
            .where(self.table.c.id == record_id)
            .values(deleted_at=None, updated_by=self.actor.user_id)
        )
        self._refresh_rollups(record_id, None, current)
        self._audit(record_id, "restore", {})
        self._emit(RecordEvent("record.created", self.rt.form.id, record_id))
        return self.public(self._row(record_id))

    # -- the pipeline ----------------------------------------------------------------------

    def _prepare(self, values: Mapping[str, Any], existing: Mapping[str, Any] | None) -> _Draft:
        draft = _Draft()
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
            elif self.grant.mode(key) != "edit":
                draft.error(
                    key,
                    "not_editable",
                    text("You may not edit this field.", "您没有编辑该字段的权限。"),
                )
        merged: dict[str, Any] = dict(existing or {})
        for f in self.rt.spec.fields:
            if f.type in COMPUTED or (f.key not in values and existing is not None):
                continue
            if f.key in values:
                raw = values[f.key]
            else:
                raw = self._default(f, merged)
            if isinstance(f, s.SubformField):
                draft.rows[f.key] = self._rows(f, raw, draft)
                merged[f.key] = draft.rows[f.key]
                continue
            try:
                value = coerce(f, raw)
            except Invalid as exc:
                draft.error(f.key, exc.code, exc.message)
                continue
            merged[f.key] = value
            if is_multi(f):
                draft.rows[f.key] = [{"target_id": v} for v in (value or [])]
            else:
                draft.values[f.key] = value
        if draft.errors:
            raise ValidationFailed(_summary(draft), errors=draft.errors)
        self._check_references(merged, draft, existing)
        self._link(values, merged, draft, existing)
        self._compute(merged, draft)
        hidden = self._hide(merged, draft)
        if hidden:
            self._compute(merged, draft)  # formulas may read the values just cleared
        self._check_rules(merged, draft, hidden)
        self._check_unique(merged, draft, exclude=existing["_id"] if existing else None)
        draft.errors += resolve_files(
            self.session,
            self.rt.spec,
            self.rt.form.id,
            draft.values,
            draft.rows,
            actor_id=self.actor.user_id,
            record_id=existing["_id"] if existing else None,
        )
        if draft.errors:
            raise ValidationFailed(_summary(draft), errors=draft.errors)
        return draft

    def _default(self, f: Any, row: Mapping[str, Any]) -> Any:
        if f.default_formula:
            value = self.rt.formula(f.default_formula)(row, self.ctx)
            return to_json(value) if not isinstance(value, bool) else value
        return f.default

    def _rows(self, f: s.SubformField, raw: Any, draft: _Draft) -> list[dict[str, Any]]:
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
            row: dict[str, Any] = {}
            for inner in f.fields:
                if inner.key in item and inner.type not in COMPUTED:
                    try:
                        row[inner.key] = coerce(inner, item[inner.key])
                    except Invalid as exc:
                        draft.error(f"{f.key}[{index}].{inner.key}", exc.code, exc.message)
                elif inner.default is not None:
                    row[inner.key] = coerce(inner, inner.default)
                if inner.required and row.get(inner.key) is None:
                    draft.error(
                        f"{f.key}[{index}].{inner.key}", "required", text("Required.", "必填项。")
                    )
            for key, compiled in self.rt.row_formulas.get(f.key, {}).items():
                row[key] = compiled(row, self.ctx)  # in dependency order, like the form's own
            unknown = set(item) - {i.key for i in f.fields} - {"id"}
            for key in sorted(unknown):
                draft.error(
                    f"{f.key}[{index}].{key}",
                    "unknown_field",
                    text("No such field.", "没有这个字段。"),
                )
            rows.append(row)
        return rows

    def _check_references(
        self, row: Mapping[str, Any], draft: _Draft, existing: Mapping[str, Any] | None
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
                query = self._reachable(f.target_form, [i for i in ids if i not in kept])
                if query is None:
                    continue
                ids = [i for i in ids if i not in kept]
            else:
                table = sa.table("users" if f.type == "member" else "departments", sa.column("id"))
                query = sa.select(table.c.id).where(table.c.id.in_(ids))
            found = set(self._conn().execute(query).scalars())
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

    def _target(self, form_key: str) -> FormRuntime | None:
        """The published runtime of a related form, if it can be loaded."""
        if self.runtimes is None:
            return None
        try:
            return self.runtimes(form_key)
        except (NotFound, Conflict):  # no such form, or not published
            return None

    def _reachable(self, form_key: str, ids: list[Any]) -> Any:
        """A query of which of ``ids`` are live records of the form the user may see."""
        if not ids:
            return None
        target_rt = self._target(form_key)
        if target_rt is None:
            target = self.rt.targets.get(form_key)
            if target is None:
                return None
            return sa.select(target.c.id).where(target.c.id.in_(ids), target.c.deleted_at.is_(None))
        table = target_rt.tables.main
        return sa.select(table.c.id).where(
            table.c.id.in_(ids),
            table.c.deleted_at.is_(None),
            *scope_rows(self.access(target_rt).view),
        )

    def _link(
        self,
        values: Mapping[str, Any],
        row: dict[str, Any],
        draft: _Draft,
        existing: Mapping[str, Any] | None,
    ) -> None:
        """Data linkage (数据联动): fills a field from the related record when the relation is
        set or changed, unless the value was given too."""
        for f in self.rt.spec.fields:
            link = f.linkage
            if link is None or f.key in values or link.relation not in values:
                continue
            if existing is not None and existing.get(link.relation) == row.get(link.relation):
                continue
            related = self._load_via(link.relation, row.get(link.relation))
            value = related.get(link.source_field) if related else None
            try:
                row[f.key] = draft.values[f.key] = coerce(f, to_json(value))
            except Invalid as exc:
                draft.error(f.key, exc.code, exc.message)

    def _compute(self, row: dict[str, Any], draft: _Draft) -> None:
        for key, compiled in self.rt.formulas.items():
            row[key] = compiled(row, self.ctx)
            draft.values[key] = row[key]
        for f in self.rt.spec.fields:
            if isinstance(f, s.LookupField):
                related = self._load_via(f.relation, row.get(f.relation))
                row[f.key] = draft.values[f.key] = related.get(f.source_field) if related else None

    def _hide(self, row: dict[str, Any], draft: _Draft) -> set[str]:
        """Fields whose visibility rule is false now: not required, not validated, and
        (unless the form keeps hidden values) blanked, as the browser does."""
        hidden = {
            f.key
            for f in self.rt.spec.fields
            if f.visible_when and not self.rt.formula(f.visible_when)(row, self.ctx)
        }
        if self.rt.spec.options.hidden_values == "keep":
            return hidden
        for key in hidden:
            f = self.rt.spec.field(key)
            if f.type in COMPUTED:
                continue
            if isinstance(f, s.SubformField) or is_multi(f):
                if row.get(key):
                    row[key] = draft.rows[key] = []
            elif row.get(key) is not None:
                row[key] = draft.values[key] = None
        return hidden

    def _check_rules(self, row: Mapping[str, Any], draft: _Draft, hidden: set[str]) -> None:
        for f in self.rt.spec.fields:
            if f.key in hidden:
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
                    draft.error(
                        f.key,
                        "rule",
                        Text(
                            rule.message.en or rule.message.zh, rule.message.zh or rule.message.en
                        ),
                    )

    def _check_unique(self, row: Mapping[str, Any], draft: _Draft, exclude: int | None) -> None:
        for f in self.rt.spec.fields:
            value = row.get(f.key)
            if not f.unique or value is None or f.key not in self.table.c:
                continue
            query = sa.select(self.table.c.id).where(
                self.table.c[f.key] == value, self.table.c.deleted_at.is_(None)
            )
            if exclude is not None:
                query = query.where(self.table.c.id != exclude)
            other = self._conn().execute(query.limit(1)).scalar()
            if other is None:
                continue
            if self._sees(other):
                message = text(
                    "Record {id} already has this value.", "记录 {id} 已使用该值。", id=other
                )
            else:  # the other record is outside the user's scope: do not name it
                message = text("Another record already has this value.", "已有其他记录使用该值。")
            draft.error(f.key, "duplicate", message)

    def _sees(self, record_id: int) -> bool:
        """Whether the record is within the user's view scope."""
        return self._within(record_id, self.grant.view)

    def _number(self, draft: _Draft) -> None:
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

    def _owner(self, draft: _Draft) -> int:
        key = self.rt.spec.owner_field
        value = draft.values.get(key) if key else None
        return int(value) if value else self.actor.user_id

    def _save_children(self, record_id: int, draft: _Draft, replace: bool = False) -> None:
        for key, rows in draft.rows.items():
            is_child = key in self.rt.tables.children
            table = self.rt.tables.children[key] if is_child else self.rt.tables.links[key]
            parent = "parent_id" if is_child else "record_id"
            if replace:
                self._conn().execute(table.delete().where(table.c[parent] == record_id))
            if rows:
                # one executemany needs the same keys in every row: blanks are NULL
                keys = {k for row in rows for k in row}
                self._conn().execute(
                    table.insert(),
                    [
                        {**dict.fromkeys(keys), **row, parent: record_id, "position": index}
                        for index, row in enumerate(rows)
                    ],
                )

    def _refresh_rollups(
        self, record_id: int, before: Mapping[str, Any] | None, after: Mapping[str, Any]
    ) -> None:
        """Recomputes, in SQL, the rollups of this record and of the records it points to."""
        if self.rt.rollups:
            self._recompute(self.rt, {record_id})
        if self.runtimes is None:
            return
        for f in self.rt.spec.fields:
            if not isinstance(f, s.RelationField) or f.multiple:
                continue
            ids = {v for v in ((before or {}).get(f.key), after.get(f.key)) if isinstance(v, int)}
            if not ids:
                continue
            target = self.runtimes(f.target_form)
            if target.rollups:
                self._recompute(target, ids)

    def _recompute(self, runtime: FormRuntime, ids: set[int]) -> None:
        table = runtime.tables.main
        dialect = self._conn().dialect.name
        values = {
            key: to_sql(checked, dialect=dialect, ctx=self.ctx)
            for key, checked in runtime.rollups.items()
        }
        statement = table.update().where(table.c.id.in_(ids)).values(values)
        self._conn().execute(statement)

    def _audit(self, record_id: int, action: str, changes: dict[str, Any]) -> None:
        self._conn().execute(
            _AUDIT_INSERT,
            {
                "form_id": self.rt.form.id,
                "record_id": record_id,
                "action": action,
                "changes": changes,
                "actor_id": self.actor.user_id,
                "at": utcnow(),
            },
        )

    def _emit(self, event: RecordEvent) -> None:
        events.queue(self.session, event)

    # -- related records for formulas ------------------------------------------------------

    def _load_via(self, relation: str, record_id: Any) -> Mapping[str, Any] | None:
        f = self.rt.spec.field(relation)
        if not isinstance(f, s.RelationField) or not record_id:
            return None
        return self._load_related(f.target_form, record_id)

    def _load_related(self, form_key: str, record_id: Any) -> Mapping[str, Any] | None:
        table = self.rt.targets.get(form_key.split(".")[0])
        if table is None or not isinstance(record_id, int):
            return None
        row = (
            self._conn().execute(sa.select(table).where(table.c.id == record_id)).mappings().first()
        )
        return dict(row) if row else None


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


def _summary(draft: _Draft) -> Text:
    return text(
        "{n} field(s) are invalid: {fields}.",
        "{n} 个字段无效：{fields}。",
        n=len(draft.errors),
        fields=", ".join(e.field for e in draft.errors),
    )
