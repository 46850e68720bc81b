"""Endpoints of record comments: ``.../records/{id}/comments``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from jimu.engines.errors import PermissionDenied
from jimu.engines.i18n import text
from jimu.form_engine.records import RecordsService
from jimu.platform.comments import service
from jimu.platform.comments.schemas import CommentCreate, CommentRead
from jimu.platform.deps import CurrentUser
from jimu.platform.forms.records_api import Records
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import MAX_ID, IdPath

router = APIRouter(tags=["comments"], responses=PROBLEMS)
BASE = "/api/apps/{app}/forms/{form}/records/{record_id}/comments"
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="a comment's id")]


def _visible(records: RecordsService, record_id: int) -> int:
    """The record must exist and be visible to the caller; comments must be on."""
    records.get(record_id)
    if not records.rt.spec.options.allow_comments:
        raise PermissionDenied(text("Comments are turned off for this form.", "此表单未开启评论。"))
    return records.rt.form.id


@router.get(BASE, response_model=list[CommentRead])
def list_comments(record_id: IdPath, records: Records) -> list[CommentRead]:
    """A record's comments, oldest first."""
    return service.list_comments(records.session, _visible(records, record_id), record_id)


@router.post(BASE, response_model=CommentRead, status_code=201)
def add_comment(
    record_id: IdPath, body: CommentCreate, records: Records, user: CurrentUser
) -> CommentRead:
    """Comments on a record the caller may see."""
    form_id = _visible(records, record_id)
    return service.add_comment(records.session, form_id, record_id, user, body.body)


@router.delete(BASE + "/{comment_id}", status_code=204)
def delete_comment(
    record_id: IdPath, comment_id: CommentId, records: Records, user: CurrentUser
) -> Response:
    """Deletes a comment (its author, or whoever manages the form's comments)."""
    form_id = _visible(records, record_id)
    manager = records.actor.is_admin or records.grant.allows("comment")
    service.delete_comment(records.session, form_id, record_id, comment_id, user, manager)
    return Response(status_code=204)
