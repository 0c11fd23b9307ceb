"""Midwives' label corrections, as training examples for the triage model."""

from __future__ import annotations

from sqlalchemy import select

from models import Comment, LabelCorrection, db


def corrected_examples() -> list[dict[str, str]]:
    """Return one example per corrected comment, with its labels as the midwives left them."""
    corrected_ids = select(LabelCorrection.comment_id).distinct()
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(corrected_ids)))
    return [{"body": c.body, "urgency": c.urgency, "topic": c.topic} for c in comments]
