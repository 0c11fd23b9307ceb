"""Bulk actions from the queue: spam or reject several comments, and undo within a minute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user

from models import db, utcnow
from moderation.services.bulk import UNDO_WINDOW, BulkError, BulkResult, bulk_close, undo_bulk
from moderation.views.access import is_safe_local_path, staff_required

bp = Blueprint("bulk", __name__)
UNDO_KEY = "bulk_undo"
DONE_WORDS = {"spam": "marked as spam", "reject": "rejected"}


def _back() -> str:
    target = request.form.get("next")
    return target if is_safe_local_path(target) else url_for("queue.index")


def _selected() -> list[int]:
    return [int(v) for v in request.form.getlist("comment_ids") if v.isdigit() and len(v) < 19]


def _skipped(result: BulkResult) -> str:
    return "; ".join(f"comment {cid}: {why}" for cid, why in result.skipped)


@bp.app_template_global()
def bulk_undo_offer() -> dict[str, Any] | None:
    """The last bulk action of this session, while it can still be undone."""
    offer = session.get(UNDO_KEY)
    if not offer:
        return None
    until = datetime.fromisoformat(offer["until"])
    return offer if until > utcnow() else None


@bp.route("/queue/bulk", methods=["POST"])
@staff_required
def close():
    """Mark the selected comments as spam or reject them, with one reason."""
    action = request.form.get("action", "")
    try:
        result = bulk_close(_selected(), current_user, action, request.form.get("reason", ""))
    except BulkError as exc:
        db.session.rollback()
        flash(f"Nothing was changed: {exc}", "error")
        return redirect(_back())
    db.session.commit()
    if result.done:
        session[UNDO_KEY] = {"ids": result.done, "action": action,
                             "until": (utcnow() + UNDO_WINDOW).isoformat()}
        flash(f"{len(result.done)} comment{'s' if len(result.done) != 1 else ''} "
              f"{DONE_WORDS[action]}.", "success")
    if result.skipped:
        flash("Left as they were: " + _skipped(result) + ".", "warning")
    return redirect(_back())


@bp.route("/queue/bulk/undo", methods=["POST"])
@staff_required
def undo():
    """Put the last bulk action's comments back in the queue."""
    offer = session.pop(UNDO_KEY, None)
    if not offer:
        flash("There is nothing to undo.", "info")
        return redirect(_back())
    try:
        result = undo_bulk([int(i) for i in offer["ids"]], current_user)
    except BulkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_back())
    db.session.commit()
    if result.done:
        flash(f"Undone: {len(result.done)} comment{'s are' if len(result.done) != 1 else ' is'}"
              " back in the queue.", "success")
    if result.skipped:
        flash("Not undone: " + _skipped(result) + ".", "warning")
    return redirect(_back())
