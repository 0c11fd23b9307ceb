"""Retention and erasure of commenters' data (UK GDPR): purge, erase and subject access."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from models import AuditEvent, Comment, LabelCorrection, Reply, ServiceSetting, db, utcnow
from models.incident import Incident
from moderation.services.audit import record_event

# What replaces an erased person's name, email and their mentions in text.
ERASED = "[erased]"
CLOSED_UNPUBLISHED = ("rejected", "spam")


class PrivacyError(ValueError):
    """A privacy request cannot be carried out as asked."""


@dataclass(frozen=True)
class RetentionPolicy:
    """How long commenters' emails and unpublished comments are kept."""

    email_days: int = 365
    unpublished_days: int = 90


@dataclass
class PurgeReport:
    """What a purge removed."""

    emails_removed: int = 0
    comments_with_email_removed: int = 0
    unpublished_comments_deleted: int = 0

    def lines(self) -> list[str]:
        return [
            f"commenter emails removed: {self.emails_removed} "
            f"(from {self.comments_with_email_removed} comments)",
            f"rejected and spam comments deleted: {self.unpublished_comments_deleted}",
        ]


def _last_activity():
    return func.coalesce(Comment.first_replied_at, Comment.moderated_at, Comment.received_at)


def purge(policy: RetentionPolicy, now: datetime | None = None) -> PurgeReport:
    """Delete or anonymise what the retention policy says is due; flushed, not committed."""
    now = now or utcnow()
    report = PurgeReport()
    email_cutoff = now - timedelta(days=policy.email_days)
    # An email goes once a year has passed since the last reply to (or outcome of) any of
    # that person's comments; a pending comment keeps it.
    stale = (
        select(Comment.author_email)
        .where(Comment.author_email.is_not(None))
        .group_by(Comment.author_email)
        .having(func.max(_last_activity()) < email_cutoff)
        .having(func.sum(case((Comment.status == "pending", 1), else_=0)) == 0)
    )
    emails = list(db.session.scalars(stale))
    for start in range(0, len(emails), 500):
        batch = emails[start:start + 500]
        result = db.session.execute(
            update(Comment).where(Comment.author_email.in_(batch))
            .values(author_email=None).execution_options(synchronize_session=False))
        report.comments_with_email_removed += result.rowcount or 0
    report.emails_removed = len(emails)

    unpublished_cutoff = now - timedelta(days=policy.unpublished_days)
    due_ids = list(db.session.scalars(
        select(Comment.id).where(Comment.status.in_(CLOSED_UNPUBLISHED),
                                 func.coalesce(Comment.moderated_at, Comment.received_at)
                                 < unpublished_cutoff,
                                 # An incident's comment is part of the clinical safety file.
                                 Comment.id.not_in(select(Incident.comment_id)))))
    for start in range(0, len(due_ids), 500):
        batch = due_ids[start:start + 500]
        for model in (LabelCorrection, Reply):
            db.session.execute(delete(model).where(model.comment_id.in_(batch))
                               .execution_options(synchronize_session=False))
        db.session.execute(delete(Comment).where(Comment.id.in_(batch))
                           .execution_options(synchronize_session=False))
    report.unpublished_comments_deleted = len(due_ids)
    db.session.flush()
    record_event(None, "privacy.purged", "privacy", None, emails_removed=report.emails_removed,
                 comments_with_email_removed=report.comments_with_email_removed,
                 unpublished_comments_deleted=report.unpublished_comments_deleted,
                 email_days=policy.email_days, unpublished_days=policy.unpublished_days)
    return report


# The service_settings row whose updated_at is when the scheduled purge last ran.
LAST_PURGE_KEY = "privacy_purge_last_run"
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def last_scheduled_purge() -> datetime | None:
    """When the worker last ran the retention purge, or None if it never has."""
    row = db.session.get(ServiceSetting, LAST_PURGE_KEY)
    return row.updated_at if row is not None and row.updated_at > NEVER else None


def purge_if_due(policy: RetentionPolicy, interval: timedelta,
                 now: datetime | None = None) -> PurgeReport | None:
    """Purge when the last scheduled purge is at least `interval` old (flushed); else None.

    The claim is one conditional UPDATE of a stored row, so of several workers (or one
    restarted) only one purges per interval; if the purge fails and is rolled back, so is the
    claim, and the next pass tries again.
    """
    now = now or utcnow()
    if db.session.get(ServiceSetting, LAST_PURGE_KEY) is None:
        try:
            with db.session.begin_nested():
                db.session.add(ServiceSetting(key=LAST_PURGE_KEY, value=None, updated_at=NEVER))
        except IntegrityError:
            pass  # another worker created it first
    claimed = db.session.execute(
        update(ServiceSetting)
        .where(ServiceSetting.key == LAST_PURGE_KEY,
               ServiceSetting.updated_at <= now - interval)
        .values(value=now.isoformat(), updated_at=now)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return None
    return purge(policy, now)


def _normalise(email: str) -> str:
    email = (email or "").strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise PrivacyError("Give the person's email address, e.g. jo@example.org.")
    return email


def _their_comments(email: str) -> list[Comment]:
    return list(db.session.scalars(
        select(Comment).where(func.lower(Comment.author_email) == email).order_by(Comment.id)))


def _mentions(names: set[str], email: str) -> re.Pattern[str]:
    tokens = {email} | {n for name in names for n in (name, name.split(" ")[0]) if len(n) >= 2}
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass
class ErasureReport:
    """What an erasure changed."""

    comments_anonymised: int = 0
    replies_redacted: int = 0
    audit_events_redacted: int = 0

    def lines(self) -> list[str]:
        return [f"comments anonymised: {self.comments_anonymised}",
                f"replies kept, mentions of the person removed: {self.replies_redacted}",
                f"audit records kept, email removed: {self.audit_events_redacted}"]


def erase(email: str) -> ErasureReport:
    """Remove a commenter's identifiable data everywhere; replies and audit records stay."""
    email = _normalise(email)
    report = ErasureReport()
    comments = _their_comments(email)
    names = {c.author_name.strip() for c in comments if c.author_name and c.author_name.strip()}
    pattern = _mentions(names, email)
    for comment in comments:
        comment.author_email = None
        comment.author_name = ""
        comment.body = pattern.sub(ERASED, comment.body)
        for reply in comment.replies:
            redacted = pattern.sub(ERASED, reply.body)
            if redacted != reply.body:
                reply.body = redacted
                report.replies_redacted += 1
        report.comments_anonymised += 1
    for event in db.session.scalars(
            select(AuditEvent).where(func.lower(cast(AuditEvent.details, String))
                                     .contains(email))):
        event.details = _redact(event.details, email)
        report.audit_events_redacted += 1
    db.session.flush()
    # The record of the erasure names no one: only how much was changed.
    record_event(None, "privacy.erased", "privacy", None,
                 comments_anonymised=report.comments_anonymised,
                 replies_redacted=report.replies_redacted,
                 audit_events_redacted=report.audit_events_redacted)
    return report


def _redact(value: Any, email: str) -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, email) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, email) for v in value]
    if isinstance(value, str):
        return re.sub(re.escape(email), ERASED, value, flags=re.IGNORECASE)
    return value


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def subject_access(email: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about a commenter with this email, as one JSON-ready document."""
    email = _normalise(email)
    comments = _their_comments(email)
    return {
        "subject": email,
        "generated_at": _iso(now or utcnow()),
        "comments": [
            {
                "id": c.id, "page": {"title": c.page.title, "url": c.page.url},
                "author_name": c.author_name, "author_email": c.author_email,
                "body": c.body, "posted_at": _iso(c.posted_at), "received_at": _iso(c.received_at),
                "status": c.status, "urgency": c.urgency, "topic": c.topic,
                "moderation_reason": c.moderation_reason,
                "replies": [{"body": r.body, "published_at": _iso(r.published_at),
                             "midwife": r.midwife.display_name if r.midwife else None}
                            for r in c.replies if r.is_published],
            }
            for c in comments
        ],
    }
