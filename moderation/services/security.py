"""The security event log: sign-ins, second factors, sessions, refusals; JSON lines and audit."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from models import AuditEvent, User, db, utcnow
from moderation.services.audit import event_columns, jsonable

log = logging.getLogger("moderation.security")

# Audit actions shown on the security page besides the security.* events.
ACCOUNT_ACTIONS = ("user.created", "user.deactivated", "user.password_changed",
                   "mfa.enrolled", "mfa.recovery_code_used", "mfa.reset",
                   "export.threads", "export.report_table", "site.created", "site.revoked")
SECURITY_ACTIONS = (
    "security.sign_in", "security.sign_in_failed", "security.second_factor_failed",
    "security.rate_limited", "security.session_revoked", "security.forbidden",
    "security.csrf_failed", "security.api_key_failed",
    "security.role_changed", "security.account_deactivated", "security.account_reactivated",
    "security.password_reset_requested", "security.password_reset",
    "security.password_reset_refused",
)
EVENT_ACTIONS = SECURITY_ACTIONS + ACCOUNT_ACTIONS
PAGE_SIZE = 200
# How many of the newest events an account or address filter looks through.
SCAN_LIMIT = 5000


def record_security_event(action: str, *, user: User | None = None, email: str | None = None,
                          address: str = "", user_agent: str = "", path: str = "",
                          now: datetime | None = None, with_change: bool = False,
                          **details: Any) -> None:
    """Write one event as a JSON log line and into the audit trail, in its own transaction.

    Its own transaction, because a failed sign-in or a refusal rolls the request's work back,
    and the record of it must stay. With `with_change` the row joins the caller's session
    instead: an event describing a change (a new role) is stored exactly when the change is.
    """
    now = now or utcnow()
    payload = {
        "time": now.isoformat(), "event": action,
        "account_id": user.id if user is not None else None,
        "account": user.email if user is not None else (email or None),
        "address": address, "user_agent": user_agent[:300], "path": path[:300],
        **details,
    }
    log.info(json.dumps(jsonable(payload), sort_keys=True))
    values = {**event_columns(user, action, "user", user.id if user is not None else None,
                              {key: value for key, value in payload.items()
                               if key not in ("time", "event", "account_id")}),
              "created_at": now}
    if with_change:
        db.session.add(AuditEvent(**values))
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(AuditEvent).values(**values))
    except Exception:  # noqa: BLE001 - the log line above is written; never break the answer
        log.exception("Could not store the security event %s in the audit trail", action)


@dataclass(frozen=True)
class EventFilter:
    """What a supervisor asked to see."""

    action: str | None = None
    account: str | None = None
    address: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def security_events(filters: EventFilter) -> list[AuditEvent]:
    """The newest matching security and account events (at most PAGE_SIZE)."""
    actions = (filters.action,) if filters.action in EVENT_ACTIONS else EVENT_ACTIONS
    statement = select(AuditEvent).where(AuditEvent.action.in_(actions))
    if filters.date_from:
        statement = statement.where(AuditEvent.created_at >= _day(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEvent.created_at
                                    < _day(filters.date_to) + timedelta(days=1))
    events = list(db.session.scalars(statement.order_by(AuditEvent.created_at.desc(),
                                                        AuditEvent.id.desc())
                                      .limit(SCAN_LIMIT)))
    # Account and address sit in the JSON details (a failed sign-in has no user id):
    # filtering them in Python works the same on both databases.
    if filters.account:
        account = filters.account.strip().lower()
        user_id = db.session.scalar(select(User.id).where(User.email == account))
        events = [e for e in events if (e.details or {}).get("account") == account
                  or (user_id is not None and (e.actor_id == user_id or (
                      e.target_type == "user" and e.target_id == user_id)))]
    if filters.address:
        wanted = filters.address.strip()
        events = [e for e in events if (e.details or {}).get("address") == wanted]
    return events[:PAGE_SIZE]


def _day(day: date) -> datetime:
    from datetime import UTC

    return datetime(day.year, day.month, day.day, tzinfo=UTC)
