"""Claims: one midwife answers a comment at a time, and take-next never hands it out twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, db, utcnow
from moderation.services.claims import (
    ClaimError,
    claim_comment,
    holds_live_claim,
    release_claim,
    renew_claim,
    take_next_comment,
)
from moderation.services.settings import update_settings


def audit_actions(comment_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "comment", AuditEvent.target_id == comment_id)
        .order_by(AuditEvent.id)
    ))


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


# --- claim_comment -----------------------------------------------------------------------

def test_claiming_a_free_comment_makes_the_midwife_its_holder_for_the_timeout(
        midwife, make_comment):
    comment = make_comment()
    now = utcnow()
    claimed = claim_comment(comment.id, midwife, now=now)
    db.session.commit()
    assert claimed.claimed_by_id == midwife.id
    assert claimed.claim_expires_at == now + timedelta(minutes=3)
    assert holds_live_claim(claimed, midwife, now=now)
    assert audit_actions(comment.id) == ["comment.claimed"]


def test_claim_timeout_follows_the_supervisors_setting(midwife, supervisor, make_comment):
    update_settings({"claim_timeout_minutes": 5}, supervisor)
    db.session.commit()
    comment = make_comment()
    now = utcnow()
    assert claim_comment(comment.id, midwife, now=now).claim_expires_at == now + timedelta(
        minutes=5)


def test_a_second_midwife_is_told_who_is_answering(midwife, jo, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(ClaimError) as caught:
        claim_comment(comment.id, jo)
    assert str(caught.value) == "Being answered by Sam"
    assert caught.value.holder_name == "Sam"
    assert db.session.get(Comment, comment.id).claimed_by_id == midwife.id


def test_claiming_does_not_bump_the_version_so_an_open_publish_form_stays_valid(
        midwife, make_comment):
    comment = make_comment()
    version = comment.version
    now = utcnow()
    claim_comment(comment.id, midwife, now=now)
    renewed = claim_comment(comment.id, midwife, now=now + timedelta(minutes=2))
    db.session.commit()
    assert renewed.version == version
    assert renewed.claim_expires_at == now + timedelta(minutes=5)
    # Renewing keeps the moment she first took it.
    assert renewed.claimed_at == now
    assert audit_actions(comment.id) == ["comment.claimed", "comment.claim_renewed"]


def test_an_expired_claim_can_be_taken_over(midwife, jo, make_comment):
    comment = make_comment()
    start = utcnow()
    claim_comment(comment.id, midwife, now=start)
    db.session.commit()
    later = start + timedelta(minutes=21)
    taken = claim_comment(comment.id, jo, now=later)
    db.session.commit()
    assert taken.claimed_by_id == jo.id
    assert not holds_live_claim(taken, midwife, now=later)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.details["before"]["claimed_by_id"] == midwife.id
    assert event.details["after"]["claimed_by_id"] == jo.id


@pytest.mark.parametrize("status, message", [
    ("published", "already been published"),
    ("rejected", "has been rejected"),
    ("spam", "marked as spam"),
])
def test_a_comment_no_longer_pending_cannot_be_claimed(midwife, make_comment, status, message):
    comment = make_comment(status=status)
    with pytest.raises(ClaimError, match=message):
        claim_comment(comment.id, midwife)


def test_a_missing_comment_cannot_be_claimed(midwife):
    with pytest.raises(ClaimError, match="no longer exists"):
        claim_comment(999_999, midwife)


# --- renew and release -------------------------------------------------------------------

def test_renew_extends_only_the_holders_live_claim(midwife, jo, make_comment):
    comment = make_comment()
    now = utcnow()
    claim_comment(comment.id, midwife, now=now)
    db.session.commit()
    assert renew_claim(comment.id, midwife, now=now + timedelta(minutes=2)).claim_expires_at == (
        now + timedelta(minutes=5))
    with pytest.raises(ClaimError, match="Being answered by Sam"):
        renew_claim(comment.id, jo, now=now + timedelta(minutes=2))
    with pytest.raises(ClaimError, match="expired"):
        renew_claim(comment.id, midwife, now=now + timedelta(minutes=60))


def test_the_holder_releases_her_claim_and_the_comment_is_free_again(midwife, jo, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    release_claim(comment.id, midwife)
    db.session.commit()
    released = db.session.get(Comment, comment.id)
    assert released.claimed_by_id is None and released.claim_expires_at is None
    assert claim_comment(comment.id, jo).claimed_by_id == jo.id
    assert audit_actions(comment.id) == [
        "comment.claimed", "comment.claim_released", "comment.claimed"]


def test_another_midwife_cannot_release_a_claim_but_a_supervisor_can(
        midwife, jo, supervisor, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(ClaimError, match="Only Sam or a supervisor"):
        release_claim(comment.id, jo)
    assert db.session.get(Comment, comment.id).claimed_by_id == midwife.id
    release_claim(comment.id, supervisor)
    db.session.commit()
    assert db.session.get(Comment, comment.id).claimed_by_id is None


# --- take next ---------------------------------------------------------------------------

def test_take_next_claims_the_top_of_the_queue(midwife, make_comment):
    now = utcnow()
    make_comment("routine question", urgency="routine", due_at=now + timedelta(hours=30))
    top = make_comment("urgent now", urgency="urgent", due_at=now + timedelta(minutes=40))
    make_comment("priority", urgency="priority", due_at=now + timedelta(hours=3))
    taken = take_next_comment(midwife, now=now)
    db.session.commit()
    assert taken.id == top.id
    assert taken.claimed_by_id == midwife.id
    assert audit_actions(top.id) == ["comment.claimed"]


def test_take_next_follows_the_urgent_lane_before_any_overdue_comment(midwife, jo, make_comment):
    now = utcnow()
    overdue = make_comment("HR policy question", urgency="routine",
                           received_at=now - timedelta(days=6), due_at=now - timedelta(days=4))
    check_soon = make_comment("possible risk", urgency="priority", check_soon=True,
                              due_at=now + timedelta(hours=4))
    urgent = make_comment("Soaking a pad every 30 mins. help", urgency="urgent",
                          urgent_probability=0.8, due_at=now + timedelta(minutes=59))
    red_flag = make_comment("Everyone would be better off without me", urgency="urgent",
                            red_flag=True, urgent_probability=0.7,
                            due_at=now + timedelta(minutes=59))
    taken = [take_next_comment(midwife, now=now).id for _ in range(4)]
    db.session.commit()
    assert taken == [red_flag.id, urgent.id, check_soon.id, overdue.id]
    assert take_next_comment(jo, now=now) is None


def test_take_next_skips_comments_claimed_by_others_and_takes_expired_ones(
        midwife, jo, make_comment):
    now = utcnow()
    first = make_comment(due_at=now + timedelta(minutes=10))
    second = make_comment(due_at=now + timedelta(minutes=20))
    claim_comment(first.id, jo, now=now)
    db.session.commit()
    assert take_next_comment(midwife, now=now).id == second.id
    db.session.commit()
    assert take_next_comment(midwife, now=now + timedelta(minutes=21)).id == first.id


def test_take_next_returns_none_when_nothing_is_left(midwife, jo, make_comment):
    make_comment(status="published")
    claimed = make_comment()
    claim_comment(claimed.id, jo)
    db.session.commit()
    assert take_next_comment(midwife) is None


def test_take_next_does_not_bump_the_version(midwife, make_comment):
    comment = make_comment()
    assert take_next_comment(midwife).version == comment.version


# --- concurrency -------------------------------------------------------------------------

def _take_next_concurrently(app, midwife_ids: list[int]) -> list[int | None]:
    """Each midwife calls take-next at once from her own thread, session and transaction."""
    from models import User

    barrier = threading.Barrier(len(midwife_ids))
    results: list[int | None] = [None] * len(midwife_ids)
    errors: list[BaseException] = []

    def work(index: int, user_id: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                # Loaded after the barrier: a thread waiting there must not hold a pooled
                # connection that another thread needs.
                user = db.session.get(User, user_id)
                comment = take_next_comment(user)
                db.session.commit()
                results[index] = comment.id if comment else None
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, uid)) for i, uid in enumerate(midwife_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.committed
def test_twenty_concurrent_take_next_calls_never_hand_one_comment_to_two_midwives(
        app, make_user, make_comment):
    midwives = [make_user("midwife") for _ in range(20)]
    now = utcnow()
    comment_ids = [make_comment(f"question {i}", due_at=now + timedelta(minutes=i)).id
                   for i in range(25)]
    midwife_ids = [m.id for m in midwives]
    db.session.remove()

    results = _take_next_concurrently(app, midwife_ids)

    assert None not in results
    assert len(set(results)) == 20
    # The twenty taken are the top twenty of the queue, each held by the midwife who got it.
    assert set(results) == set(comment_ids[:20])
    holders = dict(db.session.execute(
        select(Comment.id, Comment.claimed_by_id).where(Comment.claimed_by_id.is_not(None))
    ).all())
    assert holders == dict(zip(results, midwife_ids, strict=True))


@pytest.mark.committed
def test_concurrent_take_next_with_fewer_comments_than_midwives(app, make_user, make_comment):
    midwives = [make_user("midwife") for _ in range(8)]
    now = utcnow()
    comment_ids = [make_comment(f"question {i}", due_at=now + timedelta(minutes=i)).id
                   for i in range(3)]
    midwife_ids = [m.id for m in midwives]
    db.session.remove()

    results = _take_next_concurrently(app, midwife_ids)

    taken = [r for r in results if r is not None]
    assert sorted(taken) == sorted(comment_ids)
    assert results.count(None) == 5


@pytest.mark.committed
def test_concurrent_claims_of_one_comment_have_exactly_one_winner(app, make_user, make_comment):
    from models import User

    midwives = [make_user("midwife") for _ in range(10)]
    comment = make_comment()
    ids = [m.id for m in midwives]
    comment_id = comment.id
    db.session.remove()
    barrier = threading.Barrier(len(ids))
    winners: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def work(user_id: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                user = db.session.get(User, user_id)
                try:
                    claim_comment(comment_id, user)
                    db.session.commit()
                    winners.append(user_id)
                except ClaimError as exc:
                    db.session.rollback()
                    refusals.append(str(exc))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(uid,)) for uid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(winners) == 1
    assert len(refusals) == 9
    assert all(r.startswith("Being answered by ") for r in refusals)
    assert db.session.get(Comment, comment_id).claimed_by_id == winners[0]
