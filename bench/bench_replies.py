"""Reply composer and publish speed with 100,000 pending comments.

Run: .venv/bin/python -m bench.bench_replies [--n 100000] [--repeat 30] [--sqlite-only]
     [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test_replies]

Each figure is the server time of one request through the Flask test client (routing, sign-in
check, claim, queries, template), median and 95th percentile over --repeat requests, after
warm-up. Every composer and publish request works on a different comment, so each one really
claims and really publishes. The PostgreSQL database is emptied and refilled: use a database of
its own (never a real one).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select, text

from bench.datagen import insert_comments
from bench.timing import PASSWORD, run_on_both_databases, timed
from models import Comment, Page, Snippet, SnippetVersion, User, db, utcnow
from moderation import create_app
from moderation.services.auth import password_hasher

SNIPPETS = Path(__file__).resolve().parent.parent / "moderation" / "demo" / "snippets.json"


def fill(n: int) -> str:
    """Empty the schema and fill it: one midwife, pages, the demo snippets, n pending comments."""
    db.drop_all()
    db.create_all()
    midwife = User(email="bench@example.org", name="Bench Midwife", display_name="Bench, Midwife",
                   role="midwife", password_hash=password_hasher.hash(PASSWORD))
    pages = [Page(slug=f"bench-{i}", title=f"Bench article {i}") for i in range(20)]
    db.session.add_all([midwife, *pages])
    for position, item in enumerate(json.loads(SNIPPETS.read_text("utf-8"))):
        snippet = Snippet(key=item["key"], title=item["title"], topic=item["topic"],
                          body=item["body"], version=1, position=position,
                          approved_at=utcnow())
        db.session.add(snippet)
        db.session.flush()
        db.session.add(SnippetVersion(snippet_id=snippet.id, version=1, title=snippet.title,
                                      topic=snippet.topic, body=snippet.body,
                                      status="approved"))
    db.session.commit()
    page_ids = [p.id for p in pages]
    now = utcnow()
    insert_comments(db.session, n, seed=11, page_ids=page_ids, now=now)
    insert_comments(db.session, n // 5, status="published", seed=12, page_ids=page_ids, now=now,
                    spread_days=365)
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return midwife.email


def run(url: str, n: int, repeat: int) -> list[tuple[str, float, float]]:
    """Fill the database at `url` and time the composer's requests; return the figures."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "RATELIMIT_ENABLED": False})
    results: list[tuple[str, float, float]] = []
    with app.app_context():
        print(f"\n{db.engine.dialect.name}: {n:,} pending comments (+ {n // 5:,} published)")
        email = fill(n)
        # Comments with an author email, so the "other comments by this author" query runs.
        ids = list(db.session.scalars(
            select(Comment.id).where(Comment.status == "pending",
                                     Comment.author_email.is_not(None))
            .order_by(Comment.id).limit(3 * (repeat + 3))))
        db.session.remove()
    compose_ids, preview_ids, publish_ids = (ids[i::3] for i in range(3))

    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302

    def version_of(comment_id: int) -> int:
        with app.app_context():
            return db.session.get(Comment, comment_id).version

    def compose(i: int) -> None:
        response = client.get(f"/comments/{compose_ids[i]}?snippet=bleeding_duration")
        assert response.status_code == 200 and b"Publish reply" in response.data

    def preview(i: int) -> None:
        response = client.post(f"/comments/{preview_ids[i]}/preview",
                               data={"body": "Hi,\n\nA reply.", "expected_version": 1})
        assert response.status_code == 200

    def keepalive(i: int) -> None:
        assert client.post(f"/comments/{compose_ids[i]}/keepalive").status_code == 200

    for comment_id in publish_ids:  # open (claim) each one first, untimed
        assert client.get(f"/comments/{comment_id}").status_code == 200
    versions = {comment_id: version_of(comment_id) for comment_id in publish_ids}

    def publish(i: int) -> None:
        comment_id = publish_ids[i]
        response = client.post(f"/comments/{comment_id}/publish", data={
            "body": "Hi,\n\nThank you for writing to us.\n\nBench, Midwife",
            "expected_version": versions[comment_id], "confirm": "y"})
        assert response.status_code == 302, response.status_code

    timed("GET /comments/<id>?snippet=...  (claim+render)", repeat, compose, results)
    timed("POST /comments/<id>/preview  (no-JS)", repeat, preview, results)
    timed("POST /comments/<id>/keepalive", repeat, keepalive, results)
    timed("POST /comments/<id>/publish", repeat, publish, results)
    # Every signed-in page renders the queue's urgent-unclaimed nav count: shown for reference.
    timed("GET /queue/counts  (the nav count alone)", repeat,
          lambda i: client.get("/queue/counts"), results)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    return run_on_both_databases(__doc__.splitlines()[0], run, "replies", argv)


if __name__ == "__main__":
    sys.exit(main())
