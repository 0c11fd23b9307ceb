"""Count the SQL statements one new comment costs (called by bench_intake_overhead).

Run: python bench/intake_statements.py app|ceiling DATABASE_URL TREE MODEL

In this process, against DATABASE_URL: the app found in TREE (any version of this project) or
the ceiling app, 20 new comments through the Flask test client after one to warm up. Prints
statements per comment (cursor executes + commits + pool pre-pings) and the first comment's
statements in order. A pool that pings only connections idle for a while (the app's
DATABASE_PING_IDLE_SECONDS) is counted as no ping: a busy worker's connections never sit idle that
long; the line says so.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

COMMENTS = 20


def _label(statement: str) -> str:
    words = statement.split()
    verb = words[0].upper() if words else "?"
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words[:12]:
            return f"{verb} {words[words.index(marker) + 1].strip(chr(34))}"
    return verb


def main() -> None:
    mode, url, tree, model = sys.argv[1:5]
    sys.path.insert(0, tree)
    if mode == "app":
        from models import db
        from moderation import create_app
        from moderation.services.sites import create_site

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TRIAGE_MODEL_PATH": model,
                          "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            _site, key = create_site(f"count-{secrets.token_hex(4)}")
            db.session.commit()
            engine = db.engine
        idle = app.config.get("DATABASE_PING_IDLE_SECONDS") or 0
        note = (f" + a ping after {idle:g} s idle"
                if app.config.get("DATABASE_POOL_PRE_PING") and idle > 0 else "")
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.ceiling_app import create_ceiling_app

        app = create_ceiling_app(url, model if model.endswith(".skops") else None)
        key = "none"
        note = ""
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine
    count(app, engine, key, note)


def count(app, engine, key: str, note: str = "") -> None:
    from sqlalchemy import event

    from bench.datagen import intake_requests

    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cu, statement, *_a: seen.append(_label(statement)))
    event.listen(engine, "commit", lambda _c: seen.append("COMMIT"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    payloads = intake_requests(COMMENTS + 1, seed=5, prefix=f"count-{secrets.token_hex(4)}")
    runs: list[list[str]] = []
    for number, payload in enumerate(payloads):
        seen.clear()
        response = client.post("/api/v1/comments", json=payload, headers=headers)
        if response.status_code != 201:
            sys.exit(f"intake answered {response.status_code}: {response.get_data(True)[:300]}")
        if number:  # the first one creates the page
            runs.append(list(seen))
    ping = 1 if engine.pool._pre_ping else 0
    shortest = min(runs, key=len)
    mean = sum(map(len, runs)) / len(runs) + ping
    print(f"{len(shortest) + ping} for a routine comment, {mean:.1f} on average over "
          f"{len(runs)} ({', '.join(shortest)}{' + pre-ping' if ping else note})")


if __name__ == "__main__":
    main()
