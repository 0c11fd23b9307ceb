"""The supervisor area: reports on response times, backlog, workload and the model."""

from __future__ import annotations

from flask import Blueprint, render_template

from moderation.services.settings import current_policy
from moderation.views.access import supervisor_required

bp = Blueprint("reports", __name__, url_prefix="/supervisor")


@bp.route("/")
@supervisor_required
def index():
    """The supervisor area's front page."""
    return render_template("reports/index.html", policy=current_policy())
