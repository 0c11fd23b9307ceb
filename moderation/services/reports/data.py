"""The few aggregate queries behind the report tables, each run at most once per report."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime
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
from moderation.services.reports.periods import (
    ReportPeriod,
    day_start,
    period_weeks,
    week_index,
)
from moderation.services.reports.rollups import (
    gaps,
    received_counts_query,
    received_in_spans,
    rolled_days,
    rolled_received,
    rolled_triage,
    triage_counts_query,
)
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


class TriageCount(NamedTuple):
    """Triaged comments received in the period that one model version scored."""

    model_version: str | None
    comments: int
    check_soon: int
    check_soon_raised: int  # of those marked check soon, later raised to urgent
    near_misses: int


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
            # For this transaction only (SET LOCAL, in one statement): sorts of ~10^5 rows in
            # memory instead of on disk (the SQL percentile methods); and no parallel workers:
            # the reads are index-only scans, which workers made no faster (replies per midwife
            # 26 ms either way at 1,000,000 comments) for three times the CPU.
            db.session.execute(text("SELECT set_config('work_mem', '64MB', true), "
                                    "set_config('max_parallel_workers_per_gather', '0', true)"))

    @cached_property
    def answered(self) -> dict[str, dict[Any, dict[str, Any]]]:
        return answered_figures(self.period, self.weeks, self.dimensions)

    @cached_property
    def rolled(self) -> list[date]:
        """The whole days of the period read from the rollups (see rollups.py)."""
        return rolled_days(self.period, self.policy.timezone)

    @cached_property
    def unrolled(self) -> list[ColumnElement]:
        """Comments received in the parts of the period the rollups do not cover."""
        spans = gaps(self.period, self.rolled, self.policy.timezone)
        return received_in_spans(spans) if spans else []

    @cached_property
    def received(self) -> list[ReceivedCount]:
        """Comments received in the period, counted per week, labels, spam and triage."""
        counts: dict[tuple[Any, ...], int] = {}
        if self.unrolled:
            week = week_index(Comment.received_at, self.weeks)
            for w, topic, urgency, spam, triaged, count in db.session.execute(
                    received_counts_query(self.unrolled, [week])):
                key = (w, topic, urgency, bool(spam), bool(triaged))
                counts[key] = counts.get(key, 0) + count
        ends = [week.end for week in self.weeks]
        week_of = {day: bisect_right(ends, day_start(day, self.policy.timezone))
                   for day in self.rolled}  # once per day, not per rolled-up row
        for day, topic, urgency, spam, triaged, count in rolled_received(
                self.rolled, self.policy.timezone):
            w = week_of[day]
            key = (w, topic, urgency, bool(spam), bool(triaged))
            counts[key] = counts.get(key, 0) + count
        return [ReceivedCount(*key, count) for key, count in counts.items()]

    @cached_property
    def triage(self) -> list[TriageCount]:
        """Triaged comments received in the period per model version, in the database's
        order of versions (its NULL first on SQLite, last on PostgreSQL)."""
        totals = rolled_triage(self.rolled, self.policy.timezone)
        if self.unrolled:
            for version, *numbers in db.session.execute(triage_counts_query(self.unrolled)):
                old = totals.setdefault(version, [0, 0, 0, 0])
                totals[version] = [a + int(b or 0) for a, b in zip(old, numbers, strict=True)]
        nulls_last = db.session.get_bind().dialect.name == "postgresql"
        order = sorted(totals, key=lambda v: ((v is None) == nulls_last, v or ""))
        return [TriageCount(version, *totals[version]) for version in order]

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


