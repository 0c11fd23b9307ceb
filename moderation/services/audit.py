"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from models import AuditEvent, User, db


def record_event(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int | None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session: it is written with the caller's change, or not at all."""
    event = AuditEvent(**event_columns(actor, action, target_type, target_id, details))
    # No flush of its own: the event goes to the database in the same flush or commit as the
    # change it describes, which saves a round of the unit of work on every state change.
    db.session.add(event)
    return event


def event_columns(actor: User | None, action: str, target_type: str, target_id: int | None,
                  details: dict[str, Any]) -> dict[str, Any]:
    """An audit event's columns (details made JSON-safe), for the ORM or a Core INSERT."""
    return {"actor_id": actor.id if actor is not None else None, "action": action,
            "target_type": target_type, "target_id": target_id, "details": jsonable(details)}


def jsonable(value: Any) -> Any:
    """Turn datetimes and other objects into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
