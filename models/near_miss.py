"""Near misses: comments a midwife raised to urgent that the served triage did not call urgent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.comment import Comment
from models.user import User


class NearMiss(db.Model):
    """A missed emergency: served as priority or routine, raised to urgent by a midwife."""

    __tablename__ = "near_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), unique=True)
    # The model that served the comment, and what the served triage said.
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    served_urgency: Mapped[str] = mapped_column(String(16))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A supervisor has read it; until then every supervisor page shows a notice.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    comment: Mapped[Comment] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
