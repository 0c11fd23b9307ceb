"""Clinical incidents reported on a comment or reply, and each step of their review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import UTCDateTime, db, utcnow
from models.comment import Comment
from models.near_miss import NearMiss
from models.reply import Reply, Snippet
from models.user import User

# What went wrong, as the reporter sees it (keys stored, labels shown).
INCIDENT_KINDS: dict[str, str] = {
    "wrong_advice": "Wrong advice",
    "missed_urgent": "Missed urgent",
    "delayed_response": "Delayed response",
    "privacy_breach": "Privacy breach",
    "abusive_poster": "Abusive poster",
    "other": "Other",
}
# The severity scale of the NHS clinical risk management standards (DCB0129/DCB0160), so an
# incident can go into the clinical safety file as it is.
INCIDENT_SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
INCIDENT_STATUSES = ("open", "investigating", "actions", "closed")
# The review moves one step at a time: nothing is closed without an investigation and actions.
NEXT_STATUS = {"open": "investigating", "investigating": "actions", "actions": "closed"}


class IncidentTransitionError(ValueError):
    """A review step that is not allowed from the incident's state; str(exc) says why."""


class Incident(db.Model):
    """One reported incident, linked to the comment, model and snippet version involved."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"))
    # Opened from a near miss of the triage model's monitoring (one incident per near miss).
    near_miss_id: Mapped[int | None] = mapped_column(ForeignKey("near_misses.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # Copied when reported: what served the comment and what the reply started from, even if
    # the model or the snippet changes afterwards.
    model_version: Mapped[str | None] = mapped_column(String(100))
    snippet_id: Mapped[int | None] = mapped_column(ForeignKey("snippets.id"))
    snippet_version: Mapped[int | None] = mapped_column(Integer)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = relationship()
    reply: Mapped[Reply | None] = relationship()
    near_miss: Mapped[NearMiss | None] = relationship()
    snippet: Mapped[Snippet | None] = relationship()
    reported_by: Mapped[User] = relationship()
    steps: Mapped[list[IncidentStep]] = relationship(
        back_populates="incident", order_by="IncidentStep.id"
    )

    @property
    def kind_label(self) -> str:
        return INCIDENT_KINDS.get(self.kind, self.kind)

    @property
    def next_status(self) -> str | None:
        return NEXT_STATUS.get(self.status)

    def _move(self, to_status: str, user: User, note: str, now: datetime | None) -> IncidentStep:
        if self.next_status != to_status:
            raise IncidentTransitionError(
                f"This incident is {self.status}; it cannot move to {to_status}"
                + (f" (its next step is {self.next_status})." if self.next_status
                   else " (it is closed).")
            )
        note = (note or "").strip()
        if not note:
            raise IncidentTransitionError(f"Say what was done before moving it to {to_status}.")
        now = now or utcnow()
        step = IncidentStep(from_status=self.status, to_status=to_status, note=note,
                            user_id=user.id, created_at=now)
        self.steps.append(step)  # saved with the incident (the collection cascades)
        self.status = to_status
        self.updated_at = now
        if to_status == "closed":
            self.closed_at = now
        return step

    def start_investigation(self, user: User, note: str,
                            now: datetime | None = None) -> IncidentStep:
        """open -> investigating: who looks into it and how."""
        return self._move("investigating", user, note, now)

    def record_actions(self, user: User, note: str, now: datetime | None = None) -> IncidentStep:
        """investigating -> actions: what was found and what is being changed."""
        return self._move("actions", user, note, now)

    def close(self, user: User, note: str, now: datetime | None = None) -> IncidentStep:
        """actions -> closed: the actions are done and the learning is recorded."""
        return self._move("closed", user, note, now)


class IncidentStep(db.Model):
    """One step of an incident's review: who moved it, when, and what they noted."""

    __tablename__ = "incident_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="steps")
    user: Mapped[User] = relationship()
