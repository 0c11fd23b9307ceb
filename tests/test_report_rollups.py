"""Report rollups: the rolled-up days give exactly the figures counted from the comments."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from models import (
    Comment,
    LabelCorrection,
    NearMiss,
    ReportRollupDay,
    db,
    utcnow,
)
from moderation.commands.worker import roll_up_reports
from moderation.services.reports import build_report, data, resolve_period
from moderation.services.reports.rollups import ROLLUP_LAG

LONDON = "Europe/London"


@pytest.fixture
def random_comments(app, make_page, midwife):
    """Comments over the last `days` days: every status, label, triage state and model,
    with corrections and near misses, added in one transaction."""

    def make(seed: int, count: int = 300, days: int = 100) -> list[Comment]:
        rng = random.Random(seed)
        page = make_page("after-a-loss", "After a loss")
        now = utcnow()
        comments = []
        for number in range(count):
            received = now - timedelta(seconds=rng.randrange(0, days * 86400))
            urgency = rng.choice(("urgent", "priority", "routine"))
            comment = Comment(
                page=page, external_id=f"rollup-{seed}-{number}", body="A question.",
                author_name="Alex", received_at=received, due_at=received + timedelta(hours=4),
                urgency=urgency, topic=rng.choice(("bleeding", "remembrance", "other")),
                status=rng.choice(("pending", "published", "rejected", "spam", "private")),
                triaged=rng.random() < 0.9, check_soon=rng.random() < 0.2,
                model_version=rng.choice(("v1", "v2", None)), urgent_probability=0.5,
                urgency_scores={}, topic_scores={}, triage_reasons=[])
            db.session.add(comment)
            comments.append(comment)
        db.session.flush()
        for comment in rng.sample(comments, count // 10):
            db.session.add(LabelCorrection(
                comment_id=comment.id, user_id=midwife.id, field="urgency",
                old_value=rng.choice(("priority", "routine")), new_value="urgent",
                created_at=comment.received_at + timedelta(minutes=5)))
        for comment in rng.sample(comments, count // 20):
            db.session.add(NearMiss(comment_id=comment.id, model_version=comment.model_version,
                                    served_urgency="routine", raised_by_id=midwife.id))
        db.session.commit()
        return comments

    return make


def periods(now):
    today = now.date()
    return [resolve_period(str(days), now=now, timezone=LONDON) for days in (7, 30, 90)] + [
        resolve_period("custom", today - timedelta(days=80), today - timedelta(days=10),
                       now=now, timezone=LONDON)]


def figures(period, now):
    report = build_report(period, now=now)
    return {name: table.rows for name, table in report.tables.items()}


def exact_figures(period, now, monkeypatch):
    """The same report counted from the comments alone, every rollup ignored."""
    with monkeypatch.context() as patch:
        patch.setattr(data, "rolled_days", lambda period, zone: [])
        return figures(period, now)


def roll_up():
    rolled = roll_up_reports()
    assert rolled > 0
    return rolled


def test_rolled_up_days_give_the_figures_counted_from_the_comments(random_comments,
                                                                    monkeypatch):
    random_comments(seed=3)
    now = utcnow()
    before = {period.label: figures(period, now) for period in periods(now)}

    while roll_up_reports():  # the worker rolls up a few days per pass
        pass

    assert db.session.scalar(select(func.count()).select_from(ReportRollupDay)) > 90
    for period in periods(now):
        assert figures(period, now) == before[period.label] == exact_figures(period, now,
                                                                            monkeypatch)


def test_a_relabelled_or_corrected_old_comment_leaves_the_figures_exact(random_comments,
                                                                        midwife, monkeypatch):
    comments = random_comments(seed=8)
    roll_up()
    old = [c for c in comments if c.received_at < utcnow() - ROLLUP_LAG - timedelta(days=2)]
    old[0].topic = "remembrance" if old[0].topic != "remembrance" else "other"
    old[1].status = "spam"
    old[2].check_soon = True
    db.session.add(LabelCorrection(comment_id=old[3].id, user_id=midwife.id, field="urgency",
                                   old_value="routine", new_value="urgent",
                                   created_at=utcnow()))
    db.session.delete(old[4])
    db.session.commit()
    now = utcnow()

    for period in periods(now):
        assert figures(period, now) == exact_figures(period, now, monkeypatch)


def test_a_new_comment_forgets_no_rolled_up_day(random_comments, make_comment):
    random_comments(seed=5)
    rolled = roll_up()

    make_comment(received_at=utcnow())

    assert db.session.scalar(select(func.count()).select_from(ReportRollupDay)) == rolled


def test_a_bulk_delete_of_comments_forgets_every_rolled_up_day(random_comments, monkeypatch):
    comments = random_comments(seed=6)
    roll_up()

    spam = [c.id for c in comments if c.status == "spam"]
    db.session.execute(delete(NearMiss).where(NearMiss.comment_id.in_(spam)))
    db.session.execute(delete(LabelCorrection).where(LabelCorrection.comment_id.in_(spam)))
    db.session.execute(delete(Comment).where(Comment.id.in_(spam)))
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(ReportRollupDay)) == 0
    now = utcnow()
    period = resolve_period("90", now=now, timezone=LONDON)
    assert figures(period, now) == exact_figures(period, now, monkeypatch)


def test_rebuild_rollups_counts_every_finished_day_again(app, random_comments):
    random_comments(seed=9, count=60, days=20)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["reports", "rebuild-rollups"])

    assert result.exit_code == 0, result.output
    days = db.session.scalars(select(ReportRollupDay.day)).all()
    assert f"rolled up {len(days)} day(s)" in result.output
    newest = (utcnow() - ROLLUP_LAG).date()
    assert max(days) < newest and isinstance(max(days), date)
    again = runner.invoke(args=["reports", "rebuild-rollups", "--missing-only"])
    assert "rolled up 0 day(s)" in again.output
