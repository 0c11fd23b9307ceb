"""Heartbeats of background workers, read by the readiness check and the metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow


class WorkerHeartbeat(db.Model):
    """The last time a named background worker (e.g. `outbox@host:pid`) said it was alive."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), default="outbox")
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
