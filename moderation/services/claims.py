"""Claims: a midwife's lease on a comment while she answers it.

A claim is taken with ONE guarded UPDATE whose WHERE clause only matches a pending comment that
is free, expired or already held by the same midwife; exactly one changed row means she has it.
The statement is a Core update, not an ORM flush, so it never bumps Comment.version: renewing a
claim must not invalidate the publish form the midwife has open.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, update

from models import Comment, User, db, utcnow
from moderation.services.alerts import stop_escalation
from moderation.services.audit import record_event
from moderation.services.queue import QueueFilters, view_conditions
from moderation.services.settings import current_policy
from moderation.services.wellbeing import record_distressing_open, take_next_preference

# Core table: updates through it bypass the ORM's version counter on purpose (see above).
comments_table = Comment.__table__

# How often take-next retries when another midwife won the race for its candidate.
TAKE_NEXT_ATTEMPTS = 10

STATUS_MESSAGES = {
    "published": "This comment has already been published.",
    "rejected": "This comment has been rejected.",
    "spam": "This comment has been marked as spam.",
}


class ClaimError(Exception):
    """A claim could not be taken or changed; str(exc) is the message to show."""

    def __init__(self, message: str, holder_name: str | None = None) -> None:
        super().__init__(message)
        self.holder_name = holder_name


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def _claim_is_free(user: User, now: datetime) -> Any:
    """The SQL condition under which `user` may take or renew a claim."""
    return or_(Comment.is_unclaimed(now), comments_table.c.claimed_by_id == user.id)


def _claim_values(user: User, now: datetime) -> dict[str, Any]:
    expires = now + timedelta(minutes=current_policy().claim_timeout_minutes)
    live_own = Comment.claim_held_by(user.id, now)
    return {
        "claimed_by_id": user.id,
        # A renewal keeps the moment the midwife first took the comment.
        "claimed_at": case((live_own, comments_table.c.claimed_at), else_=now),
        "claim_expires_at": expires,
        "first_claimed_at": _first_claim(now),
    }


def _first_claim(now: datetime) -> Any:
    """Keep the first claim's time (the reports' time to first claim)."""
    return func.coalesce(comments_table.c.first_claimed_at, now)


def _holder_snapshot(comment_id: int) -> tuple[int | None, datetime | None] | None:
    row = db.session.execute(
        select(comments_table.c.claimed_by_id, comments_table.c.claim_expires_at).where(
            comments_table.c.id == comment_id
        )
    ).first()
    return None if row is None else (row[0], row[1])


def _refreshed(comment_id: int) -> Comment:
    """Load the comment afresh: the Core update left any ORM copy stale."""
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    assert comment is not None
    return comment


def _why_not(comment_id: int, user: User, now: datetime, *, renewing: bool = False) -> ClaimError:
    """Explain why a guarded claim statement changed no row."""
    comment = _refreshed_or_none(comment_id)
    if comment is None:
        return ClaimError("This comment no longer exists.")
    if comment.status != "pending":
        return ClaimError(STATUS_MESSAGES.get(comment.status, "This comment is not pending."))
    if comment.claim_is_live(now) and comment.claimed_by_id != user.id:
        holder = comment.claimed_by
        name = holder.display_name if holder is not None else None
        return ClaimError(f"Being answered by {name or 'another midwife'}", holder_name=name)
    if renewing:
        return ClaimError("Your claim on this comment has expired. Open it again to answer it.")
    return ClaimError("This comment changed just now. Please try again.")


def _refreshed_or_none(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id, populate_existing=True)


def _audit_claim(action: str, user: User, comment_id: int,
                 before: tuple[int | None, datetime | None] | None,
                 after_holder: int | None, expires: datetime | None, **extra: Any) -> None:
    record_event(
        user, action, "comment", comment_id,
        before={"claimed_by_id": before[0] if before else None,
                "claim_expires_at": before[1] if before else None},
        after={"claimed_by_id": after_holder, "claim_expires_at": expires},
        **extra,
    )


def claim_comment(comment_id: int, user: User, now: datetime | None = None) -> Comment:
    """Claim a pending comment for `user` (or renew her own claim); raise ClaimError if taken."""
    now = _now(now)
    before = _holder_snapshot(comment_id)
    values = _claim_values(user, now)
    result = db.session.execute(
        update(comments_table)
        .where(comments_table.c.id == comment_id, comments_table.c.status == "pending",
               _claim_is_free(user, now))
        .values(**values)
    )
    if result.rowcount != 1:
        raise _why_not(comment_id, user, now)
    renewed = before is not None and before[0] == user.id and (
        before[1] is not None and before[1] >= now)
    _audit_claim("comment.claim_renewed" if renewed else "comment.claimed", user, comment_id,
                 before, user.id, values["claim_expires_at"])
    # Someone has it: the on-call alerts about it stop here.
    stop_escalation(comment_id, user, now)
    if not renewed:
        record_distressing_open(comment_id, user, now)
    return _refreshed(comment_id)


def renew_claim(comment_id: int, user: User, now: datetime | None = None) -> Comment:
    """Extend `user`'s own live claim; raise ClaimError if she no longer holds it."""
    now = _now(now)
    before = _holder_snapshot(comment_id)
    expires = now + timedelta(minutes=current_policy().claim_timeout_minutes)
    result = db.session.execute(
        update(comments_table)
        .where(comments_table.c.id == comment_id, comments_table.c.status == "pending",
               Comment.claim_held_by(user.id, now))
        .values(claim_expires_at=expires)
    )
    if result.rowcount != 1:
        raise _why_not(comment_id, user, now, renewing=True)
    _audit_claim("comment.claim_renewed", user, comment_id, before, user.id, expires)
    return _refreshed(comment_id)


def release_claim(comment_id: int, user: User) -> None:
    """Give a claim back; only its holder or a supervisor may release it."""
    guard = [comments_table.c.id == comment_id, comments_table.c.claimed_by_id.is_not(None)]
    if not user.is_supervisor:
        guard.append(comments_table.c.claimed_by_id == user.id)
    before = _holder_snapshot(comment_id)
    if before is None:
        raise ClaimError("This comment no longer exists.")
    result = db.session.execute(
        update(comments_table).where(*guard)
        .values(claimed_by_id=None, claimed_at=None, claim_expires_at=None)
    )
    if result.rowcount != 1:
        comment = _refreshed(comment_id)
        if comment.claimed_by_id is None:
            raise ClaimError("Nobody is answering this comment.")
        holder = comment.claimed_by
        name = holder.display_name if holder is not None else None
        raise ClaimError(f"Only {name or 'the midwife answering it'} or a supervisor can "
                         "release this comment.", holder_name=name)
    _audit_claim("comment.claim_released", user, comment_id, before, None, None)
    _refreshed(comment_id)


def _queue_candidate(now: datetime, *, lock: bool, view: list[Any]) -> Any:
    """The id of the top unclaimed pending comment, as a scalar subquery (evaluated once)."""
    statement = (
        select(comments_table.c.id)
        .where(comments_table.c.status == "pending", Comment.is_unclaimed(now), *view)
        .order_by(*Comment.queue_order())
        .limit(1)
    )
    if lock:
        # Rows another transaction is claiming right now are skipped, not waited for.
        statement = statement.with_for_update(skip_locked=True)
    return statement.scalar_subquery()


def take_next_comment(user: User, now: datetime | None = None,
                      filters: QueueFilters | None = None) -> Comment | None:
    """Atomically claim the top unclaimed pending comment in queue order, or return None.

    With `filters` (the midwife's current view) it takes from that view only, still in queue
    order, so the urgent lane comes first within the view. After her soft limit of
    distressing comments it tries the others first (the urgent lane always stays in).
    """
    view = view_conditions(filters) if filters is not None else []
    now = _now(now)
    preference = take_next_preference(user, now)
    taken = None
    if preference is not None:
        taken = _take_first(user, now, [*view, preference])
    if taken is None:
        taken = _take_first(user, now, view)
    if taken is not None:
        record_distressing_open(taken.id, user, now)
    return taken


def _take_first(user: User, now: datetime, view: list[Any]) -> Comment | None:
    """Claim the first unclaimed pending comment matching `view`, in queue order."""
    expires = now + timedelta(minutes=current_policy().claim_timeout_minutes)
    is_postgres = db.session.get_bind().dialect.name == "postgresql"
    for _ in range(TAKE_NEXT_ATTEMPTS):
        # One statement picks and claims. On PostgreSQL the candidate row is locked with SKIP
        # LOCKED; SQLite takes its write lock before the subquery reads, so writers queue up.
        # The outer guard repeats the condition: a row changed meanwhile is never taken twice.
        # (Never an UPDATE ... FROM (subquery LIMIT 1): PostgreSQL may rescan such a subquery
        # once per row and claim many comments.)
        claimed_id = db.session.execute(
            update(comments_table)
            .where(comments_table.c.id == _queue_candidate(now, lock=is_postgres, view=view),
                   comments_table.c.status == "pending", Comment.is_unclaimed(now))
            .values(claimed_by_id=user.id, claimed_at=now, claim_expires_at=expires,
                    first_claimed_at=_first_claim(now))
            .returning(comments_table.c.id)
        ).scalar_one_or_none()
        if claimed_id is not None:
            # The guard proves nobody held a live claim before; an expired holder is in the
            # audit event of the claim that expired.
            record_event(user, "comment.claimed", "comment", claimed_id, via="take_next",
                         before={"live_claim": False},
                         after={"claimed_by_id": user.id, "claim_expires_at": expires})
            stop_escalation(claimed_id, user, now)
            return _refreshed(claimed_id)
        still_free = db.session.execute(
            select(comments_table.c.id)
            .where(comments_table.c.status == "pending", Comment.is_unclaimed(now), *view).limit(1)
        ).first()
        if still_free is None:
            return None
    return None


def holds_live_claim(comment: Comment, user: User, now: datetime | None = None) -> bool:
    """Tell whether `user` holds an unexpired claim on this comment."""
    return comment.claim_held_by(user.id, _now(now))
