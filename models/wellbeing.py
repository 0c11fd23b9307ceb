"""Staff wellbeing: the distressing comments each midwife opened, and her debrief requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.user import User


class DistressingOpen(db.Model):
    """A midwife opened a distressing comment to answer it (once per midwife and comment)."""

    __tablename__ = "distressing_opens"
    __table_args__ = (
        UniqueConstraint("user_id", "comment_id", name="uq_distressing_opens_user_comment"),
        Index("ix_distressing_opens_user_opened", "user_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # No foreign key on purpose: the weekly totals outlive the retention purge of rejected
    # comments, and hold nothing of the comment but its number.
    comment_id: Mapped[int] = mapped_column(Integer)
    # Why it counted: the red-flag categories and/or topic that make it distressing.
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()


class DebriefRequest(db.Model):
    """"I'd like a debrief": a private request to the supervisors after a comment."""

    __tablename__ = "debrief_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # No foreign key, as above: the request is about her, not about the comment's data.
    comment_id: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A supervisor has arranged it; until then the supervisors' navigation shows it.
    arranged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    arranged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    arranged_by: Mapped[User | None] = relationship(foreign_keys=[arranged_by_id])
