"""The demo data: the queue a new user sees first is a believable morning, urgent on top."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from models import Comment, db, utcnow
from moderation.services.demo import DEMO_DIR, demo_received_at
from moderation.services.queue import QueueFilters, queue_page
from moderation.services.settings import ServicePolicy


def _seed(runner) -> list[Comment]:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return list(db.session.scalars(select(Comment).where(Comment.status == "pending")))


def test_the_model_agrees_with_the_demo_labels_on_every_waiting_comment(runner):
    labels = {item["body"]: item["urgency"]
              for item in json.loads((DEMO_DIR / "pending_comments.json").read_text("utf-8"))}
    disagreements = [(c.body[:50], labels[c.body], c.urgency) for c in _seed(runner)
                     if c.urgency != labels[c.body]]
    assert disagreements == []


def test_the_demo_queue_opens_with_every_urgent_comment_on_top_and_few_overdue(
        runner, make_user):
    pending = _seed(runner)
    now = utcnow()
    rows = queue_page(QueueFilters(), make_user("midwife"), page_size=200, now=now).comments
    urgent = [c for c in rows if c.urgency == "urgent"]
    assert len(urgent) >= 10 and rows[: len(urgent)] == urgent
    assert "soaking a pad every 30 mins. help" in [c.body for c in urgent]
    assert not any(c.due_at < now for c in urgent)
    overdue = [c for c in pending if c.due_at < now]
    assert 1 <= len(overdue) <= 4


def test_a_demo_comment_has_used_its_share_of_working_time_not_of_the_clock():
    policy = ServicePolicy()
    monday_morning = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 09:30 in London, in winter
    # A quarter of a 4-working-hour target is one working hour: Friday 16:30.
    assert demo_received_at(monday_morning, "priority", 0.25, policy) == datetime(
        2026, 12, 4, 16, 30, tzinfo=UTC)
    # Urgent targets run on the clock, night and weekend alike.
    assert demo_received_at(monday_morning, "urgent", 0.5, policy) == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC)
