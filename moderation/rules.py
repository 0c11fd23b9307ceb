"""Words and limits shared by forms and services, one definition each (no Flask, no database).

Forms import these instead of importing services; services validate against the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The queue's search box.
MAX_SEARCH_CHARS = 200
# Formats an export of answered threads can be downloaded in.
EXPORT_FORMATS = ("csv", "json", "jsonl")

# Four eyes on high-risk replies (services/four_eyes.py): "before" holds the reply until a
# second clinician approves it, "after" publishes at once and asks for a review within 24 hours
# (urgent: help is never delayed); and the share of last week's replies sampled for peer review.
GOVERNANCE_DEFAULTS: dict[str, Any] = {
    "four_eyes_private": "before",
    "four_eyes_safeguarding": "before",
    "four_eyes_urgent": "after",
    "peer_review_percent": 5,
}

# The numbers a supervisor sets, (lowest, highest, unit): the settings form and the service
# check the same bounds.
POLICY_BOUNDS: dict[str, tuple[float, float, str]] = {
    "urgent_target_minutes": (5, 24 * 60, "minutes"),
    "priority_target_working_hours": (0.25, 80, "working hours"),
    "routine_target_working_days": (0.25, 30, "working days"),
    "claim_timeout_minutes": (1, 8 * 60, "minutes"),
}


def bound_message(name: str, value: float) -> str | None:
    """Say what is wrong with a setting outside its bounds, else None."""
    low, high, unit = POLICY_BOUNDS[name]
    if low <= value <= high:
        return None
    return f"Between {low:g} and {high:g} {unit}."


@dataclass(frozen=True)
class ServicePolicy:
    """Reply targets, working hours and the claim lease, as one value."""

    urgent_target_minutes: int = 60
    priority_target_working_hours: float = 4
    routine_target_working_days: float = 2
    workday_start: time = time(9, 0)
    workday_end: time = time(17, 0)
    working_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    timezone: str = "Europe/London"
    holiday_country: str = "GB"
    holiday_subdivision: str | None = "ENG"
    # A short lease: the composer renews it every minute while it is open.
    claim_timeout_minutes: int = 3

    @property
    def working_day_minutes(self) -> int:
        start = self.workday_start.hour * 60 + self.workday_start.minute
        end = self.workday_end.hour * 60 + self.workday_end.minute
        return end - start

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> ServicePolicy:
        """Build a policy from stored JSON-like values."""
        return cls(
            urgent_target_minutes=int(values["urgent_target_minutes"]),
            priority_target_working_hours=float(values["priority_target_working_hours"]),
            routine_target_working_days=float(values["routine_target_working_days"]),
            workday_start=time.fromisoformat(values["workday_start"]),
            workday_end=time.fromisoformat(values["workday_end"]),
            working_weekdays=tuple(int(d) for d in values["working_weekdays"]),
            timezone=values["timezone"],
            holiday_country=values["holiday_country"],
            holiday_subdivision=values.get("holiday_subdivision") or None,
            claim_timeout_minutes=int(values["claim_timeout_minutes"]),
        )

    def as_mapping(self) -> dict[str, Any]:
        """The policy as stored (JSON-like values): the app's defaults are `ServicePolicy()`."""
        return {
            "urgent_target_minutes": self.urgent_target_minutes,
            "priority_target_working_hours": self.priority_target_working_hours,
            "routine_target_working_days": self.routine_target_working_days,
            "workday_start": self.workday_start.strftime("%H:%M"),
            "workday_end": self.workday_end.strftime("%H:%M"),
            "working_weekdays": list(self.working_weekdays),
            "timezone": self.timezone,
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "claim_timeout_minutes": self.claim_timeout_minutes,
        }

    def problems(self) -> list[str]:
        """Why this policy cannot be used (empty when it can): the bounds of POLICY_BOUNDS."""
        found = [f"{name.replace('_', ' ').capitalize()}: {message}"
                 for name in POLICY_BOUNDS
                 if (message := bound_message(name, getattr(self, name)))]
        if self.working_day_minutes <= 0:
            found.append("The working day must end after it starts.")
        if not self.working_weekdays or not set(self.working_weekdays) <= set(range(7)):
            found.append("Choose at least one working day, Monday to Sunday.")
        return found
