"""The composer page shared by the replies and threads views: render, refuse, close."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from classifier.labels import TOPICS, URGENCIES
from models import db
from moderation.forms.replies import ReplyForm
from moderation.services.replies import (
    MAX_REASON_CHARS,
    MAX_REPLY_CHARS,
    CommentGone,
    ComposerContext,
    ReplyError,
    current_context,
)
from moderation.services.snippets import unfilled_blanks, urgent_snippet_keys


def render_composer(context: ComposerContext, form: ReplyForm, *, error: str | None = None,
                    status: int = 200):
    """The composer of the comment in `context`, with the midwife's form as she left it."""
    comment = context.comment
    return render_template(
        "replies/compose.html",
        context=context,
        comment=comment,
        form=form,
        error=error,
        blanks=unfilled_blanks(form.body.data or ""),
        max_reply_chars=MAX_REPLY_CHARS,
        max_reason_chars=MAX_REASON_CHARS,
        relabel_url=url_for("queue.relabel", comment_id=comment.id),
        release_url=url_for("queue.release", comment_id=comment.id),
        urgencies=URGENCIES,
        topics=TOPICS,
        urgent_keys=urgent_snippet_keys(comment),
    ), status


def refuse_in_composer(comment_id: int, form: ReplyForm, message: str, status: int):
    """Show the composer again with the message and every word the midwife typed."""
    db.session.rollback()
    try:
        context = current_context(comment_id, current_user)
    except CommentGone:
        abort(404)
    # The page renders the version she is now looking at, so she can act on what she sees.
    return render_composer(context, form, error=message, status=status)


def form_error(form: ReplyForm) -> str:
    """Every message of an invalid form, as one line."""
    messages = [error for errors in form.errors.values() for error in errors]
    return " ".join(str(m) for m in messages) or "The form could not be read. Please try again."


def close_comment(comment_id: int, action, done: str):
    """Reject or mark spam through `action` with the form's reason, then back to the queue."""
    form = ReplyForm()
    if not form.validate_on_submit():
        return refuse_in_composer(comment_id, form, form_error(form), 422)
    try:
        comment = action(comment_id, current_user, form.reason.data or "",
                         expected_version=form.expected_version.data)
    except ReplyError as exc:
        return refuse_in_composer(comment_id, form, str(exc), exc.status)
    author = comment.display_author
    db.session.commit()
    flash(f"The comment from {author} was {done}.", "success")
    return redirect(url_for("queue.index"))
