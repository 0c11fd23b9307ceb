"""Forgotten passwords: a signed, time-limited, single-use link by email through the outbox.

The link names the account and a fingerprint of its current password hash, so it stops working
once used or once the password changes any other way. Setting the new password ends every
session and does not sign anyone in: the next sign-in asks for the second factor as usual.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from models import User, db
from moderation.services.audit import record_event
from moderation.services.auth import (
    AccountError,
    end_all_sessions,
    normalise_email,
    password_hasher,
    password_problem,
)
from moderation.services.outbox import enqueue_email, staff_link

RESET_KIND = "password_reset"
RESET_SALT = "password-reset"


class _ClockedSigner(TimestampSigner):
    """A timestamp signer reading a given clock, so expiry is testable without waiting."""

    def __init__(self, *args, now: datetime | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp()) if self.now is not None else super().get_timestamp()


def _serializer(now: datetime | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT,
                                  signer=_ClockedSigner, signer_kwargs={"now": now})


def _fingerprint(user: User) -> str:
    return hashlib.sha256(("reset:" + user.password_hash).encode()).hexdigest()[:20]


def reset_link(user: User, now: datetime | None = None) -> str:
    """The absolute link that lets this person choose a new password, once."""
    token = _serializer(now).dumps({"u": user.id, "p": _fingerprint(user)})
    return staff_link("auth.reset_password_page", token=token)


def request_reset(email: str, now: datetime | None = None) -> User | None:
    """Queue a reset email when an active account uses this address (flushed); else nothing.

    The caller answers the same either way, so the form does not tell who has an account.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    body = (
        f"Hello {user.name},\n\n"
        "Someone asked to reset the password of your account on the midwives' moderation "
        "queue. If it was you, choose a new password here "
        f"(the link works once, for {minutes} minutes):\n{reset_link(user, now)}\n\n"
        "You will still need your second factor to sign in afterwards.\n"
        "If you did not ask for this, ignore this email: your password stays as it is.\n")
    # A random part: each request is its own email; the rate limits bound how many.
    enqueue_email(RESET_KIND, user.email, "Reset your password", body,
                  f"reset.{user.id}.{secrets.token_hex(8)}", now=now, user_id=user.id)
    record_event(user, "user.password_reset_requested", "user", user.id)
    return user


def reset_user(token: str, now: datetime | None = None) -> User:
    """The account a reset link is for, if it is genuine, unused and in time."""
    max_age = current_app.config["PASSWORD_RESET_MINUTES"] * 60
    try:
        data = _serializer(now).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError("This reset link has expired. Ask for a new one from the sign-in "
                           "page.") from exc
    except BadSignature as exc:
        raise AccountError("This reset link is not valid. Check that you copied all of it, or "
                           "ask for a new one from the sign-in page.") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("p") != _fingerprint(user):
        raise AccountError("This reset link has been used already, or your password has "
                           "changed since. Ask for a new one from the sign-in page.")
    return user


def reset_password(token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password through a reset link; every session ends, nobody is signed in."""
    user = reset_user(token, now)
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = password_hasher.hash(password)
    end_all_sessions(user, reason="password reset")
    record_event(user, "user.password_reset", "user", user.id)
    return user
