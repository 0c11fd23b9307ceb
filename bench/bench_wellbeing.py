"""What wellbeing costs: Take next with and without the break preference, and the banner check.

Run: .venv/bin/python -m bench.bench_wellbeing [--n 100000] [--repeat 30] [--sqlite-only]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_govcare]

The queue is bench/datagen.py's, made hard for the preference: every "check soon" comment and
one in three priority comments is flagged as a mental-health crisis, so a midwife on a break
has many distressing comments to pass over; the urgent lane is empty (answered), the worst case
for the preference. One midwife has opened 50,000
distressing comments over a year (the banner's count reads one shift of them). Each figure is
one service call (take-next is rolled back after, so the queue stays the same); the database
is emptied and refilled: use a database of its own (never a real one).
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from sqlalchemy import insert, text, update

from bench.datagen import insert_comments
from bench.timing import PASSWORD, run_on_both_databases, timed
from models import Comment, Page, User, db, utcnow
from models.comment import RANK_CHECK_SOON
from models.wellbeing import DistressingOpen
from moderation import create_app
from moderation.services.auth import password_hasher
from moderation.services.claims import take_next_comment
from moderation.services.wellbeing import shift_exposure, take_next_preference

OPENS_PER_YEAR = 50_000


def fill(n: int) -> tuple[User, User]:
    """Empty the schema and fill it: two midwives, n pending comments, a year of opens."""
    db.drop_all()
    db.create_all()
    hashed = password_hasher.hash(PASSWORD)
    resting = User(email="resting@example.org", name="Resting", display_name="Resting",
                   role="midwife", password_hash=hashed)
    fresh = User(email="fresh@example.org", name="Fresh", display_name="Fresh",
                 role="midwife", password_hash=hashed)
    pages = [Page(slug=f"bench-{i}", title=f"Bench article {i}") for i in range(20)]
    db.session.add_all([resting, fresh, *pages])
    db.session.commit()
    now = utcnow()
    insert_comments(db.session, n, seed=1, page_ids=[p.id for p in pages], now=now)
    crisis = ["mental_health_crisis"]
    # The urgent lane answered (as it usually is): the preference must pass over check-soon.
    db.session.execute(update(Comment).where(Comment.urgency == "urgent")
                       .values(status="published"))
    db.session.execute(update(Comment).where(Comment.queue_rank == RANK_CHECK_SOON)
                       .values(red_flag_categories=crisis))
    db.session.execute(update(Comment).where(Comment.urgency == "priority", Comment.id % 3 == 0)
                       .values(red_flag_categories=crisis))
    step = timedelta(days=365) / OPENS_PER_YEAR
    db.session.execute(insert(DistressingOpen.__table__), [
        {"user_id": resting.id, "comment_id": 10_000_000 + i, "reasons": crisis,
         "opened_at": now - i * step} for i in range(OPENS_PER_YEAR)])
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if connection.dialect.name == "postgresql"
                                else "ANALYZE"))
    return resting, fresh


def run(url: str, n: int, repeat: int) -> list[tuple[str, float, float]]:
    """Fill the database at `url` and time take-next and the banner check."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    results: list[tuple[str, float, float]] = []
    with app.app_context():
        print(f"\n{db.engine.dialect.name}: {n:,} pending comments, "
              f"{OPENS_PER_YEAR:,} distressing opens", flush=True)
        start = time.perf_counter()
        resting, fresh = fill(n)
        print(f"  filled in {time.perf_counter() - start:.1f} s", flush=True)
        assert take_next_preference(resting) is not None, "the break should be on"
        assert take_next_preference(fresh) is None

        def take(user: User) -> None:
            taken = take_next_comment(user)
            assert taken is not None
            db.session.rollback()

        taken = take_next_comment(resting)
        print(f"  on a break she is offered: {taken.urgency}, "
              f"categories {taken.red_flag_categories}", flush=True)
        db.session.rollback()
        timed("take-next, no break", repeat, lambda _i: take(fresh), results)
        timed("take-next, on a break (preference)", repeat, lambda _i: take(resting), results)
        timed("break check, midwife not on a break", repeat,
              lambda _i: take_next_preference(fresh), results)
        timed("banner check (shift_exposure)", repeat, lambda _i: shift_exposure(resting),
              results)
    return results


if __name__ == "__main__":
    sys.exit(run_on_both_databases(__doc__ or "", run, "govcare", sys.argv[1:]))
