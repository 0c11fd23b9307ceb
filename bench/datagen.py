"""Synthetic data for benchmarks: realistic, varied public comments (no Flask, no database).

`comment_bodies(n, seed)` composes bodies from fragments written for this file: an opener,
some context about the loss, a question or a feeling, sometimes a symptom (a few of them
red flags, some negated), and a sign-off; with casing and spelling noise, as real comments
have. The same (n, seed) always gives the same list.
"""

from __future__ import annotations

import random

OPENERS = (
    "Hi,", "Hello midwives,", "Hi there.", "Sorry if this has been asked before.", "",
    "Long time reader, first time posting.", "Not sure if this is the right place but",
    "Hello, I hope someone can help.", "hi all", "Evening.", "Quick question.",
    "I don't really know why I'm writing this.", "Thank you for this page.",
)

CONTEXT = (
    "I had a miscarriage at {w} weeks {when}.",
    "We lost our baby at {w} weeks {when}.",
    "I had a missed miscarriage found at my {w} week scan {when} and had an ERPC.",
    "I passed the pregnancy at home {when} after taking the tablets.",
    "My ectopic was treated with methotrexate {when}.",
    "I had surgery for an ectopic {when} and lost my left tube.",
    "This was our {nth} loss, the last one was {when}.",
    "It was a molar pregnancy, they told me {when}.",
    "I was {w} weeks when the bleeding started {when}.",
    "my partner had a miscarriage {when} and I don't know how to help her.",
    "I'm writing for my sister who lost her baby at {w} weeks {when}.",
    "We found out there was no heartbeat {when}.",
)

WHEN = (
    "last week", "two weeks ago", "on Monday", "in the summer", "three months ago",
    "yesterday", "a month ago", "just before Christmas", "ten days ago", "in March",
    "6 weeks ago", "at the weekend",
)

QUESTIONS = (
    "How long does the bleeding usually go on for?",
    "Is it normal to still be spotting after three weeks?",
    "When should my first period come back?",
    "My first period was much heavier than normal, is that ok?",
    "How soon can we start trying again?",
    "Do we need to wait for a period before trying again?",
    "Is it safe to go back to the gym yet?",
    "How much time off work is normal, and do I need a fit note?",
    "When can we have sex again?",
    "Will the hospital test the tissue to find out why it happened?",
    "What happens at the recurrent miscarriage clinic and how do I get referred?",
    "My hCG was 240 last week and 180 now, is that falling fast enough?",
    "How many blood tests do they do after methotrexate?",
    "The pregnancy test is still positive, when will it go negative?",
    "Can we have a funeral even though it was early?",
    "What happens to the baby's remains after surgery at the hospital?",
    "Is there a book of remembrance we could write in?",
    "Are there any support groups near Leeds?",
    "How do I explain this to our four year old?",
    "Is it my fault because I carried on running?",
    "Does it get easier?",
    "Is there anything I can take to make my cycle regular again?",
    "Should I ask my GP for progesterone next time?",
    "Can I still donate to the charity if I cancel my direct debit?",
)

FEELINGS = (
    "I feel so empty.", "Everyone expects me to be back to normal already.",
    "My husband doesn't want to talk about it.", "I can't stop crying at work.",
    "I keep seeing pregnant women everywhere.", "I'm angry all the time and I don't know why.",
    "The due date is coming up and I'm dreading it.", "I feel like my body has failed me.",
    "Friends have stopped asking how I am.", "I'm not sleeping much.",
    "I feel numb most days.", "Honestly I'm coping better than I thought.",
    "I'm terrified it will happen again.", "we are both heartbroken.",
)

SYMPTOMS = (
    "The bleeding is light now, more like brown spotting.",
    "No pain, no temperature, just some cramping now and then.",
    "I've had a few small clots but I feel well.",
    "I'm not dizzy and I haven't had a fever.",
    "My period came five weeks after and it was quite heavy.",
    "I get a dull ache on and off, paracetamol helps.",
    "It's been nine weeks and still no period, tests are negative.",
    "I'm still bleeding four weeks later.",
    "I'm 6 weeks pregnant again and had a tiny bit of spotting, no pain.",
    "Last year I collapsed with my ectopic but this time I feel fine.",
    "Tonight I'm soaking through a pad every hour and I feel faint.",
    "I've got a temperature of 38.5 and the discharge smells awful.",
    "There's a sharp pain on my right side and it's going into my shoulder.",
    "Sometimes I think everyone would be better off without me.",
    "I've been having panic attacks most nights.",
)

SIGNOFFS = (
    "Thank you.", "Thanks in advance x", "Any advice welcome.", "", "Sorry for the long post.",
    "Thank you for all you do.", "xx", "Sorry, rambling.", "Thanks for reading.",
)

_NTH = ("second", "third", "fourth", "fifth")


def _noise(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12:
        text = text.lower()
    elif roll < 0.18:
        text = text.replace("I'm", "im").replace("don't", "dont").replace("'", "")
    if rng.random() < 0.05:
        text = text.replace("you", "u").replace("and", "&")
    return text


def comment_bodies(n: int, seed: int = 1) -> list[str]:
    """Return n realistic, varied comment bodies (deterministic for a given seed)."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(n):
        parts = [rng.choice(OPENERS)]
        if rng.random() < 0.85:
            parts.append(rng.choice(CONTEXT).format(
                w=rng.randint(5, 22), when=rng.choice(WHEN), nth=rng.choice(_NTH)))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            parts.append(rng.choice(FEELINGS))
        if rng.random() < 0.45:
            parts.append(rng.choice(SYMPTOMS))
        for _ in range(rng.choice((1, 1, 1, 2))):
            parts.append(rng.choice(QUESTIONS))
        parts.append(rng.choice(SIGNOFFS))
        if rng.random() < 0.1:  # a short one-liner, as many real comments are
            parts = [rng.choice(QUESTIONS + FEELINGS)]
        bodies.append(_noise(" ".join(p for p in parts if p), rng))
    return bodies


# --- Queue: a bulk generator of waiting comments (bench_queue) -----------------------------

QUEUE_AUTHORS = ("Priya", "Sam", "", "Anonymous", "Kate M", "jo", "Aisha", "Emma R", "",
                 "Laura", "Hannah", "Chloe", "Rachel B", "Zainab", "Megan", "Sophie")
QUEUE_URGENCIES = (("urgent", 5), ("priority", 25), ("routine", 70))
QUEUE_TOPICS = (("bleeding", 22), ("first_period", 12), ("trying_again", 16),
                ("emotional_support", 20), ("recurrent_loss", 6), ("ectopic_molar", 7),
                ("remembrance", 5), ("recovery_work", 6), ("other", 6))


def insert_comments(session, n: int, *, status: str = "pending", seed: int = 1,
                    page_ids: list[int] | None = None, claimed_by_ids: list[int] | None = None,
                    now=None, spread_days: float = 10, batch: int = 5000) -> int:
    """Bulk-insert n comments with realistic labels, probabilities and real deadlines.

    Received times spread over the last `spread_days` days; due_at comes from the real
    working-hours rules (default policy), so many are overdue, as in a real backlog. About 2%
    carry a live claim by one of `claimed_by_ids`. Inserts go through executemany of dicts
    (no ORM objects), flushed in batches; the caller commits. Returns the number inserted.
    """
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from models import Comment
    from models.comment import URGENT_LANE_RANKS, queue_rank_for
    from moderation.services.settings import ServicePolicy
    from moderation.services.working_hours import reply_due_at

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    policy = ServicePolicy()
    page_ids = page_ids or []
    bodies = comment_bodies(n, seed)
    urgencies, urgency_weights = zip(*QUEUE_URGENCIES, strict=True)
    topics, topic_weights = zip(*QUEUE_TOPICS, strict=True)
    probability_range = {"urgent": (0.55, 1.0), "priority": (0.1, 0.6), "routine": (0.0, 0.2)}
    rows = []
    inserted = 0
    for i in range(n):
        urgency = rng.choices(urgencies, urgency_weights)[0]
        low, high = probability_range[urgency]
        # Rounded so that equal probabilities (and equal deadlines) occur, as ties do.
        received = now - timedelta(seconds=rng.randint(0, int(spread_days * 86400)))
        received = received.replace(microsecond=0)
        claimed = claimed_by_ids and status == "pending" and rng.random() < 0.02
        author = rng.choice(QUEUE_AUTHORS)
        probability = round(rng.uniform(low, high), 2)
        # About 40% of urgent comments trip a safety rule; 5% of the others are "check soon".
        red_flag = urgency == "urgent" and rng.random() < 0.4
        check_soon = urgency != "urgent" and rng.random() < 0.05
        # A Core insert skips the model's rank keeping, so the rank is worked out here.
        rank = queue_rank_for(urgency, red_flag, check_soon)
        rows.append({
            "page_id": rng.choice(page_ids) if page_ids else None,
            "external_id": f"bench-queue-{seed}-{i}",
            "author_name": author,
            "author_email": f"{author.lower().replace(' ', '.')}{i % 500}@example.org"
            if author and rng.random() < 0.6 else None,
            "body": bodies[i],
            "posted_at": received,
            "received_at": received,
            "status": status,
            "urgency": urgency,
            "topic": rng.choices(topics, topic_weights)[0],
            "urgency_scores": {},
            "topic_scores": {},
            "urgent_probability": probability,
            "red_flag": red_flag,
            "red_flag_categories": ["physical_emergency"] if red_flag else [],
            "check_soon": check_soon,
            "queue_rank": rank,
            "lane_probability": probability if rank in URGENT_LANE_RANKS else 0.0,
            "model_version": "bench",
            "triage_reasons": [],
            "triaged": rng.random() > 0.01,
            "due_at": reply_due_at(received, urgency, policy),
            "claimed_by_id": rng.choice(claimed_by_ids) if claimed else None,
            "claimed_at": now if claimed else None,
            "claim_expires_at": now + timedelta(minutes=20) if claimed else None,
            "moderated_at": received + timedelta(hours=2) if status != "pending" else None,
            "version": 1,
        })
        if len(rows) >= batch:
            session.execute(insert(Comment.__table__), rows)
            inserted += len(rows)
            rows = []
    if rows:
        session.execute(insert(Comment.__table__), rows)
        inserted += len(rows)
    return inserted


# --- Intake: API request bodies as the charity's website sends them (bench_intake) -----------

INTAKE_PAGES = (
    ("after-a-miscarriage", "After a miscarriage"),
    ("ectopic-pregnancy", "Ectopic pregnancy"),
    ("trying-again", "Trying again after a loss"),
    ("recurrent-miscarriage", "Recurrent miscarriage"),
)


def intake_requests(n: int, seed: int = 1, *, prefix: str = "bench") -> list[dict]:
    """Return n valid POST /api/v1/comments bodies with distinct external ids."""
    from datetime import UTC, datetime, timedelta

    rng = random.Random(seed)
    now = datetime.now(UTC)
    requests = []
    for i, body in enumerate(comment_bodies(n, seed)):
        slug, title = rng.choice(INTAKE_PAGES)
        author = rng.choice(QUEUE_AUTHORS)
        requests.append({
            "page": {"slug": slug, "title": title,
                     "url": f"https://www.example.org/health/{slug}"},
            "author_name": author,
            "author_email": f"reader{i}@example.org" if rng.random() < 0.5 else None,
            "body": body,
            "external_id": f"{prefix}-{seed}-{i}",
            "posted_at": (now - timedelta(seconds=rng.randint(1, 600))).isoformat(),
        })
    return requests


# --- Reports and exports: a bulk generator of answered threads (bench_reports) -------------

REPORT_TYPICAL_SECONDS = {"urgent": 1800, "priority": 3 * 3600, "routine": 20 * 3600}
REPORT_TARGET_SECONDS = {"urgent": 3600, "priority": 4 * 3600, "routine": 2 * 86400}


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
    empty_object, empty_list = json.dumps({}), json.dumps([])
    topics, topic_weights = zip(*QUEUE_TOPICS, strict=True)

    def when(value):
        # SQLite keeps naive UTC text (as the UTCDateTime column type writes it).
        if value is None or postgres:
            return value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")

    staff = [(f"bench-staff{i}@example.org", f"Bench Midwife {i}", f"Midwife{i}",
              "supervisor" if i == 0 else "midwife", "!", True, f"bench-{seed}-{i}", when(now),
              False, empty_list)
             for i in range(12)]
    pages = [(f"bench-page-{i}", f"Bench article {i}",
              f"https://www.example.org/health/bench-page-{i}", "", when(now))
             for i in range(20)]
    marker = "%s" if postgres else "?"

    def insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if postgres:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join([marker] * len(columns))})", rows)

    insert("users", ("email", "name", "display_name", "role", "password_hash", "active",
                     "session_token", "created_at", "safeguarding_lead", "recovery_code_hashes"),
           staff)
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
                       "published_at", "first_replied_at", "response_seconds",
                       "response_working_seconds", "moderated_by_id", "moderated_at",
                       "version", "red_flag", "red_flag_categories", "check_soon", "redactions")
    reply_columns = ("comment_id", "midwife_id", "body", "created_at", "published_at", "kind",
                     "version")
    correction_columns = ("comment_id", "user_id", "field", "old_value", "new_value",
                          "created_at")
    counts = {"comments": 0, "replies": 0, "label_corrections": 0}
    offsets = sorted((rng.random() * days * 86400 for _ in range(n)), reverse=True)
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
            roll = rng.random()
            if offset < 2 * 86400 and roll < 0.5:
                status = "pending"
            else:
                status = "spam" if roll > 0.96 else "rejected" if roll > 0.92 else "published"
            replied = seconds = working = midwife = None
            if status == "published":
                seconds = int(min(rng.lognormvariate(0, 0.9)
                                  * REPORT_TYPICAL_SECONDS[urgency], offset))
                working = int(seconds * rng.uniform(0.2, 0.6))
                replied = received + timedelta(seconds=seconds)
                midwife = rng.choice(staff_ids)
                replies.append((comment_id, midwife, "Dear {first_name},\n\nThank you for "
                                "writing to us, and I'm so sorry for your loss.\n\nMidwife",
                                when(replied), when(replied), "public", 1))
                if rng.random() < 0.08:
                    later = replied + timedelta(hours=rng.uniform(1, 48))
                    replies.append((comment_id, rng.choice(staff_ids),
                                    "Following up, as promised.", when(later), when(later),
                                    "public", 1))
            author = rng.choice(QUEUE_AUTHORS)
            comments.append((
                comment_id, rng.choice(page_ids), f"bench-threads-{seed}-{comment_id}",
                author, f"person{comment_id}@example.com" if rng.random() < 0.6 else None,
                body, when(received), when(received), status, urgency, topic, empty_object,
                empty_object, 0.9 if urgency == "urgent" else 0.1, "bench", empty_list,
                True, when(due), when(replied), when(replied), seconds, working, midwife,
                when(replied), 1, False, empty_list, False, empty_list))
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
