"""Staff wellbeing: counting the distressing comments a midwife opens, breaks and debriefs.

A comment is distressing when the red-flag rules matched a mental-health crisis, abuse, a
safeguarding concern or another person at risk, or when its topic is remembrance (remains,
burial, cremation: the labelling guide's nearest label to a late loss). Opening one to answer
it (Reply or Take next) counts once per midwife and comment. Past the soft limit in a shift
the app suggests a break, and for a while Take next offers her other comments first; the
urgent lane is never held back. This is care, not performance management: supervisors see
weekly totals only, never which comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, not_, or_, select
from sqlalchemy.exc import IntegrityError

from classifier.safety import ABUSE, MENTAL_HEALTH, SAFEGUARDING, THIRD_PARTY
from models import Comment, ServiceSetting, User, db, utcnow
from models.comment import URGENT_LANE_RANKS
from models.wellbeing import DebriefRequest, DistressingOpen
from moderation.services.audit import record_event
from moderation.services.oncall import supervisors
from moderation.services.outbox import enqueue_email, staff_link

DISTRESSING_CATEGORIES = (MENTAL_HEALTH, ABUSE, SAFEGUARDING, THIRD_PARTY)
DISTRESSING_TOPICS = ("remembrance",)
# The settings, stored as service settings under these keys; the values are the defaults.
SETTING_DEFAULTS = {
    "wellbeing_soft_limit": 5,
    "wellbeing_shift_hours": 12,
    "wellbeing_break_minutes": 60,
}
SETTING_LIMITS = {
    "wellbeing_soft_limit": (1, 100, "The soft limit must be a whole number from 1 to 100 "
                             "distressing comments per shift (0 would mean a break after "
                             "every comment)."),
    "wellbeing_shift_hours": (1, 24, "A shift must be from 1 to 24 hours long."),
    "wellbeing_break_minutes": (1, 480, "The time Take next offers other comments must be "
                                "from 1 to 480 minutes."),
}


class WellbeingError(ValueError):
    """A wellbeing action or setting was refused; str(exc) is the message to show."""


@dataclass(frozen=True)
class WellbeingSettings:
    """The soft limit per shift, how long a shift is, and how long Take next steers away."""

    soft_limit: int
    shift_hours: int
    break_minutes: int


@dataclass(frozen=True)
class ShiftExposure:
    """What this midwife has opened in her current shift, and what the app suggests."""

    count: int
    soft_limit: int
    prefer_others_until: datetime | None

    @property
    def break_suggested(self) -> bool:
        return self.count >= self.soft_limit


# --- What counts -----------------------------------------------------------------------------

def distressing_reasons(comment: Comment) -> list[str]:
    """Why a comment is distressing to read (empty when it is not)."""
    reasons = [c for c in (comment.red_flag_categories or []) if c in DISTRESSING_CATEGORIES]
    if comment.topic in DISTRESSING_TOPICS:
        reasons.append(comment.topic)
    return reasons


def distressing_condition() -> Any:
    """The same rule as distressing_reasons, as SQL (JSON read as text on both databases)."""
    categories = cast(Comment.red_flag_categories, String)
    return or_(Comment.topic.in_(DISTRESSING_TOPICS),
               *[categories.like(f'%"{name}"%') for name in DISTRESSING_CATEGORIES])


# --- Settings ---------------------------------------------------------------------------------

def wellbeing_settings() -> WellbeingSettings:
    """The settings in force: stored values over the defaults."""
    values = dict(SETTING_DEFAULTS)
    for row in db.session.scalars(select(ServiceSetting)
                                  .where(ServiceSetting.key.in_(SETTING_DEFAULTS))):
        values[row.key] = row.value
    return WellbeingSettings(soft_limit=int(values["wellbeing_soft_limit"]),
                             shift_hours=int(values["wellbeing_shift_hours"]),
                             break_minutes=int(values["wellbeing_break_minutes"]))


def _whole_number(key: str, raw: Any) -> int:
    low, high, message = SETTING_LIMITS[key]
    try:
        value = int(str(raw).strip())
    except ValueError as exc:
        raise WellbeingError(message) from exc
    if not low <= value <= high:
        raise WellbeingError(message)
    return value


def update_wellbeing_settings(changes: dict[str, Any], actor: User) -> WellbeingSettings:
    """Validate every change first (nothing is stored if one is refused), then store them."""
    if not actor.is_supervisor:
        raise WellbeingError("Only a supervisor can change the wellbeing settings.")
    unknown = set(changes) - set(SETTING_DEFAULTS)
    if unknown:
        raise WellbeingError(f"Unknown settings: {', '.join(sorted(unknown))}")
    values = {key: _whole_number(key, raw) for key, raw in changes.items()}
    before = wellbeing_settings()
    now = utcnow()
    for key, value in values.items():
        row = db.session.get(ServiceSetting, key) or ServiceSetting(key=key)
        row.value, row.updated_at, row.updated_by_id = value, now, actor.id
        db.session.add(row)
    db.session.flush()
    record_event(actor, "settings.updated", "settings", None,
                 before={k: getattr(before, k.removeprefix("wellbeing_")) for k in values},
                 after=values)
    return wellbeing_settings()


# --- Counting ---------------------------------------------------------------------------------

def record_distressing_open(comment_id: int, user: User, now: datetime | None = None
                            ) -> DistressingOpen | None:
    """Count that `user` opened this comment to answer it, if it is distressing (once only)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return None
    reasons = distressing_reasons(comment)
    if not reasons:
        return None
    existing = db.session.scalar(select(DistressingOpen).where(
        DistressingOpen.user_id == user.id, DistressingOpen.comment_id == comment_id))
    if existing is not None:
        return existing
    opened = DistressingOpen(user_id=user.id, comment_id=comment_id, reasons=reasons,
                             opened_at=now or utcnow())
    try:
        with db.session.begin_nested():  # a double click in two tabs counts once
            db.session.add(opened)
    except IntegrityError:
        return None
    return opened


def shift_exposure(user: User, now: datetime | None = None) -> ShiftExposure:
    """How many distressing comments she opened in the shift ending now, and the break state."""
    now = now or utcnow()
    settings = wellbeing_settings()
    count, latest = db.session.execute(
        select(func.count(), func.max(DistressingOpen.opened_at)).where(
            DistressingOpen.user_id == user.id,
            DistressingOpen.opened_at > now - timedelta(hours=settings.shift_hours),
            DistressingOpen.opened_at <= now)
    ).one()
    until = None
    if count >= settings.soft_limit and latest is not None:
        # Every further distressing comment she opens moves the quiet time on.
        candidate = latest + timedelta(minutes=settings.break_minutes)
        until = candidate if candidate > now else None
    return ShiftExposure(count=count, soft_limit=settings.soft_limit, prefer_others_until=until)


def take_next_preference(user: User, now: datetime | None = None) -> Any | None:
    """The SQL condition Take next tries first for her, or None when no preference applies.

    The urgent lane always stays in: an urgent comment never waits because of a break.
    """
    if shift_exposure(user, now).prefer_others_until is None:
        return None
    return or_(Comment.queue_rank.in_(URGENT_LANE_RANKS), not_(distressing_condition()))


# --- Supervisors' weekly view -----------------------------------------------------------------

@dataclass
class WeeklyExposure:
    """Distressing comments opened per week: the team's total and each person's."""

    weeks: list[datetime]
    team: dict[datetime, int]
    people: list[tuple[User, dict[datetime, int]]]


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `moment`."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_exposure(weeks: int = 6, now: datetime | None = None) -> WeeklyExposure:
    """Totals for the last `weeks` weeks: counts only, never which comments."""
    now = now or utcnow()
    starts = [week_start(now) - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = db.session.execute(
        select(DistressingOpen.user_id, DistressingOpen.opened_at)
        .where(DistressingOpen.opened_at >= starts[0], DistressingOpen.opened_at <= now))
    per_person: dict[int, dict[datetime, int]] = {}
    team = dict.fromkeys(starts, 0)
    for user_id, opened_at in rows:
        week = week_start(opened_at)
        team[week] += 1
        person = per_person.setdefault(user_id, dict.fromkeys(starts, 0))
        person[week] += 1
    staff = db.session.scalars(select(User).where(
        and_(User.active.is_(True), User.role == "midwife") | User.id.in_(per_person))
        .order_by(User.display_name, User.id))
    people = [(user, per_person.get(user.id, dict.fromkeys(starts, 0))) for user in staff]
    return WeeklyExposure(weeks=starts, team=team, people=people)


# --- Debriefs ---------------------------------------------------------------------------------

MAX_DEBRIEF_NOTE = 1000


def request_debrief(comment_id: int, user: User, note: str = "",
                    now: datetime | None = None) -> DebriefRequest:
    """"I'd like a debrief": tell the supervisors privately (outbox email and their page)."""
    note = (note or "").strip()
    if len(note) > MAX_DEBRIEF_NOTE:
        raise WellbeingError(f"Please keep the note under {MAX_DEBRIEF_NOTE} characters.")
    if db.session.get(Comment, comment_id) is None:
        raise WellbeingError("This comment no longer exists. You can still ask any "
                             "supervisor for a debrief directly.")
    now = now or utcnow()
    debrief = DebriefRequest(user_id=user.id, comment_id=comment_id, note=note, created_at=now)
    db.session.add(debrief)
    db.session.flush()
    # The email names her and nothing of the comment or her note: it may be read on a phone.
    body = (f"{user.display_name or user.name} would like a debrief after a comment she "
            "worked on. Please find a private moment with her soon.\n\n"
            f"Open the wellbeing page to see the request: {staff_link('wellbeing.index')}\n")
    for supervisor in supervisors():
        if supervisor.id == user.id:
            continue
        enqueue_email("debrief_request", supervisor.email, "A midwife would like a debrief",
                      body, f"debrief:{debrief.id}:to:{supervisor.id}", now=now,
                      user_id=supervisor.id)
    record_event(user, "wellbeing.debrief_requested", "debrief", debrief.id)
    return debrief


def open_debriefs() -> list[DebriefRequest]:
    """Debrief requests no supervisor has arranged yet, oldest first."""
    return list(db.session.scalars(select(DebriefRequest)
                                   .where(DebriefRequest.arranged_at.is_(None))
                                   .order_by(DebriefRequest.created_at, DebriefRequest.id)))


def open_debrief_count() -> int:
    """How many debrief requests wait for a supervisor (the navigation's count)."""
    return db.session.scalar(select(func.count()).select_from(DebriefRequest)
                             .where(DebriefRequest.arranged_at.is_(None))) or 0


def arrange_debrief(debrief_id: int, supervisor: User,
                    now: datetime | None = None) -> DebriefRequest:
    """A supervisor has arranged the debrief: it leaves the waiting list."""
    if not supervisor.is_supervisor:
        raise WellbeingError("Only a supervisor can arrange a debrief.")
    debrief = db.session.get(DebriefRequest, debrief_id)
    if debrief is None:
        raise WellbeingError("This debrief request does not exist.")
    if debrief.arranged_at is None:
        debrief.arranged_at = now or utcnow()
        debrief.arranged_by_id = supervisor.id
        db.session.flush()
        record_event(supervisor, "wellbeing.debrief_arranged", "debrief", debrief.id)
    return debrief
