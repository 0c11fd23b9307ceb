"""The comment's life cycle in models/comment.py: one meaning of "someone is answering it"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Comment, Reply, db, utcnow
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


# --- Moments: each stored once, the rest derived in Python and in SQL alike --------------------

def test_a_comment_is_published_from_its_earliest_public_reply_in_python_and_in_sql(
    make_comment, make_reply, midwife
):
    now = utcnow()
    answered = make_comment("answered", status="published")
    make_reply(answered, midwife, "later", published_at=now + timedelta(seconds=30))
    make_reply(answered, midwife, "first", published_at=now - timedelta(hours=1))
    held = make_comment("held for a second clinician", status="published")
    db.session.add(Reply(comment_id=held.id, midwife_id=midwife.id, body="held",
                         created_at=now, published_at=None))
    private = make_comment("answered by email", status="private")
    db.session.add(Reply(comment_id=private.id, midwife_id=midwife.id, body="email",
                         kind="private", created_at=now))
    db.session.commit()
    db.session.expire_all()

    comments = [db.session.get(Comment, c.id) for c in (answered, held, private)]
    assert [c.published_at for c in comments] == [now - timedelta(hours=1), None, None]
    in_sql = dict(db.session.execute(select(Comment.id, Comment.published_at)
                                     .where(Comment.id.in_([c.id for c in comments]))).all())
    assert in_sql == {c.id: c.published_at for c in comments}
    assert [c.is_public_at(now) for c in comments] == [True, False, False]
    assert _ids(Comment.is_public_at(now)) == {answered.id}
    assert _ids(Comment.is_public_at(now - timedelta(hours=2))) == set()


def test_an_unpublished_reply_keeps_its_moment_but_is_no_longer_published(
    make_comment, make_reply, midwife
):
    now = utcnow()
    comment = make_comment(status="published")
    live = make_reply(comment, midwife, "live", published_at=now)
    withdrawn = make_reply(comment, midwife, "withdrawn", published_at=now, withdrawn_at=now)
    db.session.commit()

    assert (live.is_published, withdrawn.is_published) == (True, False)
    assert not withdrawn.is_public_at(now) and withdrawn.published_at == now
    published_ids = set(db.session.scalars(select(Reply.id).where(Reply.is_published)))
    assert live.id in published_ids and withdrawn.id not in published_ids


def test_a_comment_is_decided_when_first_answered_or_when_moderated_otherwise(make_comment):
    now = utcnow()
    answered = make_comment("answered", status="published",
                            first_replied_at=now - timedelta(hours=2))
    unpublished = make_comment("unpublished later", status="unpublished",
                               first_replied_at=now - timedelta(hours=2), moderated_at=now)
    waiting = make_comment("waiting")
    db.session.commit()

    comments = (answered, unpublished, waiting)
    assert [c.decided_at for c in comments] == [now - timedelta(hours=2), now, None]
    in_sql = dict(db.session.execute(select(Comment.id, Comment.decided_at)
                                     .where(Comment.id.in_([c.id for c in comments]))).all())
    assert in_sql == {c.id: c.decided_at for c in comments}


def test_answering_records_its_moment_once_and_other_outcomes_their_own(make_comment, midwife):
    now = utcnow()
    comment = make_comment()
    comment.record_first_answer(now, 60, 30)
    comment.record_first_answer(now + timedelta(minutes=5), 360, 330)
    comment.record_outcome("published", midwife.id, now)
    assert (comment.first_replied_at, comment.response_seconds) == (now, 60)
    assert comment.moderated_at is None and comment.decided_at == now
    comment.record_outcome("unpublished", midwife.id, now + timedelta(days=1))
    assert comment.moderated_at == comment.decided_at == now + timedelta(days=1)
    rejected = make_comment()
    rejected.record_outcome("rejected", midwife.id, now)
    assert rejected.moderated_at == rejected.decided_at == now
    assert rejected.first_replied_at is None
