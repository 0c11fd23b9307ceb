"""After Publish: the undo window, editing a published reply, unpublishing with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, Reply, ReplyVersion, User, db, utcnow
from moderation.formatting import iso_utc
from moderation.services.claims import claim_comment
from moderation.services.feed import find_page, published_threads
from moderation.services.replies import InvalidReply, ReplyConflict, publish_reply
from moderation.services.threads import (
    NotAllowed,
    edit_reply,
    undo_publish,
    unpublish_reply,
    unpublish_thread,
)

FIRST = "Some bleeding for two weeks is common. If it soaks a pad an hour, call 111."
FIXED = "Some bleeding for two to three weeks is common. If it soaks a pad an hour, call 111."


@pytest.fixture
def priya(make_user) -> User:
    return make_user("midwife", email="priya@example.test", name="Priya Shah")


@pytest.fixture
def published(app, midwife, make_comment):
    """Publish Sam's reply to a fresh comment at a given moment (window as configured)."""

    def make(now=None, body: str = FIRST) -> Reply:
        comment = make_comment("How long will I bleed after a miscarriage at 8 weeks?")
        claim_comment(comment.id, midwife, now)
        db.session.commit()
        version = db.session.get(Comment, comment.id).version  # after the claim
        reply = publish_reply(comment.id, midwife, body, expected_version=version, now=now)
        db.session.commit()
        return reply

    return make


@pytest.fixture
def with_window(app):
    app.config["REPLY_UNDO_SECONDS"] = 30
    return 30


def page_html(client) -> str:
    return client.get("/pages/after-a-miscarriage").get_data(as_text=True)


def test_a_reply_is_not_public_during_the_undo_window_then_is(app, client, with_window,
                                                              published):
    now = utcnow()
    reply = published(now)
    assert reply.published_at == now + timedelta(seconds=30)
    assert FIRST not in page_html(client)
    page = find_page("after-a-miscarriage")
    assert published_threads(page, now + timedelta(seconds=29)) == []
    [thread] = published_threads(page, now + timedelta(seconds=30))
    assert [r.id for r in thread.replies] == [reply.id]


def test_undo_within_the_window_takes_the_reply_back_and_the_comment_is_hers_again(
        app, client, with_window, published, midwife):
    now = utcnow()
    reply = published(now)
    undo_publish(reply.id, midwife, now + timedelta(seconds=10))
    db.session.commit()
    db.session.expire_all()
    reply = db.session.get(Reply, reply.id)
    comment = reply.comment
    assert reply.published_at is None and reply.withdrawn_at is not None
    assert comment.status == "pending" and comment.first_replied_at is None
    assert comment.claimed_by_id == midwife.id
    assert FIRST not in page_html(client)
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "reply.undone")) == "reply.undone"


def test_undo_after_the_window_is_refused_and_the_reply_stays(app, with_window, published,
                                                              midwife):
    now = utcnow()
    reply = published(now)
    with pytest.raises(ReplyConflict, match="undo window has closed"):
        undo_publish(reply.id, midwife, now + timedelta(seconds=31))
    db.session.rollback()
    assert db.session.get(Reply, reply.id).published_at is not None


def test_only_the_midwife_who_published_can_undo(app, with_window, published, priya):
    reply = published(utcnow())
    with pytest.raises(NotAllowed):
        undo_publish(reply.id, priya)


def test_publish_then_undo_over_http_gives_her_text_back(app, client, with_window,
                                                         midwife_client, make_comment):
    comment = make_comment("Is spotting normal at 6 weeks after?")
    midwife_client.get(f"/comments/{comment.id}")
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": FIRST, "expected_version": db.session.get(Comment, comment.id).version,
        "confirm": "y"})
    assert response.status_code == 302 and f"/comments/{comment.id}" in response.headers[
        "Location"]
    html = midwife_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "goes public at" in html and 'id="undo-button"' in html
    reply_id = db.session.scalar(select(Reply.id))
    undone = midwife_client.post(f"/replies/{reply_id}/undo")
    text = undone.get_data(as_text=True)
    assert undone.status_code == 200 and "Taken back" in text and FIRST in text
    assert db.session.get(Comment, comment.id).status == "pending"
    assert FIRST not in page_html(client)


def test_editing_shows_edited_publicly_and_keeps_every_version(app, client, published,
                                                               midwife):
    reply = published()
    edit_reply(reply.id, midwife, FIXED, expected_version=reply.version)
    db.session.commit()
    html = page_html(client)
    assert FIXED in html and FIRST not in html and ">edited<" in html
    versions = db.session.scalars(select(ReplyVersion).where(
        ReplyVersion.reply_id == reply.id).order_by(ReplyVersion.version)).all()
    assert [(v.version, v.body) for v in versions] == [(1, FIRST), (2, FIXED)]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "reply.edited")).one()
    assert event.details["before"]["body"] == FIRST and event.details["after"]["body"] == FIXED
    feed = client.get("/api/v1/pages/after-a-miscarriage/comments").get_json()
    assert feed["comments"][0]["replies"][0]["edited"] is True


def test_an_edit_written_against_an_older_version_is_refused_and_keeps_nothing(
        app, published, midwife):
    reply = published()
    edit_reply(reply.id, midwife, FIXED, expected_version=1)
    db.session.commit()
    with pytest.raises(ReplyConflict, match="changed by Sam"):
        edit_reply(reply.id, midwife, "A third text", expected_version=1)
    db.session.rollback()
    assert db.session.get(Reply, reply.id).body == FIXED


def test_an_edit_over_http_that_conflicts_keeps_her_text(app, published, midwife,
                                                         midwife_client):
    reply = published()
    page = midwife_client.get(f"/replies/{reply.id}/edit").get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in page and FIRST in page
    edit_reply(reply.id, midwife, FIXED, expected_version=1)
    db.session.commit()
    response = midwife_client.post(f"/replies/{reply.id}/edit", data={
        "body": "My newer wording", "expected_version": 1})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "My newer wording" in html
    assert "while you were editing" in html


def test_a_colleague_cannot_edit_her_reply_and_bad_text_is_refused(app, published, midwife,
                                                                   priya):
    reply = published()
    with pytest.raises(NotAllowed):
        edit_reply(reply.id, priya, FIXED, expected_version=reply.version)
    with pytest.raises(InvalidReply, match="empty"):
        edit_reply(reply.id, midwife, "   ", expected_version=reply.version)


def test_a_supervisor_unpublishes_a_reply_with_a_reason(app, client, published, supervisor,
                                                        midwife):
    reply = published()
    with pytest.raises(NotAllowed):
        unpublish_reply(reply.id, midwife, "Wrong advice")
    with pytest.raises(InvalidReply):
        unpublish_reply(reply.id, supervisor, "")
    unpublish_reply(reply.id, supervisor, "Out-of-date advice on bleeding")
    db.session.commit()
    assert FIRST not in page_html(client)
    reply = db.session.get(Reply, reply.id)
    assert reply.withdraw_reason == "Out-of-date advice on bleeding"
    assert reply.body == FIRST  # kept for the record


def test_a_comment_whose_only_reply_is_unpublished_stays_on_the_feed_from_the_same_moment(
        app, client, published, supervisor):
    reply = published()
    moment = db.session.get(Comment, reply.comment_id).published_at
    unpublish_reply(reply.id, supervisor, "Out-of-date advice on bleeding")
    db.session.commit()
    db.session.expire_all()
    comment = db.session.get(Comment, reply.comment_id)
    assert comment.status == "published" and comment.published_at == moment
    feed = client.get("/api/v1/pages/after-a-miscarriage/comments").get_json()
    [shown] = feed["comments"]
    assert shown["id"] == comment.id and shown["replies"] == [] and not shown["verified"]
    assert shown["published_at"] == iso_utc(moment)
    with pytest.raises(ReplyConflict, match="not published"):
        unpublish_reply(reply.id, supervisor, "again")


def test_a_supervisor_unpublishes_a_whole_thread_over_http(app, client, published,
                                                           supervisor_client):
    reply = published()
    comment_id = reply.comment_id
    response = supervisor_client.post(f"/comments/{comment_id}/unpublish",
                                      data={"reason": "The poster asked us to remove it"})
    assert response.status_code == 302
    html = page_html(client)
    assert FIRST not in html and "How long will I bleed" not in html
    comment = db.session.get(Comment, comment_id)
    assert comment.status == "unpublished"
    with pytest.raises(ReplyConflict):
        unpublish_thread(comment_id, db.session.get(User, comment.moderated_by_id), "again")
