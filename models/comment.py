"""Comments from the public, their triage and the midwives' label corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from models.base import UTCDateTime, db, utcnow
from models.page import Page, Site
from models.user import User

# private: answered by email only; closed: dealt with, never published (a reason is kept);
# unpublished: a supervisor took a published thread down (a reason is kept).
COMMENT_STATUSES = ("pending", "published", "rejected", "spam", "private", "closed",
                    "unpublished")
REDACTED_TEXT = "[removed]"
# Who wrote a comment, wherever a person reads it, when the author left the name blank.
ANONYMOUS_AUTHOR = "Anonymous"
# The moves of a comment's life cycle: every other change of status is refused.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    "pending": ("published", "rejected", "spam", "private", "closed"),
    # Back to the queue when its only reply is taken back in the undo window; a supervisor
    # unpublishes a thread.
    "published": ("pending", "unpublished"),
    # A bulk rejection or spam marking undone within its minute.
    "rejected": ("pending",),
    "spam": ("pending",),
    "private": (),
    "closed": (),
    "unpublished": (),
}


# Outcomes that answer the poster: their moment is first_replied_at, not moderated_at.
ANSWERED_STATUSES = ("published", "private")


class InvalidTransition(ValueError):
    """A comment was asked to move between two statuses that do not follow each other."""

# The queue's ranks, top first. Ranks 0 and 1 are the urgent lane: an urgent comment is never
# below a non-urgent one, whatever its deadline. Stored (queue_rank) so that one index serves
# the whole order on SQLite and PostgreSQL alike.
RANK_URGENT_RED_FLAG = 0
RANK_URGENT = 1
RANK_CHECK_SOON = 2
RANK_DEADLINE = 3
URGENT_LANE_RANKS = (RANK_URGENT_RED_FLAG, RANK_URGENT)


def queue_rank_for(urgency: str | None, red_flag: bool | None, check_soon: bool | None) -> int:
    """The queue rank of a comment with these labels (0 = top)."""
    if urgency == "urgent":
        return RANK_URGENT_RED_FLAG if red_flag else RANK_URGENT
    # A red flag on a comment a midwife judged not urgent still deserves a look soon.
    if check_soon or red_flag:
        return RANK_CHECK_SOON
    return RANK_DEADLINE


class Comment(db.Model):
    """One comment posted by a member of the public under a page."""

    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("site_id", "external_id", name="uq_comments_site_external_id"),
        # NULLs are distinct in the constraint above, so comments from the public form (no
        # site) need their own partial unique index to make a double submit impossible.
        Index(
            "uq_comments_external_id_without_site",
            "external_id",
            unique=True,
            sqlite_where=text("site_id IS NULL"),
            postgresql_where=text("site_id IS NULL"),
        ),
        Index("ix_comments_status_received", "status", "received_at"),
        # The navigation's count of urgent comments nobody is answering (on every page) reads
        # only this index instead of every pending row.
        Index("ix_comments_urgent_unclaimed", "status", "urgency", "claimed_by_id",
              "claim_expires_at"),
        Index("ix_comments_claimed_by", "claimed_by_id"),
        Index("ix_comments_author_email", "author_email"),
        Index("ix_comments_page_status", "page_id", "status"),
        Index("ix_comments_first_replied", "first_replied_at"),
        # The reports' time to first reply reads the period's answered threads from this
        # index alone (docs/reports.md): every column it needs, answered comments only.
        Index("ix_comments_answered", "first_replied_at", "status", "urgency", "topic",
              "moderated_by_id", "response_seconds", "response_working_seconds", "due_at",
              sqlite_where=text("first_replied_at IS NOT NULL"),
              postgresql_where=text("first_replied_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    author_email: Mapped[str | None] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")

    # Triage, as scored by the model on arrival (or corrected by a midwife since).
    urgency: Mapped[str] = mapped_column(String(16), default="priority")
    topic: Mapped[str] = mapped_column(String(32), default="other")
    urgency_scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    topic_scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    urgent_probability: Mapped[float] = mapped_column(Float, default=0.0)
    model_version: Mapped[str | None] = mapped_column(String(100))
    triage_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    triaged: Mapped[bool] = mapped_column(Boolean, default=False)
    triage_error: Mapped[str | None] = mapped_column(Text)
    # A red-flag safety rule fired on this comment, and which categories of the labelling
    # guide's red flags it matched (physical_emergency, mental_health_crisis, abuse, ...).
    red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    red_flag_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "Check soon": the model sees a possible risk below its urgent threshold.
    check_soon: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept by the model from urgency, red_flag, check_soon and urgent_probability (see
    # refresh_queue_rank): the queue's rank and, inside the urgent lane only, the probability
    # that orders it (0 below the lane, where the deadline orders).
    queue_rank: Mapped[int] = mapped_column(SmallInteger, default=RANK_DEADLINE,
                                            server_default=text(str(RANK_DEADLINE)))
    lane_probability: Mapped[float] = mapped_column(Float, default=0.0,
                                                    server_default=text("0"))
    # Redacted spans of `body` as [start, end) character offsets, sorted and never
    # overlapping; the public only ever sees `public_body`, the original stays in `body`.
    redactions: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    # A follow-up joins the thread of the comment it answers (always the thread's first one).
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)

    # The claim is a lease: whoever holds it until it expires is answering.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first time anyone claimed it: the reports' time to first claim of urgent comments.
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Outcome of moderation. Each moment has one home (docs/architecture.md, "Moments of a
    # comment"): the first answer's moment is first_replied_at (the response-time measurement,
    # written once by record_first_answer); moderated_at is the moment of any other outcome
    # (rejected, spam, closed, unpublished); when the public sees the comment derives from its
    # replies (published_at below).
    first_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_seconds: Mapped[int | None] = mapped_column(Integer)
    response_working_seconds: Mapped[int | None] = mapped_column(Integer)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderation_reason: Mapped[str | None] = mapped_column(Text)

    # Optimistic lock: every ORM update checks and bumps it, so two publishes cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    page: Mapped[Page] = relationship()
    site: Mapped[Site | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])
    replies: Mapped[list[Reply]] = relationship(  # noqa: F821
        back_populates="comment", order_by="Reply.created_at"
    )

    @classmethod
    def queue_order(cls) -> tuple[Any, ...]:
        """The queue's order: the urgent lane first, then check-soon, then by reply deadline."""
        # Exactly the columns and directions of ix_comments_queue, so the database reads the
        # index in order and never sorts; the queue page, every filter, its cursor, the poll
        # and take-next all use this one definition. Inside the lane: red flag first, then most
        # likely urgent, then oldest (an urgent deadline is received_at + the urgent target,
        # so the earliest deadline is the oldest comment). Below it: deadline, then most likely
        # urgent, then id.
        return (cls.queue_rank.asc(), cls.lane_probability.desc(), cls.due_at.asc(),
                cls.urgent_probability.desc(), cls.id.asc())

    def refresh_queue_rank(self) -> None:
        """Recompute queue_rank and lane_probability from the comment's labels."""
        self.queue_rank = queue_rank_for(self.urgency, self.red_flag, self.check_soon)
        self.lane_probability = (float(self.urgent_probability or 0.0)
                                 if self.queue_rank in URGENT_LANE_RANKS else 0.0)

    @property
    def display_author(self) -> str:
        """The author's name as people read it: ANONYMOUS_AUTHOR when left blank."""
        return (self.author_name or "").strip() or ANONYMOUS_AUTHOR

    @property
    def public_body(self) -> str:
        """The body as the public may see it: every redacted span replaced by "[removed]"."""
        return redact_text(self.body, self.redactions or [])

    # --- The claim: one definition of "someone is answering it", in Python and in SQL -------
    # A claim is live from the moment it is taken until claim_expires_at, that moment included.

    @hybrid_method
    def claim_is_live(self, now: datetime) -> bool:
        """Someone holds an unexpired claim on this comment at `now`."""
        return (self.claimed_by_id is not None and self.claim_expires_at is not None
                and self.claim_expires_at >= now)

    @claim_is_live.expression
    def claim_is_live(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.claimed_by_id.is_not(None), cls.claim_expires_at.is_not(None),
                    cls.claim_expires_at >= now)

    @hybrid_method
    def is_unclaimed(self, now: datetime) -> bool:
        """Nobody holds a live claim at `now`: anyone may take it."""
        return not self.claim_is_live(now)

    @is_unclaimed.expression
    def is_unclaimed(cls, now: datetime) -> ColumnElement[bool]:
        # The negation of claim_is_live written out, so ix_comments_urgent_unclaimed serves it.
        return or_(cls.claimed_by_id.is_(None), cls.claim_expires_at.is_(None),
                   cls.claim_expires_at < now)

    @hybrid_method
    def claim_held_by(self, user_id: int, now: datetime) -> bool:
        """`user_id` holds a live claim on this comment at `now`."""
        return self.claimed_by_id == user_id and self.claim_is_live(now)

    @claim_held_by.expression
    def claim_held_by(cls, user_id: int, now: datetime) -> ColumnElement[bool]:
        return and_(cls.claimed_by_id == user_id, cls.claim_expires_at >= now)

    # --- Moments: each stored once, the rest derived (in Python and in SQL) -----------------

    @hybrid_property
    def published_at(self) -> datetime | None:
        """When the public may first see the comment: its earliest public reply's moment."""
        return min((reply.published_at for reply in self.replies
                    if reply.kind == "public" and reply.published_at is not None), default=None)

    @published_at.inplace.expression
    @classmethod
    def _published_at_expression(cls) -> Any:
        return (select(func.min(Reply.published_at))
                .where(Reply.comment_id == cls.id, Reply.kind == "public")
                .correlate_except(Reply).scalar_subquery())

    @hybrid_method
    def is_public_at(self, now: datetime) -> bool:
        """The public page shows this comment at `now` (published, a reply's moment passed)."""
        published_at = self.published_at
        return self.status == "published" and published_at is not None and published_at <= now

    @is_public_at.expression
    def is_public_at(cls, now: datetime) -> ColumnElement[bool]:
        # EXISTS along ix_replies_comment_id rather than min(): one index probe per comment.
        return and_(cls.status == "published", exists().where(
            Reply.comment_id == cls.id, Reply.kind == "public", Reply.published_at <= now))

    @hybrid_property
    def decided_at(self) -> datetime | None:
        """When its outcome was decided: the first answer, or moderated_at for any other."""
        return self.moderated_at if self.moderated_at is not None else self.first_replied_at

    @decided_at.inplace.expression
    @classmethod
    def _decided_at_expression(cls) -> ColumnElement[datetime | None]:
        return func.coalesce(cls.moderated_at, cls.first_replied_at)

    def record_first_answer(self, now: datetime, seconds: int, working_seconds: int) -> None:
        """Keep the first answer's moment and response times; a later answer changes none."""
        if self.first_replied_at is None:
            self.first_replied_at = now
            self.response_seconds = seconds
            self.response_working_seconds = working_seconds

    def record_outcome(self, status: str, user_id: int, now: datetime) -> None:
        """Move to `status`, decided by `user_id`; moderated_at only for a non-answer."""
        self.move_to(status)
        self.moderated_by_id = user_id
        self.moderated_at = None if status in ANSWERED_STATUSES else now

    def forget_answer(self) -> None:
        """Clear the answer and its moments: the comment is back in the queue unanswered."""
        self.first_replied_at = None
        self.response_seconds = self.response_working_seconds = None
        self.moderated_by_id = self.moderated_at = None

    def move_to(self, status: str) -> None:
        """Change the status along STATUS_MOVES; raise InvalidTransition for any other move."""
        if status not in STATUS_MOVES.get(self.status, ()):
            raise InvalidTransition(f"Comment {self.id} is {self.status}: it cannot become "
                                    f"{status}.")
        self.status = status

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status} {self.urgency}>"


# One index serves the whole queue order (status first: the queue lists pending comments).
Index("ix_comments_queue", Comment.status, Comment.queue_rank, Comment.lane_probability.desc(),
      Comment.due_at, Comment.urgent_probability.desc(), Comment.id)


@event.listens_for(Comment, "before_insert")
@event.listens_for(Comment, "before_update")
def _keep_queue_rank(_mapper: Any, _connection: Any, comment: Comment) -> None:
    # Every ORM write (intake, triage, relabelling, an alert raising a comment to urgent) goes
    # through here, so the stored rank can never disagree with the labels it comes from.
    comment.refresh_queue_rank()
def redact_text(body: str, spans: list[list[int]]) -> str:
    """Replace each [start, end) span of body by "[removed]" (spans sorted, not overlapping)."""
    parts, position = [], 0
    for start, end in sorted(spans):
        if start < position:  # never trust stored spans to be disjoint: skip what is covered
            start = position
        if end <= start:
            continue
        parts += [body[position:start], REDACTED_TEXT]
        position = end
    parts.append(body[position:])
    return "".join(parts)


class LabelCorrection(db.Model):
    """A midwife's correction of the model's urgency or topic for one comment."""

    __tablename__ = "label_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(16))  # "urgency" or "topic"
    old_value: Mapped[str] = mapped_column(String(32))
    new_value: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    comment: Mapped[Comment] = relationship()
    user: Mapped[User] = relationship()


from models.reply import Reply  # noqa: E402  (Reply refers back to Comment)
