"""The reply snippet library that supervisors keep, and its change control."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import Snippet, db, utcnow
from moderation.forms import choices
from moderation.forms.snippets import (
    ActionForm,
    ApprovalForm,
    MoveForm,
    ReferenceForm,
    SnippetForm,
)
from moderation.services.snippet_approvals import (
    ReferenceInput,
    add_reference,
    approve_version,
    can_approve,
    discard_draft,
    draft_new_snippet,
    draft_snippet_change,
    pending_drafts,
    remove_reference,
    set_clinical_approver,
)
from moderation.services.snippet_versions import draft_diff, replies_using, reply_diff
from moderation.services.snippets import (
    SnippetError,
    SnippetInput,
    clinical_owner_choices,
    latest_text,
    move_snippet,
    overdue_snippets,
    pending_draft,
    restore_snippet,
    retire_snippet,
    snippet_library,
    topic_choices,
    topic_label,
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
    form.clinical_owner_id.choices = choices([("", "Not chosen yet"),
                                              *clinical_owner_choices()])
    return form


def _owner_id(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # refused by the service with a message naming the field


def _input(form: SnippetForm) -> SnippetInput:
    return SnippetInput(title=form.title.data or "", topic=form.topic.data or None,
                        body=form.body.data or "",
                        clinical_owner_id=_owner_id(form.clinical_owner_id.data),
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
                           action_form=ActionForm(), waiting=len(pending_drafts()))


@bp.route("/new", methods=["GET", "POST"])
@supervisor_required
def new():
    """Write a new snippet."""
    form = _form()
    if form.validate_on_submit():
        try:
            snippet = draft_new_snippet(form.key.data or "", _input(form), current_user)
        except SnippetError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            db.session.commit()
            flash(f"Snippet “{snippet.title}” saved as a draft: a second clinician must "
                  "approve it before midwives can insert it.", "success")
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
        latest = latest_text(snippet)
        form.key.data, form.title.data, form.body.data = snippet.key, latest.title, latest.body
        form.topic.data = latest.topic or ""
        form.clinical_owner_id.data = str(snippet.clinical_owner_id or "")
        form.review_by.data, form.version.data = snippet.review_by, latest.version
        return render_template("snippets/form.html", form=form, snippet=snippet,
                               draft=pending_draft(snippet))
    if form.validate():
        try:
            snippet, draft = draft_snippet_change(snippet_id, _input(form), current_user,
                                                  expected_version=form.version.data)
        except SnippetError as exc:
            db.session.rollback()
            _attach_error(form, exc)
        else:
            db.session.commit()
            if draft is not None:
                flash(f"Saved “{draft.title}” as draft version {draft.version}: midwives "
                      f"keep getting version {snippet.version} until a second clinician "
                      "approves it.", "success")
            else:
                flash(f"Saved “{snippet.title}”: the text did not change, so no new version "
                      "was drafted.", "info")
            return redirect(url_for("snippets.index"))
    snippet = _snippet_or_404(snippet_id)
    form.key.data = snippet.key
    return render_template("snippets/form.html", form=form, snippet=snippet,
                           draft=pending_draft(snippet)), 422


@bp.route("/<int:snippet_id>")
@supervisor_required
def history(snippet_id: int):
    """A snippet's versions, and how the replies that used it differ from it."""
    snippet = _snippet_or_404(snippet_id)
    diffs = [d for d in (reply_diff(r) for r in replies_using(snippet_id)) if d is not None]
    return render_template("snippets/history.html", snippet=snippet, diffs=diffs,
                           today=utcnow().date(), topic_label=topic_label,
                           action_form=ActionForm(), approval_form=ApprovalForm(),
                           reference_form=ReferenceForm(), can_approve=can_approve)


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


def _approver_required(view):
    """Supervisors and clinical approvers (midwives may hold that permission)."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.approves_snippets:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/approvals")
@_approver_required
def approvals():
    """Snippet drafts waiting for a second clinician, each with its diff from the live text."""
    drafts = pending_drafts()
    return render_template("snippets/approvals.html", drafts=drafts,
                           diffs={d.id: draft_diff(d) for d in drafts},
                           approval_form=ApprovalForm(), can_approve=can_approve)


@bp.route("/<int:snippet_id>/decide", methods=["POST"])
@_approver_required
def decide(snippet_id: int):
    """Approve or discard one draft version."""
    _snippet_or_404(snippet_id)
    form = ApprovalForm()
    if not form.validate_on_submit():
        abort(400)
    action = approve_version if form.decision.data == "approve" else discard_draft
    try:
        snippet = action(snippet_id, form.version.data or 0, current_user)
    except SnippetError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("snippets.approvals"))
    db.session.commit()
    if form.decision.data == "approve":
        flash(f"Approved: “{snippet.title}” version {snippet.version} is what midwives insert "
              "from now on.", "success")
    else:
        flash(f"Draft version {form.version.data} of “{snippet.title}” was discarded.", "info")
    return redirect(url_for("snippets.approvals"))


@bp.route("/<int:snippet_id>/references", methods=["POST"])
@supervisor_required
def add_ref(snippet_id: int):
    """List a guidance reference under a snippet."""
    _snippet_or_404(snippet_id)
    form = ReferenceForm()
    if not form.validate_on_submit():
        flash("Give the date checked as a date (YYYY-MM-DD).", "error")
        return redirect(url_for("snippets.history", snippet_id=snippet_id, _anchor="references"))
    try:
        add_reference(snippet_id, ReferenceInput(form.ref_title.data or "", form.ref_url.data,
                                                 form.ref_checked_on.data), current_user)
    except SnippetError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Reference added.", "success")
    return redirect(url_for("snippets.history", snippet_id=snippet_id, _anchor="references"))


@bp.route("/references/<int:reference_id>/remove", methods=["POST"])
@supervisor_required
def remove_ref(reference_id: int):
    """Take a reference off a snippet."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        snippet = remove_reference(reference_id, current_user)
    except SnippetError:
        abort(404)
    db.session.commit()
    flash("Reference removed.", "info")
    return redirect(url_for("snippets.history", snippet_id=snippet.id, _anchor="references"))


@bp.route("/approvers/<int:user_id>", methods=["POST"])
@supervisor_required
def approver(user_id: int):
    """A supervisor names (or stops naming) a clinical approver, from the staff page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        person = set_clinical_approver(user_id, current_user,
                                       request.form.get("approver") == "1")
    except SnippetError:
        abort(404)
    db.session.commit()
    flash(f"{person.name} {'may now' if person.clinical_approver else 'no longer'} approve"
          " snippet changes.", "success")
    return redirect(url_for("users.index"))
