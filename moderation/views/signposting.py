"""The signposting register that supervisors keep."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from classifier.safety import CATEGORIES
from models import SignpostingEntry, db, utcnow
from moderation.forms import choices
from moderation.forms.signposting import CheckedForm, EntryForm
from moderation.services.signposting import (
    NATION_NAMES,
    NATIONS,
    EntryInput,
    SignpostingError,
    all_entries,
    create_entry,
    get_entry,
    mark_checked,
    update_entry,
)
from moderation.views.access import supervisor_required

bp = Blueprint("signposting", __name__, url_prefix="/signposting")

CATEGORY_LABELS = {
    "physical_emergency": "Physical emergency",
    "mental_health_crisis": "Mental health crisis",
    "abuse": "Abuse",
    "third_party_risk": "Someone else at risk",
    "safeguarding": "Safeguarding",
}


def _entry_or_404(key: str) -> SignpostingEntry:
    entry = get_entry(key)
    if entry is None:
        abort(404)
    return entry


def _form(entry: SignpostingEntry | None = None) -> EntryForm:
    form = EntryForm(obj=entry)
    form.nations.choices = choices([(n, NATION_NAMES[n]) for n in NATIONS])
    form.categories.choices = choices([(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    return form


def _input(form: EntryForm) -> EntryInput:
    return EntryInput(
        name=form.name.data or "", phone=form.phone.data or "",
        text_number=form.text_number.data or "", hours=form.hours.data or "",
        nations=tuple(form.nations.data or ()), web_address=form.web_address.data or "",
        categories=tuple(form.categories.data or ()), how_to_use=form.how_to_use.data or "",
        checked_by=form.checked_by.data or "", source=form.source.data or "",
    )


def _attach_errors(form: EntryForm | CheckedForm, exc: SignpostingError) -> None:
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


@bp.route("/")
@supervisor_required
def index():
    """Every entry with its numbers, and those not checked for six months flagged."""
    return render_template("signposting/index.html", entries=all_entries(), now=utcnow(),
                           nation_names=NATION_NAMES, category_labels=CATEGORY_LABELS,
                           checked_form=CheckedForm())


@bp.route("/new", methods=["GET", "POST"])
@supervisor_required
def new():
    """Add a service to the register."""
    form = _form()
    if form.validate_on_submit():
        try:
            entry = create_entry(form.key.data or "", _input(form), current_user)
        except SignpostingError as exc:
            db.session.rollback()
            _attach_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Added {entry.name}.", "success")
            return redirect(url_for("signposting.index"), 303)
    return render_template("signposting/form.html", form=form, entry=None), (
        422 if form.errors or form.form_errors else 200)


@bp.route("/<key>/edit", methods=["GET", "POST"])
@supervisor_required
def edit(key: str):
    """Change an entry; saving records a new check."""
    entry = _entry_or_404(key)
    form = _form(entry)
    if form.validate_on_submit():
        try:
            update_entry(entry, _input(form), current_user)
        except SignpostingError as exc:
            db.session.rollback()
            _attach_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {entry.name}; every snippet and message using it shows the change.",
                  "success")
            return redirect(url_for("signposting.index"), 303)
    return render_template("signposting/form.html", form=form, entry=entry), (
        422 if form.errors or form.form_errors else 200)


@bp.post("/<key>/checked")
@supervisor_required
def checked(key: str):
    """Record that an entry was checked against its source and is still right."""
    entry = _entry_or_404(key)
    form = CheckedForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mark_checked(entry, current_user, form.checked_by.data or "", form.source.data or "")
    except SignpostingError as exc:
        db.session.rollback()
        flash(f"{entry.name} was not marked as checked: {exc}", "error")
        return redirect(url_for("signposting.index"), 303)
    db.session.commit()
    flash(f"{entry.name} marked as checked today.", "success")
    return redirect(url_for("signposting.index"), 303)
