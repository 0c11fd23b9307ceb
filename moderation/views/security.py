"""The security event log for supervisors: sign-ins, refusals, sessions, second factors."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from moderation.services.security import EVENT_ACTIONS, EventFilter, security_events
from moderation.views.access import supervisor_required

bp = Blueprint("security", __name__, url_prefix="/security")


def _day(name: str, errors: list[str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(f"{text!r} is not a date: use YYYY-MM-DD.")
        return None
    if not 1970 <= day.year <= 2999:
        errors.append(f"{text!r} is out of range: choose a year from 1970 to 2999.")
        return None
    return day


@bp.route("/events")
@supervisor_required
def events():
    """Filter the security events by kind, account, address and day."""
    errors: list[str] = []
    action = request.args.get("action", "").strip() or None
    if action is not None and action not in EVENT_ACTIONS:
        errors.append("Choose one of the listed kinds of event.")
        action = None
    filters = EventFilter(
        action=action,
        account=request.args.get("account", "").strip()[:254] or None,
        address=request.args.get("address", "").strip()[:64] or None,
        date_from=_day("date_from", errors), date_to=_day("date_to", errors),
    )
    return render_template("security/events.html", events=security_events(filters),
                           filters=filters, actions=EVENT_ACTIONS,
                           errors=errors), 400 if errors else 200
