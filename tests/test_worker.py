"""The worker delivers the outbox to real servers: once per person, through crashes and faults."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Comment, Escalation, OutboxMessage, WorkerHeartbeat, db, utcnow
from moderation.commands.worker import deliver_due, run_once
from moderation.services.alerts import raise_urgent_alert
from moderation.services.intake import new_form_token, receive_comment
from moderation.services.outbox import (
    claim_next_message,
    enqueue_email,
    enqueue_webhook,
    send_message,
)
from moderation.services.spool import spool_public_comment
from tests.alerting_servers import WebhookReceiver, free_port, running_smtp

SECRET = "webhook-test-secret"
URGENT_BODY = ("I am soaking a pad every half hour since this morning and I feel faint "
               "when I stand up, please tell me what to do")


@pytest.fixture
def smtp():
    with running_smtp() as server:
        yield server


@pytest.fixture
def webhook():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def app_config(app_config, smtp, webhook):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port,
            "ALERT_WEBHOOK_URL": webhook.url, "ALERT_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_TIMEOUT_SECONDS": 0.5, "SMTP_TIMEOUT_SECONDS": 2,
            "BASE_URL": "https://moderation.example.org", "OUTBOX_MAX_ATTEMPTS": 4}


def statuses() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def post_urgent_comment(author_email: str = "worried@example.net"):
    data = {"page": {"slug": "after-a-miscarriage", "title": "After a miscarriage",
                     "url": "https://www.example.org/after-a-miscarriage"},
            "author_name": "Dee", "author_email": author_email, "body": URGENT_BODY,
            "external_id": "site-42"}
    comment = receive_comment(data, None).comment
    db.session.commit()
    return comment


def test_an_urgent_comment_reaches_the_supervisor_by_email_and_webhook_in_one_pass(
        app, supervisor, smtp, webhook):
    comment = post_urgent_comment()
    assert comment.urgency == "urgent"
    # Nobody is on call (no rota): the supervisor is alerted, by email (her default channel).
    counts = run_once("worker-test")
    assert counts == {"sent": 1}
    [(recipients, message)] = smtp.wait_for(1)
    assert recipients == [supervisor.email]
    assert "URGENT" in message["Subject"]
    text = message.get_payload()
    assert URGENT_BODY not in text and "worried@example.net" not in text
    assert "I am soaking a pad every half hour" in text
    assert f"https://moderation.example.org/comments/{comment.id}" in text
    escalation_id = db.session.scalar(select(Escalation.id))
    assert message["X-Idempotency-Key"] == f"alert.{escalation_id}.0.{supervisor.id}.email"


def test_a_new_urgent_comment_goes_out_on_both_channels_with_a_verifiable_signature(
        app, supervisor, smtp, webhook):
    from models import AlertChannel
    db.session.add(AlertChannel(user_id=supervisor.id, email="helen.oncall@example.test",
                                email_enabled=True, webhook_enabled=True))
    db.session.commit()
    comment = post_urgent_comment()
    assert run_once("worker-test") == {"sent": 2}
    [(recipients, _)] = smtp.wait_for(1)
    assert recipients == ["helen.oncall@example.test"]
    [call] = webhook.calls
    timestamp = call.headers["X-Webhook-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + call.body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(call.headers["X-Webhook-Signature"], expected)
    assert call.headers["Idempotency-Key"].endswith(".webhook")
    payload = call.json
    assert payload["comment_id"] == comment.id and payload["urgency"] == "urgent"
    assert payload["red_flag"] == comment.red_flag
    assert payload["red_flag_categories"] == comment.red_flag_categories
    assert URGENT_BODY not in call.body.decode()
    assert "worried@example.net" not in call.body.decode()


def test_smtp_down_for_a_while_then_up_delivers_exactly_one_email_per_recipient(
        app, make_user, make_comment, smtp):
    bosses = [make_user("supervisor") for _ in range(3)]
    comment = make_comment("Bleeding heavily and dizzy", urgency="urgent")
    smtp.stop()
    now = utcnow()
    raise_urgent_alert(comment, now)
    db.session.commit()
    assert deliver_due("worker-a", now) == {"pending": 3}
    assert all(status == "pending" for status in statuses())
    # Still down a while later: retried, still waiting.
    later = now + timedelta(hours=1)
    assert deliver_due("worker-a", later) == {"pending": 3}
    smtp.start()
    assert deliver_due("worker-a", later + timedelta(hours=1)) == {"sent": 3}
    assert deliver_due("worker-a", later + timedelta(hours=2)) == {}
    assert sorted(smtp.recipients()) == sorted(boss.email for boss in bosses)


def test_a_worker_killed_between_sending_and_marking_causes_at_most_one_duplicate_with_the_same_key(
        app, supervisor, make_comment, smtp):
    comment = make_comment("Soaking pads, feel faint", urgency="urgent")
    now = utcnow()
    raise_urgent_alert(comment, now)
    db.session.commit()
    message = claim_next_message("worker-that-dies", now)
    db.session.commit()
    assert send_message(message).delivered
    db.session.rollback()  # the worker dies here: nothing records the delivery
    assert statuses() == ["sending"]
    # Another worker waits for the lease to run out, then sends it again, once.
    assert deliver_due("worker-b", now + timedelta(seconds=30)) == {}
    assert deliver_due("worker-b", now + timedelta(minutes=2)) == {"sent": 1}
    assert deliver_due("worker-b", now + timedelta(minutes=30)) == {}
    received = smtp.wait_for(2)
    assert len(received) == 2
    assert received[0][1]["Message-ID"] == received[1][1]["Message-ID"]
    assert received[0][1]["X-Idempotency-Key"] == received[1][1]["X-Idempotency-Key"]
    assert statuses() == ["sent"]


def test_a_webhook_answering_500_is_retried_until_it_accepts(app, webhook):
    now = utcnow()
    enqueue_webhook("urgent_alert", {"event": "test"}, "hook-500", now=now)
    db.session.commit()
    webhook.status = 500
    assert deliver_due("w", now) == {"pending": 1}
    message = db.session.scalar(select(OutboxMessage))
    assert "HTTP 500" in message.last_error and message.next_attempt_at > now
    webhook.status = 204
    assert deliver_due("w", now + timedelta(hours=1)) == {"sent": 1}
    assert len(webhook.calls) == 2
    assert webhook.calls[0].headers["Idempotency-Key"] == webhook.calls[1].headers[
        "Idempotency-Key"]


def test_a_webhook_that_times_out_is_retried(app, webhook):
    now = utcnow()
    enqueue_webhook("urgent_alert", {"event": "test"}, "hook-slow", now=now)
    db.session.commit()
    webhook.delay = 1.5  # longer than WEBHOOK_TIMEOUT_SECONDS
    assert deliver_due("w", now) == {"pending": 1}
    assert "unreachable" in db.session.scalar(select(OutboxMessage.last_error))
    webhook.delay = 0
    assert deliver_due("w", now + timedelta(hours=1)) == {"sent": 1}


def test_a_message_is_dead_after_the_set_number_of_tries(app):
    app.config["SMTP_PORT"] = free_port()  # nothing listens there: every try fails
    now = utcnow()
    enqueue_email("password_reset", "sam@example.test", "Reset", "Body", "reset-1", now=now)
    db.session.commit()
    results = [deliver_due("w", now + timedelta(days=day)) for day in range(6)]
    assert results[:3] == [{"pending": 1}] * 3
    assert results[3] == {"dead": 1}
    assert results[4:] == [{}, {}]
    message = db.session.scalar(select(OutboxMessage))
    assert message.attempts == 4 and "SMTP server unreachable" in message.last_error


def test_an_smtp_server_refusing_the_message_makes_it_dead_at_once_with_the_reason(app, smtp):
    smtp.handler.refuse = "554 5.7.1 Message rejected"
    now = utcnow()
    enqueue_email("urgent_alert", "sam@example.test", "Alert", "Body", "refused-1", now=now)
    db.session.commit()
    assert deliver_due("w", now) == {"dead": 1}
    assert "554" in db.session.scalar(select(OutboxMessage.last_error))


def _race(app, workers: int, owner_prefix: str) -> list[dict[str, int]]:
    results: list[dict[str, int]] = [{} for _ in range(workers)]
    barrier = threading.Barrier(workers)

    def work(index: int) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            results[index] = deliver_due(f"{owner_prefix}-{index}")
            db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.committed
def test_two_workers_at_once_never_deliver_one_message_twice(app, smtp):
    now = utcnow()
    for n in range(30):
        enqueue_email("urgent_alert", f"person{n}@example.test", "Alert", "Body", f"race-{n}",
                      now=now)
    db.session.commit()
    results = _race(app, 2, "racer")
    assert sum(result.get("sent", 0) for result in results) == 30
    received = smtp.wait_for(30)
    assert sorted(smtp.recipients()) == sorted(f"person{n}@example.test" for n in range(30))
    assert len({message["Message-ID"] for _, message in received}) == 30
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 30


def test_flask_worker_once_delivers_and_reports(app, runner, supervisor, make_comment, smtp):
    comment = make_comment("Heavy bleeding now", urgency="urgent")
    raise_urgent_alert(comment)
    db.session.commit()
    address = supervisor.email
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output
    assert smtp.recipients() == [address]
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_a_webhook_refusing_the_call_with_a_4xx_is_dead_at_once(app, webhook):
    webhook.status = 410
    now = utcnow()
    enqueue_webhook("urgent_alert", {"event": "test"}, "hook-gone", now=now)
    db.session.commit()
    assert deliver_due("w", now) == {"dead": 1}
    assert db.session.scalar(select(OutboxMessage.last_error)) == "webhook answered HTTP 410"


@pytest.mark.committed
def test_a_worker_process_killed_mid_delivery_is_followed_by_one_resend_with_the_same_key(
        app, database_url, triage_model_path, tmp_path, supervisor, make_comment, smtp):
    """A real `flask worker` process is SIGKILLed while the SMTP server holds its message."""
    comment = make_comment("Soaking pads and faint", urgency="urgent")
    raise_urgent_alert(comment)
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
           "TRIAGE_MODEL_PATH": str(triage_model_path), "MODERATION_INSTANCE_DIR": str(tmp_path),
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "OUTBOX_LEASE_SECONDS": "1"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "worker", "--once"]
    root = Path(__file__).resolve().parent.parent
    doomed = subprocess.Popen(flask, cwd=root, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    # The server has the whole message; the worker dies before it hears "250 OK".
    original = smtp.handler.handle_DATA

    async def kill_then_accept(server, session, envelope):
        answer = await original(server, session, envelope)
        os.kill(doomed.pid, signal.SIGKILL)
        return answer

    smtp.handler.handle_DATA = kill_then_accept
    assert doomed.wait(timeout=60) == -signal.SIGKILL
    smtp.handler.handle_DATA = original
    db.session.expire_all()
    assert statuses() == ["sending"]
    time.sleep(1.2)  # let the one-second lease of the dead worker run out
    survivor = subprocess.run(flask, cwd=root, env=env, capture_output=True, text=True,
                              timeout=60)
    assert survivor.returncode == 0, survivor.stderr
    db.session.expire_all()
    assert statuses() == ["sent"]
    received = smtp.messages
    assert len(received) == 2
    assert received[0][1]["X-Idempotency-Key"] == received[1][1]["X-Idempotency-Key"]


def test_flask_worker_refuses_a_poll_interval_that_is_not_a_positive_number(app, runner):
    result = runner.invoke(args=["worker", "--once", "--poll", "-1"])
    assert result.exit_code == 2 and "--poll" in result.output


def test_a_worker_pass_reports_its_heartbeat_for_readyz(app):
    run_once("outbox@test-host:1")
    beat = db.session.get(WorkerHeartbeat, "outbox@test-host:1")
    assert beat is not None and beat.kind == "outbox"


def test_a_worker_pass_stores_the_comments_spooled_while_the_database_was_down(
        app, make_page, tmp_path):
    make_page("after-a-miscarriage", "After a miscarriage")
    db.session.commit()
    app.config["SPOOL_DIR"] = str(tmp_path / "spool")
    spool_public_comment(tmp_path / "spool", "after-a-miscarriage", "Jo", None,
                         "Kept on disk while the database was away.", new_form_token())
    counts = run_once("outbox@test-host:2")
    assert counts.get("replayed") == 1
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.body == "Kept on disk while the database was away.")) == 1
    assert list((tmp_path / "spool").glob("*.json")) == []
