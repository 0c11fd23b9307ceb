"""Clinical incidents: reporting from a comment or reply, the review workflow, the log, export.

Each incident keeps the comment, the reply, the model version that triaged the comment and the
snippet version the reply started from, as they were when it was reported. Near misses from
the triage model's monitoring sit in the same log; a supervisor opens one as an incident
("missed urgent") to review it the same way. Supervisors hear of a new incident through the
outbox; the email gives its type, severity and a link, never the description.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import Comment, NearMiss, Reply, User, db, utcnow
from models.incident import (
    INCIDENT_KINDS,
    INCIDENT_SEVERITIES,
    INCIDENT_STATUSES,
    Incident,
    IncidentStep,
    IncidentTransitionError,
)
from moderation.services.audit import record_event
from moderation.services.exports import csv_document
from moderation.services.oncall import supervisors
from moderation.services.outbox import enqueue_email, staff_link

MAX_DESCRIPTION_CHARS = 5000
MOVES = {"investigating": Incident.start_investigation, "actions": Incident.record_actions,
         "closed": Incident.close}
EXPORT_FIELDS = ("record", "id", "status", "kind", "severity", "reported_at", "reported_by",
                 "comment_id", "reply_id", "model_version", "snippet_key", "snippet_version",
                 "closed_at", "description", "steps")


class IncidentError(ValueError):
    """An incident could not be reported or moved; str(exc) is the message to show."""


def _check_report(kind: str, severity: str, description: str) -> str:
    if kind not in INCIDENT_KINDS:
        raise IncidentError("Choose what kind of incident this is.")
    if severity not in INCIDENT_SEVERITIES:
        raise IncidentError("Choose a severity, from minor to catastrophic.")
    description = (description or "").strip()
    if not description:
        raise IncidentError("Describe what happened, so the reviewer can look into it.")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise IncidentError(f"Please keep the description under {MAX_DESCRIPTION_CHARS} "
                            "characters; the review can add more.")
    return description


def _reply_involved(comment: Comment, reply_id: int | None) -> Reply | None:
    """The reply named (it must answer this comment), else the latest reply sent, if any."""
    if reply_id is not None:
        reply = db.session.get(Reply, reply_id)
        if reply is None or reply.comment_id != comment.id:
            raise IncidentError("That reply does not belong to this comment.")
        return reply
    sent = [r for r in comment.replies if r.is_published or r.kind == "private"]
    return sent[-1] if sent else None


def _notify_supervisors(incident: Incident, now: datetime) -> None:
    subject = (f"Incident #{incident.id} reported: {incident.kind_label} "
               f"({incident.severity})")
    # A short summary only: the description may hold a poster's details, and alert emails
    # are read on phones and in shared inboxes.
    body = (f"{incident.reported_by.display_name or incident.reported_by.name} reported an "
            f"incident: {incident.kind_label}, severity {incident.severity}, "
            f"about comment #{incident.comment_id}.\n\n"
            f"Read it and start the review in the incident log: "
            f"{staff_link('incidents.show', incident_id=incident.id)}\n")
    for supervisor in supervisors():
        if supervisor.id == incident.reported_by_id:
            continue
        enqueue_email("incident_reported", supervisor.email, subject, body,
                      f"incident:{incident.id}:to:{supervisor.id}", now=now,
                      comment_id=incident.comment_id, user_id=supervisor.id)


def report_incident(comment_id: int, user: User, *, kind: str, severity: str,
                    description: str, reply_id: int | None = None,
                    near_miss: NearMiss | None = None, now: datetime | None = None) -> Incident:
    """Report an incident about a comment (and one of its replies); supervisors are told."""
    description = _check_report(kind, severity, description)
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise IncidentError("This comment no longer exists (it may have been deleted under "
                            "the retention policy), so the incident cannot be linked to it. "
                            "Tell a supervisor directly, with the page and the date.")
    reply = _reply_involved(comment, reply_id)
    now = now or utcnow()
    incident = Incident(
        comment_id=comment.id, reply_id=reply.id if reply else None,
        near_miss_id=near_miss.id if near_miss else None, kind=kind, severity=severity,
        description=description, status="open",
        model_version=near_miss.model_version if near_miss else comment.model_version,
        snippet_id=reply.snippet_id if reply else None,
        snippet_version=reply.snippet_version if reply else None,
        reported_by=user, reported_at=now, updated_at=now)
    db.session.add(incident)
    db.session.add(IncidentStep(incident=incident, from_status=None, to_status="open",
                                note="Reported.", user_id=user.id, created_at=now))
    db.session.flush()
    _notify_supervisors(incident, now)
    record_event(user, "incident.reported", "incident", incident.id, comment_id=comment.id,
                 kind=kind, severity=severity)
    return incident


def open_near_miss(near_miss_id: int, user: User, *, severity: str, description: str,
                   now: datetime | None = None) -> Incident:
    """Open a near miss of the triage monitoring as a "missed urgent" incident."""
    if not user.is_supervisor:
        raise IncidentError("Only a supervisor can open a near miss as an incident.")
    near_miss = db.session.get(NearMiss, near_miss_id)
    if near_miss is None:
        raise IncidentError("This near miss does not exist.")
    existing = db.session.scalar(select(Incident).where(Incident.near_miss_id == near_miss_id))
    if existing is not None:
        raise IncidentError(f"This near miss is already incident #{existing.id}.")
    return report_incident(near_miss.comment_id, user, kind="missed_urgent", severity=severity,
                           description=description, near_miss=near_miss, now=now)


def get_incident(incident_id: int, user: User) -> Incident:
    """One incident, for a supervisor or for the midwife who reported it."""
    incident = db.session.get(Incident, incident_id)
    if incident is None or not (user.is_supervisor or incident.reported_by_id == user.id):
        raise IncidentError("This incident does not exist or is not yours to see.")
    return incident


def move_incident(incident_id: int, user: User, to_status: str, note: str,
                  now: datetime | None = None) -> Incident:
    """Move an incident one step on its review (supervisors only); refuse any other move."""
    if not user.is_supervisor:
        raise IncidentError("Only a supervisor can move an incident through its review.")
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise IncidentError("This incident does not exist.")
    if to_status not in MOVES:
        raise IncidentError(f"{to_status or 'That'} is not a step of the review.")
    before = incident.status
    try:
        MOVES[to_status](incident, user, note, now)
    except IncidentTransitionError as exc:
        raise IncidentError(str(exc)) from exc
    db.session.flush()
    record_event(user, "incident.moved", "incident", incident.id,
                 before={"status": before}, after={"status": to_status})
    return incident


# --- The log and its export -------------------------------------------------------------------

def incident_log(user: User, status: str | None = None) -> list[Incident]:
    """Incidents newest first: all of them for supervisors, her own reports for a midwife."""
    query = (select(Incident).options(selectinload(Incident.reported_by))
             .order_by(Incident.reported_at.desc(), Incident.id.desc()))
    if status in INCIDENT_STATUSES:
        query = query.where(Incident.status == status)
    if not user.is_supervisor:
        query = query.where(Incident.reported_by_id == user.id)
    return list(db.session.scalars(query))


def open_incident_count() -> int:
    """Incidents not closed yet (the supervisors' navigation count)."""
    return db.session.scalar(select(func.count()).select_from(Incident)
                             .where(Incident.status != "closed")) or 0


def near_misses_without_incident() -> list[NearMiss]:
    """Near misses nobody has opened as an incident yet, newest first (listed alongside)."""
    opened = select(Incident.near_miss_id).where(Incident.near_miss_id.is_not(None))
    return list(db.session.scalars(select(NearMiss).where(NearMiss.id.not_in(opened))
                                   .order_by(NearMiss.created_at.desc(), NearMiss.id.desc())))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _incident_record(incident: Incident) -> dict[str, Any]:
    steps = [{"from": s.from_status, "to": s.to_status, "at": _iso(s.created_at),
              "by": s.user.name, "note": s.note}
             for s in incident.steps]
    return {"record": "incident", "id": incident.id, "status": incident.status,
            "kind": incident.kind, "severity": incident.severity,
            "reported_at": _iso(incident.reported_at),
            "reported_by": incident.reported_by.name,
            "comment_id": incident.comment_id, "reply_id": incident.reply_id,
            "model_version": incident.model_version,
            "snippet_key": incident.snippet.key if incident.snippet else None,
            "snippet_version": incident.snippet_version, "closed_at": _iso(incident.closed_at),
            "description": incident.description, "steps": steps}


def _near_miss_record(near_miss: NearMiss) -> dict[str, Any]:
    return {"record": "near_miss", "id": near_miss.id,
            "status": "acknowledged" if near_miss.acknowledged_at else "unacknowledged",
            "kind": "missed_urgent", "severity": None, "reported_at": _iso(near_miss.created_at),
            "reported_by": near_miss.raised_by.name,
            "comment_id": near_miss.comment_id, "reply_id": None,
            "model_version": near_miss.model_version, "snippet_key": None,
            "snippet_version": None, "closed_at": None,
            "description": f"Served as {near_miss.served_urgency}, raised to urgent.",
            "steps": []}


def safety_file_records(user: User) -> list[dict[str, Any]]:
    """Every incident with its steps, then the near misses not opened as incidents."""
    return ([_incident_record(i) for i in incident_log(user)]
            + [_near_miss_record(n) for n in near_misses_without_incident()])


def export_csv(records: list[dict[str, Any]]) -> str:
    """The records as CSV for Excel, one row each; the steps as "when status by: note" lines."""
    rows = ([record[field] if field != "steps" else
             "\n".join(f"{s['at']} {s['to']} by {s['by']}: {s['note']}" for s in record["steps"])
             for field in EXPORT_FIELDS] for record in records)
    return "".join(csv_document(EXPORT_FIELDS, rows))


def export_json(records: list[dict[str, Any]]) -> str:
    """The records as a JSON document."""
    return json.dumps({"exported_at": utcnow().isoformat(), "records": records}, indent=2)
