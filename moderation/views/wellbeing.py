"""Staff wellbeing: the break suggestion, debrief requests, and weekly exposure for supervisors."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from models import db
from moderation.services import wellbeing
from moderation.views.access import is_safe_local_path, staff_required, supervisor_required

bp = Blueprint("wellbeing", __name__)

# The count she dismissed the banner at: it comes back only when she opens another one.
DISMISSED_KEY = "wellbeing_dismissed_at_count"


@bp.app_template_global()
def break_suggestion() -> wellbeing.ShiftExposure | None:
    """Her shift so far when a break is due and she has not dismissed it, else None."""
    if not current_user.is_authenticated or current_user.is_supervisor:
        return None
    exposure = wellbeing.shift_exposure(current_user)
    if not exposure.break_suggested:
        if DISMISSED_KEY in session:  # a new shift: the next break is asked about afresh
            session.pop(DISMISSED_KEY)
        return None
    if session.get(DISMISSED_KEY, -1) >= exposure.count:
        return None
    return exposure


@bp.app_template_global()
def open_debrief_count() -> int:
    """Debrief requests waiting for a supervisor."""
    return wellbeing.open_debrief_count()


def _back() -> str:
    target = request.form.get("next")
    return target if is_safe_local_path(target) else url_for("queue.index")


@bp.route("/wellbeing")
@staff_required
def index():
    """Her own shift for a midwife; weekly totals, settings and debriefs for supervisors."""
    if not current_user.is_supervisor:
        return render_template("wellbeing/mine.html",
                               exposure=wellbeing.shift_exposure(current_user),
                               settings=wellbeing.wellbeing_settings())
    return render_template("wellbeing/index.html", weekly=wellbeing.weekly_exposure(),
                           settings=wellbeing.wellbeing_settings(),
                           debriefs=wellbeing.open_debriefs(), error=None)


@bp.route("/wellbeing/settings", methods=["POST"])
@supervisor_required
def settings():
    """Change the soft limit, shift length and quiet time; a refusal changes nothing."""
    changes = {key: request.form.get(key, "") for key in wellbeing.SETTING_DEFAULTS}
    try:
        wellbeing.update_wellbeing_settings(changes, current_user)
    except wellbeing.WellbeingError as exc:
        db.session.rollback()
        return render_template("wellbeing/index.html", weekly=wellbeing.weekly_exposure(),
                               settings=wellbeing.wellbeing_settings(),
                               debriefs=wellbeing.open_debriefs(), error=str(exc),
                               form=request.form), 422
    db.session.commit()
    flash("Wellbeing settings saved.", "success")
    return redirect(url_for("wellbeing.index"), 303)


@bp.route("/comments/<int:comment_id>/debrief", methods=["POST"])
@staff_required
def debrief(comment_id: int):
    """"I'd like a debrief": the supervisors are told privately."""
    try:
        wellbeing.request_debrief(comment_id, current_user, request.form.get("note", ""))
    except wellbeing.WellbeingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_back(), 303)
    db.session.commit()
    flash("Thank you for asking. A supervisor will find a private moment with you soon.",
          "success")
    return redirect(_back(), 303)


@bp.route("/wellbeing/debriefs/<int:debrief_id>/arranged", methods=["POST"])
@supervisor_required
def arranged(debrief_id: int):
    """A supervisor has arranged the debrief."""
    try:
        wellbeing.arrange_debrief(debrief_id, current_user)
    except wellbeing.WellbeingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("wellbeing.index"), 303)
    db.session.commit()
    flash("Debrief marked as arranged.", "success")
    return redirect(url_for("wellbeing.index"), 303)


@bp.route("/wellbeing/break/dismiss", methods=["POST"])
@staff_required
def dismiss_break():
    """Hide the break suggestion until she opens another distressing comment."""
    session[DISMISSED_KEY] = wellbeing.shift_exposure(current_user).count
    return redirect(_back(), 303)
