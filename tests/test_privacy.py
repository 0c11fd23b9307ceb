"""Retention and erasure (UK GDPR): purge, erase and subject access, as services and commands."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from models import AuditEvent, Comment, LabelCorrection, Reply, db, utcnow
from moderation.services.audit import record_event
from moderation.services.privacy import RetentionPolicy, erase, purge, subject_access


def fresh(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id, populate_existing=True)


def test_purge_removes_an_email_a_year_after_the_last_reply(make_comment):
    now = utcnow()
    old = make_comment(author_email="jo@example.org", status="published",
                       received_at=now - timedelta(days=400),
                       first_replied_at=now - timedelta(days=399))
    recent = make_comment(author_email="kim@example.org", status="published",
                          received_at=now - timedelta(days=30),
                          first_replied_at=now - timedelta(days=29))
    report = purge(RetentionPolicy(), now)
    db.session.commit()
    assert (report.emails_removed, report.comments_with_email_removed) == (1, 1)
    assert fresh(old.id).author_email is None and fresh(old.id).body  # the comment stays
    assert fresh(recent.id).author_email == "kim@example.org"


def test_a_newer_comment_or_a_pending_one_keeps_the_email(make_comment):
    now = utcnow()
    old = make_comment(author_email="jo@example.org", status="published",
                       received_at=now - timedelta(days=500),
                       first_replied_at=now - timedelta(days=499))
    make_comment(author_email="jo@example.org", status="pending",
                 received_at=now - timedelta(days=400))
    purge(RetentionPolicy(), now)
    assert fresh(old.id).author_email == "jo@example.org"


def test_purge_deletes_rejected_and_spam_comments_after_90_days(make_comment, midwife):
    now = utcnow()
    spam = make_comment(status="spam", received_at=now - timedelta(days=100),
                        moderated_at=now - timedelta(days=95))
    db.session.add(LabelCorrection(comment_id=spam.id, user_id=midwife.id, field="topic",
                                   old_value="bleeding", new_value="other"))
    rejected_recently = make_comment(status="rejected", received_at=now - timedelta(days=100),
                                     moderated_at=now - timedelta(days=10))
    published = make_comment(status="published", received_at=now - timedelta(days=200))
    db.session.commit()
    kept = {rejected_recently.id, published.id}
    report = purge(RetentionPolicy(), now)
    db.session.commit()
    assert report.unpublished_comments_deleted == 1
    db.session.expunge_all()
    assert set(db.session.scalars(select(Comment.id))) == kept


def test_erase_anonymises_comments_keeps_replies_and_audit_without_the_email(
        make_comment, make_reply, midwife):
    comment = make_comment("I'm Jo Bloggs, write to jo@example.org please",
                           author_name="Jo Bloggs", author_email="Jo@Example.org",
                           status="published")
    reply = make_reply(comment, midwife, "Dear Jo, thank you for writing.")
    other = make_comment("Another person", author_name="Kim", author_email="kim@example.org")
    record_event(None, "comment.received", "comment", comment.id, email="jo@example.org")
    db.session.commit()
    report = erase("jo@example.org")
    db.session.commit()
    erased = fresh(comment.id)
    assert (erased.author_name, erased.author_email) == ("", None)
    assert "Jo" not in erased.body and "jo@example.org" not in erased.body
    kept = db.session.get(Reply, reply.id, populate_existing=True)
    assert kept.body == "Dear [erased], thank you for writing."
    events = db.session.scalars(select(AuditEvent)).all()
    assert events and not any("jo@example.org" in json.dumps(e.details).lower() for e in events)
    assert report.comments_anonymised == 1 and report.audit_events_redacted == 1
    assert fresh(other.id).author_email == "kim@example.org"


def test_subject_access_lists_everything_held_about_the_person(make_comment, make_reply,
                                                                midwife):
    comment = make_comment("My question", author_name="Jo", author_email="jo@example.org",
                           status="published")
    make_reply(comment, midwife, "Our answer")
    make_comment("Not hers", author_email="kim@example.org")
    document = subject_access("JO@example.org")
    [item] = document["comments"]
    assert item["body"] == "My question" and item["replies"][0]["body"] == "Our answer"


def test_privacy_commands_report_counts_and_write_json(runner, make_comment, tmp_path):
    make_comment("Hello", author_email="jo@example.org", status="spam",
                 received_at=utcnow() - timedelta(days=200),
                 moderated_at=utcnow() - timedelta(days=200))
    make_comment("Still here", author_email="jo@example.org", status="published")
    purged = runner.invoke(args=["privacy", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "rejected and spam comments deleted: 1" in purged.output
    output = tmp_path / "sar.json"
    exported = runner.invoke(args=["privacy", "export", "--email", "jo@example.org",
                                   "--output", str(output)])
    assert exported.exit_code == 0
    assert json.loads(output.read_text())["comments"][0]["body"] == "Still here"
    erased = runner.invoke(args=["privacy", "erase", "--email", "jo@example.org", "--yes"])
    assert "comments anonymised: 1" in erased.output
    assert db.session.scalar(select(func.count(Comment.id))
                             .where(Comment.author_email.is_not(None))) == 0


def test_a_bad_email_is_a_clear_error(runner):
    result = runner.invoke(args=["privacy", "export", "--email", "not an email"])
    assert result.exit_code != 0 and "email address" in result.output


# --- On a schedule, through the worker ------------------------------------------------------

def test_the_worker_purges_at_most_once_per_interval_even_across_workers(app, make_comment):
    from moderation.commands.worker import run_once
    from moderation.services.privacy import last_scheduled_purge

    start = utcnow()
    first = make_comment(status="spam", received_at=start - timedelta(days=100),
                         moderated_at=start - timedelta(days=95)).id
    db.session.commit()
    assert run_once("worker-a", start) == {"purged": 1}
    assert last_scheduled_purge() == start
    # Another spam comment becomes due an hour later: neither worker purges again yet.
    second = make_comment(status="spam", received_at=start - timedelta(days=100),
                          moderated_at=start - timedelta(days=95)).id
    db.session.commit()
    assert run_once("worker-b", start + timedelta(hours=1)) == {}
    assert run_once("worker-a", start + timedelta(hours=23, minutes=59)) == {}
    assert fresh(second) is not None
    # A day after the last purge, exactly one of two workers purges.
    day_later = start + timedelta(hours=24)
    assert run_once("worker-b", day_later) == {"purged": 1}
    assert run_once("worker-a", day_later) == {}
    assert last_scheduled_purge() == day_later
    db.session.expunge_all()
    assert fresh(first) is None and fresh(second) is None


def test_the_purge_interval_is_a_setting(app, make_comment):
    from moderation.commands.worker import scheduled_purge

    app.config["PRIVACY_PURGE_INTERVAL_HOURS"] = 6
    start = utcnow()
    assert scheduled_purge(start) == 0
    assert scheduled_purge(start + timedelta(hours=5)) is None
    assert scheduled_purge(start + timedelta(hours=6)) == 0

