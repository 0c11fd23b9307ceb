"""The users page: supervisors invite staff, change roles, deactivate and reactivate."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from models import db
from moderation.forms.users import AcceptInvitationForm, InviteForm, RoleForm
from moderation.services.auth import AccountError
from moderation.services.outbox import OutboxError
from moderation.services.users import (
    accept_invitation,
    change_role,
    invite_user,
    invited_user,
    list_staff,
    reinvite_user,
    set_active,
)
from moderation.views.access import supervisor_required

bp = Blueprint("users", __name__)


def _page(invite_form: InviteForm | None = None, link: str | None = None, status: int = 200):
    return render_template(
        "users/index.html", users=list_staff(), invite_form=invite_form or InviteForm(),
        role_form=RoleForm(), link=link,
        smtp_configured=current_app.config["SMTP_CONFIGURED"]), status


def _after_invite(user, link: str):
    """Show the page with the link when no real mail server will deliver the email."""
    if current_app.config["SMTP_CONFIGURED"]:
        flash(f"Invitation sent to {user.email}. The link works once.", "success")
        return redirect(url_for("users.index"))
    flash(f"Invitation queued for {user.email}. No mail server is configured: give her the "
          "link below yourself.", "warning")
    return _page(link=link)


@bp.route("/users/")
@supervisor_required
def index():
    """Every staff account with role, state and last sign-in, and the invitation form."""
    return _page()


@bp.route("/users/invite", methods=["POST"])
@supervisor_required
def invite():
    """Create an account and send its one-time link through the outbox."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        user, link = invite_user(email=form.email.data, name=form.name.data,
                                 role=form.role.data, actor=current_user)
    except (AccountError, OutboxError) as exc:
        db.session.rollback()
        form.email.errors.append(str(exc))
        return _page(form, status=422)
    db.session.commit()
    return _after_invite(user, link)


@bp.route("/users/<int:user_id>/reinvite", methods=["POST"])
@supervisor_required
def reinvite(user_id: int):
    """Send a new link; the previous one stops working."""
    try:
        user, link = reinvite_user(user_id, current_user)
    except (AccountError, OutboxError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("users.index"))
    db.session.commit()
    return _after_invite(user, link)


def _apply(action, success: str):
    try:
        user = action()
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("users.index"))
    db.session.commit()
    flash(success.format(name=user.name, role=user.role), "success")
    return redirect(url_for("users.index"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@supervisor_required
def role(user_id: int):
    """Change one account's role."""
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose midwife or supervisor.", "error")
        return redirect(url_for("users.index"))
    return _apply(lambda: change_role(user_id, form.role.data, current_user),
                  "{name} is now a {role}.")


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@supervisor_required
def deactivate(user_id: int):
    """Stop an account signing in and end its sessions."""
    return _apply(lambda: set_active(user_id, False, current_user),
                  "{name} can no longer sign in; her sessions have ended.")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@supervisor_required
def reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    return _apply(lambda: set_active(user_id, True, current_user),
                  "{name} can sign in again.")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str):
    """An invited person chooses her password and is signed in."""
    try:
        user = invited_user(token)
    except AccountError as exc:
        return render_template("users/accept.html", problem=str(exc), form=None), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(token, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
            return render_template("users/accept.html", form=form, user=user), 422
        db.session.commit()
        # She signs in like everyone else, so the second factor and a new session apply.
        flash(f"Welcome, {user.name}. Your password is set: sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("users/accept.html", form=form, user=user), status
