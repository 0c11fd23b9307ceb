"""The outbox: every email and webhook call the app sends is first a row, then a delivery.

Public API (callers flush with their own change and commit once, so a message exists exactly
when the change that caused it does):

- `enqueue_email(kind, to, subject, body, key, ...)`: an email to one address.
- `enqueue_webhook(kind, payload, key, ...)`: a signed JSON POST to the configured webhook.
- `retry_message(message_id, actor)`: put a dead (or dropped) message back in the queue.

`key` is the idempotency key: unique per message, so enqueuing the same message twice is a
no-op, and it travels with the message (Message-ID and X-Idempotency-Key for email, an
Idempotency-Key header for webhooks) so receivers can drop the rare duplicate a crash between
sending and marking can cause. Private replies, password resets and invitations use the same
two functions with their own `kind`.

The worker (`flask --app wsgi worker`) calls `claim_next_message`, commits (the lease is now
visible to other workers), calls `send_message` outside any database write, then
`record_outcome`, and commits again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from models import OutboxMessage, User, db, utcnow
from moderation.services.audit import record_event

log = logging.getLogger(__name__)
outbox_table = OutboxMessage.__table__
WEBHOOK_ENDPOINT = "alerts"
# Webhook answers that mean "try again later"; other 4xx answers will never succeed.
RETRYABLE_HTTP = {408, 409, 425, 429}


class OutboxError(ValueError):
    """A message cannot be queued or retried; str(exc) is the message to show."""


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: delivered, or failed (permanently or for now)."""

    delivered: bool
    error: str | None = None
    permanent: bool = False
    dropped: bool = False


def _existing(key: str) -> OutboxMessage | None:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def _enqueue(message: OutboxMessage) -> OutboxMessage:
    existing = _existing(message.idempotency_key)
    if existing is not None:
        return existing
    db.session.add(message)
    db.session.flush()
    return message


def staff_link(endpoint: str, **values: Any) -> str:
    """An absolute link into the back-office for an email (BASE_URL and the endpoint's path)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path


def enqueue_email(kind: str, to: str, subject: str, body: str, key: str, *,
                  now: datetime | None = None, comment_id: int | None = None,
                  user_id: int | None = None, escalation_id: int | None = None,
                  escalation_step: int | None = None) -> OutboxMessage:
    """Queue a plain-text email to one address (flushed; the caller commits)."""
    if not to or "@" not in to or "\n" in to or "\r" in to:
        raise OutboxError(f"Not an email address: {to!r}.")
    if "\n" in subject or "\r" in subject:
        raise OutboxError("An email subject must be one line.")
    now = now or utcnow()
    return _enqueue(OutboxMessage(
        kind=kind, channel="email", recipient=to, subject=subject, body=body, payload={},
        idempotency_key=key, status="pending", attempts=0, next_attempt_at=now,
        created_at=now, comment_id=comment_id, user_id=user_id, escalation_id=escalation_id,
        escalation_step=escalation_step,
    ))


def webhook_configured() -> bool:
    """Tell whether a webhook URL is set (without one, no webhook message is queued)."""
    return bool(current_app.config.get("ALERT_WEBHOOK_URL"))


def enqueue_webhook(kind: str, payload: dict[str, Any], key: str, *,
                    now: datetime | None = None, comment_id: int | None = None,
                    user_id: int | None = None, escalation_id: int | None = None,
                    escalation_step: int | None = None) -> OutboxMessage:
    """Queue a signed JSON POST to the configured webhook (flushed; the caller commits)."""
    now = now or utcnow()
    json.dumps(payload)  # refuse what cannot be sent now, not at delivery
    return _enqueue(OutboxMessage(
        kind=kind, channel="webhook", recipient=WEBHOOK_ENDPOINT, subject="", body="",
        payload=payload, idempotency_key=key, status="pending", attempts=0,
        next_attempt_at=now, created_at=now, comment_id=comment_id, user_id=user_id,
        escalation_id=escalation_id, escalation_step=escalation_step,
    ))


# --- Claiming and recording (the worker) --------------------------------------------------

def _due(now: datetime) -> Any:
    """Pending and due, or stuck in "sending" by a worker whose lease ran out (it crashed)."""
    return or_(
        and_(outbox_table.c.status == "pending", outbox_table.c.next_attempt_at <= now),
        and_(outbox_table.c.status == "sending", outbox_table.c.lease_expires_at < now),
    )


def claim_next_message(owner: str, now: datetime | None = None) -> OutboxMessage | None:
    """Lease the next due message to `owner` (flushed; commit before sending), or None."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    candidate = (select(outbox_table.c.id).where(_due(now))
                 .order_by(outbox_table.c.next_attempt_at, outbox_table.c.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        # Several workers: a row another worker is claiming is skipped, not waited for.
        candidate = candidate.with_for_update(skip_locked=True)
    # One guarded statement, as in take-next: the outer WHERE repeats the condition, so a
    # message claimed meanwhile is never leased twice (SQLite serialises the writers).
    claimed_id = db.session.execute(
        update(outbox_table)
        .where(outbox_table.c.id == candidate.scalar_subquery(), _due(now))
        .values(status="sending", lease_owner=owner, lease_expires_at=now + lease,
                attempts=outbox_table.c.attempts + 1, sent_at=now)
        .returning(outbox_table.c.id)
    ).scalar_one_or_none()
    if claimed_id is None:
        return None
    return db.session.get(OutboxMessage, claimed_id, populate_existing=True)


def backoff_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: half the doubled delay plus a random half."""
    config = current_app.config
    delay = min(config["OUTBOX_BACKOFF_MAX_SECONDS"],
                config["OUTBOX_BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def record_outcome(message_id: int, owner: str, outcome: Outcome,
                   now: datetime | None = None) -> str | None:
    """Mark a leased message sent, dropped, retried later or dead; return its new status.

    Returns None when `owner` no longer holds the lease (another worker took it over).
    """
    now = now or utcnow()
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        return None
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    if outcome.delivered:
        values: dict[str, Any] = {"status": "sent", "delivered_at": now, "last_error": None}
    elif outcome.dropped:
        values = {"status": "dropped", "last_error": outcome.error}
    elif outcome.permanent or message.attempts >= max_attempts:
        values = {"status": "dead", "last_error": outcome.error}
    else:
        values = {"status": "pending", "last_error": outcome.error,
                  "next_attempt_at": now + backoff_delay(message.attempts)}
    values |= {"lease_owner": None, "lease_expires_at": None}
    result = db.session.execute(
        update(outbox_table)
        .where(outbox_table.c.id == message_id, outbox_table.c.status == "sending",
               outbox_table.c.lease_owner == owner)
        .values(**values)
    )
    if result.rowcount != 1:
        log.warning("outbox message %s: lease lost before its outcome was recorded", message_id)
        return None
    level = logging.INFO if outcome.delivered else logging.WARNING
    log.log(level, "outbox message %s (%s %s to %s): %s%s", message_id, message.kind,
            message.channel, message.recipient, values["status"],
            f" ({outcome.error})" if outcome.error else "")
    db.session.expire(message)
    return values["status"]


def retry_message(message_id: int, actor: User, now: datetime | None = None) -> OutboxMessage:
    """Send a dead or dropped message again, from a fresh count of attempts (audited)."""
    now = now or utcnow()
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        raise OutboxError("This message no longer exists.")
    if message.status not in ("dead", "dropped"):
        raise OutboxError(f"Only a dead or dropped message can be retried (this one is "
                          f"{message.status}).")
    before = {"status": message.status, "attempts": message.attempts,
              "last_error": message.last_error}
    result = db.session.execute(
        update(outbox_table)
        .where(outbox_table.c.id == message_id, outbox_table.c.status == message.status)
        .values(status="pending", attempts=0, next_attempt_at=now)
    )
    if result.rowcount != 1:
        raise OutboxError("This message changed just now. Please look again.")
    record_event(actor, "outbox.retried", "outbox_message", message_id, before=before,
                 after={"status": "pending"})
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


# --- Channels -------------------------------------------------------------------------------

def message_id_header(key: str) -> str:
    """The email Message-ID derived from the idempotency key (the same on every retry)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@midwife-replies.outbox>"


def send_email(message: OutboxMessage) -> Outcome:
    """Hand one email to the SMTP server (smtplib; STARTTLS or TLS and login when set)."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["SMTP_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id_header(message.idempotency_key)
    email["X-Idempotency-Key"] = message.idempotency_key
    email.set_content(message.body)
    if message.payload.get("html"):
        # An HTML alternative built by the caller from escaped text (private replies).
        email.add_alternative(message.payload["html"], subtype="html")
    security = config["SMTP_SECURITY"].lower()
    timeout = config["SMTP_TIMEOUT_SECONDS"]
    try:
        if security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout,
                context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                server.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            server.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return Outcome(False, f"SMTP refused the recipient: {codes}",
                       permanent=all(500 <= code < 600 for code in codes))
    except smtplib.SMTPResponseException as exc:
        # 5xx is a refusal that will not change on retry (550 no such user, 554 rejected).
        return Outcome(False, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                       permanent=500 <= exc.smtp_code < 600 and exc.smtp_code != 535)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, f"SMTP server unreachable or failed: {exc.__class__.__name__}: "
                              f"{exc}")
    return Outcome(True)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as the X-Webhook-Signature header carries it."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send_webhook(message: OutboxMessage) -> Outcome:
    """POST the message's JSON payload, signed, to the configured webhook URL."""
    config = current_app.config
    url = config.get("ALERT_WEBHOOK_URL")
    if not url:
        return Outcome(False, "No webhook URL is configured (ALERT_WEBHOOK_URL).",
                       permanent=True)
    body = json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "midwife-replies-outbox",
               "Idempotency-Key": message.idempotency_key, "X-Webhook-Timestamp": timestamp}
    if config.get("ALERT_WEBHOOK_SECRET"):
        headers["X-Webhook-Signature"] = webhook_signature(
            config["ALERT_WEBHOOK_SECRET"], timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=config["WEBHOOK_TIMEOUT_SECONDS"]) as answer:
            answer.read(1024)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in RETRYABLE_HTTP
        return Outcome(False, f"webhook answered HTTP {exc.code}", permanent=permanent)
    except (OSError, ValueError) as exc:  # refused, timed out, bad URL
        return Outcome(False, f"webhook unreachable: {exc.__class__.__name__}: {exc}")
    return Outcome(True)


SENDERS: dict[str, Callable[[OutboxMessage], Outcome]] = {
    "email": send_email,
    "webhook": send_webhook,
}


def send_message(message: OutboxMessage,
                 drop_reason: Callable[[OutboxMessage], str | None] | None = None) -> Outcome:
    """Deliver one leased message on its channel, unless it is no longer wanted."""
    if drop_reason is not None:
        reason = drop_reason(message)
        if reason:
            return Outcome(False, reason, dropped=True)
    sender = SENDERS.get(message.channel)
    if sender is None:
        return Outcome(False, f"Unknown channel {message.channel!r}.", permanent=True)
    return sender(message)
