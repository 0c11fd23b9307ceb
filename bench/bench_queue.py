"""Queue speed with 100,000 pending comments: page render, paging, filters, take-next, polling.

Run: .venv/bin/python -m bench.bench_queue [--n 100000] [--repeat 30] [--sqlite-only]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_queue]

Each figure is the server time of one request through the Flask test client (routing, sign-in
check, queries, template), median and 95th percentile over --repeat requests, after warm-up.
Targets: the queue page under 100 ms, take-next under 20 ms. The queue opens with the urgent
lane (5% of the pending comments, 40% of those with a red flag) above the check-soon ones and
the rest; one timing pages across the lane boundary. It also prints the query plans of the
queue page, keyset pages (inside the lane, across its boundary, halfway down) and take-next,
to show they read ix_comments_queue in order without sorting. The PostgreSQL database is
emptied and refilled: use a database of its own (never a real one).
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import select, text

from bench.datagen import insert_comments
from bench.timing import PASSWORD, run_on_both_databases, timed
from models import Comment, Page, User, db, utcnow
from moderation import create_app
from moderation.services.auth import password_hasher
from moderation.services.queue import QueueFilters, _order_and_after, encode_cursor


def fill(n: int) -> tuple[list[int], str]:
    """Empty the schema and fill it: staff, 20 pages, n pending and n/5 closed comments."""
    db.drop_all()
    db.create_all()
    hashed = password_hasher.hash(PASSWORD)
    staff = [User(email=f"bench{i}@example.org", name=f"Bench Midwife {i}",
                  display_name=f"Midwife{i}", role="midwife", password_hash=hashed)
             for i in range(10)]
    pages = [Page(slug=f"bench-{i}", title=f"Bench article {i}") for i in range(20)]
    db.session.add_all(staff + pages)
    db.session.commit()
    page_ids = [p.id for p in pages]
    staff_ids = [u.id for u in staff]
    now = utcnow()
    start = time.perf_counter()
    insert_comments(db.session, n, seed=1, page_ids=page_ids, claimed_by_ids=staff_ids[1:],
                    now=now)
    for offset, status in enumerate(("published", "rejected", "spam")):
        insert_comments(db.session, n // (5 if status == "published" else 50), status=status,
                        seed=2 + offset, page_ids=page_ids, now=now, spread_days=365)
    db.session.commit()
    # VACUUM sets PostgreSQL's visibility map as autovacuum would in a running service, so
    # index-only scans (the nav count) do not visit the table; ANALYZE on both.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if connection.dialect.name == "postgresql"
                                else "ANALYZE"))
    print(f"  filled in {time.perf_counter() - start:.1f} s", flush=True)
    return staff_ids, staff[0].email


def _compiled(statement, dialect) -> str:
    """The SQL of a statement with its parameters written in, for EXPLAIN."""
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def lane_boundary_cursor(before: int = 10) -> str:
    """A keyset cursor `before` rows above the end of the urgent lane (the next page crosses)."""
    last_rows = db.session.scalars(
        select(Comment).where(Comment.status == "pending", Comment.queue_rank <= 1)
        .order_by(Comment.queue_rank.desc(), Comment.lane_probability.asc(),
                  Comment.due_at.desc(), Comment.urgent_probability.asc(), Comment.id.desc())
        .limit(before + 1)).all()
    return encode_cursor(last_rows[-1], "pending")


def explain(dialect_name: str) -> None:
    """Print the plans of the queue's statements, as the service builds them."""
    from moderation.services.claims import _queue_candidate

    dialect = db.engine.dialect
    now = utcnow()
    pending = db.session.scalar(text("SELECT count(*) FROM comments WHERE status = 'pending'"))
    halfway = db.session.scalars(
        select(Comment).where(Comment.status == "pending").order_by(*Comment.queue_order())
        .offset(pending // 2).limit(1)).one()
    inside_lane = db.session.scalars(
        select(Comment).where(Comment.status == "pending").order_by(*Comment.queue_order())
        .offset(100).limit(1)).one()
    filters = QueueFilters()
    statements = [("queue page 1", [])]
    for label, cursor in (("inside the lane", encode_cursor(inside_lane, "pending")),
                          ("across the lane boundary", lane_boundary_cursor()),
                          ("halfway down", encode_cursor(halfway, "pending"))):
        _, ranges = _order_and_after(filters, cursor)
        statements += [(f"keyset {label}, range {i + 1} of 3", after)
                       for i, after in enumerate(ranges)]
    plans = []
    for label, after in statements:
        statement = (select(Comment.id).where(Comment.status == "pending", *after)
                     .order_by(*Comment.queue_order()).limit(51))
        plans.append((label, _compiled(statement, dialect)))
    pick = select(_queue_candidate(now, lock=dialect_name == "postgresql", view=[]))
    plans.append(("take-next pick", _compiled(pick, dialect)))
    prefix = "EXPLAIN QUERY PLAN " if dialect_name == "sqlite" else "EXPLAIN "
    uses_index, sorts = True, False
    for label, sql in plans:
        rows = db.session.execute(text(prefix + sql)).all()
        plan = "\n".join("    " + " ".join(str(c) for c in row[-1:]) for row in rows)
        uses_index &= "ix_comments_queue" in plan
        sorts |= "TEMP B-TREE" in plan or "Sort" in plan
        print(f"  plan of {label}:\n{plan}")
    db.session.rollback()
    print(f"  ix_comments_queue used by all: {uses_index}; any sort step: {sorts}")


def run(url: str, n: int, repeat: int) -> list[tuple[str, float, float]]:
    """Fill the database at `url` and time the queue's requests; return the figures."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "RATELIMIT_ENABLED": False})
    results: list[tuple[str, float, float]] = []
    with app.app_context():
        dialect = db.engine.dialect.name
        print(f"\n{dialect}: {n:,} pending comments (+ {n // 5 + 2 * (n // 50):,} closed)")
        staff_ids, email = fill(n)
        explain(dialect)
        db.session.remove()

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "bench sign-in failed"

    def get(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    first = get("/")
    assert first.count('data-comment-id="') == 50
    # Walk 20 pages in to get a cursor well inside the queue.
    cursor_path = "/"
    for _ in range(20):
        page = get(cursor_path)
        marker = 'rel="next" href="'
        cursor_path = page[page.index(marker) + len(marker):].split('"', 1)[0]
        cursor_path = cursor_path.replace("&amp;", "&")
    with app.app_context():
        latest = db.session.scalar(text("SELECT max(id) FROM comments"))
        boundary = lane_boundary_cursor()
        db.session.remove()
    crossing = get(f"/?after={boundary}")
    # The page across the boundary: the lane's last 10 rows, then check-soon ones.
    assert crossing.count('data-comment-id="') == 50 and "check soon" in crossing

    timed("GET /  (queue page 1, 50 rows)", repeat, lambda i: get("/"), results)
    timed("GET /?after=...  (page 21, keyset)", repeat, lambda i: get(cursor_path), results)
    timed("GET /?after=...  (across the lane boundary)", repeat,
          lambda i: get(f"/?after={boundary}"), results)
    timed("GET /?urgency=urgent", repeat, lambda i: get("/?urgency=urgent"), results)
    timed("GET /?topic=remembrance&page=3", repeat,
          lambda i: get("/?topic=remembrance&page=3"), results)
    timed("GET /?status=published", repeat, lambda i: get("/?status=published"), results)
    timed("GET /?q=methotrexate  (text search)", repeat, lambda i: get("/?q=methotrexate"),
          results)
    timed("GET /queue/counts  (nav count)", repeat, lambda i: get("/queue/counts"), results)
    timed("GET /queue/poll", repeat, lambda i: get(f"/queue/poll?since={latest - 5}"), results)

    def take_next(i: int) -> None:
        response = client.post("/queue/take-next")
        assert response.status_code == 302 and "/comments/" in response.location

    timed("POST /queue/take-next  (claim + redirect)", repeat, take_next, results)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    return run_on_both_databases(__doc__.splitlines()[0], run, "queue", argv)


if __name__ == "__main__":
    sys.exit(main())
