"""Queue speed with 100,000 pending comments: page render, paging, filters, take-next, polling.

Run: .venv/bin/python -m bench.bench_queue [--n 100000] [--repeat 30] [--sqlite-only]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_queue]

Each figure is the server time of one request through the Flask test client (routing, sign-in
check, queries, template), median and 95th percentile over --repeat requests, after warm-up.
Targets: the queue page under 100 ms, take-next under 20 ms. It also prints the query plans
of the queue page and take-next to show they use ix_comments_queue. The PostgreSQL database
is emptied and refilled: use a database of its own (never a real one).
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import text

from bench.datagen import insert_comments
from bench.timing import PASSWORD, run_on_both_databases, timed
from models import Page, User, db, utcnow
from moderation import create_app
from moderation.services.auth import password_hasher


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


def explain(dialect: str) -> None:
    """Print the plans of the queue page query and the take-next statement's subquery."""
    now = utcnow().isoformat(sep=" ")
    order = "ORDER BY due_at ASC, urgent_probability DESC, id ASC LIMIT 51"
    queue_sql = f"SELECT id FROM comments WHERE status = 'pending' {order}"
    deep_sql = ("SELECT id FROM comments WHERE status = 'pending' AND due_at >= :due AND "
                "(due_at > :due OR (due_at = :due AND (urgent_probability < 0.5 OR "
                f"(urgent_probability = 0.5 AND id > 5)))) {order}")
    take_sql = ("SELECT id FROM comments WHERE status = 'pending' AND (claimed_by_id IS NULL "
                f"OR claim_expires_at IS NULL OR claim_expires_at < '{now}') "
                "ORDER BY due_at ASC, urgent_probability DESC, id ASC LIMIT 1")
    pending = db.session.scalar(text("SELECT count(*) FROM comments WHERE status = 'pending'"))
    due = db.session.scalar(text(
        "SELECT due_at FROM comments WHERE status = 'pending' ORDER BY due_at "
        "LIMIT 1 OFFSET :middle"), {"middle": pending // 2})
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    uses_index = True
    for label, sql, params in (("queue page 1", queue_sql, {}),
                               ("queue, halfway down (keyset)", deep_sql, {"due": due}),
                               ("take-next pick", take_sql + (
                                   " FOR UPDATE SKIP LOCKED" if dialect != "sqlite" else ""),
                                {})):
        rows = db.session.execute(text(prefix + sql), params).all()
        plan = "\n".join("    " + " ".join(str(c) for c in row[-1:]) for row in rows)
        uses_index &= "ix_comments_queue" in plan
        print(f"  plan of {label}:\n{plan}")
    db.session.rollback()
    print(f"  ix_comments_queue used by all three: {uses_index}")


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

    timed("GET /  (queue page 1, 50 rows)", repeat, lambda i: get("/"), results)
    timed("GET /?after=...  (page 21, keyset)", repeat, lambda i: get(cursor_path), results)
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
