"""The comment's life cycle in models/comment.py: one meaning of "someone is answering it"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Comment, db, utcnow
from models.comment import InvalidTransition


def _ids(condition) -> set[int]:
    return set(db.session.scalars(select(Comment.id).where(condition)))


def test_a_claim_is_live_until_its_expiry_moment_in_python_and_in_sql_alike(
    make_comment, midwife
):
    now = utcnow()
    held = make_comment("held", claimed_by_id=midwife.id, claim_expires_at=now)
    lapsed = make_comment("lapsed", claimed_by_id=midwife.id,
                          claim_expires_at=now - timedelta(microseconds=1))
    free = make_comment("free")
    db.session.commit()

    assert [c.claim_is_live(now) for c in (held, lapsed, free)] == [True, False, False]
    assert [c.is_unclaimed(now) for c in (held, lapsed, free)] == [False, True, True]
    assert _ids(Comment.claim_is_live(now)) == {held.id}
    assert _ids(Comment.is_unclaimed(now)) == {lapsed.id, free.id}


def test_only_the_holder_of_a_live_claim_holds_it(make_comment, midwife, supervisor):
    now = utcnow()
    comment = make_comment(claimed_by_id=midwife.id, claim_expires_at=now + timedelta(minutes=3))
    db.session.commit()

    assert comment.claim_held_by(midwife.id, now)
    assert not comment.claim_held_by(supervisor.id, now)
    assert not comment.claim_held_by(midwife.id, now + timedelta(minutes=4))
    assert _ids(Comment.claim_held_by(midwife.id, now)) == {comment.id}
    assert _ids(Comment.claim_held_by(supervisor.id, now)) == set()


def test_a_comment_moves_only_along_its_life_cycle(make_comment):
    comment = make_comment(status="rejected")
    with pytest.raises(InvalidTransition, match="is rejected: it cannot become published"):
        comment.move_to("published")
    assert comment.status == "rejected"
    comment.move_to("pending")
    comment.move_to("published")
    assert comment.status == "published"


def test_a_closed_comment_never_comes_back(make_comment):
    comment = make_comment(status="closed")
    for status in ("pending", "published", "unpublished"):
        with pytest.raises(InvalidTransition):
            comment.move_to(status)
