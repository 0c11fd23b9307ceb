"""Saved views of the queue: save the current filters under a name, or delete a view."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from models import db
from moderation.services.saved_views import (
    SavedViewError,
    delete_view,
    save_view,
    view_counts,
    views_for,
)
from moderation.views.access import staff_required

bp = Blueprint("saved_views", __name__)


@bp.app_template_global()
def saved_views_panel() -> dict[str, Any]:
    """The signed-in person's views with their counts, for the queue page's partial."""
    views = views_for(current_user)
    return {"views": views, "counts": view_counts(views, current_user)}


@bp.app_template_global()
def saved_view_args(view) -> dict[str, str]:
    """The query-string arguments that open a saved view."""
    return dict(view.filters or {})


@bp.route("/views", methods=["POST"])
@staff_required
def save():
    """Save the filters in this URL's query string under the typed name."""
    args = {key: value for key, value in request.args.items() if value}
    try:
        view = save_view(current_user, request.form.get("name", ""), args,
                         shared=request.form.get("shared") == "y")
    except SavedViewError as exc:
        db.session.rollback()
        flash(f"The view was not saved: {exc}", "error")
        return redirect(url_for("queue.index", **args))
    db.session.commit()
    flash(f"Saved the view “{view.name}”" + (" for everyone." if view.shared else "."),
          "success")
    return redirect(url_for("queue.index", **view.filters))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@staff_required
def delete(view_id: int):
    """Delete a saved view."""
    try:
        view = delete_view(view_id, current_user)
    except SavedViewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("queue.index"))
    db.session.commit()
    flash(f"Deleted the view “{view.name}”.", "success")
    return redirect(url_for("queue.index"))
