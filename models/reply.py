"""Midwives' replies and the snippet library they start from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.user import User

if TYPE_CHECKING:
    from models.comment import Comment


class Reply(db.Model):
    """A midwife's answer to one comment."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    midwife_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    snippet_id: Mapped[int | None] = mapped_column(ForeignKey("snippets.id"))
    snippet_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    comment: Mapped[Comment] = relationship(back_populates="replies")
    midwife: Mapped[User] = relationship()
    snippet: Mapped[Snippet | None] = relationship()


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
    clinical_owner: Mapped[str] = mapped_column(String(200), default="")
    review_by: Mapped[date | None] = mapped_column(Date)
    # The red-flag category an urgent snippet answers (None for topic snippets).
    category: Mapped[str | None] = mapped_column(String(32))
    # Never published on the public page (e.g. advice to someone being hurt at home).
    private_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    versions: Mapped[list[SnippetVersion]] = relationship(
        back_populates="snippet", order_by="SnippetVersion.version"
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

    snippet: Mapped[Snippet] = relationship(back_populates="versions")
