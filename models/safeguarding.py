"""Safeguarding records and internal notes: back-office only, never public, never exported
with public text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.comment import Comment
from models.user import User

SAFEGUARDING_STATUSES = ("open", "closed")


class SafeguardingRecord(db.Model):
    """A safeguarding concern about one comment: concern, decision, actions, outcome."""

    __tablename__ = "safeguarding_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), unique=True)
    # "rules" (the red-flag rules at intake) or "midwife" (raised by hand).
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    concern: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class ThreadNote(db.Model):
    """A midwife's internal note on a thread (kept on the thread's first comment)."""

    __tablename__ = "thread_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    mentions: Mapped[list[NoteMention]] = relationship(back_populates="note")


class NoteMention(db.Model):
    """A colleague @mentioned in a note; seen_at is set when she opens it in the app."""

    __tablename__ = "note_mentions"
    __table_args__ = (Index("ix_note_mentions_user_seen", "user_id", "seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("thread_notes.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    note: Mapped[ThreadNote] = relationship(back_populates="mentions")
    user: Mapped[User] = relationship()
