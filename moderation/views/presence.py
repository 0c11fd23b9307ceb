"""Presence on the composer page: polled JSON of who else is here and the claim's time left."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from models import db
from moderation.services.presence import PresenceError, report_presence
from moderation.views.access import staff_required

bp = Blueprint("presence", __name__)


@bp.route("/comments/<int:comment_id>/presence", methods=["POST"])
@staff_required
def ping(comment_id: int):
    """Say she is still on this comment; answer who else is, and her claim's time left."""
    try:
        report = report_presence(comment_id, current_user)
    except PresenceError as exc:
        db.session.rollback()
        return jsonify({"error": str(exc)}), 404
    db.session.commit()
    return jsonify(report.as_json())
