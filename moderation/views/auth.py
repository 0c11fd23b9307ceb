"""Signing in and out, and changing one's password."""

from __future__ import annotations

import hashlib
import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

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


DEVICE_COOKIE_SALT = "known-device"


def _login_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _address() -> str:
    # remote_addr is the real client once ProxyFix has applied TRUSTED_PROXY_HOPS.
    return request.remote_addr or "unknown"


def _email_digest(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def _device_cookie_name() -> str:
    return "__Host-device" if current_app.config.get("PRODUCTION") else "device"


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_COOKIE_SALT)


def known_device() -> str | None:
    """The id of this browser when it signed in before to the account being tried, else None.

    The signed cookie is set at a successful sign-in; with it the owner's attempts count
    against her own device, so strangers hammering her account cannot lock her out.
    """
    if "known_device" not in g:
        g.known_device = None
        raw = request.cookies.get(_device_cookie_name())
        if raw:
            max_age = current_app.config["DEVICE_COOKIE_DAYS"] * 86400
            try:
                data = _device_serializer().loads(raw, max_age=max_age)
            except BadSignature:
                data = None
            email = request.form.get("email", "")
            if isinstance(data, dict) and data.get("account") == _email_digest(email):
                g.known_device = str(data.get("device"))
    return g.known_device


def _remember_device(response: Response, email: str) -> None:
    device = known_device() or secrets.token_urlsafe(16)
    value = _device_serializer().dumps({"account": _email_digest(email), "device": device})
    response.set_cookie(
        _device_cookie_name(), value, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
        path="/",
    )


def _pair_key() -> str:
    """(account, address), or this known device of the account."""
    device = known_device()
    if device:
        return "login-device:" + device
    return f"login-pair:{_email_digest(request.form.get('email', ''))}|{_address()}"


def _address_key() -> str:
    return "login-address:" + _address()


def _account_key() -> str:
    return "login-account:" + _email_digest(request.form.get("email", ""))


def _from_known_device() -> bool:
    return known_device() is not None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_pair_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"],
    key_func=_address_key,
    methods=["POST"],
    deduct_when=_login_failed,
    exempt_when=_from_known_device,
)
@limiter.limit(
    # An account under attack from many addresses is slowed for unknown devices only.
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_login_failed,
    exempt_when=_from_known_device,
)
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
        response = redirect(
            next_path if is_safe_local_path(next_path) else url_for("queue.index"))
        _remember_device(response, user.email)
        return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out and invalidate every copy of this session's cookie."""
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    response = redirect(url_for("auth.login"))
    # Reply drafts (health information) sit in localStorage: the browser wipes them now.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


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
