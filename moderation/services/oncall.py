"""The on-call rota: who is on call when, where each person is alerted, and gaps.

Weekly shifts repeat every week in the service's time zone (a shift whose end is not after its
start runs past midnight). A one-off override replaces the weekly shifts for its period: whoever
the overrides name is on call then, and only they. Several people on call at once are all
alerted; nobody on call is "out of hours", when the supervisors are alerted instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import AlertChannel, OnCallOverride, OnCallShift, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.cache import app_cache
from moderation.services.settings import cached_policy

# How far ahead the rota is searched for the next person, and the gaps shown to supervisors.
LOOKAHEAD = timedelta(days=8)


class RotaError(ValueError):
    """A rota change was refused; str(exc) is the message to show."""


def _zone() -> ZoneInfo:
    return ZoneInfo(cached_policy().timezone)


def _shift_covers(shift: OnCallShift, local: datetime) -> bool:
    moment, day = local.time(), local.weekday()
    if shift.starts < shift.ends:
        return day == shift.weekday and shift.starts <= moment < shift.ends
    # Overnight: from `starts` on its weekday to `ends` on the next day.
    return (day == shift.weekday and moment >= shift.starts) or (
        day == (shift.weekday + 1) % 7 and moment < shift.ends)


def _active(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user.active and user.id not in seen:
            seen[user.id] = user
    return sorted(seen.values(), key=lambda user: user.id)


@dataclass(frozen=True)
class _Rota:
    """The weekly shifts and the overrides still running after a moment, read once."""

    zone: ZoneInfo
    shifts: list[OnCallShift]
    overrides: list[OnCallOverride]

    @classmethod
    def after(cls, since: datetime) -> _Rota:
        """The rota as it stands, for questions about `since` and later (two queries)."""
        shifts = db.session.scalars(select(OnCallShift)).all()
        overrides = db.session.scalars(
            select(OnCallOverride).where(OnCallOverride.ends_at > since)).all()
        return cls(_zone(), list(shifts), list(overrides))

    def people_at(self, when: datetime) -> list[User]:
        """Everyone on call at `when` (overrides first, else the weekly shifts); [] in a gap."""
        overrides = [o for o in self.overrides if o.starts_at <= when < o.ends_at]
        if overrides:
            return _active([override.user for override in overrides])
        local = when.astimezone(self.zone)
        return _active([shift.user for shift in self.shifts if _shift_covers(shift, local)])

    def change_points(self, now: datetime, until: datetime) -> list[datetime]:
        """Every moment in (now, until] when who is on call may change."""
        points: set[datetime] = set()
        first_day = now.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range((until - now).days + 3):
            day = first_day + timedelta(days=offset)
            for shift in self.shifts:
                if day.weekday() != shift.weekday:
                    continue
                start = datetime.combine(day, shift.starts, tzinfo=self.zone)
                end_day = day if shift.starts < shift.ends else day + timedelta(days=1)
                end = datetime.combine(end_day, shift.ends, tzinfo=self.zone)
                points.update({start.astimezone(UTC), end.astimezone(UTC)})
        for override in self.overrides:
            if override.starts_at <= until:
                points.update({override.starts_at, override.ends_at})
        return sorted(point for point in points if now < point <= until)


def on_call_at(when: datetime) -> list[User]:
    """Everyone on call at `when` (overrides first, else the weekly shifts); [] in a gap."""
    return _Rota.after(when).people_at(when)


def next_on_call(now: datetime, exclude: set[int]) -> list[User]:
    """The next people on the rota after the ones in `exclude` (for escalation), or []."""
    rota = _Rota.after(now)
    for point in rota.change_points(now, now + LOOKAHEAD):
        people = [user for user in rota.people_at(point) if user.id not in exclude]
        if people:
            return people
    return []


def next_on_call_start(now: datetime) -> datetime | None:
    """When somebody is next on call (now if somebody is), within the lookahead."""
    return _first_on_call(_Rota.after(now), now)


def _first_on_call(rota: _Rota, now: datetime) -> datetime | None:
    if rota.people_at(now):
        return now
    for point in rota.change_points(now, now + LOOKAHEAD):
        if rota.people_at(point):
            return point
    return None


@dataclass(frozen=True)
class _Person:
    id: int
    active: bool


@dataclass(frozen=True)
class _ShiftFacts:
    weekday: int
    starts: time
    ends: time
    user: _Person


@dataclass(frozen=True)
class _OverrideFacts:
    starts_at: datetime
    ends_at: datetime
    user: _Person


def _rota_facts(now: datetime) -> _Rota:
    """The rota as plain values, read at most every INTAKE_CACHE_SECONDS per worker.

    For telling the public when someone will next read (every intake answer says it); alerts
    and the rota page always read the rota itself. A change made in this worker applies at
    once, one made elsewhere within those seconds.
    """
    def load() -> _Rota:
        rota = _Rota.after(now)
        return _Rota(
            rota.zone,
            [_ShiftFacts(s.weekday, s.starts, s.ends, _Person(s.user.id, s.user.active))
             for s in rota.shifts],
            [_OverrideFacts(o.starts_at, o.ends_at, _Person(o.user.id, o.user.active))
             for o in rota.overrides])

    return app_cache("rota_facts").get("rota", load)


def next_read_by_rota(now: datetime) -> datetime | None:
    """next_on_call_start from the worker's recent copy of the rota (see _rota_facts)."""
    return _first_on_call(_rota_facts(now), now)


@dataclass(frozen=True)
class Gap:
    """A period in the coming week when nobody is on call."""

    starts_at: datetime
    ends_at: datetime


def gaps_ahead(now: datetime, horizon: timedelta = timedelta(days=7)) -> list[Gap]:
    """The periods from now to now + horizon with nobody on call."""
    until = now + horizon
    rota = _Rota.after(now)
    gaps: list[Gap] = []
    gap_start: datetime | None = None
    for point in [now, *rota.change_points(now, until)]:
        empty = not rota.people_at(point)
        if empty and gap_start is None:
            gap_start = point
        elif not empty and gap_start is not None:
            gaps.append(Gap(gap_start, point))
            gap_start = None
    if gap_start is not None:
        gaps.append(Gap(gap_start, until))
    return gaps


# --- Alert channels ------------------------------------------------------------------------

@dataclass(frozen=True)
class Channels:
    """Where one person is alerted."""

    email: str | None
    webhook: bool


def channels_for(user: User) -> Channels:
    """The person's alert channels: her sign-in email by default, webhook off."""
    row = db.session.get(AlertChannel, user.id)
    if row is None:
        return Channels(email=user.email, webhook=False)
    return Channels(email=(row.email or user.email) if row.email_enabled else None,
                    webhook=row.webhook_enabled)


def supervisors() -> list[User]:
    """Every active supervisor."""
    return list(db.session.scalars(
        select(User).where(User.role == "supervisor", User.active.is_(True)).order_by(User.id)
    ))


# --- Editing the rota ----------------------------------------------------------------------

def _staff(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise RotaError("Choose an active member of staff.")
    return user


def add_shift(weekday: int, starts: time, ends: time, user_id: int, actor: User) -> OnCallShift:
    """Add a weekly shift (flushed, audited)."""
    if weekday not in range(7):
        raise RotaError("Choose a day of the week.")
    if starts == ends:
        raise RotaError("A shift must end at a different time from when it starts.")
    user = _staff(user_id)
    shift = OnCallShift(weekday=weekday, starts=starts, ends=ends, user_id=user.id,
                        created_at=utcnow())
    db.session.add(shift)
    db.session.flush()
    app_cache("rota_facts").clear()
    record_event(actor, "oncall.shift_added", "oncall_shift", shift.id,
                 after={"weekday": weekday, "starts": starts.isoformat(),
                        "ends": ends.isoformat(), "user_id": user.id})
    return shift


def delete_shift(shift_id: int, actor: User) -> None:
    """Remove a weekly shift (audited)."""
    shift = db.session.get(OnCallShift, shift_id)
    if shift is None:
        raise RotaError("This shift no longer exists.")
    record_event(actor, "oncall.shift_removed", "oncall_shift", shift.id,
                 before={"weekday": shift.weekday, "starts": shift.starts.isoformat(),
                         "ends": shift.ends.isoformat(), "user_id": shift.user_id})
    db.session.delete(shift)
    db.session.flush()
    app_cache("rota_facts").clear()


def local_to_utc(value: datetime) -> datetime:
    """Read a naive date and time typed in the service's time zone as aware UTC."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=_zone()).astimezone(UTC)


def add_override(starts_at: datetime, ends_at: datetime, user_id: int, note: str,
                 actor: User) -> OnCallOverride:
    """Put someone on call for a one-off period, replacing the weekly rota then (audited)."""
    starts_at, ends_at = local_to_utc(starts_at), local_to_utc(ends_at)
    if ends_at <= starts_at:
        raise RotaError("The cover must end after it starts.")
    if ends_at - starts_at > timedelta(days=31):
        raise RotaError("One cover can last at most 31 days; add another for longer.")
    user = _staff(user_id)
    override = OnCallOverride(starts_at=starts_at, ends_at=ends_at, user_id=user.id,
                              note=note.strip()[:200], created_at=utcnow())
    db.session.add(override)
    db.session.flush()
    app_cache("rota_facts").clear()
    record_event(actor, "oncall.override_added", "oncall_override", override.id,
                 after={"starts_at": starts_at, "ends_at": ends_at, "user_id": user.id})
    return override


def delete_override(override_id: int, actor: User) -> None:
    """Remove a one-off cover (audited)."""
    override = db.session.get(OnCallOverride, override_id)
    if override is None:
        raise RotaError("This cover no longer exists.")
    record_event(actor, "oncall.override_removed", "oncall_override", override.id,
                 before={"starts_at": override.starts_at, "ends_at": override.ends_at,
                         "user_id": override.user_id})
    db.session.delete(override)
    db.session.flush()
    app_cache("rota_facts").clear()


def set_channels(user_id: int, email: str | None, email_enabled: bool, webhook_enabled: bool,
                 actor: User) -> AlertChannel:
    """Set where a person is alerted (audited)."""
    user = _staff(user_id)
    email = (email or "").strip() or None
    if email is not None and ("@" not in email or len(email) > 254 or any(
            c.isspace() for c in email)):
        raise RotaError("The alert email must look like name@example.org.")
    if not email_enabled and not webhook_enabled:
        raise RotaError(f"{user.name} needs at least one way to be alerted.")
    row = db.session.get(AlertChannel, user.id) or AlertChannel(user_id=user.id)
    row.email, row.email_enabled, row.webhook_enabled = email, email_enabled, webhook_enabled
    db.session.add(row)
    db.session.flush()
    record_event(actor, "oncall.channels_set", "user", user.id,
                 after={"email": email, "email_enabled": email_enabled,
                        "webhook_enabled": webhook_enabled})
    return row


def rota() -> dict[str, list]:
    """The rota as the page shows it: shifts by weekday and start, and overrides to come."""
    shifts = db.session.scalars(
        select(OnCallShift).order_by(OnCallShift.weekday, OnCallShift.starts, OnCallShift.id)
    ).all()
    overrides = db.session.scalars(
        select(OnCallOverride).where(OnCallOverride.ends_at > utcnow())
        .order_by(OnCallOverride.starts_at)
    ).all()
    return {"shifts": list(shifts), "overrides": list(overrides)}
