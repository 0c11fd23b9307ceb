"""Demo data for clinical governance and wellbeing: a closed incident and a midwife due a break."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Comment, Incident, User, db, utcnow
from models.wellbeing import DistressingOpen
from moderation.services.incidents import move_incident, report_incident
from moderation.services.wellbeing import distressing_reasons, wellbeing_settings

DEMO_MIDWIFE = "midwife@example.org"
DEMO_SUPERVISOR = "supervisor@example.org"
# The answered urgent thread whose reply came after the one-hour urgent target.
LATE_URGENT_START = "5 weeks pregnant, pain on my right side"
INCIDENT_DESCRIPTION = (
    "An urgent comment (one-sided pain and an aching shoulder in early pregnancy) waited over "
    "an hour and a half for its reply, past the one-hour urgent target. Nobody had taken it "
    "while the team was at the handover meeting.")
REVIEW_STEPS = (
    ("investigating", "Helen checked the rota and the alert log: the urgent alert was sent, "
                      "but both people on call were in the handover meeting."),
    ("actions", "Handover now keeps one midwife on the queue; the on-call alert also goes to "
                "the supervisor after 15 minutes unclaimed."),
    ("closed", "Both changes in place for two weeks with no urgent comment over target. "
               "Learning shared at the team meeting."),
)


def _staff(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _seed_closed_incident(midwife: User, supervisor: User) -> int:
    """The late urgent reply, reported by the midwife and reviewed to closure (once)."""
    if db.session.scalar(select(Incident.id).where(
            Incident.description == INCIDENT_DESCRIPTION)) is not None:
        return 0
    comment = db.session.scalar(select(Comment).where(
        Comment.external_id.like("demo-answered-%"),
        Comment.body.startswith(LATE_URGENT_START, autoescape=True)))
    if comment is None:
        return 0
    reported = utcnow() - timedelta(days=30)
    incident = report_incident(comment.id, midwife, kind="delayed_response",
                               severity="significant", description=INCIDENT_DESCRIPTION,
                               now=reported)
    for days, (status, note) in enumerate(REVIEW_STEPS, start=1):
        move_incident(incident.id, supervisor, status, note, now=reported + timedelta(days=days))
    return 1


def _seed_distressing_opens(midwife: User) -> int:
    """She opened as many distressing comments this shift as the soft limit: a break is due.

    Re-seeding moves the same rows into the current shift; it never adds more.
    """
    limit = wellbeing_settings().soft_limit
    candidates = db.session.scalars(select(Comment).where(Comment.external_id.like("demo-%"))
                                    .order_by(Comment.id))
    chosen = [c for c in candidates if distressing_reasons(c)][:limit]
    now, added = utcnow(), 0
    for minutes, comment in enumerate(reversed(chosen), start=1):
        opened = db.session.scalar(select(DistressingOpen).where(
            DistressingOpen.user_id == midwife.id, DistressingOpen.comment_id == comment.id))
        if opened is None:
            opened = DistressingOpen(user_id=midwife.id, comment_id=comment.id,
                                     reasons=distressing_reasons(comment))
            db.session.add(opened)
            added += 1
        opened.opened_at = now - timedelta(minutes=20 * minutes)
    db.session.flush()
    return added


def seed_care_demo() -> int:
    """A closed incident and a demo midwife offered a break; returns how many rows it added."""
    midwife, supervisor = _staff(DEMO_MIDWIFE), _staff(DEMO_SUPERVISOR)
    if midwife is None or supervisor is None:
        return 0
    return _seed_closed_incident(midwife, supervisor) + _seed_distressing_opens(midwife)
