"""The safeguarding route: raising a concern, the records, the CSV log and the leads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from moderation.forms.safeguarding import ConcernForm, RecordForm
from moderation.services.replies import CommentGone, ReplyError
from moderation.services.safeguarding import (
    SafeguardingForbidden,
    can_read,
    export_csv,
    get_record,
    list_records,
    raise_concern,
    record_for,
    set_lead,
    staff,
    update_record,
)
from moderation.views.access import staff_required, supervisor_required

bp = Blueprint("safeguarding", __name__)


@bp.app_template_global("safeguarding_record_for")
def safeguarding_record_for(comment_id: int):
    """The comment's safeguarding record, for those allowed to read it; else None."""
    return record_for(comment_id) if can_read(current_user) else None


@bp.app_template_global("can_read_safeguarding")
def can_read_safeguarding() -> bool:
    """Whether the signed-in person reads safeguarding records (lead or supervisor)."""
    return current_user.is_authenticated and can_read(current_user)


@bp.route("/comments/<int:comment_id>/safeguarding", methods=["POST"])
@staff_required
def raise_flag(comment_id: int):
    """A midwife raises the safeguarding flag on a comment, with her concern."""
    form = ConcernForm()
    try:
        raise_concern(comment_id, current_user, form.concern.data or "")
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        # Her words come back in full on a page of their own (a flash could not hold them).
        return render_template(
            "threads/refused.html", title="The concern was not raised", error=str(exc),
            comment_id=comment_id,
            action=url_for("safeguarding.raise_flag", comment_id=comment_id),
            label="What worries you", field="concern", text=form.concern.data or ""), \
            exc.status
    db.session.commit()
    flash("Safeguarding concern raised: the lead is told by email, and the comment cannot be "
          "published as it stands.", "success")
    return redirect(url_for("replies.compose", comment_id=comment_id))


@bp.route("/safeguarding")
@staff_required
def index():
    """The records, open first (leads and supervisors only)."""
    try:
        records = list_records(current_user, request.args.get("status"))
    except SafeguardingForbidden:
        abort(403)
    return render_template("safeguarding/index.html", records=records)


@bp.route("/safeguarding/<int:record_id>", methods=["GET", "POST"])
@staff_required
def record(record_id: int):
    """Read a record and write the decision, actions and outcome."""
    try:
        item = get_record(record_id, current_user)
    except SafeguardingForbidden:
        abort(403)
    except CommentGone:
        abort(404)
    form = RecordForm(obj=item) if request.method == "GET" else RecordForm()
    error, status = None, 200
    if request.method == "POST":
        try:
            update_record(record_id, current_user, decision=form.decision.data,
                          actions=form.actions.data, outcome=form.outcome.data,
                          close=bool(form.close.data))
        except ReplyError as exc:
            db.session.rollback()
            error, status = str(exc), exc.status
            item = get_record(record_id, current_user)
        else:
            db.session.commit()
            flash("The safeguarding record is saved.", "success")
            return redirect(url_for("safeguarding.record", record_id=record_id))
    return render_template("safeguarding/record.html", record=item, form=form,
                           error=error), status


@bp.route("/safeguarding/export", methods=["POST"])
@staff_required
def export():
    """Download every record as CSV for the safeguarding log (audited)."""
    try:
        text = export_csv(current_user)
    except SafeguardingForbidden:
        abort(403)
    db.session.commit()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="safeguarding-log.csv"',
        "Cache-Control": "no-store"})


@bp.route("/supervisor/safeguarding-leads", methods=["GET", "POST"])
@supervisor_required
def leads():
    """Supervisors designate the safeguarding leads."""
    if request.method == "POST":
        try:
            person = set_lead(request.form.get("user_id", type=int) or 0, current_user,
                              request.form.get("lead") == "1")
        except CommentGone:
            abort(404)
        db.session.commit()
        flash(f"{person.name} is {'now' if person.safeguarding_lead else 'no longer'} a "
              "safeguarding lead.", "success")
        return redirect(url_for("safeguarding.leads"))
    return render_template("safeguarding/leads.html", people=staff())
