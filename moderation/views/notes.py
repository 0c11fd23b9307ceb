"""Internal notes on a thread and the @mentions page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from models import db
from moderation.forms.notes import NoteForm
from moderation.services.notes import (
    add_note,
    mentions_for,
    notes_for,
    open_mention,
    unseen_mentions,
)
from moderation.services.replies import CommentGone, ReplyError
from moderation.views.access import staff_required

bp = Blueprint("notes", __name__)


@bp.app_template_global("thread_notes")
def thread_notes(comment) -> list:
    """The internal notes of the comment's thread."""
    return notes_for(comment)


@bp.app_template_global("unseen_mention_count")
def unseen_mention_count() -> int:
    """Her unopened mentions, for the navigation."""
    return unseen_mentions(current_user) if current_user.is_authenticated else 0


@bp.route("/comments/<int:comment_id>/notes", methods=["POST"])
@staff_required
def add(comment_id: int):
    """Add an internal note; a refusal shows her note again."""
    form = NoteForm()
    try:
        add_note(comment_id, current_user, form.body.data or "")
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        # Her note comes back in full on a page of its own (a flash could not hold it).
        return render_template(
            "threads/refused.html", title="Your note was not saved", error=str(exc),
            comment_id=comment_id, action=url_for("notes.add", comment_id=comment_id),
            label="Internal note", field="body", text=form.body.data or ""), exc.status
    db.session.commit()
    flash("Note added. It is internal: never published, never exported.", "success")
    return redirect(url_for("replies.compose", comment_id=comment_id, _anchor="notes"))


@bp.route("/mentions")
@staff_required
def index():
    """Notes in which colleagues mentioned her."""
    return render_template("notes/mentions.html", mentions=mentions_for(current_user))


@bp.route("/mentions/<int:mention_id>")
@staff_required
def show(mention_id: int):
    """Open a mention: mark it seen and go to the thread's notes."""
    try:
        comment_id = open_mention(mention_id, current_user)
    except CommentGone:
        abort(404)
    db.session.commit()
    return redirect(url_for("replies.compose", comment_id=comment_id, _anchor="notes"))
