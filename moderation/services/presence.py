"""Presence on a comment: who else has it open, who is replying, and the claim's time left.

The composer page polls; each poll records that this person is still there and answers who
else was seen in the last PRESENCE_SECONDS. Replying means holding the live claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models import Comment, Presence, User, db, utcnow

PRESENCE_SECONDS = 30
CLAIM_WARNING = timedelta(minutes=2)


class PresenceError(LookupError):
    """The comment does not exist."""


@dataclass(frozen=True)
class Someone:
    """Another person on the comment, and whether she is viewing or replying."""

    name: str
    activity: str  # "viewing" or "replying"


@dataclass(frozen=True)
class PresenceReport:
    """What the composer page shows beside the comment."""

    others: list[Someone]
    claim_holder: str | None
    claim_is_mine: bool
    claim_expires_at: datetime | None
    seconds_left: int | None
    warn: bool

    def as_json(self) -> dict:
        """The report as the page's script reads it."""
        return {
            "others": [{"name": s.name, "activity": s.activity} for s in self.others],
            "claim": {"holder": self.claim_holder, "mine": self.claim_is_mine,
                      "expires_at": self.claim_expires_at.isoformat()
                      if self.claim_expires_at else None,
                      "seconds_left": self.seconds_left, "warn": self.warn},
        }


def _touch(comment_id: int, user: User, now: datetime) -> None:
    updated = db.session.execute(
        update(Presence).where(Presence.comment_id == comment_id, Presence.user_id == user.id)
        .values(seen_at=now).execution_options(synchronize_session=False))
    if updated.rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Presence(comment_id=comment_id, user_id=user.id, seen_at=now))
    except IntegrityError:
        # Her other tab inserted the row first: update it instead.
        db.session.execute(
            update(Presence).where(Presence.comment_id == comment_id,
                                   Presence.user_id == user.id)
            .values(seen_at=now).execution_options(synchronize_session=False))


def report_presence(comment_id: int, user: User, now: datetime | None = None) -> PresenceReport:
    """Record that `user` is on this comment now, and say who else is and the claim's state."""
    now = now or utcnow()
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise PresenceError("This comment no longer exists.")
    _touch(comment_id, user, now)
    live = comment.status == "pending" and comment.claim_is_live(now)
    holder_id = comment.claimed_by_id if live else None
    rows = db.session.execute(
        select(User.id, User.display_name).join(Presence, Presence.user_id == User.id)
        .where(Presence.comment_id == comment_id, Presence.user_id != user.id,
               Presence.seen_at >= now - timedelta(seconds=PRESENCE_SECONDS))
        .order_by(User.display_name)).all()
    others = [Someone(name, "replying" if uid == holder_id else "viewing") for uid, name in rows]
    holder = comment.claimed_by.display_name if live and comment.claimed_by else None
    if live and holder_id != user.id and all(s.name != holder for s in others):
        # She holds the claim but her page is closed: still say who is answering.
        others.append(Someone(holder or "another midwife", "replying"))
    seconds_left = int((comment.claim_expires_at - now).total_seconds()) if live else None
    mine = live and holder_id == user.id
    return PresenceReport(
        others=others, claim_holder=holder, claim_is_mine=mine,
        claim_expires_at=comment.claim_expires_at if live else None,
        seconds_left=seconds_left,
        warn=bool(mine and seconds_left is not None
                  and seconds_left <= CLAIM_WARNING.total_seconds()))
