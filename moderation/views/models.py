"""Model releases for supervisors: compare a candidate with the active model, promote, roll back."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import db
from moderation.services import model_releases, near_misses
from moderation.views.access import supervisor_required

bp = Blueprint("models", __name__, url_prefix="/models")


@bp.route("/")
@supervisor_required
def index():
    """Every release with its evaluation, and the near misses supervisors must see."""
    model_releases.adopt_serving_model()
    db.session.commit()
    return render_template(
        "models/index.html",
        releases=model_releases.list_releases(),
        active=model_releases.active_release(),
        near_misses=near_misses.recent_near_misses(),
        corrections=model_releases.corrections_count(),
    )


@bp.route("/promote", methods=["POST"])
@supervisor_required
def promote():
    """Make the chosen release serve (a candidate, or an earlier release to roll back)."""
    version = (request.form.get("version") or "").strip()
    try:
        release = model_releases.promote(version, current_user)
    except model_releases.ReleaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("models.index")), 303
    db.session.commit()
    flash(f"Model {release.version} is now active; new comments are scored with it.", "success")
    return redirect(url_for("models.index")), 303


@bp.route("/near-misses/<int:near_miss_id>/acknowledge", methods=["POST"])
@supervisor_required
def acknowledge(near_miss_id: int):
    """A supervisor has read a near miss."""
    try:
        near_misses.acknowledge_near_miss(near_miss_id, current_user)
    except near_misses.NearMissError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("models.index")), 303
    db.session.commit()
    return redirect(url_for("models.index", _anchor="near-misses")), 303
