"""The service settings page: a supervisor changes reply targets, working hours and claims."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from moderation.forms.settings import SettingsForm
from moderation.services.settings import change_settings, current_settings
from moderation.views.access import supervisor_required

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
@supervisor_required
def index():
    """Let a supervisor change reply targets, working hours and the claim timeout."""
    stored = current_settings()
    form = SettingsForm()
    if request.method == "GET":
        form.fill_from(stored)
    elif form.validate_on_submit():
        changes = form.changes(stored)
        if not changes:
            flash("Nothing changed.", "info")
            return redirect(url_for("settings.index"))
        try:
            _, moved = change_settings(changes, current_user)
        except ValueError as exc:
            db.session.rollback()
            return render_template("settings/index.html", form=form, stored=stored,
                                   error=str(exc)), 400
        db.session.commit()
        message = "Settings saved."
        if moved:
            message += f" {moved} waiting comment{'s' if moved != 1 else ''} got a new deadline."
        flash(message, "success")
        return redirect(url_for("settings.index"))
    else:
        return render_template("settings/index.html", form=form, stored=stored), 400
    return render_template("settings/index.html", form=form, stored=stored)
