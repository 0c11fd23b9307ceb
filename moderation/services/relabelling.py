"""Relabelling: a midwife corrects the model's urgency or topic of a comment.

Each changed field is kept as a LabelCorrection (who, when, old, new), which `flask triage
train` reads back as a training example. A new urgency also moves the reply deadline, so the
queue re-sorts at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from classifier.labels import TOPICS, URGENCIES
from models import Comment, LabelCorrection, User, db, utcnow
from moderation.services.alerts import raise_urgent_alert
from moderation.services.audit import record_event
from moderation.services.near_misses import record_near_miss
from moderation.services.settings import current_policy
from moderation.services.working_hours import reply_due_at


class RelabelError(ValueError):
    """A correction was refused; str(exc) is the message to show."""


class StaleLabels(RelabelError):
    """The comment changed since the midwife's form was built."""


def _check_labels(urgency: str | None, topic: str | None) -> None:
    if urgency is not None and urgency not in URGENCIES:
        raise RelabelError(f"Unknown urgency {urgency!r}: choose one of {', '.join(URGENCIES)}.")
    if topic is not None and topic not in TOPICS:
        raise RelabelError(f"Unknown topic {topic!r}: choose one of {', '.join(TOPICS)}.")


def _relabellable(comment_id: int, user: User, expected_version: int | None,
                  now: datetime) -> Comment:
    """The comment, when it is pending, unchanged since the form and not held by another."""
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise RelabelError("This comment no longer exists.")
    if expected_version is not None and comment.version != expected_version:
        raise StaleLabels("Someone changed this comment while you were looking at it. "
                          "Its labels are shown as they are now; please check them again.")
    if comment.status != "pending":
        raise RelabelError(f"This comment is already {comment.status}: its labels are final.")
    if comment.claim_is_live(now) and comment.claimed_by_id != user.id:
        holder = comment.claimed_by.display_name if comment.claimed_by else "another midwife"
        raise RelabelError(f"Being answered by {holder}: only she can change its labels now.")
    return comment


def relabel_comment(comment_id: int, user: User, *, urgency: str | None = None,
                    topic: str | None = None, expected_version: int | None = None,
                    now: datetime | None = None) -> Comment:
    """Correct a comment's urgency and/or topic, recording each change; unchanged is a no-op."""
    _check_labels(urgency, topic)
    now = now or utcnow()
    comment = _relabellable(comment_id, user, expected_version, now)
    changes = {name: value for name, value in (("urgency", urgency), ("topic", topic))
               if value is not None and value != getattr(comment, name)}
    if not changes:
        return comment

    before = {"urgency": comment.urgency, "topic": comment.topic, "due_at": comment.due_at,
              "urgent_probability": comment.urgent_probability}
    for name, value in changes.items():
        db.session.add(LabelCorrection(comment_id=comment.id, user_id=user.id, field=name,
                                       old_value=getattr(comment, name), new_value=value,
                                       created_at=now))
        setattr(comment, name, value)
    if "urgency" in changes:
        comment.due_at = reply_due_at(comment.received_at, comment.urgency, current_policy())
        if comment.urgency == "urgent":
            # A midwife's "urgent" outranks the model's doubt within the same deadline.
            comment.urgent_probability = 1.0
    try:
        # An ORM flush: the version check refuses to overwrite a concurrent change.
        db.session.flush()
    except StaleDataError as exc:
        raise StaleLabels("Someone changed this comment at the same moment. Please check its "
                          "labels again.") from exc
    record_event(user, "comment.relabelled", "comment", comment.id, before=before,
                 after={"urgency": comment.urgency, "topic": comment.topic,
                        "due_at": comment.due_at,
                        "urgent_probability": comment.urgent_probability})
    if changes.get("urgency") == "urgent":
        record_near_miss(comment, user, now)  # served below urgent: a missed emergency
        raise_urgent_alert(comment, now)
    return comment
