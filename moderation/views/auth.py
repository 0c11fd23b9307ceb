"""Signing in (password, then a second factor when needed), sessions, passwords, sign-out."""

from __future__ import annotations

import time

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from models import User, db
from moderation.extensions import limiter
from moderation.forms.auth import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    ResetSecondFactorForm,
)
from moderation.security import client_address, security_event
from moderation.services.auth import (
    AccountError,
    authenticate,
    change_password,
    current_session,
    end_all_sessions,
    end_session,
    enrol_totp,
    mfa_required,
    new_totp_secret,
    normalise_email,
    open_sessions,
    reset_second_factor,
    session_policy,
    start_session,
    totp_uri,
    verify_second_factor,
)
from moderation.services.password_reset import request_reset, reset_password, reset_user
from moderation.views.access import is_safe_local_path, supervisor_required
from moderation.views.sign_in_limits import (
    account_key,
    address_key,
    email_digest,
    from_known_device,
    known_device,
    login_failed,
    pair_key,
    remember_device,
)

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an active account."


# How long the step between a right password and the second factor may take.
PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=pair_key,
    methods=["POST"],
    deduct_when=login_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"],
    key_func=address_key,
    methods=["POST"],
    deduct_when=login_failed,
    exempt_when=from_known_device,
)
@limiter.limit(
    # An account under attack from many addresses is slowed for unknown devices only.
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=account_key,
    methods=["POST"],
    deduct_when=login_failed,
    exempt_when=from_known_device,
)
def login():
    """Show the sign-in form; check the password, then the second factor if needed."""
    if current_user.is_authenticated:
        return redirect(url_for("queue.index"))
    form = LoginForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            db.session.rollback()
            security_event("security.sign_in_failed", email=normalise_email(form.email.data or ""),
                           step="password")
            flash(SIGN_IN_FAILED, "error")
            return render_template("auth/login.html", form=form), 200
        remember = bool(form.remember.data)
        if mfa_required(user, for_everyone=current_app.config["MFA_REQUIRED_FOR_EVERYONE"]):
            db.session.commit()
            session["mfa_pending"] = {"user_id": user.id, "remember": remember,
                                      "next": next_path if is_safe_local_path(next_path) else None,
                                      "at": int(time.time())}
            step = "auth.code" if user.mfa_enrolled else "auth.enrol"
            return redirect(url_for(step))
        return _complete_sign_in(user, remember, next_path)
    return render_template("auth/login.html", form=form)


def _complete_sign_in(user: User, remember: bool, next_path: str | None) -> Response:
    """Open a new server-side session (a new identifier) and send her on."""
    session.pop("mfa_pending", None)
    start_session(user, remember=remember, user_agent=request.headers.get("User-Agent", ""),
                  address=client_address(), policy=session_policy(current_app.config))
    db.session.commit()
    login_user(user, remember=remember)
    security_event("security.sign_in", user=user, remember=remember,
                   second_factor=user.mfa_enrolled, known_device=known_device() is not None)
    response = redirect(next_path if is_safe_local_path(next_path) else url_for("queue.index"))
    remember_device(response, user.email)
    return response


def _pending_user() -> tuple[User | None, dict]:
    """The account whose password was right a moment ago and now needs its second factor."""
    pending = session.get("mfa_pending") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("mfa_pending", None)
        return None, {}
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.active:
        return None, {}
    return user, pending


def _code_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _pending_key() -> str:
    """Code guesses count per account: the one signing in, or the one setting up the app."""
    user_id = (session.get("mfa_pending") or {}).get("user_id")
    if user_id is None and current_user.is_authenticated:
        user_id = current_user.id
    return f"mfa:{user_id}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_pending_key,
               methods=["POST"], deduct_when=_code_failed)
def code():
    """Second step of signing in: a code from the authenticator app or a recovery code."""
    user, pending = _pending_user()
    if user is None or not user.mfa_enrolled:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if verify_second_factor(user, form.code.data or "") is None:
            db.session.rollback()
            security_event("security.second_factor_failed", user=user)
            form.code.errors = ["That code is not right (or was used already)."]
            return render_template("auth/code.html", form=form), 200
        return _complete_sign_in(user, bool(pending.get("remember")), pending.get("next"))
    return render_template("auth/code.html", form=form)


def _qr_svg_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_pending_key,
               methods=["POST"], deduct_when=_code_failed)
def enrol():
    """Set up the authenticator app while signing in (supervisors, or everyone by setting)."""
    signed_in = current_user.is_authenticated
    user, pending = (current_user._get_current_object(), {}) if signed_in else _pending_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    if user.mfa_enrolled:
        return redirect(url_for("queue.index") if signed_in else url_for("auth.code"))
    secret = session.get("totp_setup_secret") or new_totp_secret()
    session["totp_setup_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = enrol_totp(user, secret, form.code.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.code.errors = [str(exc)]
        else:
            session.pop("totp_setup_secret", None)
            if signed_in:
                db.session.commit()
                return _show_recovery_codes(codes, url_for("queue.index"))
            response = _complete_sign_in(user, bool(pending.get("remember")),
                                         pending.get("next"))
            return _show_recovery_codes(codes, response.headers["Location"], response)
    uri = totp_uri(user, secret)
    return render_template("auth/enrol.html", form=form, qr=_qr_svg_data_uri(uri),
                           secret=secret)


def _show_recovery_codes(codes: list[str], continue_to: str, response: Response | None = None):
    """The recovery codes, shown this once (never stored readable)."""
    page = make_response(render_template("auth/recovery_codes.html", codes=codes,
                                         continue_to=continue_to))
    if response is not None:  # keep the cookies of the sign-in that just happened
        for value in response.headers.getlist("Set-Cookie"):
            page.headers.add("Set-Cookie", value)
    return page


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: this session ends on the server, so a copy of its cookie stops working."""
    end_session(current_user.get_id())
    db.session.commit()
    security_event("security.session_revoked", reason="signed out", sessions=1)
    logout_user()
    flash("You are signed out.", "info")
    response = redirect(url_for("auth.login"))
    # Reply drafts (health information) sit in localStorage: the browser wipes them now.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["PASSWORD_CHANGE_RATE_LIMIT"],
               key_func=lambda: f"password-change:{current_user.id}", methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def password():
    """Change one's password; other sessions end, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except AccountError as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
            return render_template("auth/password.html", form=form), 422
        db.session.commit()
        flash("Your password is changed. Other sessions have been signed out.", "success")
        return redirect(url_for("queue.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/sessions")
@login_required
def sessions():
    """Where she is signed in: device, address, last seen."""
    return render_template("auth/sessions.html", sessions=open_sessions(current_user),
                           current_id=getattr(current_user, "current_session_id", None))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out everywhere else."""
    ended = end_all_sessions(current_user, except_session=current_session(current_user),
                             reason="signed out elsewhere")
    db.session.commit()
    security_event("security.session_revoked", reason="signed out everywhere else",
                   sessions=ended)
    flash(f"Signed out of {ended} other session{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/second-factor/reset", methods=["GET", "POST"])
@supervisor_required
def reset_mfa():
    """A supervisor resets a colleague's second factor (a lost phone); it is audited."""
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        try:
            user = reset_second_factor(current_user, form.email.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.email.errors = [str(exc)]
            return render_template("auth/reset_mfa.html", form=form), 422
        db.session.commit()
        flash(f"The second factor of {user.email} is reset: they set it up again at their "
              "next sign-in.", "success")
        return redirect(url_for("auth.reset_mfa"))
    return render_template("auth/reset_mfa.html", form=form)


RESET_REQUESTED = ("If an active account uses that address, we have emailed it a link to choose "
                   "a new password. The link works once, for {minutes} minutes.")


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: "reset-account:" + email_digest(request.form.get("email", "")))
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_ADDRESS_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: "reset-address:" + client_address())
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data or "")
        user = request_reset(email)
        db.session.commit()
        security_event("security.password_reset_requested", user=user,
                       email=email, known=user is not None)
        flash(RESET_REQUESTED.format(minutes=current_app.config["PASSWORD_RESET_MINUTES"]),
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_ADDRESS_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: "reset-token:" + client_address(),
               deduct_when=lambda response: response.status_code != 302)
def reset_password_page(token: str):
    """Choose a new password through a reset link; then sign in as usual (second factor too)."""
    try:
        user = reset_user(token)
    except AccountError as exc:
        security_event("security.password_reset_refused", user=None, reason=str(exc))
        return render_template("auth/reset.html", problem=str(exc), form=None), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.password.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
            return render_template("auth/reset.html", form=form, user=user), 422
        db.session.commit()
        security_event("security.password_reset", user=user, sessions_ended=True)
        flash("Your password is changed and you are signed out everywhere. Sign in with the new "
              "password.", "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset.html", form=form, user=user), status
