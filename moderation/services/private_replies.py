"""Answering without publishing: a private reply by email, or closing with a reason.

A private reply goes through the outbox (plain text with an escaped HTML alternative, the
charity's signature, no images or links added, so nothing tracks the reader). The comment is
never published: it leaves the queue as "private", and the thread records the reply and, from
the outbox message, whether it was delivered.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from flask import current_app

from models import Comment, OutboxMessage, Reply, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.four_eyes import is_safeguarding, open_review, review_rule
from moderation.services.outbox import OutboxError, enqueue_email
from moderation.services.replies import (
    InvalidReply,
    check_reason,
    close_comment,
    ensure_actionable,
    normalise_body,
    reply_problems,
    response_times,
)

PRIVATE_SUBJECT = "A reply from one of our midwives"
NO_EMAIL = ("This person left no email address, so a private reply cannot reach them. "
            "Nothing was sent: publish a reply, or close the comment without publishing.")
# What the composer says about a private reply's delivery, by outbox status.
DELIVERY_WORDS = {
    "pending": "queued for sending",
    "sending": "being sent",
    "sent": "delivered to the mail server",
    "dead": "NOT delivered",
    "dropped": "NOT delivered",
}
__all__ = ["is_safeguarding"]  # re-exported for the views
HELD = "waiting for a second clinician's approval before it is sent"


def delivery_state(reply: Reply) -> str:
    """Say where a private reply is: queued, being sent, delivered or not delivered."""
    message: OutboxMessage | None = reply.outbox_message
    if message is None:
        return "withdrawn (not sent)" if reply.withdrawn_at is not None else HELD
    words = DELIVERY_WORDS.get(message.status, message.status)
    if message.status in ("dead", "dropped") and message.last_error:
        return f"{words}: {message.last_error}"
    if message.status == "pending" and message.last_error:
        return f"{words} again (the last try failed: {message.last_error})"
    return words


def email_text(body: str, signature: str) -> str:
    """The plain-text email: the reply, then the charity's signature."""
    return f"{body}\n\n-- \n{signature}\n"


def email_html(body: str, signature: str) -> str:
    """A minimal HTML alternative: escaped paragraphs, no images, links or styles."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    html_paragraphs = "".join(
        "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return (f"<!DOCTYPE html><html><body>{html_paragraphs}"
            f"<p>-- <br>{escape(signature)}</p></body></html>")


def send_private_reply(comment_id: int, user: User, body: str, *, expected_version: int,
                       now: datetime | None = None) -> Reply:
    """Email the reply to the poster through the outbox; the comment is never published."""
    now = now or utcnow()
    text = normalise_body(body)
    problems = reply_problems(text)
    if problems:
        raise InvalidReply(" ".join(problems))
    comment = ensure_actionable(comment_id, user, expected_version, now)
    address = (comment.author_email or "").strip()
    if not address:
        raise InvalidReply(NO_EMAIL)
    if "@" not in address or any(c in address for c in "\r\n"):
        raise InvalidReply(f"This email address cannot be used (Not an email address: "
                           f"{address!r}.) Nothing was sent.")

    seconds, working = response_times(comment, now)
    comment.record_first_answer(now, seconds, working)
    before, after = close_comment(comment, user, "private", now)

    reply = Reply(comment_id=comment.id, midwife_id=user.id, body=text, kind="private",
                  created_at=now, published_at=None)
    db.session.add(reply)
    db.session.flush()
    mode, category = review_rule(comment, "private")
    if mode is not None:
        open_review(reply, mode, category, now)
    if mode != "before":
        queue_private_email(reply, f"private-reply:{comment.id}:{comment.version}", now)
    record_event(user, "reply.sent_privately", "comment", comment.id, before=before,
                 after=after, reply_id=reply.id, outbox_message_id=reply.outbox_message_id,
                 response_seconds=seconds, response_working_seconds=working,
                 held_for_approval=mode == "before")
    return reply


def queue_private_email(reply: Reply, key: str, now: datetime) -> OutboxMessage:
    """Queue a private reply's email (once per key); InvalidReply if the address is unusable."""
    comment = reply.comment
    signature = current_app.config["CHARITY_SIGNATURE"]
    try:
        message = enqueue_email(
            "private_reply", (comment.author_email or "").strip(), PRIVATE_SUBJECT,
            email_text(reply.body, signature), key, now=now, comment_id=comment.id,
            user_id=reply.midwife_id)
    except OutboxError as exc:
        raise InvalidReply(f"This email address cannot be used ({exc}) Nothing was sent.") \
            from exc
    message.payload = {"html": email_html(reply.body, signature)}
    reply.outbox_message_id = message.id
    db.session.flush()
    return message


def close_without_publishing(comment_id: int, user: User, reason: str, *,
                             expected_version: int, now: datetime | None = None) -> Comment:
    """Close a comment that is dealt with but must not be published, with the reason."""
    now = now or utcnow()
    reason = check_reason(reason)
    comment = ensure_actionable(comment_id, user, expected_version, now)
    comment.moderation_reason = reason
    before, after = close_comment(comment, user, "closed", now)
    record_event(user, "comment.closed", "comment", comment.id, before=before, after=after,
                 reason=reason)
    return comment
