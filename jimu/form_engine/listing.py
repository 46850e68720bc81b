"""The list query of one form for one grant: filter, search, sort and the user's scope as
SQL, a capped count, and the titles of related records. Lists, pickers, exports and
reports all read records through it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.engines.errors import FieldError, ValidationFailed
from jimu.engines.expr import EvalContext, ExprError
from jimu.engines.expr.sql import to_sql
from jimu.engines.expr.types import BOOL
from jimu.engines.i18n import text
from jimu.form_engine.access import FormGrant, scope_rows
from jimu.form_engine.derived import first_hidden
from jimu.form_engine.runtime import FormRuntime

MAX_PAGE_SIZE = 200
COUNT_LIMIT = 10_000
SYSTEM_SORT = {"id", "created_at", "updated_at"}
SEARCHED = ("text", "textarea", "phone", "email", "serial")


@dataclass(frozen=True)
class ListQuery:
    """What a list asks for: an expression filter, a text search, a sort, a page."""

    filter: str | None = None
    sort: str | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 50
    after: int | None = None


class RecordQuery:
    """Builds the statements of a list of one form's records as one user sees them."""

    def __init__(
        self, runtime: FormRuntime, grant: FormGrant, ctx: EvalContext, dialect: str
    ) -> None:
        self.rt = runtime
        self.grant = grant
        self.ctx = ctx
        self.dialect = dialect
        self.table = runtime.tables.main

    def conditions(self, ask: ListQuery) -> list[Any]:
        """The WHERE conditions of a list: filter and search (the user's scope is added by
        the count and the page, which phrase it differently; ``after`` by the page)."""
        conditions: list[Any] = [self.table.c.deleted_at.is_(None)]
        if ask.filter:
            conditions.append(self.filter(ask.filter))
        if ask.q:
            conditions.append(self.search(ask.q))
        if ask.after is not None and ask.sort not in (None, "-id"):
            raise ValidationFailed.single(
                "after",
                "keyset_sort",
                text(
                    "'after' pages by newest first only (sort=-id).",
                    "after 只能与按编号倒序（sort=-id）一起使用。",
                ),
            )
        return conditions

    def filter(self, source: str, where: str = "filter") -> Any:
        """An analyst's expression as a SQL condition; never about fields hidden from the
        user, here or through a relation."""
        try:
            checked = self.rt.checked(source, BOOL)
            self.refuse_hidden(checked.fields, where)
            return to_sql(checked, dialect=self.dialect, ctx=self.ctx, condition=True)
        except ExprError as exc:
            raise ValidationFailed(
                exc.detail, errors=[FieldError(where, exc.reason, exc.detail)]
            ) from None

    def refuse_hidden(self, paths: Sequence[str], where: str) -> None:
        """A filter may not read a field hidden from the user (it would reveal its values)."""
        path = first_hidden(self.grant, self.rt.forms, self.rt.form.key, paths)
        if path is not None:
            raise ValidationFailed.single(
                where,
                "unknown_field",
                text("Unknown field '{key}'.", "未知字段“{key}”。", key=path),
            )

    def search(self, q: str) -> Any:
        """Text fields the user may see containing ``q`` (``%`` and ``_`` taken literally)."""
        columns = [
            self.table.c[f.key]
            for f in self.rt.spec.fields
            if f.type in SEARCHED and self.grant.mode(f.key) != "hidden"
        ]
        needle = q.lower()
        if not columns:
            return sa.false()
        return sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in columns))

    def order(self, sort: str | None) -> list[Any]:
        """ORDER BY for ``-amount,title``: visible stored fields and system times only."""
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

    def count(self, conditions: list[Any]) -> Any:
        """How many match (all pages), counting stops after ``COUNT_LIMIT`` + 1."""
        ids = sa.select(self.table.c.id).where(*conditions, *scope_rows(self.grant.view))
        # an exact count of a huge result would scan all of it for every page
        capped = ids.limit(COUNT_LIMIT + 1).subquery()
        return sa.select(sa.func.count()).select_from(capped)

    def page(self, conditions: list[Any], ask: ListQuery) -> Any:
        """The rows of one page, in the list's order."""
        size = max(1, min(ask.page_size, MAX_PAGE_SIZE))
        page = 1 if ask.after is not None else max(ask.page, 1)
        keyset = [] if ask.after is None else [self.table.c.id < ask.after]
        return (
            sa.select(self.table)
            .where(*conditions, *keyset, *scope_rows(self.grant.view_page))
            .order_by(*self.order(ask.sort))
            .offset((page - 1) * size)
            .limit(size)
        )


def titles_query(
    target: FormRuntime, grant: FormGrant, display_field: str | None, ids: set[int]
) -> Any:
    """The titles of related records the user may see: (id, title) rows; a title that would
    reveal a field hidden from the user is left out."""
    table = target.tables.main
    shown = display_field or target.spec.title_field
    if shown and grant.mode(shown) == "hidden":
        shown = None
    columns = [table.c.id] + ([table.c[shown]] if shown and shown in table.c else [])
    query = sa.select(*columns).where(table.c.id.in_(ids), table.c.deleted_at.is_(None))
    return query.where(*scope_rows(grant.view))
