"""Idempotent demo data: pages, comments, answered threads, snippets and accounts."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import Comment, Page, Reply, Snippet, SnippetVersion, User, db, utcnow
from moderation.services.auth import password_hasher
from moderation.services.demo_care import seed_care_demo
from moderation.services.demo_reviews import seed_governance_demo
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.signposting import seed_register
from moderation.services.triage import triage_comments
from moderation.services.working_hours import reply_due_at, working_seconds_between

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"

# (email, password, role): demo only, printed by `make run` and documented in the README.
# These are the only accounts the demo creates: no other sign-in exists after `demo seed`.
DEMO_ACCOUNTS = (
    ("midwife@example.org", "demo-midwife-2026", "midwife"),
    ("supervisor@example.org", "demo-supervisor-2026", "supervisor"),
    # The second clinician who approves Helen's snippet changes (clinical governance).
    ("supervisor2@example.org", "demo-supervisor2-2026", "supervisor"),
)
DEMO_PEOPLE = {
    "midwife@example.org": ("Grace Okafor", "Grace"),
    "supervisor@example.org": ("Helen Price", "Helen"),
    "supervisor2@example.org": ("Amara Mensah", "Amara"),
}


def _load(name: str) -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _demo_external_id(kind: str, body: str) -> str:
    return f"demo-{kind}-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def seed_demo_data() -> dict[str, int]:
    """Add whatever demo data is missing; running it twice adds nothing the second time."""
    summary = {"accounts": _seed_accounts(), "pages": _seed_pages(),
               # the register first: snippets refer to its entries by key
               "signposting entries": seed_register(), "snippets": _seed_snippets()}
    summary["pending comments"] = _seed_pending_comments()
    summary["answered threads"] = _seed_answered_threads()
    _link_follow_ups()
    summary.update(seed_governance_demo("supervisor@example.org", "midwife@example.org"))
    summary["incidents and wellbeing"] = seed_care_demo()
    db.session.flush()
    return summary


def _seed_accounts() -> int:
    added = 0
    for email, password, role in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.email == email)):
            continue
        name, display = DEMO_PEOPLE[email]
        db.session.add(
            User(
                email=email,
                name=name,
                display_name=f"{display}, Midwife",
                role=role,
                password_hash=password_hasher.hash(password),
                active=True,
            )
        )
        added += 1
    db.session.flush()
    return added


def _seed_pages() -> int:
    added = 0
    for item in _load("pages.json"):
        if db.session.scalar(select(Page).where(Page.slug == item["slug"])):
            continue
        db.session.add(Page(slug=item["slug"], title=item["title"], url=item["url"],
                            summary=item.get("summary", "")))
        added += 1
    db.session.flush()
    return added


def _seed_snippets() -> int:
    added = 0
    for position, item in enumerate(_load("snippets.json")):
        if db.session.scalar(select(Snippet).where(Snippet.key == item["key"])):
            continue
        review_by = date.fromisoformat(item["review_by"]) if item.get("review_by") else None
        snippet = Snippet(key=item["key"], title=item["title"], topic=item.get("topic"),
                          body=item["body"], version=1, active=True, position=position,
                          clinical_owner=item.get("clinical_owner", ""), review_by=review_by,
                          category=item.get("category"),
                          private_only=bool(item.get("private_only", False)))
        db.session.add(snippet)
        db.session.flush()
        # Written and checked before change control: approved (by nobody named).
        db.session.add(SnippetVersion(snippet_id=snippet.id, version=1, title=snippet.title,
                                      topic=snippet.topic, body=snippet.body,
                                      status="approved"))
        added += 1
    db.session.flush()
    return added


def _pages_by_slug() -> dict[str, Page]:
    return {page.slug: page for page in db.session.scalars(select(Page))}


def _existing_external_ids() -> set[str]:
    return set(db.session.scalars(
        select(Comment.external_id).where(Comment.external_id.like("demo-%"))
    ))


def _target_seconds(urgency: str, policy: ServicePolicy) -> float:
    """The reply target of an urgency in seconds (of working time, except for urgent)."""
    if urgency == "urgent":
        return policy.urgent_target_minutes * 60
    if urgency == "priority":
        return policy.priority_target_working_hours * 3600
    return policy.routine_target_working_days * policy.working_day_minutes * 60


def demo_received_at(now: datetime, urgency: str, target_used: float,
                     policy: ServicePolicy) -> datetime:
    """When a demo comment arrived if, by `now`, it has used this share of its reply target."""
    wanted = target_used * _target_seconds(urgency, policy)
    if urgency == "urgent":
        # Urgent targets run at any time of day, so the share is plain clock time.
        return now - timedelta(seconds=wanted)
    # The latest arrival with that much working time before now, found by bisection (working
    # time only grows as the arrival moves back): on a Monday at 09:30 a comment that has used
    # a quarter of a 4-hour target arrived on Friday afternoon, as it would have.
    earliest, latest = now - timedelta(days=60), now
    while latest - earliest > timedelta(seconds=1):
        middle = earliest + (latest - earliest) / 2
        if working_seconds_between(middle, now, policy) >= wanted:
            earliest = middle
        else:
            latest = middle
    rounded_up = (earliest + timedelta(seconds=1)).replace(microsecond=0)
    if working_seconds_between(rounded_up, now, policy) >= wanted:
        return rounded_up
    return earliest.replace(microsecond=0)


def _seed_pending_comments() -> int:
    pages, existing, now = _pages_by_slug(), _existing_external_ids(), utcnow()
    policy = current_policy()
    new_comments, flagged = [], []
    for item in _load("pending_comments.json"):
        external_id = _demo_external_id("pending", item["body"])
        if external_id in existing:
            continue
        # Relative to now and to the working hours, so the demo queue always opens on a
        # believable day: every urgent comment fresh and only a few others overdue.
        received = demo_received_at(now, item["urgency"], float(item["target_used"]), policy)
        comment = Comment(page=pages[item["page_slug"]], external_id=external_id,
                          author_name=item.get("author_name", ""),
                          author_email=item.get("author_email") or None, body=item["body"],
                          posted_at=received, received_at=received, status="pending",
                          due_at=received)
        db.session.add(comment)
        new_comments.append(comment)
        if item.get("red_flag_categories"):
            flagged.append((comment, item["red_flag_categories"]))
    if new_comments:
        triage_comments(new_comments, policy)
    for comment, categories in flagged:
        # The safeguarding demo keeps its category even if a rule is reworded one day.
        comment.red_flag_categories = sorted(set(comment.red_flag_categories) | set(categories))
    db.session.flush()
    return len(new_comments)


def _link_follow_ups() -> None:
    """Join each demo follow-up to the answered thread whose comment starts as it names."""
    for item in _load("pending_comments.json"):
        if not item.get("follow_up_of"):
            continue
        follow_up = db.session.scalar(select(Comment).where(
            Comment.external_id == _demo_external_id("pending", item["body"])))
        root = db.session.scalar(select(Comment).where(
            Comment.external_id.like("demo-answered-%"),
            Comment.body.startswith(item["follow_up_of"], autoescape=True)))
        if follow_up is not None and root is not None and follow_up.in_reply_to_id is None:
            follow_up.in_reply_to_id = root.id


def _seed_answered_threads() -> int:
    pages, existing, now = _pages_by_slug(), _existing_external_ids(), utcnow()
    policy = current_policy()
    staff = {user.email: user for user in db.session.scalars(select(User))}
    added = 0
    for item in _load("answered_threads.json"):
        external_id = _demo_external_id("answered", item["body"])
        if external_id in existing:
            continue
        received = now - timedelta(days=float(item["days_ago"]))
        replied = received + timedelta(minutes=float(item["reply"]["minutes_to_reply"]))
        midwife = staff[item["reply"]["midwife_email"]]
        comment = Comment(
            page=pages[item["page_slug"]], external_id=external_id,
            author_name=item.get("author_name", ""), author_email=item.get("author_email") or None,
            body=item["body"], posted_at=received, received_at=received, status="published",
            urgency=item["urgency"], topic=item["topic"], triaged=True,
            urgency_scores={}, topic_scores={}, triage_reasons=[],
            urgent_probability=1.0 if item["urgency"] == "urgent" else 0.0,
            due_at=reply_due_at(received, item["urgency"], policy),
            first_replied_at=replied, moderated_by_id=midwife.id,
            response_seconds=int((replied - received).total_seconds()),
            response_working_seconds=working_seconds_between(received, replied, policy),
        )
        db.session.add(comment)
        db.session.flush()
        db.session.add(Reply(comment_id=comment.id, midwife_id=midwife.id,
                             body=item["reply"]["body"], created_at=replied, published_at=replied))
        added += 1
    db.session.flush()
    return added
