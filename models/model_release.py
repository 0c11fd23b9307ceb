"""Triage model releases: trained candidates, the one promoted to serve, and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.user import User

RELEASE_STATUSES = ("candidate", "active", "retired")


class ModelRelease(db.Model):
    """One trained model version: a candidate until a supervisor promotes it."""

    __tablename__ = "model_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    # The release's own directory (artifact, sidecar, card); never the serving path.
    directory: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Urgent recall of the served decision (rules OR model) on the frozen test file.
    frozen_urgent_recall: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The evaluation report against the model active when it was evaluated.
    evaluation: Mapped[dict] = mapped_column(JSON, default=dict)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    promoted_by: Mapped[User | None] = relationship()
