"""Midwives' replies and the snippet library they start from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from models.base import UTCDateTime, db, utcnow
from models.outbox import OutboxMessage
from models.user import User

if TYPE_CHECKING:
    from models.comment import Comment


class Reply(db.Model):
    """A midwife's answer to one comment."""

    __tablename__ = "replies"
    __table_args__ = (
        # The reports' replies per midwife read this index alone (an index-only scan on
        # PostgreSQL), not the period's reply rows.
        Index("ix_replies_published_midwife", "published_at", "midwife_id", "kind",
              "withdrawn_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    midwife_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    snippet_id: Mapped[int | None] = mapped_column(ForeignKey("snippets.id"))
    snippet_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the public may first see it (the one home of that moment; the comment's visible
    # moment derives from it): publishing sets it to the end of the undo window, a second
    # clinician's approval to the approval. None for a private reply and for one that never
    # went public (held, sent back or taken back in the undo window). A supervisor's unpublish
    # keeps it and sets withdrawn_at: the reply was public from then until then.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # "public" (on the page) or "private" (emailed to the poster through the outbox).
    kind: Mapped[str] = mapped_column(String(16), default="public")
    # Bumped by every edit; an edit names the version it was written against.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))

    comment: Mapped[Comment] = relationship(back_populates="replies")
    midwife: Mapped[User] = relationship(foreign_keys=[midwife_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    snippet: Mapped[Snippet | None] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()
    versions: Mapped[list[ReplyVersion]] = relationship(
        back_populates="reply", order_by="ReplyVersion.version"
    )

    @hybrid_property
    def is_published(self) -> bool:
        """Public on the page (or once its undo window ends) and not withdrawn."""
        return (self.kind == "public" and self.published_at is not None
                and self.withdrawn_at is None)

    @is_published.inplace.expression
    @classmethod
    def _is_published_expression(cls) -> ColumnElement[bool]:
        return and_(cls.kind == "public", cls.published_at.is_not(None),
                    cls.withdrawn_at.is_(None))

    def is_public_at(self, now: datetime) -> bool:
        """Tell whether the public may see this reply at `now`."""
        return bool(self.is_published) and self.published_at is not None \
            and self.published_at <= now


class ReplyVersion(db.Model):
    """The text of one version of a reply, kept when a midwife edits what she published."""

    __tablename__ = "reply_versions"
    __table_args__ = (UniqueConstraint("reply_id", "version", name="uq_reply_versions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id"))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reply: Mapped[Reply] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class Snippet(db.Model):
    """A reusable reply text kept by supervisors; every edit makes a new version."""

    __tablename__ = "snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # None means "offered for any topic" (the urgent-care snippet).
    topic: Mapped[str | None] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Free text from before owners were accounts; kept (read-only) until an owner is chosen.
    clinical_owner: Mapped[str] = mapped_column(String(200), default="")
    clinical_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_by: Mapped[date | None] = mapped_column(Date)
    # The red-flag category an urgent snippet answers (None for topic snippets).
    category: Mapped[str | None] = mapped_column(String(32))
    # Never published on the public page (e.g. advice to someone being hurt at home).
    private_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the live text (`version`) was approved; None while the snippet is only a draft,
    # and a snippet that was never approved cannot be inserted.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clinical_owner_user: Mapped[User | None] = relationship(foreign_keys=[clinical_owner_id])
    versions: Mapped[list[SnippetVersion]] = relationship(
        back_populates="snippet", order_by="SnippetVersion.version"
    )
    references: Mapped[list[SnippetReference]] = relationship(
        back_populates="snippet", order_by="SnippetReference.id", cascade="all, delete-orphan"
    )

    def review_overdue(self, today: date) -> bool:
        """Tell whether the snippet is past its clinical review date."""
        return self.review_by is not None and self.review_by < today


class SnippetVersion(db.Model):
    """The text of one version of a snippet, kept so sent replies can be compared."""

    __tablename__ = "snippet_versions"
    __table_args__ = (UniqueConstraint("snippet_id", "version", name="uq_snippet_versions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snippet_id: Mapped[int] = mapped_column(ForeignKey("snippets.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "draft" (waiting for a second clinician), "approved" (was or is the live text) or
    # "withdrawn" (a draft replaced by a later one, or discarded).
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    snippet: Mapped[Snippet] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])


class SnippetReference(db.Model):
    """The guidance a snippet rests on, and when someone last checked it still says so."""

    __tablename__ = "snippet_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    snippet_id: Mapped[int] = mapped_column(ForeignKey("snippets.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    checked_on: Mapped[date] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    snippet: Mapped[Snippet] = relationship(back_populates="references")
