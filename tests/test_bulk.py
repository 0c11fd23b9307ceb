"""Bulk spam or reject from the queue, audited per comment, with an undo for a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, db, utcnow
from moderation.services.bulk import BulkError, bulk_close, undo_bulk
from moderation.services.claims import claim_comment


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


def fresh(comment: Comment) -> Comment:
    return db.session.get(Comment, comment.id, populate_existing=True)


def test_several_comments_become_spam_with_one_reason_each_audited(app, midwife, make_comment):
    spam = [make_comment(f"Buy cheap pills {n}") for n in range(3)]
    result = bulk_close([c.id for c in spam], midwife, "spam", "Advertising, not a question")
    db.session.commit()
    assert result.done == [c.id for c in spam] and result.skipped == []
    for comment in spam:
        comment = fresh(comment)
        assert comment.status == "spam" and comment.moderated_by_id == midwife.id
        assert comment.moderation_reason == "Advertising, not a question"
    audited = db.session.scalars(select(AuditEvent.target_id).where(
        AuditEvent.action == "comment.marked_spam")).all()
    assert sorted(audited) == sorted(c.id for c in spam)


def test_a_comment_someone_is_answering_or_already_closed_is_left_with_a_reason(
        app, midwife, jo, make_comment):
    answering = make_comment("Jo is on this one")
    claim_comment(answering.id, jo)
    closed = make_comment("Already rejected", status="rejected")
    free = make_comment("Free")
    result = bulk_close([answering.id, closed.id, free.id], midwife, "reject",
                        "Duplicate of an earlier comment")
    assert result.done == [free.id]
    assert dict(result.skipped) == {answering.id: "Jo is answering it",
                                    closed.id: "it is already rejected"}
    assert fresh(answering).status == "pending"


def test_no_reason_or_no_selection_changes_nothing(app, midwife, make_comment):
    comment = make_comment("x")
    with pytest.raises(BulkError, match="reason"):
        bulk_close([comment.id], midwife, "spam", "")
    with pytest.raises(BulkError, match="at least one"):
        bulk_close([], midwife, "spam", "Advertising")
    with pytest.raises(BulkError):
        bulk_close([comment.id], midwife, "publish", "Advertising")
    assert fresh(comment).status == "pending"


def test_undo_within_a_minute_puts_them_back_and_not_after(app, midwife, make_comment):
    now = utcnow()
    first, second = make_comment("one"), make_comment("two")
    bulk_close([first.id], midwife, "spam", "Advertising", now=now)
    bulk_close([second.id], midwife, "spam", "Advertising", now=now - timedelta(minutes=2))
    result = undo_bulk([first.id, second.id], midwife, now=now + timedelta(seconds=30))
    db.session.commit()
    assert result.done == [first.id]
    assert result.skipped == [(second.id, "more than a minute has passed")]
    assert fresh(first).status == "pending" and fresh(first).moderation_reason is None
    assert fresh(second).status == "spam"


def test_nobody_undoes_what_someone_else_closed(app, midwife, jo, make_comment):
    comment = make_comment("one")
    bulk_close([comment.id], jo, "reject", "Not about our pages")
    result = undo_bulk([comment.id], midwife)
    assert result.done == [] and fresh(comment).status == "rejected"


def test_bulk_and_undo_over_http(midwife_client, make_comment):
    comments = [make_comment(f"spam {n}") for n in range(2)]
    response = midwife_client.post("/queue/bulk", data={
        "comment_ids": [str(c.id) for c in comments], "action": "spam",
        "reason": "Advertising", "next": "/"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "2 comments marked as spam." in html and 'id="bulk-undo"' in html
    assert all(fresh(c).status == "spam" for c in comments)
    html = midwife_client.post("/queue/bulk/undo", data={"next": "/"},
                               follow_redirects=True).get_data(as_text=True)
    assert "Undone: 2 comments are back in the queue." in html
    assert all(fresh(c).status == "pending" for c in comments)


def test_bulk_without_a_reason_says_so_over_http(midwife_client, make_comment):
    comment = make_comment("x")
    html = midwife_client.post("/queue/bulk", data={
        "comment_ids": [str(comment.id)], "action": "reject", "reason": ""},
        follow_redirects=True).get_data(as_text=True)
    assert "Nothing was changed: Give a reason" in html
    assert fresh(comment).status == "pending"
