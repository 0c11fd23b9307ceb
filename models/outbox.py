"""The transactional outbox: every message that leaves the app, and its delivery state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.user import User

OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "dropped")
OUTBOX_CHANNELS = ("email", "webhook")


class OutboxMessage(db.Model):
    """One email or webhook call to deliver, written in the transaction that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's claim reads due messages by status and time.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_comment", "comment_id"),
        Index("ix_outbox_messages_escalation", "escalation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is for: "urgent_alert" now; "private_reply", "password_reset", ...
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    # An email address, or the name of the webhook endpoint ("alerts").
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Unique: enqueuing the same message twice is a no-op, and receivers de-duplicate on it.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)

    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # While "sending", the worker holding it owns it until this time; then it may be retried.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sent: the last hand-over began; delivered: the server accepted it.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    escalation_step: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.channel} {self.status}>"
