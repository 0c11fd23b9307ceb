"""The reply snippet library that supervisors keep."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from models import Snippet, db, utcnow
from moderation.forms import choices
from moderation.forms.snippets import ActionForm, MoveForm, SnippetForm
from moderation.services.snippets import (
    SnippetError,
    SnippetInput,
    create_snippet,
    move_snippet,
    overdue_snippets,
    replies_using,
    reply_diff,
    restore_snippet,
    retire_snippet,
    snippet_library,
    topic_choices,
    topic_label,
    update_snippet,
)
from moderation.views.access import supervisor_required

bp = Blueprint("snippets", __name__, url_prefix="/snippets")


def _snippet_or_404(snippet_id: int) -> Snippet:
    snippet = db.session.get(Snippet, snippet_id)
    if snippet is None:
        abort(404)
    return snippet


def _form() -> SnippetForm:
    form = SnippetForm()
    form.topic.choices = choices(topic_choices())
    return form


def _input(form: SnippetForm) -> SnippetInput:
    return SnippetInput(title=form.title.data or "", topic=form.topic.data or None,
                        body=form.body.data or "", clinical_owner=form.clinical_owner.data or "",
                        review_by=form.review_by.data)


def _attach_error(form: SnippetForm, exc: SnippetError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/")
@supervisor_required
def index():
    """The library, grouped by topic, with snippets past their review date flagged."""
    return render_template("snippets/index.html", groups=snippet_library(),
                           overdue=overdue_snippets(), today=utcnow().date(),
                           topic_label=topic_label, move_form=MoveForm(),
                           action_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@supervisor_required
def new():
    """Write a new snippet."""
    form = _form()
    if form.validate_on_submit():
        try:
            snippet = create_snippet(form.key.data or "", _input(form), current_user)
        except SnippetError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            db.session.commit()
            flash(f"Snippet “{snippet.title}” created.", "success")
            return redirect(url_for("snippets.index"))
        return render_template("snippets/form.html", form=form, snippet=None), 422
    status = 422 if form.is_submitted() else 200
    return render_template("snippets/form.html", form=form, snippet=None), status


@bp.route("/<int:snippet_id>/edit", methods=["GET", "POST"])
@supervisor_required
def edit(snippet_id: int):
    """Edit a snippet; a changed text makes a new version."""
    snippet = _snippet_or_404(snippet_id)
    form = _form()
    if not form.is_submitted():
        form.key.data, form.title.data, form.body.data = snippet.key, snippet.title, snippet.body
        form.topic.data = snippet.topic or ""
        form.clinical_owner.data, form.review_by.data = snippet.clinical_owner, snippet.review_by
        form.version.data = snippet.version
        return render_template("snippets/form.html", form=form, snippet=snippet)
    if form.validate():
        before = snippet.version
        try:
            snippet = update_snippet(snippet_id, _input(form), current_user,
                                     expected_version=form.version.data)
        except SnippetError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            db.session.commit()
            if snippet.version != before:
                flash(f"Saved “{snippet.title}” as version {snippet.version}.", "success")
            else:
                flash(f"Saved “{snippet.title}”: the text did not change, so the version "
                      f"stays {snippet.version}.", "info")
            return redirect(url_for("snippets.index"))
    snippet = _snippet_or_404(snippet_id)
    form.key.data = snippet.key
    return render_template("snippets/form.html", form=form, snippet=snippet), 422


@bp.route("/<int:snippet_id>")
@supervisor_required
def history(snippet_id: int):
    """A snippet's versions, and how the replies that used it differ from it."""
    snippet = _snippet_or_404(snippet_id)
    diffs = [d for d in (reply_diff(r) for r in replies_using(snippet_id)) if d is not None]
    return render_template("snippets/history.html", snippet=snippet, diffs=diffs,
                           today=utcnow().date(), topic_label=topic_label,
                           action_form=ActionForm())


def _switch(snippet_id: int, change, message: str):
    _snippet_or_404(snippet_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    snippet = change(snippet_id, current_user)
    db.session.commit()
    flash(message.format(title=snippet.title), "success")
    return redirect(url_for("snippets.index"))


@bp.route("/<int:snippet_id>/retire", methods=["POST"])
@supervisor_required
def retire(snippet_id: int):
    """Stop offering a snippet; it stays for the history of replies that used it."""
    return _switch(snippet_id, retire_snippet,
                   "“{title}” is retired: the composer no longer offers it.")


@bp.route("/<int:snippet_id>/restore", methods=["POST"])
@supervisor_required
def restore(snippet_id: int):
    """Offer a retired snippet again."""
    return _switch(snippet_id, restore_snippet, "“{title}” is offered again.")


@bp.route("/<int:snippet_id>/move", methods=["POST"])
@supervisor_required
def move(snippet_id: int):
    """Move a snippet one place up or down within its topic."""
    _snippet_or_404(snippet_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    move_snippet(snippet_id, form.direction.data, current_user)
    db.session.commit()
    return redirect(url_for("snippets.index") + f"#snippet-{snippet_id}")
