"""Working-hours arithmetic: reply deadlines and response times in the service's hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays

if TYPE_CHECKING:
    from moderation.services.settings import ServicePolicy


# Guards the day-by-day walk against a policy with no working days at all.
MAX_DAYS_SCANNED = 3660


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


def is_working_day(day: date, policy: ServicePolicy) -> bool:
    """Tell whether the service is staffed on this calendar day."""
    if day.weekday() not in policy.working_weekdays:
        return False
    return day not in _holiday_calendar(policy.holiday_country, policy.holiday_subdivision)


def _day_bounds(day: date, policy: ServicePolicy) -> tuple[datetime, datetime]:
    zone = ZoneInfo(policy.timezone)
    opens = datetime.combine(day, policy.workday_start, tzinfo=zone)
    closes = datetime.combine(day, policy.workday_end, tzinfo=zone)
    return opens, closes


def add_working_time(start: datetime, minutes: float, policy: ServicePolicy) -> datetime:
    """Return the moment `minutes` of working time after `start` (an aware datetime)."""
    remaining = timedelta(minutes=minutes)
    current = start.astimezone(ZoneInfo(policy.timezone))
    for _ in range(MAX_DAYS_SCANNED):
        day = current.date()
        if is_working_day(day, policy):
            opens, closes = _day_bounds(day, policy)
            if current < opens:
                current = opens
            if current < closes:
                available = closes - current
                if remaining <= available:
                    return (current + remaining).astimezone(UTC)
                remaining -= available
        current = datetime.combine(day + timedelta(days=1), policy.workday_start,
                                   tzinfo=current.tzinfo)
    raise ValueError("No working time found: check the working days setting.")


def working_seconds_between(start: datetime, end: datetime, policy: ServicePolicy) -> int:
    """Count the seconds of working time between two aware datetimes (0 if end <= start)."""
    if end <= start:
        return 0
    zone = ZoneInfo(policy.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = timedelta()
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, policy):
            opens, closes = _day_bounds(day, policy)
            lo, hi = max(opens, local_start), min(closes, local_end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return int(total.total_seconds())


def reply_due_at(received_at: datetime, urgency: str, policy: ServicePolicy) -> datetime:
    """Return the reply deadline for a comment of this urgency received at this time."""
    if urgency == "urgent":
        # Urgent comments are due within the hour at any time of day or night.
        return received_at + timedelta(minutes=policy.urgent_target_minutes)
    if urgency == "priority":
        return add_working_time(received_at, policy.priority_target_working_hours * 60, policy)
    working_minutes = policy.routine_target_working_days * policy.working_day_minutes
    return add_working_time(received_at, working_minutes, policy)


def target_description(urgency: str, policy: ServicePolicy) -> str:
    """Say the reply target of an urgency in words."""
    if urgency == "urgent":
        return f"{policy.urgent_target_minutes} minutes, any time"
    if urgency == "priority":
        return f"{policy.priority_target_working_hours:g} working hours"
    return f"{policy.routine_target_working_days:g} working days"
