"""Accounts, passwords and sign-in sessions."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from models import ROLES, User, db, utcnow
from models.user import new_session_token
from moderation.services.audit import record_event

# argon2id with the library's current recommended parameters (RFC 9106 low-memory profile).
password_hasher = PasswordHasher()

# Run on unknown emails too, so a wrong email and a wrong password take the same time.
_DUMMY_HASH = password_hasher.hash("not-a-real-password-but-hashed-once")

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS = {
    "password1234", "123456789012", "qwertyuiopas", "letmein12345", "iloveyou1234",
    "midwife12345", "password123!", "welcome12345", "changeme1234", "000000000000",
}


class AccountError(ValueError):
    """A user-facing problem with an account request."""


def normalise_email(email: str) -> str:
    """Compare emails case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say why a password is too weak, or return None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 5:
        return "That password is too easy to guess."
    lowered = password.lower()
    for part in (normalise_email(email).split("@")[0], name.strip().lower()):
        if part and len(part) >= 4 and part in lowered:
            return "The password must not contain your name or email."
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[^A-Za-z]", password)):
        return "Mix letters with numbers or symbols."
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
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _burn_time(password: str) -> None:
    try:
        password_hasher.verify(_DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def end_all_sessions(user: User) -> None:
    """Rotate the session token so every copy of the old session cookie stops working."""
    user.session_token = new_session_token()
    db.session.flush()


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
    end_all_sessions(user)
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


def load_user_by_session_token(token: str) -> User | None:
    """Flask-Login's loader: find the active user whose current session token this is."""
    return db.session.scalar(
        select(User).where(User.session_token == token, User.active.is_(True))
    )
