"""The service settings a supervisor can change, with the app's defaults beneath."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update

from models import Comment, ServiceSetting, User, db, utcnow
from moderation.rules import ServicePolicy
from moderation.services.audit import record_event
from moderation.services.cache import app_cache
from moderation.services.working_hours import reply_due_at

# Settings whose change moves the deadlines of comments already waiting.
DEADLINE_SETTINGS = frozenset({
    "urgent_target_minutes", "priority_target_working_hours", "routine_target_working_days",
    "workday_start", "workday_end", "working_weekdays", "timezone", "holiday_country",
    "holiday_subdivision",
})


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
    problems = policy.problems()
    if problems:
        raise ValueError(" ".join(problems))
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


def recompute_pending_deadlines(policy: ServicePolicy, actor: User | None) -> int:
    """Recompute due_at of every pending comment under `policy`; return how many moved."""
    rows = db.session.execute(
        select(Comment.id, Comment.received_at, Comment.urgency, Comment.due_at)
        .where(Comment.status == "pending")
    ).all()
    changes = []
    for comment_id, received_at, urgency, due_at in rows:
        new_due = reply_due_at(received_at, urgency, policy)
        if new_due != due_at:
            changes.append({"row_id": comment_id, "new_due": new_due})
    if changes:
        # A Core executemany: no version bump, so open publish forms stay valid.
        table = Comment.__table__
        db.session.execute(
            update(table).where(table.c.id == bindparam("row_id"))
            .values(due_at=bindparam("new_due")),
            changes,
        )
        db.session.expire_all()
    record_event(actor, "comments.deadlines_recomputed", "settings", None,
                 after={"comments_moved": len(changes)})
    return len(changes)


def change_settings(changes: dict[str, Any], actor: User) -> tuple[ServicePolicy, int]:
    """Store changed settings; when targets or hours change, re-sort waiting comments."""
    policy_before = current_policy()
    policy = update_settings(changes, actor)
    moved = 0
    deadline_keys = DEADLINE_SETTINGS & set(changes)
    if deadline_keys and any(
        getattr(policy, key) != getattr(policy_before, key) for key in deadline_keys
    ):
        moved = recompute_pending_deadlines(policy, actor)
    return policy, moved
