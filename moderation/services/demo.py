"""Idempotent demo data: pages, comments, answered threads, snippets and accounts."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models import Comment, Page, Reply, Snippet, SnippetVersion, User, db, utcnow
from moderation.services.auth import password_hasher
from moderation.services.settings import current_policy
from moderation.services.triage import triage_comments
from moderation.services.working_hours import reply_due_at, working_seconds_between

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"

# (email, password, role): demo only, printed by `make run` and documented in the README.
# These are the only accounts the demo creates: no other sign-in exists after `demo seed`.
DEMO_ACCOUNTS = (
    ("midwife@example.org", "demo-midwife-2026", "midwife"),
    ("supervisor@example.org", "demo-supervisor-2026", "supervisor"),
)
DEMO_PEOPLE = {
    "midwife@example.org": ("Grace Okafor", "Grace"),
    "supervisor@example.org": ("Helen Price", "Helen"),
}


def _load(name: str) -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _demo_external_id(kind: str, body: str) -> str:
    return f"demo-{kind}-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def seed_demo_data() -> dict[str, int]:
    """Add whatever demo data is missing; running it twice adds nothing the second time."""
    summary = {"accounts": _seed_accounts(), "pages": _seed_pages(), "snippets": _seed_snippets()}
    summary["pending comments"] = _seed_pending_comments()
    summary["answered threads"] = _seed_answered_threads()
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
                          clinical_owner=item.get("clinical_owner", ""), review_by=review_by)
        db.session.add(snippet)
        db.session.flush()
        db.session.add(SnippetVersion(snippet_id=snippet.id, version=1, title=snippet.title,
                                      topic=snippet.topic, body=snippet.body))
        added += 1
    db.session.flush()
    return added


def _pages_by_slug() -> dict[str, Page]:
    return {page.slug: page for page in db.session.scalars(select(Page))}


def _existing_external_ids() -> set[str]:
    return set(db.session.scalars(
        select(Comment.external_id).where(Comment.external_id.like("demo-%"))
    ))


def _seed_pending_comments() -> int:
    pages, existing, now = _pages_by_slug(), _existing_external_ids(), utcnow()
    new_comments = []
    for item in _load("pending_comments.json"):
        external_id = _demo_external_id("pending", item["body"])
        if external_id in existing:
            continue
        received = now - timedelta(hours=float(item.get("hours_ago", 1)))
        comment = Comment(page=pages[item["page_slug"]], external_id=external_id,
                          author_name=item.get("author_name", ""),
                          author_email=item.get("author_email") or None, body=item["body"],
                          posted_at=received, received_at=received, status="pending",
                          due_at=received)
        db.session.add(comment)
        new_comments.append(comment)
    if new_comments:
        triage_comments(new_comments)
    db.session.flush()
    return len(new_comments)


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
            published_at=replied, first_replied_at=replied, moderated_by_id=midwife.id,
            moderated_at=replied, response_seconds=int((replied - received).total_seconds()),
            response_working_seconds=working_seconds_between(received, replied, policy),
        )
        db.session.add(comment)
        db.session.flush()
        db.session.add(Reply(comment_id=comment.id, midwife_id=midwife.id,
                             body=item["reply"]["body"], created_at=replied, published_at=replied))
        added += 1
    db.session.flush()
    return added
