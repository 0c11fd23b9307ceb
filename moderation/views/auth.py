"""Signing in and out, and changing one's password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from models import db
from moderation.extensions import limiter
from moderation.forms.auth import ChangePasswordForm, LoginForm
from moderation.services.auth import (
    AccountError,
    authenticate,
    change_password,
    end_all_sessions,
    normalise_email,
)
from moderation.views.access import is_safe_local_path

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an active account."


def _login_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _email_key() -> str:
    return "login-email:" + normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_email_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit("20 per 5 minutes", methods=["POST"], deduct_when=_login_failed)
def login():
    """Show the sign-in form and sign a member of staff in."""
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    form = LoginForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            db.session.rollback()
            flash(SIGN_IN_FAILED, "error")
            return render_template("auth/login.html", form=form), 200
        db.session.commit()
        login_user(user, remember=bool(form.remember.data))
        return redirect(next_path if is_safe_local_path(next_path) else url_for("queue.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out and invalidate every copy of this session's cookie."""
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's password; other sessions end, this one is renewed."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except AccountError as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
            return render_template("auth/password.html", form=form), 422
        db.session.commit()
        login_user(current_user._get_current_object())
        flash("Your password is changed. Other sessions have been signed out.", "success")
        return redirect(url_for("queue.index"))
    return render_template("auth/password.html", form=form)
