"""Staff accounts: midwives and supervisors."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow

ROLES = ("midwife", "supervisor")


def new_session_token() -> str:
    """Return a fresh random token that identifies one sign-in generation."""
    return secrets.token_urlsafe(32)


class User(db.Model):
    """A member of staff who signs in to the back-office."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default="midwife")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Flask-Login's alternative id: rotating it ends every session that holds the old one.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The designated safeguarding lead (supervisors assign it): notified of every safeguarding
    # concern, and with supervisors the only one who reads the safeguarding records.
    safeguarding_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # May approve snippet changes as the second clinician (supervisors always may).
    clinical_approver: Mapped[bool] = mapped_column(Boolean, default=False)
    # Second factor: a TOTP secret (base32) once enrolled, the last time step used (a code
    # works once), and argon2 hashes of the unused one-time recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)

    # Flask-Login protocol, written out so models/ imports nothing of the app's extensions.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The token of this sign-in's server-side session (models.session), set when the
        # session starts or is loaded; never a value shared by the account's other sign-ins.
        return getattr(self, "_login_token", None) or ""

    @property
    def mfa_enrolled(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def approves_snippets(self) -> bool:
        return self.active and (self.is_supervisor or self.clinical_approver)

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else self.name

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
