"""Records of a published form: create, read, list with filters, update, delete, history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from jimu.form_engine.records import RecordsService
from jimu.form_engine.serialize import to_json
from jimu.platform.apps.api import AppKey
from jimu.platform.deps import SessionDep, caller
from jimu.platform.forms.api import FormKey
from jimu.platform.records import user_records
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import Id, IdPath, Page, SearchText, StrictModel

router = APIRouter(tags=["records"], responses=PROBLEMS)
BASE = "/api/apps/{app}/forms/{form}/records"
SORT_PATTERN = r"^-?[a-z_][a-z0-9_]*(,-?[a-z_][a-z0-9_]*)*$"


class RecordWrite(StrictModel):
    """Field values by key; sub-forms as lists of rows, multi-value fields as lists of ids."""

    values: dict[str, Any] = Field(default_factory=dict, max_length=500)


class RecordUpdate(RecordWrite):
    """Changed values and the version they were based on (optimistic locking)."""

    version: int = Field(ge=1, le=2_147_483_647)


class BulkUpdate(RecordUpdate):
    """One update of a bulk request."""

    id: int = Field(ge=1, le=2_147_483_647)


class RecordBulk(StrictModel):
    """Creates, updates and deletes applied together, all or nothing (500 at most)."""

    create: list[dict[str, Any]] = Field(default_factory=list, max_length=500)
    update: list[BulkUpdate] = Field(default_factory=list, max_length=500)
    delete: list[Id] = Field(default_factory=list, max_length=500)


class RecordList(Page[dict[str, Any]]):
    """A page of records; ``total`` is exact up to 10,000 matches."""

    total_exact: bool = Field(description="false when counting stopped early: at least `total`")


class AuditEntry(BaseModel):
    """One change in a record's history."""

    action: str
    changes: dict[str, Any]
    actor_id: int | None
    via: str | None = Field(
        default=None, description="the automation that acted for the user (`rule:12`)"
    )
    at: datetime


def _service(app: AppKey, form: FormKey, request: Request, session: SessionDep) -> RecordsService:
    """The caller's records service (who they are worked out here too: one thread hop)."""
    return user_records(session, app, form, caller(request, session).user)


Records = Annotated[RecordsService, Depends(_service)]


KEYS = r"^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$"
Fields = Annotated[
    str | None,
    Query(max_length=2000, pattern=KEYS, description="only these fields, e.g. title,amount"),
]
EXPAND_KEYS = r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?(,[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?)*$"
Expand = Annotated[
    str | None,
    Query(
        max_length=500,
        pattern=EXPAND_KEYS,
        description="relations to expand, e.g. customer, or lines.product inside a sub-form",
    ),
]


def _shape(
    records: RecordsService, items: list[dict[str, Any]], fields: str | None, expand: str | None
) -> list[dict[str, Any]]:
    for key in (expand or "").split(","):
        if key:
            records.expand(items, key)
    if fields:
        wanted = set(fields.split(","))
        items = [
            {k: v for k, v in i.items() if k in wanted or k in ("_id", "_version")} for i in items
        ]
    return [_json(i) for i in items]


def _json(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, list):
            out[key] = [
                {k: to_json(v) for k, v in item.items()} if isinstance(item, dict) else item
                for item in value
            ]
        else:
            out[key] = to_json(value)
    return out


@router.post(BASE, status_code=201)
def create_record(body: RecordWrite, records: Records) -> dict[str, Any]:
    """Creates a record; every invalid field is reported at once."""
    return _json(records.create(body.values))


@router.get(BASE, response_model=RecordList)
def list_records(
    records: Records,
    filter: Annotated[SearchText | None, Query(description="an expression")] = None,
    sort: Annotated[
        str | None, Query(max_length=200, pattern=r"^-?[a-z_][a-z0-9_]*(,-?[a-z_][a-z0-9_]*)*$")
    ] = None,
    q: Annotated[SearchText | None, Query(description="text search")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="keyset: records older than this id")
    ] = None,
    fields: Fields = None,
    expand: Expand = None,
) -> RecordList:
    """Lists records: ``filter`` is a formula (``amount > 1000 AND stage = "won"``).

    ``total`` is exact up to 10,000 matches; beyond that it is 10,000 and ``total_exact`` is
    false ("10,000+").
    """
    found = records.list_records(
        filter=filter, sort=sort, q=q, page=page, page_size=page_size, after=after
    )
    return RecordList(
        items=_shape(records, found.items, fields, expand),
        total=found.total,
        total_exact=found.exact,
        page=page,
        page_size=page_size,
    )


@router.post(BASE + "/bulk")
def bulk_records(body: RecordBulk, records: Records) -> dict[str, list[Any]]:
    """Creates, updates and deletes in one go: all of them, or none (errors per item)."""
    done = records.bulk(
        body.create, [(u.id, u.version, u.values) for u in body.update], body.delete
    )
    return {
        "created": [_json(r) for r in done["created"]],
        "updated": [_json(r) for r in done["updated"]],
        "deleted": done["deleted"],
    }


@router.get(BASE + "/{record_id}")
def read_record(
    record_id: IdPath, records: Records, fields: Fields = None, expand: Expand = None
) -> dict[str, Any]:
    """One record with its sub-form rows."""
    return _shape(records, [records.get(record_id)], fields, expand)[0]


@router.patch(BASE + "/{record_id}")
def update_record(record_id: IdPath, body: RecordUpdate, records: Records) -> dict[str, Any]:
    """Changes some fields; a stale ``version`` gets 409 with the current values."""
    return _json(records.update(record_id, body.values, body.version))


@router.delete(BASE + "/{record_id}", status_code=204)
def delete_record(record_id: IdPath, records: Records) -> Response:
    """Moves a record to the recycle bin (restorable)."""
    records.delete(record_id)
    return Response(status_code=204)


@router.post(BASE + "/{record_id}/restore")
def restore_record(record_id: IdPath, records: Records) -> dict[str, Any]:
    """Restores a deleted record."""
    return _json(records.restore(record_id))


@router.get(BASE + "/{record_id}/history", response_model=list[AuditEntry])
def record_history(record_id: IdPath, records: Records) -> list[AuditEntry]:
    """Who changed what and when (field-level old → new)."""
    return [AuditEntry.model_validate(e, from_attributes=True) for e in records.history(record_id)]
