"""When a person will next read a comment: the service's working hours and the on-call rota."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from moderation.rules import WEEKDAYS
from moderation.services.oncall import next_read_by_rota
from moderation.services.settings import ServicePolicy, cached_policy
from moderation.services.working_hours import add_working_time


def next_read_at(now: datetime, policy: ServicePolicy | None = None) -> datetime:
    """`now` in staffed hours or while someone is on call, else whichever of those comes first."""
    # Zero minutes of working time from `now` is `now` when staffed, else the next opening.
    candidates = [add_working_time(now, 0, policy or cached_policy())]
    if candidates[0] <= now:
        return now  # staffed now: the rota cannot make it sooner
    on_call = next_read_by_rota(now)
    if on_call is not None:
        candidates.append(on_call)
    return max(now, min(candidates))


def staffed_at(now: datetime, policy: ServicePolicy | None = None) -> bool:
    """Tell whether a midwife is working or on call at this moment."""
    return next_read_at(now, policy) == now


def describe_moment(moment: datetime, now: datetime, policy: ServicePolicy | None = None) -> str:
    """'today at 9am', 'tomorrow at 9am' or 'Monday 7 December at 9am', in the service's zone."""
    zone = ZoneInfo((policy or cached_policy()).timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%I:%M%p").lstrip("0").lower().replace(":00", "")
    days = (local.date() - today).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"{WEEKDAYS[local.weekday()]} {local.day} {local:%B} at {clock}"


def describe_hours(policy: ServicePolicy | None = None) -> str:
    """The staffed hours in words: 'Monday to Friday, 9am to 5pm, not on bank holidays'."""
    policy = policy or cached_policy()
    days = sorted(policy.working_weekdays)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        day_text = f"{WEEKDAYS[days[0]]} to {WEEKDAYS[days[-1]]}"
    else:
        day_text = ", ".join(WEEKDAYS[d] for d in days)

    def clock(value) -> str:
        text = value.strftime("%I:%M%p").lstrip("0").lower()
        return text.replace(":00", "")

    return (f"{day_text}, {clock(policy.workday_start)} to {clock(policy.workday_end)}, "
            "not on bank holidays")
