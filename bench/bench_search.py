"""Queue search at 1,000,000 comments: the old substring scan against the index, side by side.

Run: .venv/bin/python -m bench.bench_search [--n 1000000] [--repeat 15] [--sqlite-only]
     [--sqlite-path /tmp/bench_search.db]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_search]

The databases are filled once (n pending comments from bench/datagen.py, 20 pages, 10 staff)
and reused by later runs while they still hold n comments; --refill starts again. The
PostgreSQL database is emptied and refilled: use one of its own (never a real one).

For each term, the first page of the pending queue (50 rows, queue order) as the queue reads
it now (`queue_page`, through the index) and as the old scan read it (body or author ILIKE,
same order and limit), in the same run, median and p95 in ms, with the ratio; then the same
page through HTTP (routing, template) and the count of a search-filtered view. Target: the
queue's search under 100 ms, including a search that matches nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import joinedload

from bench.datagen import insert_comments
from bench.timing import PASSWORD, percentile
from models import Comment, Page, User, create_search_index, db, drop_search_index, utcnow
from models.search_index import SEARCH_INDEXES
from moderation import create_app
from moderation.services.auth import password_hasher
from moderation.services.queue import QueueFilters, count_comments, queue_page
from moderation.services.search import like_pattern

# (label, term): frequent words, a mid-frequency one, a name, a short name prefix, nothing.
TERMS = (
    ("frequent word", "bleeding"),
    ("rarer word", "Leeds"),
    ("author name", "Priya"),
    ("two letters: name prefix", "jo"),
    ("matches nothing", "placenta accreta"),
    ("matches nothing, one word", "zzqx"),
)
BATCH = 50_000


def fill(n: int) -> str:
    """Empty the schema and fill it with n pending comments; return a midwife's email."""
    db.drop_all()
    db.create_all()
    hashed = password_hasher.hash(PASSWORD)
    staff = [User(email=f"bench{i}@example.org", name=f"Bench Midwife {i}",
                  display_name=f"Midwife{i}", role="midwife", password_hash=hashed)
             for i in range(10)]
    pages = [Page(slug=f"bench-{i}", title=f"Bench article {i}") for i in range(20)]
    db.session.add_all(staff + pages)
    db.session.commit()
    page_ids, staff_ids = [p.id for p in pages], [u.id for u in staff]
    # Index once at the end rather than row by row (the same DDL the migration runs).
    with db.engine.begin() as connection:
        drop_search_index(connection)
    now, start = utcnow(), time.perf_counter()
    for offset in range(0, n, BATCH):
        insert_comments(db.session, min(BATCH, n - offset), seed=1 + offset // BATCH,
                        page_ids=page_ids, claimed_by_ids=staff_ids[1:], now=now)
        db.session.commit()
        print(f"  {offset + BATCH:>9,} inserted, {time.perf_counter() - start:6.0f} s", flush=True)
    start = time.perf_counter()
    with db.engine.begin() as connection:
        create_search_index(connection)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE comments")
        else:
            connection.exec_driver_sql("ANALYZE")
    print(f"  search index built in {time.perf_counter() - start:.0f} s", flush=True)
    return staff[0].email


def old_scan_page(term: str) -> list[Comment]:
    """The queue's first page as the substring scan answered it before the index."""
    pattern = like_pattern(term)
    statement = (
        select(Comment).options(joinedload(Comment.page), joinedload(Comment.claimed_by))
        .where(Comment.status == "pending", or_(Comment.body.ilike(pattern, escape="\\"),
                                                Comment.author_name.ilike(pattern, escape="\\")))
        .order_by(*Comment.queue_order()).limit(51)
    )
    return list(db.session.scalars(statement).unique())


def time_old_scans(user: User, repeat: int) -> dict[str, tuple[float, float, list[int]]]:
    """Time the old scan of every term with the search index out of the planner's reach.

    On PostgreSQL the old ILIKE would use the trigram indexes, so they are dropped inside a
    transaction that is rolled back afterwards; SQLite's old ILIKE never reads the FTS table.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        for index in sorted(SEARCH_INDEXES):
            db.session.execute(text(f"DROP INDEX {index}"))
    times = {}
    for _label, term in TERMS:
        ids = [c.id for c in old_scan_page(term)[:50]]
        median, p95 = sample(repeat, lambda t=term: old_scan_page(t))
        times[term] = (median, p95, ids)
    db.session.rollback()
    return times


def sample(repeat: int, call) -> tuple[float, float]:
    """Median and p95 in ms of `repeat` calls after two warm-ups."""
    for _ in range(2):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def run(url: str, n: int, repeat: int, refill: bool) -> list[tuple[str, float, float, float]]:
    """Fill (or reuse) the database at `url` and time the searches."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "RATELIMIT_ENABLED": False,
                      # Filling and indexing a million rows outlasts the serving timeout.
                      "DATABASE_STATEMENT_TIMEOUT_MS": 0})
    rows = []
    with app.app_context():
        dialect = db.engine.dialect.name
        held = 0
        if not refill and db.inspect(db.engine).has_table("comments"):
            held = db.session.scalar(select(func.count()).select_from(Comment))
            db.session.remove()  # an open read would block the DROP TABLE of a refill
        if held != n:
            print(f"\n{dialect}: filling {n:,} pending comments", flush=True)
            fill(n)
        print(f"\n{dialect}: {n:,} comments", flush=True)
        user = db.session.scalar(select(User).order_by(User.id))
        email = user.email
        old_times = time_old_scans(user, max(3, repeat // 3))
        print(f"  {'term':<34} {'old scan':>18} {'index':>18} {'ratio':>7}  rows")
        for label, term in TERMS:
            new_rows = queue_page(QueueFilters(search=term), user, page_size=50).comments
            old_med, old_p95, old_ids = old_times[term]
            same = [c.id for c in new_rows] == old_ids
            new_med, new_p95 = sample(
                repeat, lambda t=term: queue_page(QueueFilters(search=t), user, page_size=50))
            ratio = old_med / new_med if new_med else float("inf")
            print(f"  {label + ' ' + repr(term):<34} {old_med:7.1f} / {old_p95:7.1f}"
                  f" {new_med:7.1f} / {new_p95:7.1f} {ratio:6.1f}x  {len(new_rows)}"
                  f"{'' if same or len(term) < 3 else '  DIFFERENT ROWS'}", flush=True)
            rows.append((f"{label} {term!r}", old_med, new_med, new_p95))
        for term in ("Leeds", "zzqx"):
            # A count reads every match (a full scan on SQLite for a common term): few samples.
            med, p95 = sample(max(3, repeat // 3),
                              lambda t=term: count_comments(QueueFilters(search=t), user))
            print(f"  count of a saved view q={term!r:<16} {med:7.1f} / {p95:7.1f}")
            rows.append((f"count q={term!r}", float("nan"), med, p95))
        db.session.remove()

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "bench sign-in failed"
    for term in ("", "Leeds", "placenta accreta"):
        def get(t=term):
            response = client.get("/", query_string={"q": t})
            assert response.status_code == 200
        med, p95 = sample(repeat, get)
        print(f"  GET /?q={term!r:<24} (whole request) {med:7.1f} / {p95:7.1f}")
        rows.append((f"GET /?q={term!r}", float("nan"), med, p95))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="pending comments")
    parser.add_argument("--repeat", type=int, default=15, help="timed searches per figure")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--refill", action="store_true", help="fill again even if filled")
    parser.add_argument("--sqlite-path", default="/tmp/bench_search.db")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_search"))
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # one JSON line per request would bury the figures
    figures = {}
    if not args.postgres_only:
        figures["sqlite"] = run(f"sqlite:///{args.sqlite_path}", args.n, args.repeat, args.refill)
    if not args.sqlite_only:
        figures["postgresql"] = run(args.postgres_url, args.n, args.repeat, args.refill)
    print("\nsummary (ms; old scan median, index median / p95):")
    for backend, rows in figures.items():
        for label, old, new, p95 in rows:
            old_text = "" if old != old else f"{old:8.1f} ->"
            print(f"  {backend:<10} {label:<40} {old_text:>11} {new:7.1f} / {p95:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
