"""A comment's answers beyond one public reply: private replies, closing, redaction, undo,
editing and unpublishing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from models import Reply, db, utcnow
from moderation.forms.replies import ReplyForm
from moderation.forms.threads import EditReplyForm, ReasonForm, RedactForm
from moderation.services.identifiability import identifiers_in_public_text
from moderation.services.private_replies import (
    close_without_publishing,
    delivery_state,
    is_safeguarding,
    send_private_reply,
)
from moderation.services.redaction import redact, remove_redactions
from moderation.services.replies import CommentGone, ReplyError, current_context
from moderation.services.threads import (
    can_edit,
    can_undo,
    edit_reply,
    get_reply,
    reply_versions,
    thread_history,
    undo_publish,
    unpublish_reply,
    unpublish_thread,
)
from moderation.views.access import staff_required, supervisor_required
from moderation.views.composer import (
    close_comment,
    form_error,
    refuse_in_composer,
    render_composer,
)

bp = Blueprint("threads", __name__)


@bp.app_template_filter("delivery_state")
def delivery_state_filter(reply: Reply) -> str:
    """Where a private reply is: queued, sent or not delivered (and why)."""
    return delivery_state(reply)


@bp.app_template_global("is_safeguarding")
def is_safeguarding_global(comment) -> bool:
    """Whether the comment carries the safeguarding (or abuse) flag."""
    return is_safeguarding(comment)


@bp.app_template_global("thread_history")
def thread_history_global(comment) -> list:
    """The other comments of this comment's thread, oldest first (for the composer)."""
    return thread_history(comment)


@bp.app_template_global("identifiers_in")
def identifiers_in(comment) -> list:
    """What could still identify someone in the comment's public text."""
    return identifiers_in_public_text(comment)


@bp.app_template_global("reply_actions")
def reply_actions(reply: Reply) -> dict[str, bool]:
    """What the signed-in person can do to this reply now."""
    return {"undo": can_undo(reply, current_user, utcnow()),
            "edit": can_edit(reply, current_user),
            "unpublish": current_user.is_supervisor and bool(reply.is_published)}


def _back(comment_id: int):
    return redirect(url_for("replies.compose", comment_id=comment_id))


@bp.route("/comments/<int:comment_id>/private", methods=["POST"])
@staff_required
def private(comment_id: int):
    """Email the reply privately through the outbox; any refusal keeps her text."""
    form = ReplyForm()
    if not form.validate_on_submit():
        return refuse_in_composer(comment_id, form, form_error(form), 422)
    try:
        reply = send_private_reply(comment_id, current_user, form.body.data or "",
                                   expected_version=form.expected_version.data)
    except ReplyError as exc:
        return refuse_in_composer(comment_id, form, str(exc), exc.status)
    author = reply.comment.display_author
    held = reply.outbox_message_id is None
    db.session.commit()
    if held:
        flash(f"Your private reply to {author} waits for a second clinician's approval; "
              "it is emailed once approved.", "success")
    else:
        flash(f"Your private reply to {author} is queued for email. It is not published; "
              "the comment's page shows whether it was delivered.", "success")
    return redirect(url_for("queue.index"))


@bp.route("/comments/<int:comment_id>/close", methods=["POST"])
@staff_required
def close(comment_id: int):
    """Close the comment without publishing it, with a reason."""
    return close_comment(comment_id, close_without_publishing, "closed without publishing")


@bp.route("/comments/<int:comment_id>/redact", methods=["POST"])
@staff_required
def redact_text(comment_id: int):
    """Remove the given words from what the public will see (the original is kept)."""
    form = RedactForm()
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return _back(comment_id)
    try:
        result = redact(comment_id, current_user, form.text.data or "",
                        expected_version=form.expected_version.data)
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(comment_id)
    db.session.commit()
    places = len(result.added)
    flash(f"Redacted in {places} place{'s' if places != 1 else ''}: the public will read "
          f"“[removed]”.{' It joined an earlier redaction.' if result.merged else ''}",
          "success")
    return _back(comment_id)


@bp.route("/comments/<int:comment_id>/redactions/clear", methods=["POST"])
@supervisor_required
def clear_redactions(comment_id: int):
    """A supervisor restores the original text of a comment not yet published."""
    try:
        remove_redactions(comment_id, current_user)
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(comment_id)
    db.session.commit()
    flash("The redactions were removed: the comment reads as written.", "success")
    return _back(comment_id)


@bp.route("/replies/<int:reply_id>/undo", methods=["POST"])
@staff_required
def undo(reply_id: int):
    """Take a reply back inside the undo window; the composer opens again with her text."""
    if not FlaskForm().validate_on_submit():  # only the CSRF token is checked
        abort(400)
    try:
        reply = undo_publish(reply_id, current_user)
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        reply = db.session.get(Reply, reply_id)
        return _back(reply.comment_id) if reply else abort(404)
    comment_id, text = reply.comment_id, reply.body
    db.session.commit()
    flash("Taken back: nobody saw it. Your text is in the reply box again.", "success")
    form = ReplyForm(formdata=None)
    form.body.data = text
    return render_composer(current_context(comment_id, current_user), form)


@bp.route("/replies/<int:reply_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(reply_id: int):
    """Edit her published reply; a conflict or a refusal keeps what she typed."""
    try:
        reply = get_reply(reply_id)
    except CommentGone:
        abort(404)
    form = EditReplyForm()
    error, status = None, 200
    if form.is_submitted():
        if not form.validate():
            error, status = form_error(form), 422
        else:
            try:
                edit_reply(reply_id, current_user, form.body.data or "",
                           expected_version=form.expected_version.data)
            except ReplyError as exc:
                db.session.rollback()
                error, status = str(exc), exc.status
                reply = get_reply(reply_id)
            else:
                comment_id = reply.comment_id
                db.session.commit()
                flash("Your reply is updated; the public page shows it as edited.", "success")
                return _back(comment_id)
    else:
        form.body.data = reply.body
        form.expected_version.data = reply.version
    return render_template("threads/edit.html", reply=reply, form=form, error=error,
                           versions=reply_versions(reply)), status


def _unpublish(action, target_id: int, comment_id: int, done: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(target_id, current_user, form.reason.data or "")
    except CommentGone:
        abort(404)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(comment_id)
    db.session.commit()
    flash(done, "success")
    return _back(comment_id)


@bp.route("/replies/<int:reply_id>/unpublish", methods=["POST"])
@supervisor_required
def unpublish_one(reply_id: int):
    """A supervisor takes one reply off the public page, with a reason."""
    reply = db.session.get(Reply, reply_id)
    if reply is None:
        abort(404)
    return _unpublish(unpublish_reply, reply_id, reply.comment_id,
                      "The reply is unpublished: the public no longer sees it.")


@bp.route("/comments/<int:comment_id>/unpublish", methods=["POST"])
@supervisor_required
def unpublish_all(comment_id: int):
    """A supervisor takes a whole thread off the public page, with a reason."""
    return _unpublish(unpublish_thread, comment_id, comment_id,
                      "The thread is unpublished: the public no longer sees it.")
