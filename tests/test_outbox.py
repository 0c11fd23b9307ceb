"""The outbox: messages are queued once, leased to one worker, retried with backoff, kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, OutboxMessage, db, utcnow
from moderation.services.outbox import (
    OutboxError,
    Outcome,
    backoff_delay,
    claim_next_message,
    enqueue_email,
    enqueue_webhook,
    record_outcome,
    retry_message,
)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_queuing_the_same_message_twice_keeps_one(app):
    first = enqueue_email("invitation", "new@example.test", "Welcome", "Hello", "invite-7")
    again = enqueue_email("invitation", "new@example.test", "Welcome", "Hello", "invite-7")
    db.session.commit()
    assert first.id == again.id and count() == 1


def test_a_message_is_written_with_the_change_that_caused_it_or_not_at_all(app):
    enqueue_webhook("urgent_alert", {"event": "test"}, "rolled-back")
    db.session.rollback()  # the change failed: its message never existed
    assert count() == 0


@pytest.mark.parametrize("to, subject", [
    ("not-an-address", "Hello"),
    ("a@example.test\nBcc: everyone@example.test", "Hello"),
    ("a@example.test", "Hello\r\nBcc: everyone@example.test"),
])
def test_header_injection_and_bad_addresses_are_refused(app, to, subject):
    with pytest.raises(OutboxError):
        enqueue_email("private_reply", to, subject, "Body", "bad-1")
    assert count() == 0


def test_a_leased_message_is_not_handed_to_another_worker_until_the_lease_runs_out(app):
    now = utcnow()
    enqueue_email("password_reset", "sam@example.test", "Reset", "Body", "reset-1", now=now)
    db.session.commit()
    leased = claim_next_message("worker-a", now)
    db.session.commit()
    assert leased.status == "sending" and leased.attempts == 1
    assert claim_next_message("worker-b", now + timedelta(seconds=59)) is None
    taken_over = claim_next_message("worker-b", now + timedelta(seconds=61))
    db.session.commit()
    assert taken_over.lease_owner == "worker-b" and taken_over.attempts == 2
    # The first worker's late answer is not recorded: the message is no longer its to mark.
    assert record_outcome(leased.id, "worker-a", Outcome(True)) is None
    assert record_outcome(leased.id, "worker-b", Outcome(True)) == "sent"


def test_a_failed_message_waits_longer_after_each_try(app):
    delays = [backoff_delay(attempt).total_seconds() for attempt in range(1, 6)]
    base = app.config["OUTBOX_BACKOFF_SECONDS"]
    for attempt, delay in enumerate(delays, start=1):
        full = min(app.config["OUTBOX_BACKOFF_MAX_SECONDS"], base * 2 ** (attempt - 1))
        assert full / 2 <= delay <= full  # jitter: never all retries at the same moment
    assert backoff_delay(50).total_seconds() <= app.config["OUTBOX_BACKOFF_MAX_SECONDS"]


def test_a_message_not_yet_due_is_not_claimed(app):
    now = utcnow()
    enqueue_email("private_reply", "a@example.test", "Re", "Body", "later-1",
                  now=now + timedelta(minutes=5))
    db.session.commit()
    assert claim_next_message("w", now) is None


def test_a_supervisor_can_send_a_dead_message_again_and_it_is_audited(app, supervisor):
    now = utcnow()
    message = enqueue_email("password_reset", "sam@example.test", "Reset", "Body", "dead-1",
                            now=now)
    db.session.commit()
    claim_next_message("w", now)
    db.session.commit()
    assert record_outcome(message.id, "w", Outcome(False, "550 no such user", permanent=True),
                          now) == "dead"
    db.session.commit()
    retried = retry_message(message.id, supervisor, now + timedelta(hours=1))
    db.session.commit()
    assert (retried.status, retried.attempts) == ("pending", 0)
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_type == "outbox_message")) == "outbox.retried"
    with pytest.raises(OutboxError, match="Only a dead or dropped"):
        retry_message(message.id, supervisor)
