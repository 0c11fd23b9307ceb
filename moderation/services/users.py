"""Staff accounts in the app: invitations by one-time link, roles, deactivation, last sign-in.

An invitation link is signed (itsdangerous) and names the account and a fingerprint of its
current password hash. Accepting it sets a password, which changes the hash, so the link works
once; inviting again gives a new hash and a new link, and the old one stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from models import ROLES, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.auth import (
    AccountError,
    create_user,
    end_all_sessions,
    password_hasher,
    password_problem,
)
from moderation.services.outbox import enqueue_email, staff_link
from moderation.services.security import record_security_event

INVITE_KIND = "invitation"
INVITE_SALT = "staff-invitation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def _unusable_password() -> str:
    """A password nobody knows: the account cannot sign in until the link is used."""
    return secrets.token_urlsafe(32) + "-9"


def invitation_link(user: User) -> str:
    """The absolute one-time link that lets this person set her password."""
    token = _serializer().dumps({"u": user.id, "p": _fingerprint(user)})
    # Built without a request: the worker and the CLI invite too.
    return staff_link("users.accept", token=token)


def list_staff() -> list[User]:
    """Every account, active first, then by name."""
    return list(db.session.scalars(
        select(User).order_by(User.active.desc(), func.lower(User.name), User.id)))


def _get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountError("That account does not exist.")
    return user


def invite_user(*, email: str, name: str, role: str, actor: User) -> tuple[User, str]:
    """Create an account nobody can sign in to yet and email its one-time link (flushed)."""
    user = create_user(email=email, name=name, role=role, password=_unusable_password())
    link = invitation_link(user)
    _send(user, link, actor)
    record_event(actor, "user.invited", "user", user.id,
                 after={"email": user.email, "role": user.role})
    return user, link


def reinvite_user(user_id: int, actor: User) -> tuple[User, str]:
    """Send a fresh link to someone who has never signed in; the old link stops working."""
    user = _get(user_id)
    if user.last_login_at is not None:
        raise AccountError(f"{user.name} has signed in already: she can change her own "
                           "password from the Password page.")
    user.password_hash = password_hasher.hash(_unusable_password())
    end_all_sessions(user)
    link = invitation_link(user)
    _send(user, link, actor)
    record_event(actor, "user.reinvited", "user", user.id)
    return user, link


def _send(user: User, link: str, actor: User) -> None:
    hours = current_app.config["INVITE_HOURS"]
    body = (
        f"Hello {user.name},\n\n"
        f"{actor.name} has added you to the midwives' moderation queue as a {user.role}.\n\n"
        f"Choose your password here (the link works once, for {hours} hours):\n{link}\n\n"
        "If you did not expect this, you can ignore this email.\n")
    enqueue_email(INVITE_KIND, user.email, "Your account on the moderation queue", body,
                  f"invite.{user.id}.{_fingerprint(user)}", user_id=user.id)


def invited_user(token: str) -> User:
    """The account a link is for, if the link is genuine, unused and in time."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["INVITE_HOURS"] * 3600)
    except SignatureExpired as exc:
        raise AccountError("This invitation has expired. Ask a supervisor for a new one.") \
            from exc
    except BadSignature as exc:
        raise AccountError("This invitation link is not valid. Check that you copied all of "
                           "it, or ask a supervisor for a new one.") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("p") != _fingerprint(user):
        raise AccountError("This invitation has been used or withdrawn. Sign in, or ask a "
                           "supervisor for a new one.")
    return user


def accept_invitation(token: str, password: str) -> User:
    """Set the password of an invited account; the link stops working (flushed)."""
    user = invited_user(token)
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = password_hasher.hash(password)
    user.last_login_at = utcnow()
    end_all_sessions(user)
    record_event(user, "user.invitation_accepted", "user", user.id)
    return user


def change_role(user_id: int, role: str, actor: User) -> User:
    """Make someone a midwife or a supervisor; nobody removes her own supervisor role."""
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    user = _get(user_id)
    if user.id == actor.id and role != user.role:
        raise AccountError("You cannot change your own role: ask another supervisor.")
    if user.role != role:
        record_event(actor, "user.role_changed", "user", user.id,
                     before={"role": user.role}, after={"role": role})
        record_security_event("security.role_changed", user=user, with_change=True,
                              by=actor.email, before=user.role, after=role)
        user.role = role
        db.session.flush()
    return user


# Duties a supervisor gives to members of staff, each a flag on the account.
StaffDuty = Literal["safeguarding_lead", "clinical_approver"]


def set_duty(user_id: int, actor: User, duty: StaffDuty, holds: bool, action: str, *,
             refused: Exception, missing: Exception) -> User:
    """A supervisor gives a duty to someone or takes it back (audited as `action`)."""
    if not actor.is_supervisor:
        raise refused
    person = db.session.get(User, user_id)
    if person is None:
        raise missing
    before = getattr(person, duty)
    setattr(person, duty, holds)
    db.session.flush()
    record_event(actor, action, "user", person.id, before={duty: before}, after={duty: holds})
    return person


def set_active(user_id: int, active: bool, actor: User) -> User:
    """Deactivate (ending her sessions) or reactivate an account; never one's own."""
    user = _get(user_id)
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account.")
    if user.active != active:
        record_event(actor, "user.reactivated" if active else "user.deactivated", "user",
                     user.id, before={"active": user.active}, after={"active": active})
        record_security_event(
            "security.account_reactivated" if active else "security.account_deactivated",
            user=user, with_change=True, by=actor.email)
        user.active = active
        end_all_sessions(user)
    return user
