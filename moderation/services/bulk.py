"""Bulk moderation from the queue: several comments marked as spam or rejected with one
reason, audited one by one, and an undo that works for a minute."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Comment, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.replies import (
    ReplyError,
    check_reason,
    mark_spam,
    reject_comment,
)

UNDO_WINDOW = timedelta(minutes=1)
MAX_BULK = 200
ACTIONS = {"spam": mark_spam, "reject": reject_comment}
CLOSED = {"spam": "spam", "reject": "rejected"}


class BulkError(ValueError):
    """Nothing was changed; str(exc) says why."""


@dataclass
class BulkResult:
    """Which comments were closed and which were left, with the reason each was left."""

    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _ids(comment_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise BulkError("Select at least one comment.")
    if len(ids) > MAX_BULK:
        raise BulkError(f"Select at most {MAX_BULK} comments at a time.")
    return ids


def bulk_close(comment_ids: list[int], user: User, action: str, reason: str,
               now: datetime | None = None) -> BulkResult:
    """Mark as spam or reject each selected waiting comment; all or nothing on a race."""
    if action not in ACTIONS:
        raise BulkError("Choose “Mark as spam” or “Reject”.")
    try:
        reason = check_reason(reason)
    except ReplyError as exc:
        raise BulkError(str(exc)) from exc
    now = now or utcnow()
    result = BulkResult()
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(_ids(comment_ids))))}
    for comment_id in _ids(comment_ids):
        comment = comments.get(comment_id)
        if comment is None:
            result.skipped.append((comment_id, "it no longer exists"))
        elif comment.status != "pending":
            result.skipped.append((comment_id, f"it is already {comment.status}"))
        elif comment.claim_is_live(now) and comment.claimed_by_id != user.id:
            holder = comment.claimed_by.display_name if comment.claimed_by else "someone"
            result.skipped.append((comment_id, f"{holder} is answering it"))
        else:
            try:
                ACTIONS[action](comment_id, user, reason, expected_version=comment.version,
                                now=now)
            except ReplyError as exc:
                # Someone acted on it between our read and our write: change nothing at all.
                raise BulkError(f"Comment {comment_id} changed meanwhile ({exc}) Nothing was "
                                "changed: look at the queue again.") from exc
            record_event(user, "comment.bulk_closed", "comment", comment_id, bulk_action=action,
                         batch_size=len(comment_ids))
            result.done.append(comment_id)
    return result


def undo_bulk(comment_ids: list[int], user: User, now: datetime | None = None) -> BulkResult:
    """Put back in the queue what this person closed in bulk less than a minute ago."""
    now = now or utcnow()
    result = BulkResult()
    ids = _ids(comment_ids)
    comments = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(ids)))}
    for comment_id in ids:
        comment = comments.get(comment_id)
        if comment is None or comment.status not in CLOSED.values():
            result.skipped.append((comment_id, "it is not rejected or spam any more"))
        elif comment.moderated_by_id != user.id:
            result.skipped.append((comment_id, "someone else closed it"))
        elif comment.moderated_at is None or now - comment.moderated_at > UNDO_WINDOW:
            result.skipped.append((comment_id, "more than a minute has passed"))
        else:
            before = {"status": comment.status, "reason": comment.moderation_reason}
            comment.move_to("pending")
            comment.moderation_reason = None
            comment.moderated_by_id = None
            comment.moderated_at = None
            record_event(user, "comment.bulk_undone", "comment", comment_id, before=before,
                         after={"status": "pending"})
            result.done.append(comment_id)
    db.session.flush()
    return result
