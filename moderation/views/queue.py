"""The queue: a midwife's home page, take-next, claims and relabelling."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from classifier.labels import label_words
from models import db
from moderation.forms.queue import (
    QueueFilterForm,
    RelabelForm,
    ReleaseForm,
    TakeNextForm,
)
from moderation.services.claims import ClaimError, release_claim, take_next_comment
from moderation.services.queue import (
    CursorError,
    QueueFilters,
    first_line,
    list_pages,
    new_comments_since,
    queue_page,
    urgent_unclaimed_count,
)
from moderation.services.relabelling import RelabelError, relabel_comment
from moderation.views.access import is_safe_local_path, staff_required

bp = Blueprint("queue", __name__)


def compose_url(comment_id: int) -> str:
    """Where a midwife answers a comment: the replies blueprint's composer."""
    return url_for("replies.compose", comment_id=comment_id)


@bp.app_context_processor
def queue_navigation() -> dict[str, Any]:
    """Give every page the urgent-unclaimed count shown in the navigation."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    try:
        return {"urgent_unclaimed_count": urgent_unclaimed_count()}
    except SQLAlchemyError:
        # An error page after a failed transaction must still render: leave the count out.
        return {}


@bp.app_template_global()
def comment_url(comment_id: int) -> str:
    """Link to the composer of a comment."""
    return compose_url(comment_id)


bp.add_app_template_filter(first_line, "first_line")


def _back(default: str) -> str:
    target = request.form.get("next")
    return target if is_safe_local_path(target) else default


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    form.set_pages(list_pages())
    return form


@bp.route("/")
@staff_required
def index():
    """List comments by reply deadline, filtered, one keyset page at a time."""
    form = _filter_form()
    if not form.validate():
        return render_template("queue/index.html", form=form, queue=None,
                               take_next_form=TakeNextForm()), 400
    try:
        queue = queue_page(QueueFilters(**form.filter_values()), current_user,
                           cursor=form.after.data or None)
    except CursorError as exc:  # a page link this code did not write, or for another status
        form.after.errors = [str(exc)]
        return render_template("queue/index.html", form=form, queue=None,
                               take_next_form=TakeNextForm()), 400
    return render_template("queue/index.html", form=form, queue=queue,
                           take_next_form=TakeNextForm())


@bp.route("/queue/poll")
@staff_required
def poll():
    """JSON for the queue page: how many matching comments arrived after `since`."""
    form = _filter_form()
    since = request.args.get("since", "")
    # More than 18 digits cannot be a comment id (and would overflow a 64-bit integer).
    if not (since.isdigit() and len(since) <= 18) or not form.validate():
        errors = [e for errs in form.errors.values() for e in errs]
        return jsonify({"error": "; ".join(errors) or "since must be a comment id"}), 400
    result = new_comments_since(int(since), QueueFilters(**form.filter_values()), current_user)
    return jsonify(result)


@bp.route("/queue/counts")
@staff_required
def counts():
    """JSON for the navigation: urgent comments nobody is answering."""
    return jsonify({"urgent_unclaimed": urgent_unclaimed_count()})


@bp.route("/queue/take-next", methods=["POST"])
@staff_required
def take_next():
    """Claim the top unclaimed comment and open it in the composer."""
    form = TakeNextForm()
    if not form.validate_on_submit():
        abort(400)
    # The button's URL carries the current view's filters: take from that view only.
    view = _filter_form()
    if not view.validate():
        flash("Those filters could not be used, so nothing was taken.", "error")
        return redirect(url_for("queue.index"))
    narrowed = bool(view.query_args(status=None))
    filters = QueueFilters(**view.filter_values()) if narrowed else None
    comment = take_next_comment(current_user, filters=filters)
    db.session.commit()
    if comment is None:
        if narrowed:
            flash("Nothing left to take in this view: every waiting comment in it is being "
                  "answered.", "info")
            return redirect(url_for("queue.index", **view.query_args()))
        flash("Nothing left to take: every waiting comment is being answered.", "info")
        return redirect(url_for("queue.index"))
    return redirect(compose_url(comment.id))


@bp.route("/comments/<int:comment_id>/release", methods=["POST"])
@staff_required
def release(comment_id: int):
    """Give a claim back so another midwife can answer the comment."""
    form = ReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        release_claim(comment_id, current_user)
    except ClaimError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(_back(compose_url(comment_id)))
    db.session.commit()
    flash("Released: another midwife can answer this comment now.", "success")
    return redirect(_back(url_for("queue.index")))


@bp.route("/comments/<int:comment_id>/labels", methods=["POST"])
@staff_required
def relabel(comment_id: int):
    """Correct a comment's urgency and topic, then go back where the midwife was."""
    form = RelabelForm()
    back = _back(url_for("queue.index"))
    if not form.validate_on_submit():
        errors = [e for errs in form.errors.values() for e in errs]
        flash("The labels were not changed: " + "; ".join(errors), "error")
        return redirect(back)
    try:
        comment = relabel_comment(comment_id, current_user, urgency=form.urgency.data,
                                  topic=form.topic.data,
                                  expected_version=form.expected_version.data)
    except RelabelError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(f"Labels saved: {label_words(comment.urgency)}, {label_words(comment.topic)}.",
          "success")
    return redirect(back)
