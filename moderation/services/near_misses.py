"""Near misses: a midwife raised a comment to urgent that the served triage did not call urgent.

Each near miss is recorded once, shown to supervisors in the app, and emailed through the outbox
to every supervisor and to the clinical owner (CLINICAL_OWNER_EMAIL, when set), in the same
transaction. The email carries the comment's first few words and links, never its full text.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from models import Comment, LabelCorrection, NearMiss, User, db, utcnow
from moderation.services.alerts import first_words
from moderation.services.audit import record_event
from moderation.services.oncall import channels_for, supervisors
from moderation.services.outbox import enqueue_email, staff_link

URGENT = "urgent"
KIND = "near_miss"


class NearMissError(ValueError):
    """A near-miss action was refused; str(exc) is the message to show."""


def served_urgency(comment: Comment) -> str:
    """What the served triage said: the old value of the first urgency correction, if any."""
    first = db.session.scalar(
        select(LabelCorrection.old_value)
        .where(LabelCorrection.comment_id == comment.id, LabelCorrection.field == "urgency")
        .order_by(LabelCorrection.created_at, LabelCorrection.id)
        .limit(1)
    )
    return first if first is not None else comment.urgency


def record_near_miss(comment: Comment, user: User, now: datetime | None = None
                     ) -> NearMiss | None:
    """Record a near miss when the comment is now urgent but was not served as urgent.

    Call after the midwife's correction is flushed. One near miss per comment, ever.
    """
    if comment.urgency != URGENT:
        return None
    served = served_urgency(comment)
    if served == URGENT:
        return None
    existing = db.session.scalar(select(NearMiss).where(NearMiss.comment_id == comment.id))
    if existing is not None:
        return existing
    near_miss = NearMiss(comment_id=comment.id, model_version=comment.model_version,
                         served_urgency=served, raised_by_id=user.id,
                         created_at=now or utcnow())
    db.session.add(near_miss)
    db.session.flush()
    record_event(user, "near_miss.recorded", "comment", comment.id,
                 after={"served_urgency": served, "model_version": comment.model_version})
    notify_near_miss(near_miss, comment, user)
    return near_miss


def near_miss_recipients() -> list[tuple[str, int | None]]:
    """(email, user id) of every active supervisor and the clinical owner, each address once."""
    recipients: dict[str, tuple[str, int | None]] = {}
    for person in supervisors():
        email = channels_for(person).email
        if email:
            recipients.setdefault(email.lower(), (email, person.id))
    owner = (current_app.config.get("CLINICAL_OWNER_EMAIL") or "").strip()
    if owner:
        recipients.setdefault(owner.lower(), (owner, None))
    return list(recipients.values())


def near_miss_email(near_miss: NearMiss, comment: Comment, user: User) -> tuple[str, str]:
    """Subject and plain-text body: who raised what, which model served it, first words only."""
    subject = (f"Near miss: comment #{comment.id} raised to urgent "
               f"(served {near_miss.served_urgency})")
    lines = [
        "A midwife raised a comment to urgent that triage had not called urgent.",
        "",
        f"Served as: {near_miss.served_urgency}",
        f"Model version: {near_miss.model_version or 'unknown'}",
        f"Raised by: {user.name}",
        f"Starts: \"{first_words(comment.body)}\"",
        "",
        f"Open it: {staff_link('replies.compose', comment_id=comment.id)}",
        f"Near misses and models: {staff_link('models.index')}",
    ]
    return subject, "\n".join(lines) + "\n"


def notify_near_miss(near_miss: NearMiss, comment: Comment, user: User) -> int:
    """Queue the near-miss email to each recipient (flushed; the caller commits); how many."""
    subject, body = near_miss_email(near_miss, comment, user)
    recipients = near_miss_recipients()
    for email, user_id in recipients:
        enqueue_email(KIND, email, subject, body, f"near_miss.{near_miss.id}.{email.lower()}",
                      now=near_miss.created_at, comment_id=comment.id, user_id=user_id)
    return len(recipients)


def unacknowledged_count() -> int:
    """How many near misses no supervisor has acknowledged yet."""
    return db.session.scalar(
        select(func.count()).select_from(NearMiss).where(NearMiss.acknowledged_at.is_(None))
    ) or 0


def recent_near_misses(limit: int = 50) -> list[NearMiss]:
    """The latest near misses, unacknowledged first."""
    return list(db.session.scalars(
        select(NearMiss)
        .order_by(NearMiss.acknowledged_at.is_not(None), NearMiss.created_at.desc(),
                  NearMiss.id.desc())
        .limit(limit)
    ))


def acknowledge_near_miss(near_miss_id: int, user: User, now: datetime | None = None
                          ) -> NearMiss:
    """A supervisor has read the near miss: it leaves the notice on supervisors' pages."""
    if not user.is_supervisor:
        raise NearMissError("Only a supervisor can acknowledge a near miss.")
    near_miss = db.session.get(NearMiss, near_miss_id)
    if near_miss is None:
        raise NearMissError("This near miss does not exist.")
    if near_miss.acknowledged_at is None:
        near_miss.acknowledged_at = now or utcnow()
        near_miss.acknowledged_by_id = user.id
        db.session.flush()
        record_event(user, "near_miss.acknowledged", "comment", near_miss.comment_id)
    return near_miss


def near_misses_by_model_version(start: datetime | None = None, end: datetime | None = None
                                 ) -> dict[str | None, int]:
    """Near misses recorded in [start, end), counted per model version that served them."""
    query = select(NearMiss.model_version, func.count()).group_by(NearMiss.model_version)
    if start is not None:
        query = query.where(NearMiss.created_at >= start)
    if end is not None:
        query = query.where(NearMiss.created_at < end)
    return {version: count for version, count in db.session.execute(query)}
