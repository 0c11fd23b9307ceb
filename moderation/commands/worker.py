"""`flask worker`: deliver the outbox, run the escalation timer and replay the public spool."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from datetime import datetime, timedelta
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext

from models import db, utcnow
from moderation.services.alerts import drop_reason, run_escalations
from moderation.services.health import record_worker_heartbeat
from moderation.services.outbox import claim_next_message, record_outcome, send_message
from moderation.services.privacy import RetentionPolicy, purge_if_due
from moderation.services.reports.rollups import roll_up_due
from moderation.services.settings import current_policy
from moderation.services.spool import replay_spool

log = logging.getLogger(__name__)
# Messages delivered per pass at most, so escalations are checked again between long batches.
MAX_PER_PASS = 500
# Report days rolled up per pass at most: a first pass over two years stays a few seconds.
ROLLUP_DAYS_PER_PASS = 31


def worker_id() -> str:
    """A name for this worker's leases: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def escalate(now: datetime | None = None) -> int:
    """Run the escalation timer once and commit; return how many comments escalated."""
    try:
        escalated = run_escalations(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return escalated


def deliver_due(owner: str, now: datetime | None = None,
                limit: int = MAX_PER_PASS) -> dict[str, int]:
    """Deliver every due message once (lease, commit, send, record, commit); count outcomes."""
    counts: dict[str, int] = {}
    for _ in range(limit):
        moment = now or utcnow()
        message = claim_next_message(owner, moment)
        db.session.commit()  # the lease is visible before anything leaves the app
        if message is None:
            break
        outcome = send_message(message, partial(drop_reason, now=moment))
        status = record_outcome(message.id, owner, outcome, now or utcnow())
        db.session.commit()
        counts[status or "lease_lost"] = counts.get(status or "lease_lost", 0) + 1
    return counts


def scheduled_purge(now: datetime | None = None) -> int | None:
    """Run the retention purge if PRIVACY_PURGE_INTERVAL_HOURS have passed; commit.

    Returns how many emails and comments it removed, or None when it was not due.
    """
    config = current_app.config
    policy = RetentionPolicy(email_days=config["PRIVACY_EMAIL_RETENTION_DAYS"],
                             unpublished_days=config["PRIVACY_UNPUBLISHED_RETENTION_DAYS"])
    try:
        report = purge_if_due(policy, timedelta(hours=config["PRIVACY_PURGE_INTERVAL_HOURS"]),
                              now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if report is None:
        return None
    for line in report.lines():
        log.info("scheduled retention purge: %s", line)
    return report.emails_removed + report.unpublished_comments_deleted


def roll_up_reports(now: datetime | None = None) -> int:
    """Roll up the reports' finished days not rolled up yet (a few per pass); commit."""
    try:
        rolled = roll_up_due(current_policy().timezone, now, limit=ROLLUP_DAYS_PER_PASS)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return rolled


def run_once(owner: str, now: datetime | None = None) -> dict[str, int]:
    """One pass: say it is alive, store spooled comments, escalate, deliver, purge if due."""
    record_worker_heartbeat(owner, kind="outbox", now=now)
    db.session.commit()
    replayed = replay_spool(current_app._get_current_object())
    escalated = escalate(now)
    counts = deliver_due(owner, now)
    # After the alerts and emails: a slow purge never delays them.
    purged = scheduled_purge(now)
    if purged:
        counts["purged"] = purged
    rolled = roll_up_reports(now)
    if rolled:  # housekeeping, logged rather than counted with the deliveries
        log.info("report days rolled up: %d", rolled)
    if escalated:
        counts["escalated"] = escalated
    if replayed:
        counts["replayed"] = replayed
    return counts


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one pass and exit (for tests and cron).")
@click.option("--poll", type=click.FloatRange(min=0.05), default=None,
              help="Seconds between passes (default: OUTBOX_POLL_SECONDS).")
@with_appcontext
def worker_command(once: bool, poll: float | None) -> None:
    """Deliver queued emails and webhooks, retry failures and escalate unclaimed urgent comments."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    owner = worker_id()
    interval = poll if poll is not None else current_app.config["OUTBOX_POLL_SECONDS"]
    stopping = {"now": False}

    def stop(signum, frame) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"worker {owner}: polling every {interval:g} s")
    while True:
        try:
            counts = run_once(owner)
        except Exception:  # a database hiccup must not stop the alerts for good
            log.exception("worker pass failed; trying again after the poll interval")
            db.session.rollback()
            counts = {}
        finally:
            db.session.remove()
        if counts and (once or any(counts.values())):
            click.echo("  " + ", ".join(f"{name}: {n}" for name, n in sorted(counts.items())))
        if once or stopping["now"]:
            break
        deadline = time.monotonic() + interval
        while not stopping["now"] and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
    click.echo(f"worker {owner}: stopped")
