"""Comments on records: list, add, delete (the author or an admin)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jimu.engines.errors import NotFound, PermissionDenied
from jimu.engines.i18n import text
from jimu.platform.comments.models import RecordComment
from jimu.platform.comments.schemas import CommentRead
from jimu.platform.org.models import User

COMMENT = text("Comment", "评论")


def _read(comment: RecordComment, author: User | None) -> CommentRead:
    return CommentRead(
        id=comment.id,
        body=comment.body,
        author_id=comment.author_id,
        author_name=author.display_name if author else None,
        created_at=comment.created_at,
    )


def list_comments(session: Session, form_id: int, record_id: int) -> list[CommentRead]:
    """A record's comments, oldest first."""
    query = (
        select(RecordComment, User)
        .outerjoin(User, User.id == RecordComment.author_id)
        .where(RecordComment.form_id == form_id, RecordComment.record_id == record_id)
        .order_by(RecordComment.id)
    )
    return [_read(comment, author) for comment, author in session.execute(query).all()]


def add_comment(
    session: Session, form_id: int, record_id: int, author: User, body: str
) -> CommentRead:
    """Adds a comment by ``author``."""
    comment = RecordComment(form_id=form_id, record_id=record_id, author_id=author.id, body=body)
    session.add(comment)
    session.flush()
    return _read(comment, author)


def delete_comment(
    session: Session, form_id: int, record_id: int, comment_id: int, user: User, manager: bool
) -> None:
    """Deletes a comment: its author, or a user who manages the form's comments."""
    comment = session.get(RecordComment, comment_id)
    if comment is None or comment.form_id != form_id or comment.record_id != record_id:
        raise NotFound(COMMENT, comment_id)
    if comment.author_id != user.id and not manager:
        raise PermissionDenied(
            text("Only its author may delete a comment.", "只有评论者本人可以删除评论。")
        )
    session.delete(comment)
    session.flush()
