"""The queue: a midwife's home page."""

from __future__ import annotations

from flask import Blueprint, render_template

from moderation.services.queue import pending_comments
from moderation.views.access import staff_required

bp = Blueprint("queue", __name__)


@bp.route("/")
@staff_required
def index():
    """List pending comments by reply deadline."""
    return render_template("queue/index.html", comments=pending_comments())
