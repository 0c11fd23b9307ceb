"""Peer-review sampling and the review report over a busy week of replies.

Run: .venv/bin/python -m bench.bench_reviews [--n 20000] [--repeat 10] [--sqlite-only]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_reviews]

`--n` replies (to as many published comments, 20 midwives, the datagen's urgency mix) are
written in one finished week; each figure is one call of the service: drawing that week's 5 %
sample (stratified by urgency and midwife; the sample is deleted between calls) and building
the 13-week report per topic and per snippet after 10 % of the replies were reviewed. The
PostgreSQL database is emptied and refilled: use a database of its own (never a real one).
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta

from sqlalchemy import delete, insert, select

from bench.datagen import insert_comments
from bench.timing import run_on_both_databases, timed
from models import Comment, Page, Reply, ReplyReview, User, db, utcnow
from moderation import create_app
from moderation.services.review_sampling import (
    draw_sample,
    review_report,
    week_bounds,
    week_label,
)


def fill(n: int) -> str:
    """Empty the schema and fill one finished week with n replies; return that week."""
    db.drop_all()
    db.create_all()
    midwives = [User(email=f"m{i}@example.org", name=f"Midwife {i}", display_name=f"M{i}",
                     role="midwife", password_hash="x") for i in range(20)]
    page = Page(slug="bench", title="Bench article")
    db.session.add_all([*midwives, page])
    db.session.flush()
    week = week_label(utcnow().date() - timedelta(days=7))
    start, _ = week_bounds(week)
    insert_comments(db.session, n, status="published", seed=5, page_ids=[page.id],
                    now=start + timedelta(days=7), spread_days=6.9)
    rng = random.Random(5)
    rows = []
    for comment_id, received in db.session.execute(select(Comment.id, Comment.received_at)):
        at = received + timedelta(minutes=rng.randint(5, 300))
        rows.append({"comment_id": comment_id, "midwife_id": rng.choice(midwives).id,
                     "body": "Thank you for writing.", "created_at": at, "published_at": at,
                     "kind": "public", "version": 1})
    db.session.execute(insert(Reply), rows)
    db.session.commit()
    return week


def run(url: str, n: int, repeat: int) -> list[tuple[str, float, float]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    figures: list[tuple[str, float, float]] = []
    with app.app_context():
        print(f"\n{url.split(':')[0]}: filling {n:,} replies in one week…", flush=True)
        week = fill(n)

        def sample(i: int) -> None:
            drawn = draw_sample(week, percent=5, seed=i + 10)
            assert drawn.candidates and len(drawn.reviews) == -(-drawn.candidates * 5 // 100)
            db.session.rollback()

        timed(f"draw a 5 % sample of {n:,} replies", repeat, sample, figures)
        drawn = draw_sample(week, percent=10, seed=1)
        for review in drawn.reviews:
            review.reviewed_at, review.verdict = utcnow(), "agree"
        db.session.commit()
        now = utcnow()
        timed("report per topic and snippet (13 weeks)", repeat,
              lambda i: review_report(now - timedelta(weeks=13), now), figures)
        db.session.execute(delete(ReplyReview))
        db.session.commit()
        db.session.remove()
        db.drop_all()
    return figures


if __name__ == "__main__":
    sys.exit(run_on_both_databases(__doc__.splitlines()[0], run, "reviews"))
