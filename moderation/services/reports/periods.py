"""Report periods: presets and custom ranges of calendar days, and their weeks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement

from models import utcnow
from moderation.services.settings import current_policy

PRESET_DAYS = (7, 30, 90)
DEFAULT_PRESET = 30
# A custom range is capped so the weekly tables and charts stay readable (and bounded).
MAX_RANGE_DAYS = 731
# (numerator, denominator) of each percentile: integers keep the rank arithmetic exact in SQL.

class ReportInputError(ValueError):
    """A report period that cannot be used, with a message a supervisor can act on."""


# --- Periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    """A half-open period [start, end) in aware UTC, chosen as a preset or a custom range."""

    start: datetime
    end: datetime
    preset: int | None  # 7, 30 or 90 for "last N days"; None for a custom range
    first_day: date  # the calendar days shown to people, in the service's time zone
    last_day: date

    @property
    def label(self) -> str:
        """Say the period in words."""
        span = f"{self.first_day:%d %b %Y} to {self.last_day:%d %b %Y}"
        if self.preset:
            return f"Last {self.preset} days ({span})"
        return span

    @property
    def slug(self) -> str:
        """A short name for file names."""
        return f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"

    def query_args(self) -> dict[str, str]:
        """The query-string arguments that choose this period again."""
        if self.preset:
            return {"period": str(self.preset)}
        return {"period": "custom", "date_from": self.first_day.isoformat(),
                "date_to": self.last_day.isoformat()}


def day_start(day: date, timezone: str) -> datetime:
    """Return midnight at the start of a calendar day in the service's zone, as UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def resolve_period(
    preset: str | int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    now: datetime | None = None,
    timezone: str | None = None,
) -> ReportPeriod:
    """Turn a preset ("7", "30", "90") or a custom range of calendar days into a period."""
    now = now or utcnow()
    timezone = timezone or current_policy().timezone
    zone = ZoneInfo(timezone)
    if preset in (None, "") and date_from is None and date_to is None:
        preset = DEFAULT_PRESET
    if preset not in (None, "", "custom"):
        try:
            days = int(preset)
        except (TypeError, ValueError):
            days = -1
        if days not in PRESET_DAYS:
            choices = ", ".join(str(d) for d in PRESET_DAYS)
            raise ReportInputError(f"Choose a period of {choices} days, or a custom range.")
        start = now - timedelta(days=days)
        return ReportPeriod(start=start, end=now, preset=days,
                            first_day=start.astimezone(zone).date(),
                            last_day=now.astimezone(zone).date())
    if date_from is None or date_to is None:
        raise ReportInputError("For a custom range, give both a start date and an end date.")
    if date_from > date_to:
        raise ReportInputError(
            f"The start date ({date_from:%d %b %Y}) is after the end date "
            f"({date_to:%d %b %Y}): swap them and try again."
        )
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise ReportInputError(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
    return ReportPeriod(start=day_start(date_from, timezone),
                        end=day_start(date_to + timedelta(days=1), timezone),
                        preset=None, first_day=date_from, last_day=date_to)


@dataclass(frozen=True)
class Week:
    """One column of the weekly figures: Monday to Sunday, clipped to the period."""

    start: datetime
    end: datetime
    first_day: date

    @property
    def label(self) -> str:
        return f"{self.first_day:%d %b %Y}"


def period_weeks(period: ReportPeriod, timezone: str) -> list[Week]:
    """Split the period into weeks starting on Monday at midnight in the service's zone."""
    zone = ZoneInfo(timezone)
    weeks: list[Week] = []
    cursor = period.start
    while cursor < period.end:
        local_day = cursor.astimezone(zone).date()
        next_monday = local_day + timedelta(days=7 - local_day.weekday())
        week_end = min(day_start(next_monday, timezone), period.end)
        weeks.append(Week(start=cursor, end=week_end, first_day=local_day))
        cursor = week_end
    return weeks


def week_index(column: ColumnElement, weeks: Sequence[Week]) -> ColumnElement:
    """A CASE giving the week number of a timestamp: portable and right across clock changes."""
    return case(*[(column < week.end, index) for index, week in enumerate(weeks)], else_=None)

