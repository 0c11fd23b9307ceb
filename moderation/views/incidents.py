"""Incident reporting from a comment or reply, the incident log, its review and its export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Comment, db
from models.incident import INCIDENT_KINDS, INCIDENT_SEVERITIES, INCIDENT_STATUSES
from moderation.services import incidents
from moderation.views.access import staff_required, supervisor_required

bp = Blueprint("incidents", __name__)


bp.add_app_template_global(incidents.open_incident_count)


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _report_form(comment: Comment | None, comment_id: int, *, error: str | None = None,
                 status: int = 200):
    return render_template(
        "incidents/new.html", comment=comment, comment_id=comment_id, kinds=INCIDENT_KINDS,
        severities=INCIDENT_SEVERITIES, error=error, form=request.form,
        reply_id=_int_or_none(request.values.get("reply_id")),
    ), status


@bp.route("/comments/<int:comment_id>/incident")
@staff_required
def new(comment_id: int):
    """The "Report an incident" form for a comment (and, optionally, one of its replies)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return _report_form(comment, comment_id)


@bp.route("/comments/<int:comment_id>/incident", methods=["POST"])
@staff_required
def report(comment_id: int):
    """Report the incident; a refusal shows the form again with every word kept."""
    try:
        incident = incidents.report_incident(
            comment_id, current_user, kind=request.form.get("kind", ""),
            severity=request.form.get("severity", ""),
            description=request.form.get("description", ""),
            reply_id=_int_or_none(request.form.get("reply_id")))
    except incidents.IncidentError as exc:
        db.session.rollback()
        comment = db.session.get(Comment, comment_id)
        return _report_form(comment, comment_id, error=str(exc),
                            status=404 if comment is None else 422)
    db.session.commit()
    flash(f"Incident #{incident.id} reported. The supervisors have been told.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.route("/incidents")
@staff_required
def index():
    """The incident log; supervisors also see the near misses of the triage monitoring."""
    status = request.args.get("status") or None
    return render_template(
        "incidents/index.html", incidents=incidents.incident_log(current_user, status),
        near_misses=(incidents.near_misses_without_incident()
                     if current_user.is_supervisor else []),
        statuses=INCIDENT_STATUSES, status=status, severities=INCIDENT_SEVERITIES)


@bp.route("/incidents/<int:incident_id>")
@staff_required
def show(incident_id: int):
    """One incident with the links it keeps and every step of its review."""
    try:
        incident = incidents.get_incident(incident_id, current_user)
    except incidents.IncidentError:
        abort(404)
    return render_template("incidents/show.html", incident=incident)


@bp.route("/incidents/<int:incident_id>/move", methods=["POST"])
@supervisor_required
def move(incident_id: int):
    """Move the incident one step on (investigating, actions, closed), with a note."""
    to_status = request.form.get("to_status", "")
    try:
        incidents.move_incident(incident_id, current_user, to_status,
                                request.form.get("note", ""))
    except incidents.IncidentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("incidents.show", incident_id=incident_id), 303)
    db.session.commit()
    flash(f"Incident #{incident_id} is now {to_status}.", "success")
    return redirect(url_for("incidents.show", incident_id=incident_id), 303)


@bp.route("/near-misses/<int:near_miss_id>/incident", methods=["POST"])
@supervisor_required
def from_near_miss(near_miss_id: int):
    """Open a near miss as a "missed urgent" incident to review it."""
    try:
        incident = incidents.open_near_miss(
            near_miss_id, current_user, severity=request.form.get("severity", ""),
            description=request.form.get("description", ""))
    except incidents.IncidentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("incidents.index"), 303)
    db.session.commit()
    flash(f"Near miss opened as incident #{incident.id}.", "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.route("/incidents/export.<any(csv, json):fmt>")
@supervisor_required
def export(fmt: str):
    """The log for the clinical safety file: every incident and step, and the near misses."""
    records = incidents.safety_file_records(current_user)
    if fmt == "csv":
        body, mimetype = incidents.export_csv(records), "text/csv; charset=utf-8"
    else:
        body, mimetype = incidents.export_json(records), "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=incidents.{fmt}"})
