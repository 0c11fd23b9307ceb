"""A second clinician's review of a reply: four-eyes on high-risk replies, and peer review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.reply import Reply
from models.user import User

# Why a reply is reviewed: held until approved, published then reviewed, or sampled.
REVIEW_SOURCES = ("before_publishing", "after_publishing", "sample")
REVIEW_VERDICTS = ("agree", "concern")
# The peer-review form's questions, in the order they are asked.
REVIEW_CHECKS = ("accurate", "safe", "safety_netted", "kind", "on_topic")


class ReplyReview(db.Model):
    """One reply waiting for, or given, a second clinician's review."""

    __tablename__ = "reply_reviews"
    __table_args__ = (UniqueConstraint("reply_id", "source", name="uq_reply_reviews_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))
    # The high-risk category that asked for four eyes (private, safeguarding, urgent).
    category: Mapped[str | None] = mapped_column(String(24))
    # A sampled review: the ISO week sampled ("2026-W48") and the seed that drew it.
    sample_week: Mapped[str | None] = mapped_column(String(10), index=True)
    sample_seed: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    accurate: Mapped[bool | None] = mapped_column(Boolean)
    safe: Mapped[bool | None] = mapped_column(Boolean)
    safety_netted: Mapped[bool | None] = mapped_column(Boolean)
    kind: Mapped[bool | None] = mapped_column(Boolean)
    on_topic: Mapped[bool | None] = mapped_column(Boolean)

    reply: Mapped[Reply] = relationship()
    reviewer: Mapped[User | None] = relationship()

    @property
    def done(self) -> bool:
        return self.reviewed_at is not None
