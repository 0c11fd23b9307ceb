"""Intake through the "Add a comment" form of the demo public page (the page itself: feed)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from models import db
from moderation.errors import DATABASE_UNAVAILABLE, error_page, safe_rollback
from moderation.extensions import limiter
from moderation.forms.intake import PublicCommentForm
from moderation.services.advice import preview_advice
from moderation.services.feed import find_page
from moderation.services.intake import (
    IntakeError,
    follow_up_target,
    new_form_token,
    submit_public_comment,
)
from moderation.services.spool import SpoolError, spool_public_comment
from moderation.views.feed import POSTED_SESSION_KEY, render_page

bp = Blueprint("intake_form", __name__)

KEEP_POSTED = 10
FORM_EXPIRED = "This form had expired. Your comment is still below: please post it again."
TOO_MANY = (
    "You have posted several comments in a short time. Your comment is still below: "
    "please wait a minute and post it again."
)
# Intake field names that the visitor can fix in this form.
FORM_FIELDS = ("author_name", "author_email", "body")


@bp.post("/pages/<slug>")
@limiter.limit(lambda: current_app.config["PUBLIC_COMMENT_RATE_LIMIT"])
def post_comment(slug: str):
    """Take a new comment from the article's form (the page itself is `feed.show_page`)."""
    try:
        return _post_comment(slug)
    except DATABASE_UNAVAILABLE:
        # The database is down: the comment goes to the spool, never lost.
        safe_rollback()
        return _keep_comment_offline(slug)


def _post_comment(slug: str):
    page = find_page(slug)
    if page is None:
        abort(404)
    form = PublicCommentForm()
    if not form.validate():  # the form has no other validators: only its CSRF token failed
        return _keep_typed_comment(FORM_EXPIRED, 400)
    if form.confirmed.data != "1":
        # A red flag in the text: show that category's help before taking the comment, with
        # "Post my comment" one click away. Nothing is stored yet and nothing typed is lost.
        advice = preview_advice(form.body.data or "")
        if advice is not None:
            form.confirmed.data = "1"
            return render_template("intake/check.html", page=page, form=_fresh_token(form),
                                   advice=advice)
    try:
        result = submit_public_comment(page, form.author_name.data, form.author_email.data,
                                       form.body.data, form.form_token.data,
                                       follow_up_target(form.in_reply_to.data))
    except IntakeError as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            field = getattr(form, name) if name in FORM_FIELDS else form.body
            field.errors = [*field.errors, message]
        form.confirmed.data = ""
        return render_page(page, form, 422)
    db.session.commit()
    posted = [result.comment.id, *(i for i in session.get(POSTED_SESSION_KEY, [])
                                   if i != result.comment.id)]
    session[POSTED_SESSION_KEY] = posted[:KEEP_POSTED]
    return redirect(url_for("feed.show_page", slug=page.slug, _anchor="main"), 303)


def _keep_comment_offline(slug: str):
    """Spool the comment and thank the visitor; if even that fails, give her text back."""
    form = PublicCommentForm()
    if not form.validate() or not (form.body.data or "").strip():
        spooled = False  # nothing valid to keep: show what she typed, with the advice
    else:
        try:
            spool_public_comment(Path(current_app.config["SPOOL_DIR"]), slug,
                                 form.author_name.data or None, form.author_email.data or None,
                                 form.body.data, form.form_token.data or new_form_token())
            spooled = True
        except SpoolError:
            current_app.logger.exception("A public comment could not be spooled")
            spooled = False
    html = render_template("intake/offline.html", spooled=spooled, form=form, slug=slug)
    return html, 202 if spooled else 503, {"Retry-After": "60"} if not spooled else {}


def _fresh_token(form: PublicCommentForm) -> PublicCommentForm:
    if not form.form_token.data:
        form.form_token.data = new_form_token()
    return form


def _keep_typed_comment(message: str, status: int, headers: dict[str, str] | None = None):
    """Show the page again with what the visitor typed and why it was not taken."""
    page = find_page((request.view_args or {}).get("slug", ""))
    if page is None:
        # Raising from inside an error handler would end in a 500: answer the 404 here.
        return error_page(404)
    form = PublicCommentForm()
    form.body.errors = [message]
    response, _ = render_page(page, _fresh_token(form), status)
    return response, status, headers or {}


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A missing or stale CSRF token: nothing is stored, nothing typed is lost."""
    return _keep_typed_comment(FORM_EXPIRED, 400)


@bp.errorhandler(RateLimitExceeded)
def too_many_comments(error: RateLimitExceeded):
    """Keep what the visitor typed when they hit the rate limit."""
    return _keep_typed_comment(TOO_MANY, 429, {"Retry-After": "60"})
