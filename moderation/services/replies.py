"""Answering a comment: the composer's context, publishing a reply, rejecting and spam.

Publishing is guarded three ways, so a comment can never get two replies:
1. the comment must still be pending and at the version the midwife's form was built from;
2. she must hold a live claim (an expired one is re-taken if nobody else took it);
3. the status change is an ORM UPDATE guarded by Comment.version (version_id_col), so of two
   racing publishes exactly one UPDATE matches a row and the other raises StaleDataError.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from models import Comment, LabelCorrection, Reply, Snippet, User, db, utcnow
from moderation.formatting import london_time
from moderation.services.audit import record_event
from moderation.services.claims import ClaimError, claim_comment, holds_live_claim
from moderation.services.four_eyes import open_review, review_rule
from moderation.services.reply_checks import (
    EMERGENCY_ROUTE_MISSING,
    MAX_REASON_CHARS,
    MAX_REPLY_CHARS,
    MIN_REASON_CHARS,
    CommentGone,
    EmergencyRouteMissing,
    InvalidReply,
    ReplyConflict,
    ReplyError,
    check_emergency_route,
    check_reason,
    check_snippet_used,
    emergency_route_named,
    normalise_body,
    reply_problems,
)
from moderation.services.settings import current_policy
from moderation.services.snippets import (
    active_snippet_by_key,
    fill_placeholders,
    insertable,
    is_first_choice,
    suggested_snippets,
)
from moderation.services.working_hours import working_seconds_between

# Re-exported: callers import the answering errors and checks from here.
__all__ = ["EMERGENCY_ROUTE_MISSING", "MAX_REASON_CHARS", "MAX_REPLY_CHARS",
           "MIN_REASON_CHARS", "CommentGone", "EmergencyRouteMissing", "InvalidReply",
           "ReplyConflict", "ReplyError", "emergency_route_named", "normalise_body",
           "reply_problems"]

EARLIER_COMMENTS_SHOWN = 20
# A claim about to lapse is renewed before publishing, so it cannot expire mid-request.
CLAIM_SAFETY_MARGIN = timedelta(minutes=1)
OUTCOMES = {"rejected": "comment.rejected", "spam": "comment.marked_spam"}
STATUS_WORDS = {"published": "published", "rejected": "rejected", "spam": "marked as spam",
                "private": "answered privately", "closed": "closed without publishing",
                "unpublished": "unpublished"}


# --- Composer context ------------------------------------------------------------------------

@dataclass
class ComposerContext:
    """Everything the composer page shows about one comment."""

    comment: Comment
    earlier_comments: list[Comment]
    snippets: list[Snippet]
    # The snippets shown first: urgent care for an urgent comment, then the comment's topic.
    suggested_ids: set[int]
    filled_bodies: dict[int, str]
    published_replies: list[Reply]
    can_reply: bool
    claim_message: str | None
    # Pending and free: she may take it with the "Reply" button (a POST; reading never claims).
    can_claim: bool = False
    # A snippet inserted without JavaScript (?snippet=key): the snippet and its filled text.
    inserted: tuple[Snippet, str] | None = None


@dataclass(frozen=True)
class Opening:
    """What opening a comment gave the midwife: the right to reply, or why not."""

    can_reply: bool
    message: str | None = None
    can_claim: bool = False


def view_comment(comment_id: int, user: User, now: datetime | None = None) -> Opening:
    """Look at a comment without changing anything: reading is not claiming."""
    now = now or utcnow()
    comment = _get_comment(comment_id)
    if comment.status != "pending":
        return Opening(can_reply=False, message=_outcome_message(comment))
    if holds_live_claim(comment, user, now):
        return Opening(can_reply=True)
    if comment.claim_is_live(now):
        holder = comment.claimed_by.display_name if comment.claimed_by else "another midwife"
        return Opening(can_reply=False, message=f"Being answered by {holder}")
    return Opening(can_reply=False, can_claim=True)


def open_comment(comment_id: int, user: User, now: datetime | None = None) -> Opening:
    """Open a comment to answer it: claim it (or renew her claim) if it is pending and free."""
    now = now or utcnow()
    comment = _get_comment(comment_id)
    if comment.status != "pending":
        return Opening(can_reply=False, message=_outcome_message(comment))
    try:
        claim_comment(comment_id, user, now)
    except ClaimError as exc:
        return Opening(can_reply=False, message=str(exc))
    return Opening(can_reply=True)


def composer_page(comment_id: int, user: User, opening: Opening, *,
                  snippet_key: str | None = None) -> ComposerContext:
    """The composer after opening: the comment's context, and a snippet inserted if asked."""
    comment = _get_comment(comment_id)
    context = composer_context(comment, user, can_reply=opening.can_reply,
                               claim_message=opening.message)
    context.can_claim = opening.can_claim
    if opening.can_reply:
        context.inserted = prefilled_snippet(snippet_key, comment, user)
    return context


def composer_context(comment: Comment, user: User, *, can_reply: bool,
                     claim_message: str | None = None) -> ComposerContext:
    """Gather the comment's context, without claiming anything."""
    snippets = suggested_snippets(comment)
    return ComposerContext(
        comment=comment,
        earlier_comments=earlier_comments(comment),
        snippets=snippets,
        suggested_ids={s.id for s in snippets if is_first_choice(s, comment)},
        filled_bodies={s.id: fill_placeholders(s.body, comment, user) for s in snippets},
        published_replies=[r for r in comment.replies if r.is_published],
        can_reply=can_reply,
        claim_message=claim_message,
    )


def current_context(comment_id: int, user: User, now: datetime | None = None) -> ComposerContext:
    """The composer as things stand now, without claiming: reply allowed only if still possible."""
    now = now or utcnow()
    comment = _get_comment(comment_id)
    if comment.status != "pending":
        return composer_context(comment, user, can_reply=False,
                                claim_message=_outcome_message(comment))
    if comment.claim_is_live(now) and comment.claimed_by_id != user.id:
        holder = comment.claimed_by.display_name if comment.claimed_by else "another midwife"
        return composer_context(comment, user, can_reply=False,
                                claim_message=f"Being answered by {holder}")
    return composer_context(comment, user, can_reply=True)


def earlier_comments(comment: Comment, limit: int = EARLIER_COMMENTS_SHOWN) -> list[Comment]:
    """Other published comments with the same email, newest first.

    Anyone can type anyone's email into the public form, so the email proves nothing: only
    what was published anyway is shown, never someone's rejected or pending comments.
    """
    email = (comment.author_email or "").strip()
    if not email:
        return []
    return list(db.session.scalars(
        select(Comment).options(joinedload(Comment.page))
        .where(Comment.author_email == email, Comment.id != comment.id,
               Comment.status == "published")
        .order_by(Comment.received_at.desc(), Comment.id.desc()).limit(limit)
    ))


def prefilled_snippet(key: str | None, comment: Comment, user: User) -> tuple[Snippet, str] | None:
    """The active snippet with this key and its text filled for this comment (no-JS insert)."""
    if not key:
        return None
    snippet = active_snippet_by_key(key)
    if snippet is None or not insertable(snippet):
        return None
    return snippet, fill_placeholders(snippet.body, comment, user)


def _get_comment(comment_id: int) -> Comment:
    # populate_existing: a Core claim update may have left an older copy in the session.
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    return comment


def _outcome_phrase(comment: Comment) -> str:
    """Say who already dealt with a comment that is no longer pending, and when."""
    verb = STATUS_WORDS.get(comment.status, comment.status)
    if comment.status == "published" and comment.published_at is None:  # four eyes: held
        verb = "answered (the reply waits for a second clinician's approval)"
    who = comment.moderated_by.display_name if comment.moderated_by else None
    when = london_time(comment.decided_at, "%H:%M on %d %b")
    by = f" by {who}" if who else ""
    at = f" at {when}" if when else ""
    return f"already {verb}{by}{at}"


def _outcome_message(comment: Comment) -> str:
    return f"This comment was {_outcome_phrase(comment)}."


def _change_message(comment: Comment) -> str:
    """Explain what changed since the midwife's form was built."""
    prefix = "This comment changed while you were writing"
    if comment.status != "pending":
        return f"{prefix}: it was {_outcome_phrase(comment)}. Nothing was changed."
    correction = db.session.scalar(
        select(LabelCorrection).options(joinedload(LabelCorrection.user))
        .where(LabelCorrection.comment_id == comment.id)
        .order_by(LabelCorrection.created_at.desc(), LabelCorrection.id.desc()).limit(1)
    )
    if correction is not None:
        who = correction.user.display_name if correction.user else "a colleague"
        detail = (f"{who} relabelled it ({correction.field}: {correction.old_value} → "
                  f"{correction.new_value})")
    else:
        detail = "a colleague updated it"
    return f"{prefix}: {detail}. Nothing was changed: check the comment, then try again."


def ensure_actionable(comment_id: int, user: User, expected_version: int,
                      now: datetime) -> Comment:
    """Check status, version and claim; re-take a lapsed claim. Raises ReplyError."""
    comment = _get_comment(comment_id)
    if comment.status != "pending":
        raise ReplyConflict(f"{_outcome_message(comment)} Nothing was changed.")
    if comment.version != expected_version:
        raise ReplyConflict(_change_message(comment))
    if not holds_live_claim(comment, user, now + CLAIM_SAFETY_MARGIN):
        try:
            # Free, expired or hers but about to lapse: take it again in one guarded statement.
            comment = claim_comment(comment_id, user, now)
        except ClaimError as exc:
            comment = _get_comment(comment_id)
            if comment.status != "pending":  # say who dealt with it, and when
                raise ReplyConflict(_change_message(comment)) from exc
            raise ReplyConflict(f"{str(exc).rstrip('.')}. Nothing was changed.") from exc
        comment = _get_comment(comment_id)
        if comment.status != "pending" or comment.version != expected_version:
            raise ReplyConflict(_change_message(comment))
    return comment


def guarded_flush(comment_id: int) -> None:
    """Flush the version-checked UPDATE; a lost race becomes a ReplyConflict, rolled back."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        comment = _get_comment(comment_id)
        raise ReplyConflict(_change_message(comment)) from exc


def response_times(comment: Comment, now: datetime) -> tuple[int, int]:
    """Seconds from receipt to `now`: elapsed, and within working hours."""
    seconds = max(0, int((now - comment.received_at).total_seconds()))
    working = working_seconds_between(comment.received_at, now, current_policy())
    return seconds, working


def close_comment(comment: Comment, user: User, status: str,
                  now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the outcome, free the claim and flush the version-guarded UPDATE; return before/after.

    The comment's UPDATE is flushed first and alone, so a lost race leaves nothing half-written.
    """
    before = {"status": comment.status, "claimed_by_id": comment.claimed_by_id,
              "version": comment.version}
    comment.record_outcome(status, user.id, now)
    comment.claimed_by_id = None
    comment.claimed_at = None
    comment.claim_expires_at = None
    guarded_flush(comment.id)
    return before, {"status": status, "claimed_by_id": None, "version": comment.version}


# --- Actions ---------------------------------------------------------------------------------

SAFEGUARDING_BLOCK = (
    "This comment is flagged for safeguarding, so it cannot be published as it stands. "
    "Answer privately by email, or redact what could identify or endanger the person first. "
    "Your text is kept below.")


def _refuse_safeguarding_as_it_stands(comment: Comment) -> None:
    """A safeguarding comment is never published verbatim (the labelling guide's rule)."""
    categories = comment.red_flag_categories or []
    if ("safeguarding" in categories or "abuse" in categories) and not comment.redactions:
        raise InvalidReply(SAFEGUARDING_BLOCK)


def publish_reply(comment_id: int, user: User, body: str, *, expected_version: int,
                  snippet_id: int | None = None, snippet_version: int | None = None,
                  now: datetime | None = None, override_reason: str | None = None) -> Reply:
    """Publish a midwife's reply and mark the comment published, exactly once.

    A reply to an urgent comment must name an emergency route; `override_reason` publishes
    one that does not, and the reason is audited.
    """
    now = now or utcnow()
    text = normalise_body(body)
    problems = reply_problems(text)
    if problems:
        raise InvalidReply(" ".join(problems))
    check_snippet_used(snippet_id, snippet_version)
    comment = ensure_actionable(comment_id, user, expected_version, now)
    _refuse_safeguarding_as_it_stands(comment)
    snippet = db.session.get(Snippet, snippet_id) if snippet_id is not None else None
    if snippet is not None and snippet.private_only:
        raise InvalidReply(f"“{snippet.title}” is for a private answer only and cannot be "
                           "published on the public page. Nothing was published.")
    override = check_emergency_route(comment, user, text, override_reason)

    seconds, working = response_times(comment, now)
    # Public only once the undo window has passed (moderation/services/threads.py).
    visible_at = now + timedelta(seconds=max(0, current_app.config["REPLY_UNDO_SECONDS"]))
    comment.record_first_answer(now, seconds, working)
    before, after = close_comment(comment, user, "published", now)

    reply = Reply(comment_id=comment.id, midwife_id=user.id, body=text, snippet_id=snippet_id,
                  snippet_version=snippet_version if snippet_id is not None else None,
                  created_at=now, published_at=visible_at)
    db.session.add(reply)
    db.session.flush()
    held = _four_eyes(reply, comment, now)
    record_event(user, "reply.published", "comment", comment.id, before=before, after=after,
                 reply_id=reply.id, snippet_id=snippet_id,
                 snippet_version=reply.snippet_version, response_seconds=seconds,
                 response_working_seconds=working, held_for_approval=held)
    if override is not None:
        record_event(user, "reply.emergency_route_overridden", "comment", comment.id,
                     reply_id=reply.id, reason=override,
                     categories=list(comment.red_flag_categories or []))
    return reply


def _four_eyes(reply: Reply, comment: Comment, now: datetime) -> bool:
    """Open the second clinician's review a high-risk reply needs; True if it is held.

    A held reply stays unpublished (and the comment off the public page) until approved: the
    comment is no longer pending, so nobody else answers it meanwhile.
    """
    mode, category = review_rule(comment, "public")
    if mode is None:
        return False
    open_review(reply, mode, category, now)
    if mode == "before":
        reply.published_at = None  # the comment's visible moment derives from it
        guarded_flush(comment.id)
    return mode == "before"


def reject_comment(comment_id: int, user: User, reason: str, *, expected_version: int,
                   now: datetime | None = None) -> Comment:
    """Reject a comment (it will not be shown), with the reason colleagues will see."""
    return _close_comment(comment_id, user, "rejected", reason,
                          expected_version=expected_version, now=now)


def mark_spam(comment_id: int, user: User, reason: str, *, expected_version: int,
              now: datetime | None = None) -> Comment:
    """Mark a comment as spam, with a reason."""
    return _close_comment(comment_id, user, "spam", reason,
                          expected_version=expected_version, now=now)


def _close_comment(comment_id: int, user: User, status: str, reason: str, *,
                   expected_version: int, now: datetime | None) -> Comment:
    now = now or utcnow()
    reason = check_reason(reason)
    comment = ensure_actionable(comment_id, user, expected_version, now)
    comment.moderation_reason = reason
    before, after = close_comment(comment, user, status, now)
    record_event(user, OUTCOMES[status], "comment", comment.id, before=before, after=after,
                 reason=reason)
    return comment
