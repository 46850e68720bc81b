"""Uploaded files of attachment, image and signature fields: the metadata table, the blobs on
disk, the type and size checks, and the checks when a record references its files.

A file is uploaded for one field of one form and belongs to nobody's record until a record
that references it is saved; from then on only that record may reference it, and whoever may
view that record may download it. Blobs live under ``<root>/<first two characters of the
id>/<id>``; the client's file name is kept only as metadata.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jimu.engines.blobs import BlobStore
from jimu.engines.errors import Conflict, FieldError, NotFound, TooLarge, ValidationFailed
from jimu.engines.i18n import Text, text
from jimu.engines.sqltypes import Base, UTCDateTime, utcnow
from jimu.form_engine import spec as s
from jimu.form_engine.access import FULL, FormGrant
from jimu.form_engine.fieldtypes import FIELD_TYPES
from jimu.form_engine.values import FILE_ID

FILE_TYPES = frozenset(key for key, kind in FIELD_TYPES.items() if kind.files)
MB = 1024 * 1024
SIGNATURE_MAX_BYTES = 2 * MB
CHUNK = MB
IN_BATCH = 500
FILE = text("File", "文件")

# refused by an attachment field that accepts anything: programs, scripts and pages a browser
# would run
DENIED_EXTENSIONS = frozenset(
    ".exe .com .bat .cmd .msi .msp .scr .pif .cpl .dll .sys .lnk .reg .hta .jar .apk .app"
    " .sh .bash .zsh .csh .ps1 .psm1 .vbs .vbe .js .mjs .cjs .jse .wsf .wsh .py .pl .rb .cgi"
    " .php .php3 .php4 .php5 .phtml .phar .asp .aspx .jsp .html .htm .xhtml .shtml .mht"
    " .mhtml .svg .svgz .swf".split()
)
DENIED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-sh",
        "application/x-httpd-php",
        "application/x-php",
    }
)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# the extensions a file whose type was read from its bytes may keep; the first is given to
# a file named otherwise (an image uploaded as ``x.html`` is stored as ``x.png``)
EXTENSIONS = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
# types a browser would render as a page or run as a script: such files are kept and sent as
# plain bytes (application/octet-stream)
_ACTIVE_TYPE = re.compile(
    r"^(text/html|text/xml|application/xml|[a-z0-9.+-]+/[a-z0-9.+-]*\+xml"
    r"|[a-z0-9.+-]+/[a-z0-9.+-]*(java|ecma)script[a-z0-9.+-]*|multipart/.*)$"
)
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*]')


class File(Base):
    """One uploaded file: who uploaded it for which field, and the record using it.

    Attributes:
        id: random, URL-safe; also names the blob on disk.
        field_key: the field it was uploaded for (``photos``, or ``lines.photo`` in a sub-form).
        record_id: the record that references it; None until such a record is saved.
        name: the client's file name, sanitised (shown and offered on download).
        content_type: decided from the bytes (images) or the name, never the client's claim.
    """

    __tablename__ = "files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    field_key: Mapped[str] = mapped_column(String(81))
    record_id: Mapped[int | None] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def descriptor(row: File) -> dict[str, Any]:
    """What a record stores for a file: ``{id, name, size, content_type}``."""
    return {"id": row.id, "name": row.name, "size": row.size, "content_type": row.content_type}


def file_fields(spec: s.FormSpec) -> dict[str, Any]:
    """The file fields of a form by path: ``photos``, or ``lines.photo`` inside a sub-form."""
    found: dict[str, Any] = {}
    for f in spec.fields:
        if f.type in FILE_TYPES:
            found[f.key] = f
        elif isinstance(f, s.SubformField):
            found.update({f"{f.key}.{i.key}": i for i in f.fields if i.type in FILE_TYPES})
    return found


def size_limit(f: Any) -> int:
    """The largest file a field takes, in bytes."""
    if isinstance(f, s.SignatureField):
        return SIGNATURE_MAX_BYTES
    return int(getattr(f, "max_size_mb", 20)) * MB


def blob_key(file_id: str) -> str:
    """The blob a file's bytes live in: ``files/<first two characters>/<id>``."""
    if not FILE_ID.fullmatch(file_id):
        raise NotFound(FILE, file_id)
    return f"files/{file_id[:2]}/{file_id}"


def sanitize_name(name: str) -> str:
    """A file name safe to show and to offer on download: no folders, no control characters,
    at most 255 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _UNSAFE_NAME.sub("_", name).strip().rstrip(". ").lstrip(".")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: 254 - len(extension)] + "." + extension
        else:
            name = name[:255]
    return name or "file"


def name_for_type(name: str, content_type: str) -> str:
    """``name`` with an extension that matches ``content_type`` when the type was read from the
    file's bytes (``x.html`` holding a PNG becomes ``x.png``); other names stay as they are."""
    allowed = EXTENSIONS.get(content_type)
    if allowed is None or _extension(name) in allowed:
        return name
    stem = name[: -len(_extension(name))] if _extension(name) else name
    return (stem or "file")[: 255 - len(allowed[0])] + allowed[0]


def inert_type(content_type: str) -> str:
    """The type a file is stored and sent with: its own, or ``application/octet-stream`` for
    pages, scripts, SVG and XML, which a browser could run."""
    base = content_type.split(";")[0].strip().lower()
    if base in DENIED_TYPES or _ACTIVE_TYPE.match(base):
        return "application/octet-stream"
    return content_type


def field_hidden(grant: FormGrant, field_key: str) -> bool:
    """Whether the field of a file (``lines.photo``: or its sub-form) is hidden from the user."""
    return grant.mode(field_key.split(".")[0]) == "hidden" or field_key in grant.hidden()


def sniff(head: bytes) -> str | None:
    """The type of a few well-known formats from their first bytes (magic numbers)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _executable(head: bytes) -> bool:
    """Windows and Linux programs and scripts with a ``#!`` line, whatever their name."""
    return head.startswith((b"MZ", b"\x7fELF", b"#!"))


def _bad_type(key: str, reason: Text) -> ValidationFailed:
    return ValidationFailed(
        text("'{field}': {reason}", "“{field}”：{reason}", field=key, reason=reason),
        errors=[FieldError(key, "file_type", reason)],
    )


def check_type(key: str, f: Any, name: str, head: bytes) -> str:
    """The content type to store for a file of field ``f``; raises ValidationFailed (naming
    the field and the reason) when the field does not take it."""
    found = sniff(head)
    if isinstance(f, s.SignatureField):
        if found != "image/png":
            raise _bad_type(key, text("A signature must be a PNG image.", "签名必须是 PNG 图片。"))
        return found
    if isinstance(f, s.ImageField):
        if found not in IMAGE_TYPES:
            raise _bad_type(
                key,
                text(
                    "Only PNG, JPEG, GIF or WebP images (checked from the file's content).",
                    "只能上传 PNG、JPEG、GIF 或 WebP 图片（按文件内容判断）。",
                ),
            )
        return found
    content_type = found or mimetypes.guess_type(name, strict=False)[0] or ""
    content_type = content_type.lower() or "application/octet-stream"
    accept = [a.strip().lower() for a in getattr(f, "accept", []) if a.strip()]
    if not accept:
        if _extension(name) in DENIED_EXTENSIONS or content_type in DENIED_TYPES:
            raise _bad_type(
                key,
                text(
                    "Programs, scripts and web pages ({ext}) are not accepted.",
                    "不接受程序、脚本和网页文件（{ext}）。",
                    ext=_extension(name) or content_type,
                ),
            )
        if _executable(head):
            raise _bad_type(key, text("Programs are not accepted.", "不接受可执行程序。"))
        return content_type
    if not _accepted(accept, name, content_type):
        raise _bad_type(
            key,
            text(
                "This field accepts only: {types}.",
                "该字段只接受：{types}。",
                types=", ".join(accept),
            ),
        )
    return inert_type(content_type)


def _accepted(accept: Sequence[str], name: str, content_type: str) -> bool:
    """Whether the name or type matches ``accept``; a MIME pattern never admits a denied
    type (``image/*`` is not SVG): only naming its extension does."""
    lower = name.lower()
    denied = _extension(name) in DENIED_EXTENSIONS or content_type in DENIED_TYPES
    for entry in accept:
        if "/" in entry:
            pattern = entry[:-1] if entry.endswith("/*") else None
            matches = content_type.startswith(pattern) if pattern else content_type == entry
            if matches and not denied:
                return True
        elif lower.endswith(entry if entry.startswith(".") else "." + entry):
            return True
    return False


def store_upload(
    session: Session,
    blobs: BlobStore,
    stream: IO[bytes],
    *,
    name: str,
    app_id: int,
    form_id: int,
    spec: s.FormSpec,
    field_key: str,
    uploaded_by: int,
    max_bytes: int,
    grant: FormGrant = FULL,
) -> File:
    """Checks and stores an upload for field ``field_key`` (its bytes in ``blobs``, its
    metadata in ``files``); raises ValidationFailed, or TooLarge over the field's or the
    global (``max_bytes``) limit. A field hidden from the uploader is no file field for them."""
    f = file_fields(spec).get(field_key)
    if f is None or field_hidden(grant, field_key):
        raise ValidationFailed.single(
            "field",
            "not_a_file_field",
            text(
                "'{key}' is not an attachment, image or signature field of this form.",
                "“{key}”不是本表单的附件、图片或签名字段。",
                key=field_key,
            ),
        )
    clean = sanitize_name(name)
    head = stream.read(CHUNK)
    if not head:
        raise ValidationFailed.single(
            field_key, "empty_file", text("The file is empty.", "文件为空。")
        )
    content_type = check_type(field_key, f, clean, head)
    clean = name_for_type(clean, content_type)
    limit = min(size_limit(f), max_bytes)
    file_id = secrets.token_urlsafe(16)
    size, digest = _write(blobs, blob_key(file_id), head, stream, limit, field_key)
    row = File(
        id=file_id,
        app_id=app_id,
        form_id=form_id,
        field_key=field_key,
        record_id=None,
        name=clean,
        content_type=content_type,
        size=size,
        sha256=digest,
        uploaded_by=uploaded_by,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def _write(
    blobs: BlobStore, key: str, head: bytes, stream: IO[bytes], limit: int, field_key: str
) -> tuple[int, str]:
    """Streams the upload into the store; nothing is kept when it is over ``limit``."""
    digest = hashlib.sha256()
    size = 0

    def chunks() -> Iterator[bytes]:
        nonlocal size
        chunk = head
        while chunk:
            size += len(chunk)
            if size > limit:
                raise _too_large(field_key, limit)
            digest.update(chunk)
            yield chunk
            chunk = stream.read(CHUNK)

    blobs.write(key, chunks())
    return size, digest.hexdigest()


def _too_large(key: str, limit: int) -> TooLarge:
    reason = text("The file is larger than {mb} MB.", "文件超过 {mb} MB。", mb=f"{limit / MB:g}")
    return TooLarge(
        text("'{field}': {reason}", "“{field}”：{reason}", field=key, reason=reason),
        errors=[FieldError(key, "too_large", reason)],
    )


def attached_file(
    session: Session, form_id: int, record_id: int, file_id: str, grant: FormGrant = FULL
) -> File:
    """A file of ``record_id``; NotFound unless that record uses it in a field the user sees."""
    row = session.get(File, file_id) if FILE_ID.fullmatch(file_id) else None
    if row is None or row.form_id != form_id or row.record_id != record_id:
        raise NotFound(FILE, file_id)
    if field_hidden(grant, row.field_key):
        raise NotFound(FILE, file_id)
    return row


def pending_file(
    session: Session, form_id: int, file_id: str, user_id: int, grant: FormGrant = FULL
) -> File:
    """A file not used by a record yet; NotFound for anyone but its uploader, and for a field
    hidden from them."""
    row = session.get(File, file_id) if FILE_ID.fullmatch(file_id) else None
    if row is None or row.form_id != form_id or row.record_id is not None:
        raise NotFound(FILE, file_id)
    if row.uploaded_by != user_id or field_hidden(grant, row.field_key):
        raise NotFound(FILE, file_id)
    return row


def _referenced(
    spec: s.FormSpec, values: Mapping[str, Any], rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(error path, field path, the ``{"id"}`` items) of every file field being written."""
    for f in spec.fields:
        if f.type in FILE_TYPES and values.get(f.key):
            yield f.key, f.key, values[f.key]
        elif isinstance(f, s.SubformField) and f.key in rows:
            inner = [i.key for i in f.fields if i.type in FILE_TYPES]
            for index, row in enumerate(rows[f.key]):
                for key in inner:
                    if row.get(key):
                        yield f"{f.key}[{index}].{key}", f"{f.key}.{key}", row[key]


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), IN_BATCH):
        yield ids[start : start + IN_BATCH]


def resolve_files(
    session: Session,
    spec: s.FormSpec,
    form_id: int,
    values: Mapping[str, Any],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    actor_id: int,
    record_id: int | None,
) -> list[FieldError]:
    """Replaces, in place, every ``{"id"}`` a record is about to store by the file's stored
    descriptor; one error per field whose files do not exist, belong to another form or
    field, or are neither this actor's unused uploads nor already this record's."""
    wanted = list(_referenced(spec, values, rows))
    ids = sorted({item["id"] for _, _, items in wanted for item in items})
    found: dict[str, File] = {}
    for batch in _batches(ids):
        query = select(File).where(File.id.in_(batch)).execution_options(populate_existing=True)
        found.update((r.id, r) for r in session.scalars(query))
    errors: list[FieldError] = []
    for path, field_key, items in wanted:
        refused = []
        for item in items:
            row = found.get(item["id"])
            usable = row is not None and (
                (row.record_id is None and row.uploaded_by == actor_id)
                or (record_id is not None and row.record_id == record_id)
            )
            if row is None or not usable or row.form_id != form_id or row.field_key != field_key:
                refused.append(item["id"])
            else:
                item.clear()
                item.update(descriptor(row))
        if refused:
            errors.append(
                FieldError(
                    path,
                    "file_not_found",
                    text(
                        "No such upload for this field: {ids}. Upload the file again.",
                        "本字段没有这些已上传的文件：{ids}。请重新上传。",
                        ids=", ".join(refused),
                    ),
                )
            )
    return errors


def attach_files(
    session: Session,
    spec: s.FormSpec,
    form_id: int,
    record_id: int,
    values: Mapping[str, Any],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
) -> None:
    """Marks the files a saved record references as that record's; Conflict when another
    record took one of them meanwhile."""
    ids = sorted({item["id"] for _, _, items in _referenced(spec, values, rows) for item in items})
    claimed = 0
    for batch in _batches(ids):
        statement = (
            sa.update(File)
            .where(
                File.id.in_(batch),
                File.form_id == form_id,
                sa.or_(File.record_id.is_(None), File.record_id == record_id),
            )
            .values(record_id=record_id)
        )
        claimed += session.connection().execute(statement).rowcount
    if claimed != len(ids):
        raise Conflict(
            text(
                "A file was just attached to another record; upload it again.",
                "有文件刚被其他记录使用，请重新上传。",
            )
        )
