"""Rollups of the counts behind the received-side tables, one calendar day at a time.

A day is rolled up (models/report_rollup.py) once it ended ROLLUP_LAG ago, by the worker
(`roll_up_due`) or by `flask reports rebuild-rollups`. The reports page sums the rolled-up days
of its period and counts everything else from the comments themselves: the partial first and
last days, the last ROLLUP_LAG, and any day not (or no longer) rolled up. Figures are therefore
always the exact ones, however stale the worker is: a slow worker only makes the page slower.

A rolled-up day never goes stale: a flush that changes what these counts read (a comment's
labels, status, triage or model version, its deletion, a correction or a near miss) on a
comment received more than FRESH ago removes that comment's day from the rolled-up days in
the same transaction (`forget_changed_days`). Newer comments cannot be in a rolled-up day, so
intake, triage and replies to new comments cost nothing here. A bulk UPDATE or DELETE of
those rows (the privacy purge) forgets every day; the worker rolls them up again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, event, func, insert, inspect, literal, or_, select
from sqlalchemy.orm import Session

from models import COMMENT_STATUSES, Comment, LabelCorrection, NearMiss, db, utcnow
from models.report_rollup import ReportReceivedDay, ReportRollupDay, ReportTriageDay
from moderation.services.reports.periods import ReportPeriod, day_start

# A day is rolled up only once it ended this long ago ...
ROLLUP_LAG = timedelta(days=3)
# ... so a change to a comment received less than this long ago cannot touch a rolled-up day
# (the margin covers clocks that differ between app nodes).
FRESH = timedelta(days=2)
TRACKED = ("topic", "urgency", "status", "triaged", "check_soon", "model_version",
           "received_at")


# --- Reading ---------------------------------------------------------------------------------


def rolled_days(period: ReportPeriod, zone: str) -> list[date]:
    """The whole calendar days inside the period that are rolled up, in order."""
    first = period.start.astimezone(ZoneInfo(zone)).date()
    last = period.end.astimezone(ZoneInfo(zone)).date()
    days = db.session.scalars(
        select(ReportRollupDay.day).where(ReportRollupDay.zone == zone,
                                          ReportRollupDay.day.between(first, last))
        .order_by(ReportRollupDay.day)).all()
    return [d for d in days if day_start(d, zone) >= period.start
            and day_start(d + timedelta(days=1), zone) <= period.end]


def gaps(period: ReportPeriod, days: Sequence[date], zone: str) -> list[tuple[datetime,
                                                                               datetime]]:
    """The parts of the period that the rolled-up days do not cover, as [start, end) spans."""
    spans: list[tuple[datetime, datetime]] = []
    cursor = period.start
    for day in days:
        begins, ends = day_start(day, zone), day_start(day + timedelta(days=1), zone)
        if begins > cursor:
            spans.append((cursor, begins))
        cursor = ends
    if cursor < period.end:
        spans.append((cursor, period.end))
    return spans


def received_in_spans(spans: Sequence[tuple[datetime, datetime]]) -> list[Any]:
    """Comments received in any of the spans (every status named: see received_in)."""
    return [Comment.status.in_(COMMENT_STATUSES),
            or_(*[and_(Comment.received_at >= a, Comment.received_at < b) for a, b in spans])]


def rolled_received(days: Sequence[date], zone: str) -> list[tuple[date, str, str, bool, bool,
                                                                   int]]:
    """(day, topic, urgency, is spam, triaged, comments) of the rolled-up days."""
    if not days:
        return []
    r = ReportReceivedDay
    return [tuple(row) for row in db.session.execute(
        select(r.day, r.topic, r.urgency, r.is_spam, r.triaged, r.comments)
        .where(r.zone == zone, r.day.between(days[0], days[-1]), r.day.in_(days)))]


def rolled_triage(days: Sequence[date], zone: str) -> dict[str | None, list[int]]:
    """Per model version (None for none): comments, check soon, raised, near misses."""
    if not days:
        return {}
    t = ReportTriageDay
    totals: dict[str | None, list[int]] = {}
    for version, *counts in db.session.execute(
            select(t.model_version, func.sum(t.comments), func.sum(t.check_soon),
                   func.sum(t.check_soon_raised), func.sum(t.near_misses))
            .where(t.zone == zone, t.day.between(days[0], days[-1]), t.day.in_(days))
            .group_by(t.model_version)):
        totals[version or None] = [int(c or 0) for c in counts]
    return totals


# --- The counts of one span, from the comments ---------------------------------------------


def received_counts_query(where: Sequence[Any], group: Sequence[Any] = ()) -> Any:
    """Comments per (group..., topic, urgency, spam, triaged) among those `where` picks."""
    spam = case((Comment.status == "spam", 1), else_=0)
    triaged = case((Comment.triaged.is_(True), 1), else_=0)
    keys = [*group, Comment.topic, Comment.urgency, spam, triaged]
    return select(*keys, func.count()).where(*where).group_by(*keys)


def triage_counts_query(where: Sequence[Any]) -> Any:
    """Per model version: triaged comments, marked check soon, of those later raised to
    urgent, and near misses, among the comments `where` picks."""
    raised = (select(LabelCorrection.id)
              .where(LabelCorrection.comment_id == Comment.id,
                     LabelCorrection.field == "urgency", LabelCorrection.new_value == "urgent")
              .exists())
    soon = Comment.check_soon.is_(True)
    one = literal(1)
    return (
        select(Comment.model_version, func.count(),
               func.sum(case((soon, one), else_=0)),
               func.sum(case((soon & raised, one), else_=0)),
               func.count(NearMiss.id))
        .outerjoin(NearMiss, NearMiss.comment_id == Comment.id)
        .where(*where, Comment.triaged.is_(True))
        .group_by(Comment.model_version)
    )


# --- Building --------------------------------------------------------------------------------


def roll_up_day(day: date, zone: str, now: datetime | None = None) -> None:
    """Count one finished day again and mark it rolled up (flushed, not committed)."""
    now = now or utcnow()
    span = [(day_start(day, zone), day_start(day + timedelta(days=1), zone))]
    if span[0][1] > now - ROLLUP_LAG:
        raise ValueError(f"{day} is too recent to roll up.")
    where = received_in_spans(span)
    key = {"zone": zone, "day": day}
    for model in (ReportReceivedDay, ReportTriageDay, ReportRollupDay):
        db.session.execute(delete(model).where(model.zone == zone, model.day == day))
    received = [{**key, "topic": topic, "urgency": urgency, "is_spam": bool(spam),
                 "triaged": bool(triaged), "comments": count}
                for topic, urgency, spam, triaged, count
                in db.session.execute(received_counts_query(where))]
    triage = [{**key, "model_version": version or "", "comments": count,
               "check_soon": int(soon or 0), "check_soon_raised": int(raised or 0),
               "near_misses": int(misses or 0)}
              for version, count, soon, raised, misses
              in db.session.execute(triage_counts_query(where))]
    if received:
        db.session.execute(insert(ReportReceivedDay), received)
    if triage:
        db.session.execute(insert(ReportTriageDay), triage)
    db.session.execute(insert(ReportRollupDay), [{**key, "built_at": now}])


def days_due(zone: str, now: datetime | None = None, *, rebuild: bool = False) -> list[date]:
    """Finished days from the first comment's day that are not rolled up (all, if rebuild)."""
    now = now or utcnow()
    first = db.session.scalar(select(func.min(Comment.received_at)))
    if first is None:
        return []
    local = ZoneInfo(zone)
    day = first.astimezone(local).date()
    last = (now - ROLLUP_LAG).astimezone(local).date() - timedelta(days=1)
    done = set() if rebuild else set(db.session.scalars(
        select(ReportRollupDay.day).where(ReportRollupDay.zone == zone)))
    due = []
    while day <= last:
        if day not in done:
            due.append(day)
        day += timedelta(days=1)
    return due


def roll_up_due(zone: str, now: datetime | None = None, *, limit: int | None = None,
                rebuild: bool = False) -> int:
    """Roll up the finished days that are due (at most `limit`); flushed, not committed.

    Days cut in another time zone are dropped: the service's zone decides the days.
    """
    for model in (ReportRollupDay, ReportReceivedDay, ReportTriageDay):
        db.session.execute(delete(model).where(model.zone != zone))
    due = days_due(zone, now, rebuild=rebuild)[:limit]
    for day in due:
        roll_up_day(day, zone, now)
    return len(due)


# --- Keeping rolled-up days exact ------------------------------------------------------------


def _changed_moments(session: Session) -> tuple[set[datetime], set[int]]:
    """Received moments of changed comments, and ids of comments whose corrections or near
    misses changed, in a flush about to happen."""
    moments: set[datetime] = set()
    comment_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Comment):
            state = inspect(obj)
            if obj in session.dirty and not any(
                    state.attrs[name].history.has_changes() for name in TRACKED):
                continue
            history = state.attrs.received_at.history
            known = [m for m in (*history.added, *history.deleted, *history.unchanged)
                     if m is not None]
            moments.update(known)
            if not known and obj.id is not None:  # not loaded: look it up
                comment_ids.add(obj.id)
        elif isinstance(obj, (LabelCorrection, NearMiss)) and obj.comment_id is not None:
            comment_ids.add(obj.comment_id)
    return moments, comment_ids


def _forget(connection: Any, moments: Iterable[datetime]) -> None:
    """Remove the days around these moments, in any zone, from the rolled-up days."""
    days = set()
    for moment in moments:
        utc_day = moment.astimezone(UTC).date()
        days.update(utc_day + timedelta(days=shift) for shift in (-1, 0, 1))
    if days:
        connection.execute(delete(ReportRollupDay).where(ReportRollupDay.day.in_(days)))


def forget_changed_days(session: Session, flush_context: Any, instances: Any) -> None:
    """before_flush: forget the rolled-up days this flush changes (see the module doc)."""
    moments, comment_ids = _changed_moments(session)
    fresh = utcnow() - FRESH
    moments = {m for m in moments if m.astimezone(UTC) < fresh}
    if not moments and not comment_ids:
        return
    connection = session.connection()
    if comment_ids:
        moments.update(m for m in connection.execute(
            select(Comment.received_at).where(Comment.id.in_(comment_ids),
                                              Comment.received_at < fresh)).scalars())
    _forget(connection, moments)


def forget_all_on_bulk_writes(state: Any) -> None:
    """do_orm_execute: a bulk UPDATE or DELETE of comments, corrections or near misses."""
    if not (state.is_update or state.is_delete):
        return
    mappers = {m.class_ for m in state.all_mappers}
    if mappers & {Comment, LabelCorrection, NearMiss}:
        state.session.connection().execute(delete(ReportRollupDay))


def register_rollup_hooks() -> None:
    """Listen to every session's flushes and bulk writes (once per process)."""
    for name, listener in (("before_flush", forget_changed_days),
                           ("do_orm_execute", forget_all_on_bulk_writes)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
