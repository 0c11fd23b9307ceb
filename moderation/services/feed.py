"""Published threads of a page: what the public page and the website's feed may show."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import Comment, Page, Reply, db, utcnow
from moderation.formatting import iso_utc

if TYPE_CHECKING:
    from moderation.services.advice import Advice


@dataclass(frozen=True)
class PublishedThread:
    """A published comment with its published replies, oldest reply first, then its
    published follow-ups (each with its own replies), oldest first."""

    comment: Comment
    replies: list[Reply]
    follow_ups: list[PublishedThread] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """A comment counts as verified once a midwife has answered it in public."""
        return bool(self.replies)


@dataclass(frozen=True)
class PageFeed:
    """The feed of one page, with the validators a cache needs."""

    payload: dict[str, Any]
    etag: str
    last_modified: datetime


def posted_advice(page: Page, comment_ids: list[int]) -> list[tuple[Comment, Advice]]:
    """The advice for the comments this visitor posted on this page, newest first."""
    from moderation.services.advice import advice_for_comment

    ids = [i for i in comment_ids if isinstance(i, int)]
    if not ids:
        return []
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(ids), Comment.page_id == page.id))
    by_id = {comment.id: comment for comment in comments}
    now = utcnow()
    return [(by_id[i], advice_for_comment(by_id[i], now)) for i in ids if i in by_id]


def find_page(slug: str) -> Page | None:
    """Return the page with this slug, if there is one."""
    return db.session.scalar(select(Page).where(Page.slug == slug))


def published_threads(page: Page, now: datetime | None = None) -> list[PublishedThread]:
    """Return the page's published comments, oldest first, each with its published replies.

    A reply still inside its undo window (published_at in the future) is not shown yet, nor
    is a comment published by it.
    """
    now = now or utcnow()
    comments = db.session.scalars(
        select(Comment)
        .options(selectinload(Comment.replies).joinedload(Reply.midwife))
        .where(Comment.page_id == page.id, Comment.status == "published")
        .order_by(func.coalesce(Comment.posted_at, Comment.received_at), Comment.id)
    )
    roots: list[PublishedThread] = []
    follow_ups: dict[int, list[PublishedThread]] = {}
    for comment in comments:
        # The visible moment derives from the replies, loaded here anyway: checked in Python,
        # so the query reads ix_comments_page_status alone (an EXISTS per comment made
        # PostgreSQL hash every reply of every page).
        if not comment.is_public_at(now):
            continue
        replies = sorted(
            (reply for reply in comment.replies if reply.is_public_at(now)),
            key=lambda reply: (reply.published_at, reply.id),
        )
        thread = PublishedThread(comment, replies)
        if comment.in_reply_to_id is None:
            roots.append(thread)
        else:
            follow_ups.setdefault(comment.in_reply_to_id, []).append(thread)
    for thread in roots:  # a follow-up shows only under its own published thread
        thread.follow_ups.extend(follow_ups.get(thread.comment.id, []))
    return roots


def _last_change(page: Page) -> datetime:
    """The latest moment anything shown for this page was published or moderated."""
    # A comment's visible moment is its first reply's, counted below; decided_at is when it
    # was answered, rejected or unpublished.
    moments = db.session.execute(
        select(func.max(Comment.decided_at)).where(Comment.page_id == page.id)
    ).one()
    reply_moments = db.session.execute(
        select(func.max(Reply.published_at), func.max(Reply.edited_at),
               func.max(Reply.withdrawn_at))
        .join(Comment, Reply.comment_id == Comment.id)
        .where(Comment.page_id == page.id)
    ).one()
    candidates = [page.created_at, *moments, *reply_moments]
    # A reply inside its undo window has a future published_at: never claim a future change.
    return min(utcnow(), max(moment for moment in candidates if moment is not None))


def _thread_payload(thread: PublishedThread) -> dict[str, Any]:
    """One published comment as the feed gives it, with its replies and follow-ups."""
    comment = thread.comment
    payload = {
        "id": comment.id,
        "author_name": comment.author_name,
        "verified": thread.verified,
        "body": comment.public_body,
        "posted_at": iso_utc(comment.posted_at or comment.received_at),
        "published_at": iso_utc(comment.published_at),
        "replies": [
            {
                "id": reply.id,
                "author_name": reply.midwife.display_name,
                "role": "midwife",
                "body": reply.body,
                "published_at": iso_utc(reply.published_at),
                "edited": reply.edited_at is not None,
            }
            for reply in thread.replies
        ],
    }
    if comment.in_reply_to_id is None:
        payload["follow_ups"] = [_thread_payload(follow_up) for follow_up in thread.follow_ups]
    return payload


def page_feed(slug: str) -> PageFeed | None:
    """Return the page's published threads as JSON-ready data (never an email address)."""
    page = find_page(slug)
    if page is None:
        return None
    comments = [_thread_payload(thread) for thread in published_threads(page)]
    payload = {"page": {"slug": page.slug}, "comments": comments}
    digest = hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:32]
    return PageFeed(payload=payload, etag=digest, last_modified=_last_change(page))
