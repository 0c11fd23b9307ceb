"""Accounts, passwords and sign-in sessions."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from zxcvbn import zxcvbn

from models import ROLES, User, UserSession, db, utcnow
from models.session import hash_session_token
from models.user import new_session_token
from moderation.services.audit import record_event
from moderation.services.passwords import password_hasher

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# zxcvbn's estimate of the guesses an attacker needs, as a power of ten. Its offline lists
# (93,855 common passwords, names and words) and patterns (l33t, keyboard walks, dates,
# repeats) put "Summer2024!!" at 10^8.4 and a few unrelated words above 10^15.
MIN_GUESSES_LOG10 = 10
# zxcvbn's running time grows with length (it refuses more than 72 characters): the first
# 72 decide, and a longer passphrase only gets stronger.
SCORED_CHARACTERS = 72


class AccountError(ValueError):
    """A user-facing problem with an account request."""


def normalise_email(email: str) -> str:
    """Compare emails case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say why a password is refused, or return None (NIST SP 800-63B: length and screening,
    any characters, no composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    words = name.lower().split()
    identity = [part for part in (normalise_email(email).split("@")[0], "".join(words), *words)
                if len(part) >= 4]
    if any(part in lowered for part in identity):
        return "The password must not contain your name or email."
    context = [*identity, "midwife", "moderation", "miscarriage"]
    estimate = zxcvbn(password[:SCORED_CHARACTERS], user_inputs=context)
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        return ("That password is too easy to guess: it is, or is close to, a common "
                "password, a name or a pattern. A few unrelated words make a strong one.")
    return None


def create_user(
    *, email: str, name: str, role: str, password: str, display_name: str | None = None
) -> User:
    """Create a staff account after checking the role, email and password."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccountError("That does not look like an email address.")
    if not name.strip():
        raise AccountError("A name is required.")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem)
    user = User(
        email=email,
        name=name.strip(),
        display_name=(display_name or name).strip(),
        role=role,
        password_hash=password_hasher.hash(password),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record_event(None, "user.created", "user", user.id, after={"email": email, "role": role})
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, rehashing an outdated hash."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        _burn_time(password)
        return None
    try:
        password_hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    db.session.flush()
    return user


def _burn_time(password: str) -> None:
    try:
        password_hasher.verify(password_hasher.dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def end_all_sessions(user: User, *, except_session: UserSession | None = None,
                     reason: str = "signed out everywhere") -> int:
    """Revoke the account's open sessions (but one, if given); return how many ended."""
    now = utcnow()
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason[:32])
        .execution_options(synchronize_session=False)
    )
    if except_session is not None:
        statement = statement.where(UserSession.id != except_session.id)
    ended = db.session.execute(statement).rowcount or 0
    user.session_token = new_session_token()
    db.session.flush()
    return ended


# --- Server-side sessions ------------------------------------------------------------------

@dataclass(frozen=True)
class SessionPolicy:
    """How long sign-ins last: absolute, idle (unless remembered), and remembered."""

    lifetime: timedelta
    idle: timedelta
    remember: timedelta


def start_session(user: User, *, remember: bool, user_agent: str, address: str,
                  policy: SessionPolicy, now: datetime | None = None) -> tuple[UserSession, str]:
    """Open a new session with a fresh identifier; return it with the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    record = UserSession(
        user_id=user.id, token_hash=hash_session_token(token), created_at=now,
        last_seen_at=now, expires_at=now + (policy.remember if remember else policy.lifetime),
        remember=remember, user_agent=(user_agent or "")[:300], ip_address=(address or "")[:64],
    )
    db.session.add(record)
    user.last_login_at = now
    db.session.flush()
    user._login_token = token  # what get_id() hands to Flask-Login for the cookie
    return record, token


def session_policy(config: Mapping[str, Any]) -> SessionPolicy:
    """The session lifetimes from the app's settings."""
    return SessionPolicy(
        lifetime=timedelta(seconds=int(config["SESSION_LIFETIME_SECONDS"])),
        idle=timedelta(seconds=int(config["SESSION_IDLE_SECONDS"])),
        remember=timedelta(days=min(30, int(config["REMEMBER_ME_DAYS"]))),
    )


def load_user_by_session_token(token: str) -> User | None:
    """Flask-Login's loader: the user of this open server-side session."""
    return load_session(token, session_policy(current_app.config))


# Write "last seen" at most this often: a page view should not always be a database write.
LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def load_session(token: str, policy: SessionPolicy, now: datetime | None = None) -> User | None:
    """The active user of this open session, or None once it expired, idled out or was revoked.

    Expiry is written through its own short transaction, so it holds whatever the request
    then does with the ORM session.
    """
    if not token:
        return None
    now = now or utcnow()
    record = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_session_token(token)))
    if record is None or record.revoked_at is not None:
        return None
    user = db.session.get(User, record.user_id)
    reason = None
    if record.expires_at <= now:
        reason = "expired"
    elif not record.remember and record.last_seen_at + policy.idle <= now:
        reason = "idle"
    elif user is None or not user.active:
        reason = "deactivated"
    if reason is not None:
        _write_session(record.id, revoked_at=now, revoked_reason=reason)
        return None
    if now - record.last_seen_at >= LAST_SEEN_GRANULARITY:
        _write_session(record.id, last_seen_at=now)
    user._login_token = token
    user.current_session_id = record.id
    return user


def _write_session(session_id: int, **values: object) -> None:
    try:
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == session_id)
                               .values(**values))
    except SQLAlchemyError:
        # "Last seen" is bookkeeping: a busy database must not fail the page. An expired
        # session is refused either way; the row is marked on a later request.
        log.warning("Could not update session %s", session_id, exc_info=True)


def end_session(token: str, reason: str = "signed out") -> None:
    """Revoke the session this token opened (sign-out)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_session_token(token),
               UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False))
    db.session.flush()


def open_sessions(user: User, now: datetime | None = None) -> list[UserSession]:
    """The account's sessions that can still be used, most recently seen first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
               UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def current_session(user: User) -> UserSession | None:
    """The session this request is signed in with."""
    session_id = getattr(user, "current_session_id", None)
    return db.session.get(UserSession, session_id) if session_id else None


# --- Second factor (TOTP and recovery codes) -----------------------------------------------

TOTP_ISSUER = "Midwife replies"
RECOVERY_CODE_COUNT = 10


def new_totp_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (now, or one step either side for clock drift)."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    """Ten random one-time codes, shown once."""
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]


def enrol_totp(user: User, secret: str, code: str, now: datetime | None = None) -> list[str]:
    """Turn on the second factor once a code from the new secret proves the app has it.

    Returns the recovery codes, which are kept only hashed.
    """
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        raise AccountError("That code does not match. Check the time on your phone and "
                           "type the 6 digits shown now.")
    codes = new_recovery_codes()
    user.totp_secret = secret
    user.totp_last_step = step
    user.recovery_code_hashes = [password_hasher.hash(c) for c in codes]
    db.session.flush()
    record_event(user, "mfa.enrolled", "user", user.id)
    return codes


def verify_second_factor(user: User, code: str, now: datetime | None = None) -> str | None:
    """Check a TOTP code (each works once) or an unused recovery code; say which, or None."""
    now = now or utcnow()
    if not user.totp_secret:
        return None
    step = _matching_step(user.totp_secret, code, now)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        db.session.flush()
        return "totp"
    typed = (code or "").strip().lower()
    if re.fullmatch(r"[0-9a-f]{6}-[0-9a-f]{6}", typed):
        for stored in list(user.recovery_code_hashes or []):
            try:
                password_hasher.verify(stored, typed)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                continue
            user.recovery_code_hashes = [h for h in user.recovery_code_hashes if h != stored]
            db.session.flush()
            record_event(user, "mfa.recovery_code_used", "user", user.id,
                         remaining=len(user.recovery_code_hashes))
            return "recovery"
    return None


def mfa_required(user: User, *, for_everyone: bool) -> bool:
    """Supervisors always need a second factor; everyone does when the setting says so."""
    return for_everyone or user.is_supervisor or user.mfa_enrolled


def reset_second_factor(supervisor: User, email: str) -> User:
    """A supervisor clears someone's second factor (lost phone); she enrols again at sign-in."""
    if not supervisor.is_supervisor:
        raise AccountError("Only a supervisor can reset a second factor.")
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"No account for {email}.")
    had = user.mfa_enrolled
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_code_hashes = []
    end_all_sessions(user, reason="second factor reset")
    record_event(supervisor, "mfa.reset", "user", user.id, before={"enrolled": had},
                 after={"enrolled": False})
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; ends all other sessions."""
    try:
        password_hasher.verify(user.password_hash, current_password)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise AccountError("Your current password is not right.") from exc
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = password_hasher.hash(new_password)
    end_all_sessions(user, except_session=current_session(user), reason="password changed")
    record_event(user, "user.password_changed", "user", user.id)


def deactivate_user(email: str) -> User:
    """Stop an account from signing in, ending its sessions."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"No account for {email}.")
    user.active = False
    end_all_sessions(user)
    record_event(None, "user.deactivated", "user", user.id, before={"active": True},
                 after={"active": False})
    return user



