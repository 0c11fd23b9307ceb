"""The on-call rota that supervisors keep, and the out-of-hours banner."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from models import User, db, utcnow
from moderation.forms import ButtonForm, choices
from moderation.forms.oncall import ChannelsForm, OverrideForm, ShiftForm
from moderation.rules import WEEKDAYS
from moderation.services.oncall import (
    RotaError,
    add_override,
    add_shift,
    channels_for,
    delete_override,
    delete_shift,
    gaps_ahead,
    next_on_call_start,
    on_call_at,
    rota,
    set_channels,
)
from moderation.views.access import supervisor_required

bp = Blueprint("oncall", __name__, url_prefix="/oncall")


@bp.app_context_processor
def out_of_hours_banner() -> dict:
    """Give templates `on_call_now()`: who is on call, asked only where the banner shows."""

    def on_call_now() -> dict:
        now = utcnow()
        people = on_call_at(now)
        return {"people": people,
                "next_start": None if people else next_on_call_start(now)}

    return {"on_call_now": on_call_now}


def _staff_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.role.desc(), User.name))
    return [(user.id, f"{user.name} ({user.role})") for user in users]


def _forms() -> tuple[ShiftForm, OverrideForm, ChannelsForm]:
    staff = choices(_staff_choices())
    forms = (ShiftForm(prefix="shift"), OverrideForm(prefix="cover"),
             ChannelsForm(prefix="channels"))
    for form in forms:
        form.user_id.choices = staff
    return forms


def _page(status: int = 200, **forms):
    shift_form, override_form, channels_form = _forms()
    forms = {"shift_form": shift_form, "override_form": override_form,
             "channels_form": channels_form, "button": ButtonForm(), **forms}
    now = utcnow()
    staff = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.role.desc(), User.name)).all()
    return render_template(
        "oncall/index.html", rota=rota(), weekdays=WEEKDAYS, on_call=on_call_at(now),
        gaps=gaps_ahead(now), staff=[(user, channels_for(user)) for user in staff],
        **forms), status


def _done(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("oncall.index"))


def _refused(exc: RotaError, **forms):
    db.session.rollback()
    flash(str(exc), "error")
    return _page(422, **forms)


def _invalid(form):
    messages = [str(error) for errors in form.errors.values() for error in errors]
    flash(" ".join(messages) or "The form could not be read. Please try again.", "error")
    return _page(422)


@bp.route("/")
@supervisor_required
def index():
    """The rota: who is on call now, weekly shifts, covers, gaps and alert channels."""
    return _page()


def _submit(form, change, message: str, form_name: str):
    """Validate a rota form, make the change, commit; or show the page with what is wrong."""
    if not form.validate_on_submit():
        return _invalid(form)
    try:
        change(form)
    except RotaError as exc:
        return _refused(exc, **{form_name: form})
    return _done(message)


def _remove(remove, item_id: int, message: str):
    """A remove button: CSRF-checked, then the change, or the reason it was refused."""
    return _submit(ButtonForm(), lambda _: remove(item_id, current_user), message, "button")


@bp.route("/shifts", methods=["POST"])
@supervisor_required
def new_shift():
    """Add a weekly shift."""
    return _submit(_forms()[0], lambda form: add_shift(
        form.weekday.data, form.starts.data, form.ends.data, form.user_id.data, current_user),
        "Shift added.", "shift_form")


@bp.route("/shifts/<int:shift_id>/delete", methods=["POST"])
@supervisor_required
def remove_shift(shift_id: int):
    """Remove a weekly shift."""
    return _remove(delete_shift, shift_id, "Shift removed.")


@bp.route("/overrides", methods=["POST"])
@supervisor_required
def new_override():
    """Add a one-off cover."""
    return _submit(_forms()[1], lambda form: add_override(
        form.starts_at.data, form.ends_at.data, form.user_id.data, form.note.data or "",
        current_user), "Cover added.", "override_form")


@bp.route("/overrides/<int:override_id>/delete", methods=["POST"])
@supervisor_required
def remove_override(override_id: int):
    """Remove a one-off cover."""
    return _remove(delete_override, override_id, "Cover removed.")


@bp.route("/channels", methods=["POST"])
@supervisor_required
def channels():
    """Set where one person is alerted."""
    return _submit(_forms()[2], lambda form: set_channels(
        form.user_id.data, form.email.data, bool(form.email_enabled.data),
        bool(form.webhook_enabled.data), current_user), "Alert channels saved.",
        "channels_form")
