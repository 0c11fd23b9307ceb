"""Sign-in limit keys, and the known-device cookie that keeps an owner from being locked out."""

from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from moderation.security import client_address
from moderation.services.auth import normalise_email

DEVICE_COOKIE_SALT = "known-device"


def login_failed(response) -> bool:
    """A sign-in POST that did not redirect: it counts against the limits."""
    return request.method == "POST" and response.status_code != 302


def email_digest(email: str) -> str:
    """A short digest of the normalised email: limit keys never hold the address itself."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def device_cookie_name() -> str:
    """The known-device cookie, host-only in production."""
    return "__Host-device" if current_app.config.get("PRODUCTION") else "device"


def device_serializer() -> URLSafeTimedSerializer:
    """Signs and checks the known-device cookie."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_COOKIE_SALT)


def known_device() -> str | None:
    """The id of this browser when it signed in before to the account being tried, else None.

    The signed cookie is set at a successful sign-in; with it the owner's attempts count
    against her own device, so strangers hammering her account cannot lock her out.
    """
    if "known_device" not in g:
        g.known_device = None
        raw = request.cookies.get(device_cookie_name())
        if raw:
            max_age = current_app.config["DEVICE_COOKIE_DAYS"] * 86400
            try:
                data = device_serializer().loads(raw, max_age=max_age)
            except BadSignature:
                data = None
            email = request.form.get("email", "")
            if isinstance(data, dict) and data.get("account") == email_digest(email):
                g.known_device = str(data.get("device"))
    return g.known_device


def remember_device(response: Response, email: str) -> None:
    """Set the signed known-device cookie after a successful sign-in."""
    device = known_device() or secrets.token_urlsafe(16)
    value = device_serializer().dumps({"account": email_digest(email), "device": device})
    response.set_cookie(
        device_cookie_name(), value, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
        path="/",
    )


def pair_key() -> str:
    """(account, address), or this known device of the account."""
    device = known_device()
    if device:
        return "login-device:" + device
    return f"login-pair:{email_digest(request.form.get('email', ''))}|{client_address()}"


def address_key() -> str:
    """The limit key of the client address."""
    return "login-address:" + client_address()


def account_key() -> str:
    """The limit key of the account being tried."""
    return "login-account:" + email_digest(request.form.get("email", ""))


def from_known_device() -> bool:
    """This browser signed in to the account before."""
    return known_device() is not None
