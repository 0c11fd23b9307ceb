"""Reading the audit trail: every event, filtered by person, comment, kind and date, and as CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from models import AuditEvent, User, db

PAGE_SIZE = 100
SERVICE_ZONE = ZoneInfo("Europe/London")
CSV_HEADER = ["event_id", "time", "person", "person_email", "kind", "target_type", "target_id",
              "before", "after", "details"]


@dataclass(frozen=True)
class AuditFilters:
    """What the supervisor asked for; None means any. Dates are UK calendar days, inclusive."""

    person_id: int | None = None
    comment_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    """Midnight UK time at the start of a day, as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=SERVICE_ZONE).astimezone(ZoneInfo("UTC"))


def _query(filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if filters.person_id is not None:
        query = query.where(AuditEvent.actor_id == filters.person_id)
    if filters.comment_id is not None:
        query = query.where(AuditEvent.target_type == "comment",
                            AuditEvent.target_id == filters.comment_id)
    if filters.kind:
        query = query.where(AuditEvent.action == filters.kind)
    if filters.date_from is not None:
        query = query.where(AuditEvent.created_at >= _day_start(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:  # the last day has no end
        query = query.where(AuditEvent.created_at < _day_start(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.id.desc())


def audit_page(filters: AuditFilters, before_id: int | None = None,
               limit: int = PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """One page of matching events, newest first, and the id to continue before (or None)."""
    query = _query(filters)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    events = list(db.session.scalars(query.limit(limit + 1)))
    more = len(events) > limit
    events = events[:limit]
    return events, (events[-1].id if more and events else None)


def audit_kinds() -> list[str]:
    """Every kind of event recorded so far, alphabetically."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)))


def audit_people() -> list[User]:
    """Everyone who could appear as the person who acted."""
    return list(db.session.scalars(select(User).order_by(User.name, User.id)))


def split_details(details: dict[str, Any] | None) -> tuple[Any, Any, dict[str, Any]]:
    """Before, after and the rest of an event's details."""
    details = dict(details or {})
    return details.pop("before", None), details.pop("after", None), details


def _json(value: Any) -> str:
    if value is None or value == {}:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_csv_rows(filters: AuditFilters) -> Iterator[list[str]]:
    """One row per matching event (header: CSV_HEADER); times are ISO 8601 with their offset."""
    query = _query(filters).execution_options(yield_per=500)
    people = {user.id: user for user in audit_people()}
    for event in db.session.scalars(query):
        before, after, rest = split_details(event.details)
        person = people.get(event.actor_id) if event.actor_id is not None else None
        yield [str(event.id), event.created_at.isoformat(timespec="seconds"),
               person.name if person else "system", person.email if person else "",
               event.action, event.target_type,
               "" if event.target_id is None else str(event.target_id),
               _json(before), _json(after), _json(rest)]
