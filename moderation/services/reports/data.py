"""The few aggregate queries behind the report tables, each run at most once per report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import case, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from models import Comment, LabelCorrection, db, utcnow
from moderation.services.reports.percentiles import (
    ANSWERED_DIMENSIONS,
    answered_figures,
    received_in,
)
from moderation.services.reports.periods import ReportPeriod, period_weeks, week_index
from moderation.services.settings import ServicePolicy

CORRECTION_FIELDS = ("urgency", "topic")


class ReceivedCount(NamedTuple):
    """How many comments received in the period share a week, labels, spam and triage state."""

    week: int | None  # position in the period's weeks
    topic: str
    urgency: str
    is_spam: bool
    triaged: bool
    comments: int


class CorrectionCount(NamedTuple):
    """How many corrections of one kind were made to comments received in the period."""

    field: str  # "urgency" or "topic"
    old_value: str
    new_value: str
    current: str  # the label the comment carries now
    first: bool  # the first correction of that field on its comment
    corrections: int


class ReportData:
    """The few aggregate queries behind the tables, each run at most once per report."""

    def __init__(self, period: ReportPeriod, policy: ServicePolicy, *,
                 dimensions: Sequence[str] = ANSWERED_DIMENSIONS,
                 now: datetime | None = None) -> None:
        self.period = period
        self.policy = policy
        self.now = now or utcnow()
        self.weeks = period_weeks(period, policy.timezone)
        self.dimensions = tuple(dimensions)
        if db.session.get_bind().dialect.name == "postgresql":
            # Sorting ~10^5 rows per grouping in memory instead of on disk: this transaction only.
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))

    @cached_property
    def answered(self) -> dict[str, dict[Any, dict[str, Any]]]:
        return answered_figures(self.period, self.weeks, self.dimensions)

    @cached_property
    def received(self) -> list[ReceivedCount]:
        """Comments received in the period, counted per week, labels, spam and triage."""
        week = week_index(Comment.received_at, self.weeks)
        spam = case((Comment.status == "spam", 1), else_=0)
        triaged = case((Comment.triaged.is_(True), 1), else_=0)
        return [
            ReceivedCount(w, topic, urgency, bool(is_spam), bool(is_triaged), count)
            for w, topic, urgency, is_spam, is_triaged, count in db.session.execute(
                select(week, Comment.topic, Comment.urgency, spam, triaged, func.count())
                .where(*received_in(self.period))
                .group_by(week, Comment.topic, Comment.urgency, spam, triaged)
            )
        ]

    @cached_property
    def corrections(self) -> list[CorrectionCount]:
        """The corrections of triaged comments received in the period, counted per kind
        (field, old label, new label, label now, first correction?), in one statement."""
        rank = func.row_number().over(
            partition_by=(LabelCorrection.comment_id, LabelCorrection.field),
            order_by=(LabelCorrection.created_at, LabelCorrection.id),
        )
        current = case((LabelCorrection.field == "urgency", Comment.urgency),
                       else_=Comment.topic)
        ranked = (
            select(LabelCorrection.field, LabelCorrection.old_value, LabelCorrection.new_value,
                   current.label("current"), case((rank == 1, 1), else_=0).label("first"))
            .join(Comment, Comment.id == LabelCorrection.comment_id)
            .where(*received_in(self.period), Comment.triaged.is_(True),
                   LabelCorrection.field.in_(CORRECTION_FIELDS),
                   # Implied (a correction follows the comment's arrival); lets the database
                   # start from the corrections made since the period began.
                   LabelCorrection.created_at >= self.period.start)
            .subquery("ranked")
        )
        columns = (ranked.c.field, ranked.c.old_value, ranked.c.new_value, ranked.c.current,
                   ranked.c.first)
        return [CorrectionCount(f, old, new, now, bool(first), count)
                for f, old, new, now, first, count in
                db.session.execute(select(*columns, func.count()).group_by(*columns))]


def seconds_between(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """Seconds from one time column to another, in either database's own arithmetic."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def aware(value: datetime | str | None) -> datetime | None:
    # Aggregates may bypass the column type: SQLite can hand back naive UTC text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


