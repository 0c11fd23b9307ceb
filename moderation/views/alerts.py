"""The supervisors' alerts page and dead letters, and the alert's "I'm on it" link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from models import db
from moderation.forms import ButtonForm
from moderation.services.alerts import AckError, acknowledge, alert_log, dead_letters
from moderation.services.outbox import OutboxError, retry_message
from moderation.views.access import supervisor_required

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.route("/")
@supervisor_required
def index():
    """Every urgent alert sent, and every message that could not be delivered."""
    return render_template("alerts/index.html", alerts=alert_log(), dead=dead_letters(),
                           button=ButtonForm())


@bp.route("/messages/<int:message_id>/retry", methods=["POST"])
@supervisor_required
def retry(message_id: int):
    """Put a dead message back in the outbox."""
    if not ButtonForm().validate_on_submit():
        flash("The form expired. Please try again.", "error")
        return redirect(url_for("alerts.index"))
    try:
        retry_message(message_id, current_user)
    except OutboxError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("alerts.index"))
    db.session.commit()
    flash("The message will be sent again within the worker's poll interval.", "success")
    return redirect(url_for("alerts.index"))


@bp.route("/ack/<token>", methods=["GET", "POST"])
def acknowledge_link(token: str):
    """An alert's "I'm on it": a button (mail scanners follow links), then sign-in and claim."""
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template("alerts/ack.html", form=form, token=token)
    try:
        user, comment = acknowledge(token)
    except AckError as exc:
        db.session.rollback()
        return render_template("alerts/ack.html", form=form, token=token, error=str(exc)), 409
    db.session.commit()
    composer = url_for("replies.compose", comment_id=comment.id)
    if current_user.is_authenticated and current_user.id == user.id:
        flash("It is yours: the alerts about this comment have stopped.", "success")
        return redirect(composer)
    # The link claims and stops the alerts; reading the comment still needs a full sign-in
    # (password and second factor), so a forwarded or intercepted email opens nothing.
    flash("It is yours: the alerts about this comment have stopped. Sign in to answer it.",
          "success")
    return redirect(url_for("auth.login", next=composer))
