"""A second clinician's review of a reply: approving a held reply, the 24-hour review of an
urgent one, and the peer-review form of a sampled one.

A held reply (services/four_eyes.py) goes out when the reviewer agrees; on a concern it is
withdrawn and the comment goes back to the queue to be answered again. A reply already out
stays out on a concern (a supervisor may unpublish it); either way the author and the
supervisors hear of a concern by email through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from models import REVIEW_CHECKS, Comment, Reply, ReplyReview, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.four_eyes import CATEGORY_WORDS, may_review
from moderation.services.outbox import OutboxError, enqueue_email, staff_link
from moderation.services.private_replies import queue_private_email
from moderation.services.snippet_versions import ReplyDiff, reply_diff

MIN_NOTE_CHARS = 3
MAX_NOTE_CHARS = 2000
SOURCE_WORDS = {"before_publishing": "Approve before it goes out",
                "after_publishing": "Review within 24 hours (already out)",
                "sample": "Peer review (weekly sample)"}
CHECK_WORDS = {"accurate": "Accurate", "safe": "Safe", "safety_netted": "Safety-netted",
               "kind": "Kind", "on_topic": "On topic"}


class ReviewError(ValueError):
    """A review was refused; str(exc) is the message to show, `status` the HTTP code."""

    status = 422


class ReviewConflict(ReviewError):
    """Someone else reviewed it first, or the reply changed: nothing was recorded."""

    status = 409


class ReviewForbidden(ReviewError):
    """This person may not review this reply (her own)."""

    status = 403


@dataclass(frozen=True)
class ReviewInput:
    """What the reviewer recorded: agree or concern, a note, and the form's answers."""

    verdict: str
    note: str = ""
    checks: dict[str, bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewPage:
    """Everything a reviewer sees: the comment, the reply and its snippet diff."""

    review: ReplyReview
    reply: Reply
    comment: Comment
    diff: ReplyDiff | None
    source_words: str
    category_words: str | None


def open_reviews(user: User) -> list[ReplyReview]:
    """Reviews waiting, held replies first, then by due time; never the user's own replies."""
    order = case({"before_publishing": 0, "after_publishing": 1}, value=ReplyReview.source,
                 else_=2)
    return list(db.session.scalars(
        select(ReplyReview).join(Reply, Reply.id == ReplyReview.reply_id)
        .options(joinedload(ReplyReview.reply).joinedload(Reply.comment),
                 joinedload(ReplyReview.reply).joinedload(Reply.midwife))
        .where(ReplyReview.reviewed_at.is_(None), Reply.midwife_id != user.id)
        .order_by(order, ReplyReview.due_at.asc(), ReplyReview.created_at, ReplyReview.id)))


def recent_reviews(limit: int = 50) -> list[ReplyReview]:
    """The latest reviews given, newest first."""
    return list(db.session.scalars(
        select(ReplyReview).options(joinedload(ReplyReview.reviewer))
        .where(ReplyReview.reviewed_at.is_not(None))
        .order_by(ReplyReview.reviewed_at.desc()).limit(limit)))


def _get(review_id: int) -> ReplyReview:
    review = db.session.get(ReplyReview, review_id, populate_existing=True)
    if review is None:
        raise ReviewError("This review does not exist.")
    return review


def review_page(review_id: int) -> ReviewPage:
    """The comment, the reply and the diff against the snippet version it started from."""
    review = _get(review_id)
    reply = review.reply
    return ReviewPage(review=review, reply=reply, comment=reply.comment, diff=reply_diff(reply),
                      source_words=SOURCE_WORDS[review.source],
                      category_words=CATEGORY_WORDS.get(review.category or ""))


def _clean(review: ReplyReview, data: ReviewInput) -> ReviewInput:
    """Validate the form, raising ReviewError with a message the reviewer can act on."""
    if data.verdict not in ("agree", "concern"):
        raise ReviewError("Choose agree or concern.")
    note = (data.note or "").strip()
    if "\x00" in note or len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"The note can be at most {MAX_NOTE_CHARS} characters, with no "
                          "invisible control codes.")
    if data.verdict == "concern" and len(note) < MIN_NOTE_CHARS:
        raise ReviewError("Say what the concern is: the author and a supervisor will read it.")
    checks = {name: data.checks.get(name) for name in REVIEW_CHECKS}
    if review.source == "sample" and any(value is None for value in checks.values()):
        missing = ", ".join(CHECK_WORDS[n].lower() for n, v in checks.items() if v is None)
        raise ReviewError(f"Answer every question of the peer review (missing: {missing}).")
    if data.verdict == "agree" and any(value is False for value in checks.values()):
        raise ReviewError("A \u201cno\u201d to any question is a concern: choose concern and "
                          "say what should change.")
    return ReviewInput(verdict=data.verdict, note=note, checks=checks)


def record_review(review_id: int, reviewer: User, data: ReviewInput,
                  now: datetime | None = None) -> ReplyReview:
    """Record a second clinician's review, releasing or sending back a held reply."""
    now = now or utcnow()
    review = _get(review_id)
    reply = review.reply
    if review.done:
        who = review.reviewer.name if review.reviewer else "a colleague"
        raise ReviewConflict(f"{who} already reviewed this reply. Nothing was recorded.")
    if not may_review(reviewer, reply):
        raise ReviewForbidden("You wrote this reply, so you cannot review it: a second "
                              "clinician must.")
    clean = _clean(review, data)
    if review.source == "before_publishing":
        if reply.withdrawn_at is not None:
            raise ReviewConflict("This reply was withdrawn. Nothing was recorded.")
        if clean.verdict == "agree":
            _release(reply, now)
        else:
            _send_back(reply, reviewer, clean.note, now)
    review.reviewer_id, review.reviewed_at = reviewer.id, now
    review.verdict, review.note = clean.verdict, clean.note or None
    for name, value in clean.checks.items():
        setattr(review, name, value)
    db.session.flush()
    record_event(reviewer, f"review.{clean.verdict}", "reply", reply.id,
                 comment_id=reply.comment_id, review_id=review.id, source=review.source,
                 checks=clean.checks, note=clean.note)
    if clean.verdict == "concern":
        _notify_concern(review, reviewer)
    return review


def _release(reply: Reply, now: datetime) -> None:
    """The held reply goes out: on the page at once, or by email through the outbox."""
    if reply.kind == "private":
        try:
            queue_private_email(reply, f"private-reply-approved:{reply.id}", now)
        except ValueError as exc:
            raise ReviewError(str(exc)) from exc
    else:
        reply.published_at = now  # the comment's visible moment derives from it
    # Both branches change the reply, so Reply.version guards it: of two approvals one wins.
    _flush_reply_guarded(reply)


def _flush_reply_guarded(reply: Reply) -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        # The caller rolls back (the view does on any ReviewError).
        raise ReviewConflict("Someone reviewed this reply, or changed its comment, at the "
                             "same moment. Nothing was recorded.") from exc


def _send_back(reply: Reply, reviewer: User, note: str, now: datetime) -> None:
    """A held reply with a concern is never sent; the comment returns to the queue."""
    reply.published_at = None
    reply.withdrawn_at, reply.withdrawn_by_id = now, reviewer.id
    reply.withdraw_reason = f"Concern from a second clinician: {note}"
    comment = reply.comment
    comment.status = "pending"
    comment.forget_answer()
    comment.claimed_by_id = comment.claimed_at = comment.claim_expires_at = None
    _flush_reply_guarded(reply)


def _notify_concern(review: ReplyReview, reviewer: User) -> int:
    """Email the reply's author and the supervisors (not the reviewer) about a concern."""
    reply = review.reply
    people = {reply.midwife_id: reply.midwife}
    for supervisor in db.session.scalars(select(User).where(
            User.role == "supervisor", User.active.is_(True), User.id != reviewer.id)):
        people.setdefault(supervisor.id, supervisor)
    held = review.source == "before_publishing"
    outcome = ("It was not sent: the comment is back in the queue to be answered again."
               if held else "It is still out: a supervisor decides whether to unpublish it.")
    body = (f"{reviewer.name} raised a concern about {reply.midwife.name}'s reply to comment "
            f"#{reply.comment_id}.\n\nConcern: {review.note}\n\n{outcome}\n\n"
            f"Read it: {staff_link('reviews.show', review_id=review.id)}\n")
    queued = 0
    for person in people.values():
        if person.id == reviewer.id or not person.active:
            continue
        try:
            enqueue_email("review_concern", person.email, "A concern about a reply", body,
                          f"review-concern:{review.id}:{person.id}", comment_id=reply.comment_id,
                          user_id=person.id)
        except OutboxError:
            continue
        queued += 1
    return queued
