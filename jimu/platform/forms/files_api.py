"""Files of attachment, image and signature fields: upload, and download through the record
that uses them (or by the uploader, before any record does)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import BaseModel

from jimu.engines.errors import NotFound
from jimu.form_engine import files
from jimu.form_engine.records import RecordsService
from jimu.form_engine.values import FILE_ID_PATTERN
from jimu.platform.blobs import blob_store
from jimu.platform.deps import SettingsDep
from jimu.platform.forms.records_api import Records
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import IdPath
from jimu.platform.settings import Settings

router = APIRouter(tags=["files"], responses=PROBLEMS)
BASE = "/api/apps/{app}/forms/{form}"
log = logging.getLogger("jimu.files")

FileId = Annotated[str, Path(pattern=FILE_ID_PATTERN, max_length=64, description="a file's id")]
FieldPath = Annotated[
    str,
    Query(
        pattern=r"^[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,39})?$",
        description="the field the file is for: `photos`, or `lines.photo` in a sub-form",
    ),
]
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file's bytes"}
}


class FileRead(BaseModel):
    """An uploaded file: put ``{"id": ...}`` into the field's value to use it in a record."""

    id: str
    name: str
    size: int
    content_type: str


def _permit_upload(records: RecordsService) -> None:
    """Uploading needs the right to create records, or to edit some."""
    if not records.grant.allows("edit"):
        records.grant.require("create")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one per RFC 5987."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _send(row: files.File, settings: Settings) -> Response:
    blobs = blob_store(settings)
    key = files.blob_key(row.id)
    headers = {
        "content-disposition": content_disposition(row.name),
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox; default-src 'none'",
        "cache-control": "private, no-cache",
    }
    media_type = files.inert_type(row.content_type)
    path = blobs.local_path(key)
    if path is not None:
        return FileResponse(path, media_type=media_type, headers=headers)
    try:
        stream = blobs.open(key)
    except FileNotFoundError:
        log.warning("file %s is in the database but not in the store", row.id)
        raise NotFound(files.FILE, row.id) from None
    return StreamingResponse(_chunks(stream), media_type=media_type, headers=headers)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(files.CHUNK):
            yield chunk


@router.post(BASE + "/files", status_code=201, response_model=FileRead)
def upload_file(
    field: FieldPath,
    file: Annotated[UploadFile, File(description="the file")],
    records: Records,
    settings: SettingsDep,
) -> FileRead:
    """Uploads a file for a field; use its id in a record's value within the same field."""
    _permit_upload(records)
    file.file.seek(0)
    row = files.store_upload(
        records.session,
        blob_store(settings),
        file.file,
        name=file.filename or "",
        app_id=records.rt.form.app_id,
        form_id=records.rt.form.id,
        spec=records.rt.spec,
        field_key=field,
        uploaded_by=records.actor.user_id,
        max_bytes=settings.max_upload_bytes,
        grant=records.grant,
    )
    return FileRead(id=row.id, name=row.name, size=row.size, content_type=row.content_type)


@router.get(
    BASE + "/records/{record_id}/files/{file_id}",
    response_class=FileResponse,
    responses=DOWNLOAD,
)
def download_record_file(
    record_id: IdPath, file_id: FileId, records: Records, settings: SettingsDep
) -> Response:
    """A file of a record, for whoever may view that record and the file's field."""
    records.get(record_id)
    row = files.attached_file(
        records.session, records.rt.form.id, record_id, file_id, records.grant
    )
    return _send(row, settings)


@router.get(BASE + "/files/{file_id}", response_class=FileResponse, responses=DOWNLOAD)
def download_upload(file_id: FileId, records: Records, settings: SettingsDep) -> Response:
    """A file no record uses yet: only its uploader may download it."""
    row = files.pending_file(
        records.session, records.rt.form.id, file_id, records.actor.user_id, records.grant
    )
    return _send(row, settings)
