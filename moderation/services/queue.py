"""Reading the moderation queue: ordering, filters, keyset paging, polling and counts.

The queue order is `Comment.queue_order()`: the urgent lane on top (red flag first, then most
likely urgent, then oldest), then check-soon comments, then everything else by reply deadline.
Paging is keyset ("everything after this row"), never OFFSET, so page 2000 of 100,000 pending
comments costs the same as page 1 and no row is skipped or repeated when comments arrive or
leave between two clicks, also across the lane boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import ColumnElement

from models import Comment, Page, User, db, utcnow
from models.comment import RANK_DEADLINE, URGENT_LANE_RANKS
from moderation.services.search import search_condition

PAGE_SIZE = 50
EXCERPT_CHARS = 140
# Listed in queue order ("mine": the pending comments I hold a live claim on); the other
# statuses are listed newest first.
QUEUE_ORDERED = ("pending", "mine")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


class CursorError(ValueError):
    """A paging cursor that this code did not produce."""


@dataclass(frozen=True)
class QueueFilters:
    """What the midwife asked to see; every value already validated."""

    status: str = "pending"
    urgency: str | None = None
    topic: str | None = None
    page_id: int | None = None
    search: str = ""


@dataclass
class QueuePage:
    """One page of the queue and where the next one starts."""

    comments: list[Comment]
    next_cursor: str | None
    latest_id: int
    filters: QueueFilters
    now: datetime


# --- Cursors ---------------------------------------------------------------------------------

def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_MICROSECOND


def _from_micros(value: int) -> datetime:
    return EPOCH + value * ONE_MICROSECOND


def _row_id(text: str) -> int:
    value = int(text)
    # Beyond a 64-bit integer the databases refuse the comparison instead of answering it.
    if not 0 <= value < 2**63:
        raise ValueError(value)
    return value


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(value)
    return value


def encode_cursor(comment: Comment, status: str) -> str:
    """The cursor that resumes the listing right after this comment."""
    if status in QUEUE_ORDERED:
        return (f"{comment.queue_rank}~{comment.lane_probability!r}~{_micros(comment.due_at)}"
                f"~{comment.urgent_probability!r}~{comment.id}")
    return f"{_micros(comment.received_at)}~{comment.id}"


def decode_cursor(cursor: str, status: str) -> tuple[Any, ...]:
    """Read a cursor back; raise CursorError for anything this code did not write."""
    parts = cursor.split("~")
    try:
        if status in QUEUE_ORDERED and len(parts) == 5:
            rank = int(parts[0])
            if not 0 <= rank <= RANK_DEADLINE:
                raise ValueError(rank)
            return (rank, _probability(parts[1]), _from_micros(int(parts[2])),
                    _probability(parts[3]), _row_id(parts[4]))
        if status not in QUEUE_ORDERED and len(parts) == 2:
            return _from_micros(int(parts[0])), _row_id(parts[1])
    except (ValueError, OverflowError) as exc:
        raise CursorError("That page link is not valid any more.") from exc
    raise CursorError("That page link is not valid any more.")


# --- Filters ---------------------------------------------------------------------------------



def _conditions(filters: QueueFilters, user: User, now: datetime) -> list[ColumnElement[bool]]:
    if filters.status == "mine":
        conditions = [Comment.status == "pending", Comment.claim_held_by(user.id, now)]
    else:
        conditions = [Comment.status == filters.status]
    return conditions + view_conditions(filters)


def view_conditions(filters: QueueFilters) -> list[ColumnElement[bool]]:
    """The narrowing part of a view (urgency, topic, page, words): Take next uses it too."""
    conditions: list[ColumnElement[bool]] = []
    if filters.urgency:
        conditions.append(Comment.urgency == filters.urgency)
    if filters.topic:
        conditions.append(Comment.topic == filters.topic)
    if filters.page_id is not None:
        conditions.append(Comment.page_id == filters.page_id)
    if filters.search:
        conditions.append(search_condition(filters.search))
    return conditions


def _order_and_after(filters: QueueFilters,
                     cursor: str | None) -> tuple[list[Any], list[list[Any]]]:
    """ORDER BY columns and the keyset ranges, in order, that hold the rows after the cursor."""
    if filters.status in QUEUE_ORDERED:
        order = list(Comment.queue_order())
        if cursor is None:
            return order, [[]]
        rank, lane_probability, due, probability, last_id = decode_cursor(cursor, filters.status)
        # The order mixes directions (lane_probability and urgent_probability descending), so no
        # row-value comparison fits it. The rows after the cursor are three consecutive ranges
        # of the index instead, each opened with equalities and one bound the database can seek
        # to: the rest of this rank and lane probability, the rest of this rank, later ranks.
        same_lane_slot = [
            Comment.queue_rank == rank, Comment.lane_probability == lane_probability,
            Comment.due_at >= due,
            or_(Comment.due_at > due, and_(Comment.due_at == due, or_(
                Comment.urgent_probability < probability,
                and_(Comment.urgent_probability == probability, Comment.id > last_id),
            ))),
        ]
        return order, [same_lane_slot,
                       [Comment.queue_rank == rank, Comment.lane_probability < lane_probability],
                       [Comment.queue_rank > rank]]
    # Closed comments: most recently received first.
    order = [Comment.received_at.desc(), Comment.id.desc()]
    if cursor is None:
        return order, [[]]
    received, last_id = decode_cursor(cursor, filters.status)
    after = and_(Comment.received_at <= received, or_(
        Comment.received_at < received,
        and_(Comment.received_at == received, Comment.id < last_id),
    ))
    return order, [[after]]


# --- Reading the queue -----------------------------------------------------------------------

def queue_page(filters: QueueFilters, user: User, *, cursor: str | None = None,
               now: datetime | None = None, page_size: int = PAGE_SIZE) -> QueuePage:
    """Return one page of comments matching the filters, in queue order, after `cursor`."""
    now = now or utcnow()
    order, ranges = _order_and_after(filters, cursor)
    conditions = _conditions(filters, user, now)
    comments: list[Comment] = []
    for after in ranges:
        # Usually the first range fills the page; the next ones only at a lane boundary.
        statement = (
            select(Comment)
            .options(joinedload(Comment.page), joinedload(Comment.claimed_by))
            .where(*conditions, *after)
            .order_by(*order)
            .limit(page_size + 1 - len(comments))
        )
        comments.extend(db.session.scalars(statement).unique())
        if len(comments) > page_size:
            break
    next_cursor = None
    if len(comments) > page_size:
        comments = comments[:page_size]
        next_cursor = encode_cursor(comments[-1], filters.status)
    return QueuePage(comments=comments, next_cursor=next_cursor, latest_id=latest_comment_id(),
                     filters=filters, now=now)


def list_pages() -> list[Page]:
    """Every article page, by title, for the page filter."""
    return list(db.session.scalars(select(Page).order_by(Page.title, Page.id)))


def latest_comment_id() -> int:
    """The highest comment id so far (0 when none): the poll asks for anything newer."""
    return db.session.scalar(select(func.max(Comment.id))) or 0


def new_comments_since(since_id: int, filters: QueueFilters, user: User,
                       now: datetime | None = None) -> dict[str, int]:
    """Count new comments since `since_id` that match the filters, and how many are urgent."""
    now = now or utcnow()
    count = urgent = 0
    if filters.status in QUEUE_ORDERED:
        in_lane = Comment.queue_rank.in_(URGENT_LANE_RANKS)
        row = db.session.execute(
            select(func.count(), func.count(case((in_lane, 1))))
            .select_from(Comment)
            .where(Comment.id > since_id, *_conditions(filters, user, now))
        ).one()
        count, urgent = row[0] or 0, row[1] or 0
    return {"new": count, "urgent": urgent, "latest_id": latest_comment_id()}


def urgent_unclaimed_count(now: datetime | None = None) -> int:
    """How many urgent pending comments nobody is answering: the number in the navigation."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count()).select_from(Comment)
        .where(Comment.status == "pending", Comment.urgency == "urgent", Comment.is_unclaimed(now))
    ) or 0


def count_comments(filters: QueueFilters, user: User, now: datetime | None = None) -> int:
    """How many comments a view holds (a saved view's count)."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count()).select_from(Comment).where(*_conditions(filters, user, now))) or 0


def first_line(body: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The first non-blank line of a comment, cut to `limit` characters (plain text)."""
    for line in (body or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""
