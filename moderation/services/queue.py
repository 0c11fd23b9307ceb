"""Reading the moderation queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Comment, db


def pending_comments(limit: int = 50) -> list[Comment]:
    """Return pending comments, earliest reply deadline first, then most likely urgent."""
    statement = (
        select(Comment)
        .options(joinedload(Comment.page), joinedload(Comment.claimed_by))
        .where(Comment.status == "pending")
        .order_by(Comment.due_at.asc(), Comment.urgent_probability.desc(), Comment.id.asc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))
