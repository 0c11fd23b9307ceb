"""How times are written, one definition each: UK time for people, ISO 8601 with Z for machines.

No Flask and no database: services, views, commands and the Jinja filters all use these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# The charity works in UK time: deadlines, reports and every time a person reads.
SERVICE_ZONE = ZoneInfo("Europe/London")


def london_time(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Show a UTC time in the service's own time zone (UK time)."""
    if value is None:
        return ""
    return value.astimezone(SERVICE_ZONE).strftime(fmt)


def iso_utc(value: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC with a Z, to the second (the API's format)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
