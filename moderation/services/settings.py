"""The service settings a supervisor can change, with the app's defaults beneath."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from flask import current_app
from sqlalchemy import select

from models import ServiceSetting, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.cache import app_cache


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


def current_settings() -> dict[str, Any]:
    """Return every setting: stored values over the configured defaults."""
    values = dict(current_app.config["SERVICE_DEFAULTS"])
    for row in db.session.scalars(select(ServiceSetting)):
        if row.key in values:
            values[row.key] = row.value
    return values


def current_policy() -> ServicePolicy:
    """Return the policy in force now."""
    return ServicePolicy.from_mapping(current_settings())


def cached_policy() -> ServicePolicy:
    """The policy in force, re-read at most every INTAKE_CACHE_SECONDS per worker (intake)."""
    return app_cache("service_policy").get("policy", current_policy)


def update_settings(changes: dict[str, Any], actor: User) -> ServicePolicy:
    """Validate and store changed settings, auditing before and after."""
    before = current_settings()
    merged = {**before, **changes}
    unknown = set(changes) - set(before)
    if unknown:
        raise ValueError(f"Unknown settings: {', '.join(sorted(unknown))}")
    try:
        policy = ServicePolicy.from_mapping(merged)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"Invalid setting: {exc}") from exc
    if policy.working_day_minutes <= 0:
        raise ValueError("The working day must end after it starts.")
    if not policy.working_weekdays:
        raise ValueError("At least one working day is needed.")
    if min(policy.urgent_target_minutes, policy.claim_timeout_minutes) <= 0 or min(
        policy.priority_target_working_hours, policy.routine_target_working_days
    ) <= 0:
        raise ValueError("Targets and the claim timeout must be positive.")
    for key, value in changes.items():
        row = db.session.get(ServiceSetting, key)
        if row is None:
            row = ServiceSetting(key=key)
            db.session.add(row)
        row.value = value
        row.updated_at = utcnow()
        row.updated_by_id = actor.id
    db.session.flush()
    # This worker uses the new policy at once; the others within the cache's seconds.
    app_cache("service_policy").clear()
    record_event(actor, "settings.updated", "settings", None,
                 before={k: before[k] for k in changes}, after=changes)
    return policy
