"""Answered threads in bulk for the reports and exports benchmarks (bench_reports).

Shares the comment texts, authors and label mix of `bench/datagen.py`.
"""

from __future__ import annotations

import random

from bench.datagen import QUEUE_AUTHORS, QUEUE_TOPICS, QUEUE_URGENCIES, comment_bodies

REPORT_TYPICAL_SECONDS = {"urgent": 1800, "priority": 3 * 3600, "routine": 20 * 3600}
REPORT_TARGET_SECONDS = {"urgent": 3600, "priority": 4 * 3600, "routine": 2 * 86400}


def _sql_time(value, postgres: bool):
    """SQLite keeps naive UTC text (as the UTCDateTime column type writes it)."""
    if value is None or postgres:
        return value
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _bulk_insert(cursor, postgres: bool, table: str, columns: tuple[str, ...],
                 rows: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if postgres:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' * len(columns))})", rows)


def _thread_status(offset: float, roll: float) -> str:
    if offset < 2 * 86400 and roll < 0.5:
        return "pending"
    return "spam" if roll > 0.96 else "rejected" if roll > 0.92 else "published"


def _answer(rng: random.Random, comment_id: int, urgency: str, received, offset: float,
            staff_ids: list[int], when) -> tuple[tuple, list[tuple]]:
    """(replied, seconds, working, midwife) of a published comment, and its reply rows."""
    from datetime import timedelta

    seconds = int(min(rng.lognormvariate(0, 0.9) * REPORT_TYPICAL_SECONDS[urgency], offset))
    working = int(seconds * rng.uniform(0.2, 0.6))
    replied = received + timedelta(seconds=seconds)
    midwife = rng.choice(staff_ids)
    replies = [(comment_id, midwife, "Dear {first_name},\n\nThank you for writing to us, "
                "and I'm so sorry for your loss.\n\nMidwife", when(replied), when(replied),
                "public", 1)]
    if rng.random() < 0.08:
        later = replied + timedelta(hours=rng.uniform(1, 48))
        replies.append((comment_id, rng.choice(staff_ids), "Following up, as promised.",
                        when(later), when(later), "public", 1))
    return (replied, seconds, working, midwife), replies


def bulk_insert_threads(connection, n: int, *, seed: int = 7, days: int = 730, now=None,
                        batch: int = 50_000) -> dict[str, int]:
    """Insert n comments over the last `days` days, most answered, as fast as possible.

    For benchmarks of reports and exports: 12 staff, 20 pages, n comments (85% answered with
    one reply, 8% of those with a follow-up; the rest rejected, spam, or pending if recent)
    and label corrections on 3%, into an empty schema, through the raw driver: executemany on
    SQLite, COPY on PostgreSQL. Comments arrive in time order, so ids follow time as in a real
    table. Response times are log-normal around a typical time per urgency; working seconds are
    a share of them (the reports read these columns, they never recompute them).
    """
    import json
    from datetime import UTC, datetime, timedelta

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    postgres = connection.dialect.name == "postgresql"
    raw = connection.connection.driver_connection
    cursor = raw.cursor()
    urgencies, urgency_weights = zip(*QUEUE_URGENCIES, strict=True)
    topics, topic_weights = zip(*QUEUE_TOPICS, strict=True)

    def when(value):
        return _sql_time(value, postgres)

    staff = [(f"bench-staff{i}@example.org", f"Bench Midwife {i}", f"Midwife{i}",
              "supervisor" if i == 0 else "midwife", "!", True, f"bench-{seed}-{i}", when(now),
              False, json.dumps([]), False)
             for i in range(12)]
    pages = [(f"bench-page-{i}", f"Bench article {i}",
              f"https://www.example.org/health/bench-page-{i}", "", when(now))
             for i in range(20)]

    def insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        _bulk_insert(cursor, postgres, table, columns, rows)

    insert("users", ("email", "name", "display_name", "role", "password_hash", "active",
                     "session_token", "created_at", "safeguarding_lead", "recovery_code_hashes",
                     "clinical_approver"), staff)
    insert("pages", ("slug", "title", "url", "summary", "created_at"), pages)
    cursor.execute("SELECT id FROM users WHERE email LIKE 'bench-staff%' ORDER BY id")
    staff_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT id FROM pages WHERE slug LIKE 'bench-page-%' ORDER BY id")
    page_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT coalesce(max(id), 0) FROM comments")
    first_id = cursor.fetchone()[0] + 1

    comment_columns = ("id", "page_id", "external_id", "author_name", "author_email", "body",
                       "posted_at", "received_at", "status", "urgency", "topic",
                       "urgency_scores", "topic_scores", "urgent_probability",
                       "model_version", "triage_reasons", "triaged", "due_at",
                       "first_replied_at", "response_seconds", "response_working_seconds",
                       "moderated_by_id", "version", "red_flag", "red_flag_categories",
                       "check_soon", "redactions")
    reply_columns = ("comment_id", "midwife_id", "body", "created_at", "published_at", "kind",
                     "version")
    correction_columns = ("comment_id", "user_id", "field", "old_value", "new_value",
                          "created_at")
    counts = {"comments": 0, "replies": 0, "label_corrections": 0}
    offsets = sorted((rng.random() * days * 86400 for _ in range(n)), reverse=True)
    empty_object, empty_list = json.dumps({}), json.dumps([])
    for start in range(0, n, batch):
        bodies = comment_bodies(min(batch, n - start), seed + start)
        comments, replies, corrections = [], [], []
        for offset, body in zip(offsets[start:start + batch], bodies, strict=True):
            comment_id = first_id + counts["comments"]
            counts["comments"] += 1
            received = now - timedelta(seconds=offset)
            urgency = rng.choices(urgencies, urgency_weights)[0]
            topic = rng.choices(topics, topic_weights)[0]
            due = received + timedelta(seconds=REPORT_TARGET_SECONDS[urgency]
                                       * (1 + rng.random()))
            status = _thread_status(offset, rng.random())
            replied = seconds = working = midwife = None
            if status == "published":
                (replied, seconds, working, midwife), answer = _answer(
                    rng, comment_id, urgency, received, offset, staff_ids, when)
                replies.extend(answer)
            author = rng.choice(QUEUE_AUTHORS)
            comments.append((
                comment_id, rng.choice(page_ids), f"bench-threads-{seed}-{comment_id}",
                author, f"person{comment_id}@example.com" if rng.random() < 0.6 else None,
                body, when(received), when(received), status, urgency, topic, empty_object,
                empty_object, 0.9 if urgency == "urgent" else 0.1, "bench", empty_list,
                True, when(due), when(replied), seconds, working, midwife, 1, False,
                empty_list, False, empty_list))
            if rng.random() < 0.03:
                field = rng.choice(("urgency", "topic"))
                old = rng.choice(urgencies if field == "urgency" else topics)
                new = urgency if field == "urgency" else topic
                corrections.append((comment_id, rng.choice(staff_ids), field, old, new,
                                    when(received + timedelta(minutes=5))))
        insert("comments", comment_columns, comments)
        insert("replies", reply_columns, replies)
        insert("label_corrections", correction_columns, corrections)
        counts["replies"] += len(replies)
        counts["label_corrections"] += len(corrections)
    if postgres:
        cursor.execute("SELECT setval(pg_get_serial_sequence('comments', 'id'), "
                       "(SELECT max(id) FROM comments))")
    cursor.execute("ANALYZE")
    return counts
