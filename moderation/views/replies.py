"""Composing, previewing and publishing replies to comments; rejecting and marking spam."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from models import Comment, db, utcnow
from moderation.formatting import london_time
from moderation.forms.replies import ReplyForm
from moderation.services.claims import ClaimError, claim_comment, take_next_comment
from moderation.services.identifiability import identifiers_needing_a_tick
from moderation.services.replies import (
    CommentGone,
    ReplyError,
    composer_page,
    current_context,
    mark_spam,
    open_comment,
    publish_reply,
    reject_comment,
    view_comment,
)
from moderation.views.access import staff_required
from moderation.views.composer import (
    close_comment,
    form_error,
    refuse_in_composer,
    render_composer,
)

bp = Blueprint("replies", __name__)

CONFIRM_NEEDED = ("Tick “I have read this reply through and it is ready to publish” to "
                  "publish. Your text is kept below.")


@bp.route("/comments/<int:comment_id>")
@staff_required
def compose(comment_id: int):
    """Show a comment; the composer when she holds it, else read-only with a "Reply" button.

    A GET changes nothing (another site could make her browser open a link): claiming is
    the POST below.
    """
    try:
        opening = view_comment(comment_id, current_user)
        context = composer_page(comment_id, current_user, opening,
                                snippet_key=request.args.get("snippet"))
    except CommentGone:
        abort(404)
    form = ReplyForm(formdata=None)
    if context.inserted is not None:
        snippet, text = context.inserted
        form.body.data = text
        form.snippet_id.data, form.snippet_version.data = snippet.id, snippet.version
    return render_composer(context, form)


@bp.route("/comments/<int:comment_id>/claim", methods=["POST"])
@staff_required
def claim(comment_id: int):
    """Take the comment to answer it (or renew her claim), then open the composer."""
    # CSRFProtect checks the token of every POST before this runs.
    try:
        opening = open_comment(comment_id, current_user)
    except CommentGone:
        abort(404)
    db.session.commit()
    if not opening.can_reply and opening.message:
        flash(opening.message, "warning")
    return redirect(url_for("replies.compose", comment_id=comment_id), 303)


@bp.route("/comments/<int:comment_id>/preview", methods=["POST"])
@staff_required
def preview(comment_id: int):
    """Show the reply as the public page will (for browsers without JavaScript)."""
    form = ReplyForm()
    if not form.validate_on_submit():
        return refuse_in_composer(comment_id, form, form_error(form), 422)
    try:
        context = current_context(comment_id, current_user)
    except CommentGone:
        abort(404)
    return render_composer(context, form)


@bp.route("/comments/<int:comment_id>/publish", methods=["POST"])
@staff_required
def publish(comment_id: int):
    """Publish the reply; any refusal shows the composer again with the text kept."""
    form = ReplyForm()
    if not form.validate_on_submit():
        return refuse_in_composer(comment_id, form, form_error(form), 422)
    if not form.confirm.data:
        return refuse_in_composer(comment_id, form, CONFIRM_NEEDED, 422)
    comment = db.session.get(Comment, comment_id)
    left = comment and identifiers_needing_a_tick(comment, form.identifiers_ok.data)
    if left:
        return refuse_in_composer(comment_id, form, left, 422)
    try:
        reply = publish_reply(
            comment_id, current_user, form.body.data or "",
            expected_version=form.expected_version.data,
            snippet_id=form.snippet_id.data, snippet_version=form.snippet_version.data,
            override_reason=form.override_reason.data,
        )
    except ReplyError as exc:
        return refuse_in_composer(comment_id, form, str(exc), exc.status)
    author = reply.comment.display_author
    comment_id, public_at = reply.comment_id, reply.published_at
    db.session.commit()
    if public_at is None:  # four eyes: held until a second clinician approves it
        flash(f"Your reply to {author} waits for a second clinician's approval before it is "
              "published. The comment is off the queue meanwhile.", "success")
        return redirect(url_for("queue.index"))
    in_undo_window = public_at > utcnow()  # REPLY_UNDO_SECONDS: the reply is not public yet
    if in_undo_window:
        flash(f"Your reply to {author} goes public at {london_time(public_at, '%H:%M:%S')}. "
              f"Until then you can take it back on comment #{comment_id}'s page.", "success")
    else:
        flash(f"Your reply to {author} is published.", "success")
    if request.form.get("then") == "next":
        # "Publish and take next": the reply is committed first; taking the next is separate.
        following = take_next_comment(current_user)
        db.session.commit()
        if following is not None:
            return redirect(url_for("replies.compose", comment_id=following.id))
        flash("Nothing left to take: every waiting comment is being answered.", "info")
    if in_undo_window:
        return redirect(url_for("replies.compose", comment_id=comment_id, _anchor="thread"))
    return redirect(url_for("queue.index"))


@bp.route("/comments/<int:comment_id>/reject", methods=["POST"])
@staff_required
def reject(comment_id: int):
    """Reject the comment, with a reason."""
    return close_comment(comment_id, reject_comment, "rejected")


@bp.route("/comments/<int:comment_id>/spam", methods=["POST"])
@staff_required
def spam(comment_id: int):
    """Mark the comment as spam, with a reason."""
    return close_comment(comment_id, mark_spam, "marked as spam")


@bp.route("/comments/<int:comment_id>/keepalive", methods=["POST"])
@staff_required
def keepalive(comment_id: int):
    """Renew the midwife's claim while she is writing (called by the composer's script)."""
    try:
        # claim_comment renews her claim, or re-takes it if it lapsed and nobody else took it.
        comment = claim_comment(comment_id, current_user)
    except ClaimError as exc:
        db.session.rollback()
        return jsonify(ok=False, message=str(exc)), 409
    db.session.commit()
    return jsonify(ok=True, expires_at=comment.claim_expires_at.isoformat())
