"""The safeguarding route (labelling guide: "Safeguarding flag").

The flag is raised by the rules at intake (the abuse or safeguarding red-flag category, or the
"being hurt at home" safety rule) or by a midwife. Raising it adds "safeguarding" to the
comment's red-flag categories, which blocks publishing the comment as it stands
(services/replies.py) and makes a private reply the composer's first choice; it opens one
safeguarding record per comment and emails every designated safeguarding lead through the
outbox (supervisors, when no lead is designated). Records (concern, decision, actions, outcome,
who and when) are for the leads and supervisors only, and export as CSV for the charity's
safeguarding log.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from models import Comment, SafeguardingRecord, User, db, utcnow
from moderation.formatting import london_time
from moderation.services.audit import record_event
from moderation.services.documents import csv_document
from moderation.services.outbox import enqueue_email
from moderation.services.replies import CommentGone, InvalidReply, ReplyConflict, ReplyError
from moderation.services.users import set_duty

FLAG = "safeguarding"
RULE_CATEGORIES = ("safeguarding", "abuse")
RULE_REASON = "safety rule being_hurt_at_home"
MIN_TEXT, MAX_TEXT = 3, 4000
EXPORT_COLUMNS = ("record_id", "comment_id", "page", "status", "source", "opened_at",
                  "opened_by", "concern", "decision", "actions", "outcome", "updated_at",
                  "updated_by")


class SafeguardingForbidden(ReplyError):
    """Only the safeguarding leads and supervisors read or change records."""

    status = 403


def can_read(user: User) -> bool:
    """Tell whether this person may read and update safeguarding records."""
    return bool(user.is_supervisor or user.safeguarding_lead)


def flagged_by_rules(comment: Comment) -> bool:
    """Tell whether the rules flagged the comment for safeguarding at intake."""
    categories = comment.red_flag_categories or []
    reasons = [str(reason) for reason in (comment.triage_reasons or [])]
    return (any(category in RULE_CATEGORIES for category in categories)
            or any(RULE_REASON in reason for reason in reasons))


def _recipients() -> list[User]:
    leads = list(db.session.scalars(
        select(User).where(User.safeguarding_lead.is_(True), User.active.is_(True))
        .order_by(User.id)))
    if leads:
        return leads
    return list(db.session.scalars(
        select(User).where(User.role == "supervisor", User.active.is_(True)).order_by(User.id)))


def _notify(record: SafeguardingRecord, now: datetime) -> int:
    """Email each lead (or, with none designated, each supervisor); return how many."""
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    comment = record.comment
    recipients = _recipients()
    for person in recipients:
        # The email names the record, not what the person wrote: inboxes are less private.
        body = (f"A safeguarding concern was raised ({record.source}) on a comment under "
                f"“{comment.page.title}” at {london_time(record.opened_at)}.\n\n"
                f"Read it and record the decision: {base}/safeguarding/{record.id}\n"
                f"The comment: {base}/comments/{comment.id}\n\n"
                "The comment cannot be published as it stands.\n")
        enqueue_email("safeguarding", person.email, "Safeguarding concern to review", body,
                      f"safeguarding:{record.id}:{person.id}", now=now,
                      comment_id=comment.id, user_id=person.id)
    return len(recipients)


def record_for(comment_id: int) -> SafeguardingRecord | None:
    """The comment's safeguarding record, if one was opened."""
    return db.session.scalar(
        select(SafeguardingRecord).where(SafeguardingRecord.comment_id == comment_id))


def _open(comment: Comment, actor: User | None, source: str, concern: str,
          now: datetime) -> SafeguardingRecord:
    existing = record_for(comment.id)
    if existing is not None:
        return existing
    if FLAG not in (comment.red_flag_categories or []):
        comment.red_flag_categories = [*(comment.red_flag_categories or []), FLAG]
    record = SafeguardingRecord(comment_id=comment.id, source=source, status="open",
                                concern=concern, opened_at=now, updated_at=now,
                                opened_by_id=actor.id if actor else None,
                                updated_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    notified = _notify(record, now)
    record_event(actor, "safeguarding.opened", "safeguarding_record", record.id,
                 comment_id=comment.id, source=source, notified=notified)
    return record


def open_if_flagged_by_rules(comment: Comment, now: datetime | None = None) -> \
        SafeguardingRecord | None:
    """At intake: open a record and notify the lead when the rules flagged the comment."""
    if not flagged_by_rules(comment):
        return None
    reasons = "; ".join(str(r) for r in (comment.triage_reasons or [])
                        if "safety rule" in str(r))
    concern = f"Raised by the rules: {reasons or 'abuse or safeguarding red flag'}"
    return _open(comment, None, "rules", concern, now or utcnow())


def _text(value: str | None, label: str, required: bool) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and len(value) < MIN_TEXT:
        raise InvalidReply(f"Describe the {label} ({MIN_TEXT} to {MAX_TEXT:,} characters).")
    if len(value) > MAX_TEXT:
        raise InvalidReply(f"The {label} can be at most {MAX_TEXT:,} characters (it has "
                           f"{len(value):,}). Nothing was saved.")
    return value


def raise_concern(comment_id: int, user: User, concern: str,
                  now: datetime | None = None) -> SafeguardingRecord:
    """A midwife raises the safeguarding flag on a comment, with her concern."""
    now = now or utcnow()
    concern = _text(concern, "concern", required=True)
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    existing = record_for(comment_id)
    if existing is not None:
        raise ReplyConflict("A safeguarding record is already open for this comment; the "
                            "lead has been told. Add to it there.")
    return _open(comment, user, "midwife", concern, now)


def update_record(record_id: int, user: User, *, decision: str, actions: str, outcome: str,
                  close: bool, now: datetime | None = None) -> SafeguardingRecord:
    """The lead or a supervisor records the decision, actions and outcome (audited)."""
    now = now or utcnow()
    if not can_read(user):
        raise SafeguardingForbidden("Only the safeguarding lead and supervisors can do this.")
    record = db.session.get(SafeguardingRecord, record_id, populate_existing=True)
    if record is None:
        raise CommentGone("This safeguarding record does not exist.")
    values = {"decision": _text(decision, "decision", required=False),
              "actions": _text(actions, "actions", required=False),
              "outcome": _text(outcome, "outcome", required=close)}
    before = {name: getattr(record, name) for name in (*values, "status")}
    for name, value in values.items():
        setattr(record, name, value)
    record.status = "closed" if close else "open"
    record.updated_at = now
    record.updated_by_id = user.id
    db.session.flush()
    record_event(user, "safeguarding.updated", "safeguarding_record", record.id,
                 comment_id=record.comment_id, before=before,
                 after={**values, "status": record.status})
    return record


def list_records(user: User, status: str | None = None) -> list[SafeguardingRecord]:
    """The records, newest first (only for the leads and supervisors)."""
    if not can_read(user):
        raise SafeguardingForbidden("Only the safeguarding lead and supervisors can do this.")
    query = select(SafeguardingRecord).order_by(SafeguardingRecord.opened_at.desc(),
                                                SafeguardingRecord.id.desc())
    if status in ("open", "closed"):
        query = query.where(SafeguardingRecord.status == status)
    return list(db.session.scalars(query))


def get_record(record_id: int, user: User) -> SafeguardingRecord:
    """One record, for the leads and supervisors."""
    if not can_read(user):
        raise SafeguardingForbidden("Only the safeguarding lead and supervisors can do this.")
    record = db.session.get(SafeguardingRecord, record_id)
    if record is None:
        raise CommentGone("This safeguarding record does not exist.")
    return record


def export_csv(user: User) -> str:
    """Every record as CSV for the safeguarding log (audited); no public text, no email."""
    records = list_records(user)
    rows = [(r.id, r.comment_id, r.comment.page.slug, r.status, r.source,
             london_time(r.opened_at), r.opened_by.name if r.opened_by else "rules",
             r.concern, r.decision, r.actions, r.outcome, london_time(r.updated_at),
             r.updated_by.name if r.updated_by else "") for r in records]
    record_event(user, "safeguarding.exported", "safeguarding_record", None, rows=len(records))
    return "".join(csv_document(EXPORT_COLUMNS, rows))


def set_lead(user_id: int, actor: User, lead: bool) -> User:
    """A supervisor designates (or stops designating) a safeguarding lead (audited)."""
    return set_duty(user_id, actor, "safeguarding_lead", lead, "safeguarding.lead_changed",
                    refused=SafeguardingForbidden("Only a supervisor can designate the "
                                                  "safeguarding lead."),
                    missing=CommentGone("This account does not exist."))


def staff() -> list[User]:
    """Active staff accounts, for the page where supervisors designate leads."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.name)))
