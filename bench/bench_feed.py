"""The public feed with the comment's visible moment derived from its replies, beside a
baseline checkout that still stores it on the comment (comments.published_at).

Run: .venv/bin/python -m bench.bench_feed --baseline /work/main [--n 20000] [--rounds 5]
     [--repeat 20] [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME]

Each checkout builds its own database with the same bench/datagen_threads data (SQLite files
in the system temp folder; on PostgreSQL two databases named after --postgres-url, created
and EMPTIED), then child processes time, round after round and alternating between the two
checkouts (so both see the same machine load): the filter alone in SQL (the ids of the
comments the page may show now: `Comment.is_public_at` here, the stored column in the
baseline; the feed itself checks the moment in Python on the replies it loads) and the whole
`page_feed` (threads, replies, ETag, Last-Modified) of the page with the most comments.
Printed: the median over rounds of each child's median of --repeat calls, and the ratio
ours / baseline; both feeds must be equal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = Path(__file__).resolve().parent.parent
SEED = 7


def _app(url: str):
    from moderation import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "SECRET_KEY": "bench-secret", "DATABASE_STATEMENT_TIMEOUT_MS": 0})


def _build(url: str, n: int) -> None:
    """Build the schema of this checkout and fill it with n comments."""
    from datetime import UTC, datetime

    from bench.datagen_threads import bulk_insert_threads
    from models import db

    with _app(url).app_context():
        db.drop_all()
        db.create_all()
        with db.engine.begin() as connection:
            # One fixed "now" for both checkouts, so that their feeds can be compared.
            bulk_insert_threads(connection, n, seed=SEED, now=datetime(2026, 11, 1, tzinfo=UTC))
        db.engine.dispose()


def _time(url: str, repeat: int) -> dict:
    """Median ms of the page's filter and of its whole feed, and a digest of the feed."""
    from sqlalchemy import func, select

    from models import Comment, Page, db, utcnow
    from moderation.services.feed import page_feed

    with _app(url).app_context():
        slug = db.session.scalar(select(Page.slug).join(Comment, Comment.page_id == Page.id)
                                 .group_by(Page.slug).order_by(func.count().desc()).limit(1))
        page_id = db.session.scalar(select(Page.id).where(Page.slug == slug))

        def shown_now() -> list[int]:
            now = utcnow()
            if hasattr(Comment, "is_public_at"):  # ours: derived from the replies
                condition = Comment.is_public_at(now)
            else:  # the baseline: the stored column
                condition = (Comment.status == "published") & (Comment.published_at <= now)
            return list(db.session.scalars(
                select(Comment.id).where(Comment.page_id == page_id, condition)))

        results = {}
        for label, call in (("filter", shown_now), ("page_feed", lambda: page_feed(slug))):
            for _ in range(3):
                call()
                db.session.rollback()
            samples = []
            for _ in range(repeat):
                start = time.perf_counter()
                call()
                samples.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
            results[label] = statistics.median(samples)
        feed = page_feed(slug)
        results["digest"] = hashlib.sha256(json.dumps(
            [feed.payload, feed.last_modified.isoformat()], sort_keys=True,
            default=str).encode()).hexdigest()[:16]
        results["shown"] = len(shown_now())
        db.engine.dispose()
    return results


def _child(root: Path, *arguments: str) -> str:
    environment = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([sys.executable, str(OURS / "bench" / "bench_feed.py"), *arguments],
                          cwd=root, env=environment, check=True, capture_output=True,
                          text=True).stdout


def _databases(postgres_url: str | None) -> dict[str, str]:
    if not postgres_url:
        folder = Path(tempfile.gettempdir())
        return {name: f"sqlite:///{folder / f'bench_feed_{name}.db'}"
                for name in ("ours", "baseline")}
    from sqlalchemy import create_engine, text

    base, name = postgres_url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    urls = {}
    with admin.connect() as connection:
        for which in ("ours", "baseline"):
            database = f"{name}_feed_{which}"
            connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {database}"))
            urls[which] = f"{base}/{database}"
    admin.dispose()
    return urls


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--build", "--time"):
        sys.path.insert(0, os.getcwd())
        if sys.argv[1] == "--build":
            _build(sys.argv[2], int(sys.argv[3]))
        else:
            print(json.dumps(_time(sys.argv[2], int(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, type=Path)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres-url")
    options = parser.parse_args()
    roots = {"ours": OURS, "baseline": options.baseline.resolve()}
    urls = _databases(options.postgres_url)
    for which, root in roots.items():
        _child(root, "--build", urls[which], str(options.n))
    samples: dict[str, dict[str, list[float]]] = {w: {"filter": [], "page_feed": []}
                                                   for w in roots}
    digests = {}
    for _ in range(options.rounds):
        for which, root in roots.items():
            figures = json.loads(_child(root, "--time", urls[which], str(options.repeat)))
            for label in ("filter", "page_feed"):
                samples[which][label].append(figures[label])
            digests[which] = (figures["digest"], figures["shown"])
    dialect = "postgresql" if options.postgres_url else "sqlite"
    print(f"{dialect}, {options.n:,} comments, load average {os.getloadavg()[0]:.2f}; "
          f"comments shown on the page: {digests['ours'][1]:,}; "
          f"same feed: {digests['ours'] == digests['baseline']}")
    for label in ("filter", "page_feed"):
        ours = statistics.median(samples["ours"][label])
        baseline = statistics.median(samples["baseline"][label])
        print(f"  {label:<10} ours {ours:8.2f} ms   baseline {baseline:8.2f} ms   "
              f"ratio {ours / baseline:5.2f}")


if __name__ == "__main__":
    main()
