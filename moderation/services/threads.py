"""A comment's thread after publishing: the undo window, edits, unpublishing.

Publishing sets a reply's `published_at` to the end of the undo window (REPLY_UNDO_SECONDS):
the public side shows only replies whose time has passed, so within the window one click
takes the reply back (its `published_at` cleared: it never went public) and nobody outside
has seen it. After that a midwife may edit her reply (every version is kept in
reply_versions and the audit; the public page says "edited") and a supervisor may unpublish
a reply or the whole thread, with a reason: the reply keeps `published_at` and gets
`withdrawn_at`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from models import Comment, Reply, ReplyVersion, User, db, utcnow
from moderation.formatting import london_time
from moderation.services.audit import record_event
from moderation.services.claims import claim_comment
from moderation.services.replies import (
    CommentGone,
    InvalidReply,
    ReplyConflict,
    ReplyError,
    check_reason,
    guarded_flush,
    normalise_body,
    reply_problems,
)

WINDOW_CLOSED = ("The undo window has closed and the reply is public. You can still edit it, "
                 "or ask a supervisor to unpublish it.")


class NotAllowed(ReplyError):
    """This person may not do this to this reply."""

    status = 403


def thread_history(comment: Comment) -> list[Comment]:
    """The rest of the comment's thread (first comment, then follow-ups), oldest first."""
    root_id = comment.in_reply_to_id or comment.id
    return list(db.session.scalars(
        select(Comment)
        .where(or_(Comment.id == root_id, Comment.in_reply_to_id == root_id),
               Comment.id != comment.id)
        .order_by(Comment.received_at, Comment.id)
    ))


def get_reply(reply_id: int) -> Reply:
    """The reply with this id, freshly read; CommentGone (404) if there is none."""
    reply = db.session.get(Reply, reply_id, populate_existing=True)
    if reply is None:
        raise CommentGone("This reply no longer exists.")
    return reply


def can_undo(reply: Reply, user: User, now: datetime) -> bool:
    """Tell whether `user` can still take this reply back (hers, and inside the window)."""
    return (reply.midwife_id == user.id and reply.kind == "public"
            and reply.withdrawn_at is None and reply.published_at is not None
            and reply.published_at > now)


def can_edit(reply: Reply, user: User) -> bool:
    """Tell whether `user` may edit this reply: her own public reply, still published."""
    return reply.midwife_id == user.id and bool(reply.is_published)


def _flush_reply(reply_id: int, conflict: str) -> None:
    """Flush a change guarded by Reply.version; a lost race is a ReplyConflict (the caller
    rolls back, as for every refusal)."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ReplyConflict(conflict) from exc


def _edited_message(reply: Reply) -> str:
    who = reply.versions[-1].created_by.display_name if reply.versions and \
        reply.versions[-1].created_by else "a colleague"
    when = london_time(reply.edited_at, "%H:%M on %d %b") if reply.edited_at else None
    at = f" at {when}" if when else ""
    return (f"This reply was changed by {who}{at} while you were editing. Nothing was "
            "changed: your text is kept below; compare it with the reply as it is now.")


def edit_reply(reply_id: int, user: User, body: str, *, expected_version: int,
               now: datetime | None = None) -> Reply:
    """Change the text of her published reply; every version is kept."""
    now = now or utcnow()
    reply = get_reply(reply_id)
    if reply.midwife_id != user.id:
        raise NotAllowed("Only the midwife who wrote a reply can edit it. A supervisor can "
                         "unpublish it instead.")
    if not can_edit(reply, user):
        raise ReplyConflict("This reply is no longer published, so it cannot be edited. "
                            "Nothing was changed.")
    if reply.version != expected_version:
        raise ReplyConflict(_edited_message(reply))
    text = normalise_body(body)
    problems = reply_problems(text)
    if problems:
        raise InvalidReply(" ".join(problems))
    if text == reply.body:
        raise InvalidReply("The text is the same as the published reply: nothing to save.")
    if not reply.versions:  # the first edit keeps the text as first published
        db.session.add(ReplyVersion(reply_id=reply.id, version=reply.version, body=reply.body,
                                    created_at=reply.created_at,
                                    created_by_id=reply.midwife_id))
    before = {"body": reply.body, "version": reply.version}
    reply.body = text
    reply.edited_at = now
    _flush_reply(reply.id, "This reply was changed by a colleague while you were editing. "
                           "Nothing was changed: your text is kept below.")
    db.session.add(ReplyVersion(reply_id=reply.id, version=reply.version, body=text,
                                created_at=now, created_by_id=user.id))
    db.session.flush()
    record_event(user, "reply.edited", "reply", reply.id, comment_id=reply.comment_id,
                 before=before, after={"body": text, "version": reply.version})
    return reply


def reply_versions(reply: Reply) -> list[ReplyVersion]:
    """Every kept version of a reply, oldest first."""
    return list(db.session.scalars(
        select(ReplyVersion).where(ReplyVersion.reply_id == reply.id)
        .order_by(ReplyVersion.version)
    ))


def _withdraw(reply: Reply, user: User, reason: str, now: datetime) -> dict:
    before = {"published_at": reply.published_at, "withdrawn_at": None}
    reply.withdrawn_at = now
    reply.withdrawn_by_id = user.id
    reply.withdraw_reason = reason
    return before


def undo_publish(reply_id: int, user: User, now: datetime | None = None) -> Reply:
    """Take a reply back inside the undo window: never shown, the comment hers to answer again."""
    now = now or utcnow()
    reply = get_reply(reply_id)
    if reply.midwife_id != user.id:
        raise NotAllowed("Only the midwife who published a reply can take it back.")
    if not can_undo(reply, user, now):
        raise ReplyConflict(WINDOW_CLOSED if reply.withdrawn_at is None
                            else "This reply was already taken back.")
    comment = reply.comment
    before = _withdraw(reply, user, "taken back within the undo window", now)
    reply.published_at = None  # never public: the comment's visible moment goes with it
    _flush_reply(reply.id, "This reply changed just now. Nothing was changed.")
    others = [r for r in comment.replies if r.id != reply.id and r.is_published]
    if not others and comment.status == "published":
        # The comment was published by this reply: it goes back to the queue, as before.
        comment.move_to("pending")
        comment.forget_answer()
        guarded_flush(comment.id)
        claim_comment(comment.id, user, now)
    record_event(user, "reply.undone", "reply", reply.id, comment_id=comment.id,
                 before=before, after={"published_at": None, "withdrawn_at": now})
    return reply


def unpublish_reply(reply_id: int, user: User, reason: str,
                    now: datetime | None = None) -> Reply:
    """A supervisor takes one published reply off the public page, with a reason."""
    now = now or utcnow()
    if not user.is_supervisor:
        raise NotAllowed("Only a supervisor can unpublish a reply.")
    reason = check_reason(reason)
    reply = get_reply(reply_id)
    if not reply.is_published:
        raise ReplyConflict("This reply is not published, so there is nothing to unpublish.")
    before = _withdraw(reply, user, reason, now)
    _flush_reply(reply.id, "This reply changed just now. Nothing was changed.")
    record_event(user, "reply.unpublished", "reply", reply.id, comment_id=reply.comment_id,
                 before=before, after={"published_at": None, "withdrawn_at": now},
                 reason=reason)
    return reply


def unpublish_thread(comment_id: int, user: User, reason: str,
                     now: datetime | None = None) -> Comment:
    """A supervisor takes a whole thread (comment, replies, follow-ups) off the public page."""
    now = now or utcnow()
    if not user.is_supervisor:
        raise NotAllowed("Only a supervisor can unpublish a thread.")
    reason = check_reason(reason)
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    if comment.status != "published":
        raise ReplyConflict(f"This comment is {comment.status}, not published: there is "
                            "nothing to unpublish.")
    comments = [comment, *db.session.scalars(
        select(Comment).where(Comment.in_reply_to_id == comment.id,
                              Comment.status == "published"))]
    withdrawn = []
    for member in comments:
        member.record_outcome("unpublished", user.id, now)
        member.moderation_reason = reason
        for reply in member.replies:
            if reply.is_published:
                _withdraw(reply, user, reason, now)
                withdrawn.append(reply.id)
    guarded_flush(comment.id)
    record_event(user, "thread.unpublished", "comment", comment.id, reason=reason,
                 comment_ids=[c.id for c in comments], reply_ids=withdrawn)
    return comment
