"""Urgent-comment alerts: who is told, when it escalates, and what stops it.

When a comment becomes urgent (`raise_urgent_alert`, called by intake and relabelling in the
same transaction), the people on call are alerted at once, or every supervisor when nobody is
on call. `run_escalations` (the worker, each loop) alerts the next person on the rota and the
supervisors when it is still unclaimed after ESCALATE_AFTER_MINUTES, and every supervisor after
ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES. A claim (`stop_escalation`, from claims) or the alert's
"I'm on it" link stops it. An alert message is never sent for a comment answered or claimed
meanwhile: `drop_reason` tells the worker why.

A message carries only the urgency, the red flags that fired, the comment's first few words
and links: never the full text nor the author's email.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from models import Comment, Escalation, OutboxMessage, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.oncall import channels_for, next_on_call, on_call_at, supervisors
from moderation.services.outbox import (
    enqueue_email,
    enqueue_webhook,
    staff_link,
    webhook_configured,
)

KIND = "urgent_alert"
FIRST_WORDS = 8
FIRST_WORDS_CHARS = 60
STEP_NAMES = {
    0: "first alert",
    1: "still unclaimed: next on the rota and supervisors",
    2: "still unclaimed: every supervisor",
}
ACK_SALT = "urgent-alert-ack"
escalations_table = Escalation.__table__


class AckError(ValueError):
    """An "I'm on it" link cannot be used; str(exc) is the message to show."""


def first_words(body: str) -> str:
    """The first few words of a comment, cut short: enough to recognise it, no more."""
    words = body.split()
    text = " ".join(words[:FIRST_WORDS])
    if len(text) > FIRST_WORDS_CHARS:
        text = text[:FIRST_WORDS_CHARS].rsplit(" ", 1)[0]
    return text + ("…" if text != " ".join(words) else "")


SAFETY_REASON = re.compile(r"^safety rule (\S+) \(([^)]*)\)")


def fired_rules(comment: Comment) -> list[str]:
    """The safety rules that fired, by name and description, without the matched words."""
    rules = []
    for reason in comment.triage_reasons or []:
        match = SAFETY_REASON.match(reason) if isinstance(reason, str) else None
        if match:
            rules.append(f"{match.group(1)} ({match.group(2)})")
    return rules


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=ACK_SALT)


def ack_token(comment_id: int, user_id: int) -> str:
    """A signed, expiring token for the "I'm on it" link of one person and comment."""
    return _serializer().dumps({"c": comment_id, "u": user_id})


def alert_content(comment: Comment, escalation: Escalation, step: int, recipient: User,
                  now: datetime) -> tuple[str, str, dict[str, Any]]:
    """Subject, plain-text body and webhook payload of one alert to one person."""
    categories = list(comment.red_flag_categories or [])
    flag = ", ".join(category.replace("_", " ") for category in categories)
    minutes = int((now - comment.received_at).total_seconds() // 60)
    prefix = {0: "URGENT comment", 1: "Still unclaimed: URGENT comment",
              2: "Nobody has claimed an URGENT comment"}[step]
    subject = f"{prefix} #{comment.id}" + (f" (red flag: {flag})" if flag else "")
    link = staff_link("replies.compose", comment_id=comment.id)
    ack = staff_link("alerts.acknowledge_link", token=ack_token(comment.id, recipient.id))
    rules = fired_rules(comment)
    lines = [
        f"An urgent comment is waiting on the moderation queue ({STEP_NAMES[step]}).",
        "",
        f"Urgency: {comment.urgency}" + (" (a safety rule fired)" if comment.red_flag else ""),
        f"Red flag: {flag or 'none recorded'}",
        *(f"Rule: {rule}" for rule in rules),
        f"Starts: \"{first_words(comment.body)}\"",
        f"Waiting: {minutes} minutes" if minutes > 0 else "Waiting: just arrived",
        "",
        f"I'm on it (signs you in and claims it): {ack}",
        f"Open it: {link}",
        "",
        "Nobody on call: this went to the supervisors." if not escalation.on_call else "",
    ]
    payload = {
        "event": KIND,
        "comment_id": comment.id,
        "urgency": comment.urgency,
        "red_flag": bool(comment.red_flag),
        "red_flag_categories": categories,
        "rules": rules,
        "first_words": first_words(comment.body),
        "received_at": comment.received_at.isoformat(),
        "escalation_step": step,
        "on_call": escalation.on_call,
        "recipient": {"name": recipient.name, "email": channels_for(recipient).email},
        "link": link,
        "ack_link": ack,
        "text": f"{subject}: \"{first_words(comment.body)}\" {link}",
    }
    return subject, "\n".join(lines).rstrip() + "\n", payload


def _alert(comment: Comment, escalation: Escalation, step: int, people: list[User],
           now: datetime) -> int:
    """Queue one message per person and channel for this step; return how many."""
    queued = 0
    for person in people:
        channels = channels_for(person)
        subject, body, payload = alert_content(comment, escalation, step, person, now)
        key = f"alert.{escalation.id}.{step}.{person.id}" + (
            f".r{escalation.round}" if escalation.round else "")
        common = {"now": now, "comment_id": comment.id, "user_id": person.id,
                  "escalation_id": escalation.id, "escalation_step": step}
        if channels.email:
            enqueue_email(KIND, channels.email, subject, body, f"{key}.email", **common)
            queued += 1
        if channels.webhook and webhook_configured():
            enqueue_webhook(KIND, payload, f"{key}.webhook", **common)
            queued += 1
    return queued


def _minutes(name: str) -> timedelta:
    return timedelta(minutes=current_app.config[name])


def raise_urgent_alert(comment: Comment, now: datetime | None = None) -> Escalation | None:
    """Start alerting about a comment that became urgent (flushed with the caller's change)."""
    now = now or utcnow()
    if comment.status != "pending" or comment.urgency != "urgent":
        return None
    existing = db.session.scalar(select(Escalation).where(Escalation.comment_id == comment.id))
    if existing is not None:
        return existing  # alerted once already: relabelling back and forth sends no more
    people = on_call_at(now)
    escalation = Escalation(comment_id=comment.id, started_at=now, on_call=bool(people),
                            step=0, next_step_at=now + _minutes("ESCALATE_AFTER_MINUTES"))
    db.session.add(escalation)
    db.session.flush()
    # Out of hours: nobody is on call, so the supervisors hear about it at once.
    _alert(comment, escalation, 0, people or supervisors(), now)
    record_event(None, "alert.raised", "comment", comment.id,
                 on_call=[person.id for person in people], out_of_hours=not people)
    return escalation


def _stop(escalation_id: int, now: datetime, reason: str, user_id: int | None = None) -> bool:
    result = db.session.execute(
        update(escalations_table)
        .where(escalations_table.c.id == escalation_id, escalations_table.c.stopped_at.is_(None))
        .values(stopped_at=now, stop_reason=reason, next_step_at=None,
                acknowledged_by_id=user_id)
    )
    return result.rowcount == 1


def stop_escalation(comment_id: int, user: User, now: datetime | None = None,
                    reason: str = "claimed") -> bool:
    """Stop alerting about a comment someone has taken on; True if it was still running."""
    now = now or utcnow()
    escalation_id = db.session.scalar(
        select(Escalation.id).where(Escalation.comment_id == comment_id,
                                    Escalation.stopped_at.is_(None)))
    if escalation_id is None:
        return False
    return _stop(escalation_id, now, f"{reason} by {user.name}", user.id)


def _settled(comment: Comment, now: datetime) -> str | None:
    """Why nobody needs alerting about this comment any more, or None."""
    if comment.status != "pending":
        return f"comment {comment.status} meanwhile"
    if comment.urgency != "urgent":
        return f"relabelled {comment.urgency} meanwhile"
    if comment.claim_is_live(now):
        holder = comment.claimed_by
        return f"claimed by {holder.name if holder else 'a midwife'} meanwhile"
    return None


def resume_lapsed(now: datetime) -> int:
    """Start alerting again about urgent comments whose claim lapsed or was released."""
    # Driven from the few pending urgent comments nobody holds (ix_comments_urgent_unclaimed).
    lapsed = db.session.scalars(
        select(Escalation).join(Comment, Comment.id == Escalation.comment_id)
        .where(Comment.status == "pending", Comment.urgency == "urgent",
               Comment.is_unclaimed(now),
               Escalation.stopped_at.is_not(None), Escalation.acknowledged_by_id.is_not(None))
    ).all()
    resumed = 0
    for escalation in lapsed:
        result = db.session.execute(
            update(escalations_table)
            .where(escalations_table.c.id == escalation.id,
                   escalations_table.c.stopped_at.is_not(None))
            .values(stopped_at=None, stop_reason=None, step=0, next_step_at=now,
                    round=escalations_table.c.round + 1)
        )
        if result.rowcount == 1:
            db.session.refresh(escalation)
            record_event(None, "alert.resumed", "comment", escalation.comment_id,
                         reason="claim lapsed or released without a reply", round=escalation.round)
            resumed += 1
    return resumed


def run_escalations(now: datetime | None = None) -> int:
    """Escalate every urgent comment left unclaimed past its next step; return how many."""
    now = now or utcnow()
    resume_lapsed(now)
    due = db.session.scalars(
        select(Escalation).where(Escalation.stopped_at.is_(None),
                                 Escalation.next_step_at <= now)
        .order_by(Escalation.next_step_at)
    ).all()
    escalated = 0
    for escalation in due:
        comment = db.session.get(Comment, escalation.comment_id, populate_existing=True)
        reason = _settled(comment, now) if comment is not None else "comment deleted"
        if reason:
            _stop(escalation.id, now, reason)
            continue
        step = escalation.step + 1
        # After a lapsed claim the 45-minute mark may be past: leave 15 minutes again.
        later = max(escalation.started_at + _minutes("ESCALATE_ALL_SUPERVISORS_AFTER_MINUTES"),
                    now + _minutes("ESCALATE_AFTER_MINUTES")) if step == 1 else None
        # Guarded on the step: two workers never both send the same step.
        moved = db.session.execute(
            update(escalations_table)
            .where(escalations_table.c.id == escalation.id,
                   escalations_table.c.step == escalation.step,
                   escalations_table.c.stopped_at.is_(None))
            .values(step=step, next_step_at=later)
        ).rowcount
        if moved != 1:
            continue
        db.session.refresh(escalation)
        bosses = supervisors()
        if step == 1:
            alerted = {person.id for person in on_call_at(escalation.started_at)}
            people = next_on_call(now, alerted) + bosses
        else:
            people = bosses
        _alert(comment, escalation, step, list({p.id: p for p in people}.values()), now)
        record_event(None, "alert.escalated", "comment", comment.id, step=step)
        escalated += 1
    return escalated


def drop_reason(message: OutboxMessage, now: datetime | None = None) -> str | None:
    """Why an urgent alert should not be sent after all (the worker checks before sending)."""
    if message.kind != KIND or message.comment_id is None:
        return None
    comment = db.session.get(Comment, message.comment_id, populate_existing=True)
    if comment is None:
        return "comment deleted"
    return _settled(comment, now or utcnow())


def acknowledge(token: str, now: datetime | None = None) -> tuple[User, Comment]:
    """Use an "I'm on it" link: claim the comment for its person and stop the escalation."""
    from moderation.services.claims import ClaimError, claim_comment

    now = now or utcnow()
    try:
        data = _serializer().loads(token, max_age=current_app.config["ACK_LINK_MAX_AGE_SECONDS"])
    except SignatureExpired as exc:
        raise AckError("This link has expired. Sign in and open the queue instead.") from exc
    except BadSignature as exc:
        raise AckError("This link is not valid. Sign in and open the queue instead.") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        raise AckError("This link's account can no longer sign in.")
    try:
        comment = claim_comment(int(data.get("c")), user, now)
    except ClaimError as exc:
        message = str(exc)
        raise AckError(message if message.endswith(".") else f"{message}.") from exc
    return user, comment


def alert_log(limit: int = 200) -> list[tuple[OutboxMessage, Escalation | None]]:
    """The latest alert messages with their escalation, newest first."""
    rows = db.session.execute(
        select(OutboxMessage, Escalation)
        .outerjoin(Escalation, Escalation.id == OutboxMessage.escalation_id)
        .where(OutboxMessage.kind == KIND)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    ).all()
    return [(message, escalation) for message, escalation in rows]


def dead_letters(limit: int = 200) -> list[OutboxMessage]:
    """Every message that could not be delivered (any kind), newest first."""
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "dead")
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    ))
