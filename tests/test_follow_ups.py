"""Threads: a poster's follow-up joins the conversation, is answered there and shown in order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Comment, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.intake import THREAD_CLOSED, IntakeError, receive_comment
from moderation.services.replies import publish_reply, reject_comment
from moderation.services.sites import create_site
from moderation.services.threads import unpublish_thread
from tests.test_intake import comment_request

QUESTION = "Three weeks on and I'm still bleeding on and off. Should I worry?"
ANSWER = "Bleeding can come and go for a few weeks. If it gets heavier, call 111."
FOLLOW_UP = "Thank you. It got heavier yesterday evening, is that what you meant?"
SECOND_ANSWER = "Yes: please call 111 today and tell them about the miscarriage."


def answer(comment_id: int, midwife, body: str, now=None) -> None:
    claim_comment(comment_id, midwife, now)
    comment = db.session.get(Comment, comment_id)
    publish_reply(comment_id, midwife, body, expected_version=comment.version, now=now)
    db.session.commit()


@pytest.fixture
def answered(app, midwife):
    """A first comment from the website, answered a day ago."""
    earlier = utcnow() - timedelta(days=1)
    comment = receive_comment(comment_request(body=QUESTION, external_id="wp-1"), None).comment
    comment.received_at = earlier - timedelta(hours=2)
    db.session.commit()
    answer(comment.id, midwife, ANSWER, earlier)
    return db.session.get(Comment, comment.id)


def follow_up(in_reply_to: int, external_id: str = "wp-2", body: str = FOLLOW_UP) -> Comment:
    comment = receive_comment(comment_request(body=body, external_id=external_id,
                                              in_reply_to=in_reply_to), None).comment
    db.session.commit()
    return comment


def test_a_follow_up_joins_the_thread_and_waits_in_the_queue(app, answered):
    later = follow_up(answered.id)
    assert later.in_reply_to_id == answered.id and later.status == "pending"


def test_a_follow_up_to_a_follow_up_joins_the_first_comments_thread(app, answered, midwife):
    later = follow_up(answered.id)
    answer(later.id, midwife, SECOND_ANSWER)
    third = follow_up(later.id, "wp-3", "And if it stops again?")
    assert third.in_reply_to_id == answered.id


def test_the_composer_shows_the_conversation_so_far(app, answered, midwife_client):
    later = follow_up(answered.id)
    html = midwife_client.get(f"/comments/{later.id}").get_data(as_text=True)
    assert "A follow-up: the conversation so far" in html
    assert QUESTION.replace("'", "&#39;") in html and ANSWER in html


def test_the_page_and_feed_show_the_whole_thread_in_order(app, client, answered, midwife):
    later = follow_up(answered.id)
    answer(later.id, midwife, SECOND_ANSWER)
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    positions = [html.index(text) for text in (
        QUESTION.replace("'", "&#39;"), ANSWER, FOLLOW_UP, SECOND_ANSWER)]
    assert positions == sorted(positions)
    assert html.count('class="thread"') == 1
    feed = client.get("/api/v1/pages/after-a-miscarriage/comments").get_json()
    [thread] = feed["comments"]
    assert [r["body"] for r in thread["replies"]] == [ANSWER]
    [joined] = thread["follow_ups"]
    assert joined["body"] == FOLLOW_UP and [r["body"] for r in joined["replies"]] == [
        SECOND_ANSWER]


def test_the_thread_keeps_its_first_reply_time_for_the_reports(app, answered, midwife):
    first_replied = answered.first_replied_at
    later = follow_up(answered.id)
    answer(later.id, midwife, SECOND_ANSWER)
    assert db.session.get(Comment, answered.id).first_replied_at == first_replied


def test_a_follow_up_to_an_unpublished_thread_is_refused_and_stores_nothing(
        app, answered, supervisor):
    unpublish_thread(answered.id, supervisor, "The poster asked us to take it down")
    db.session.commit()
    with pytest.raises(IntakeError) as refused:
        follow_up(answered.id)
    assert refused.value.errors == {"in_reply_to": THREAD_CLOSED}


def test_a_follow_up_to_a_rejected_comment_is_refused(app, midwife):
    comment = receive_comment(comment_request(external_id="wp-9"), None).comment
    db.session.commit()
    claim_comment(comment.id, midwife)
    reject_comment(comment.id, midwife, "Advertising",
                   expected_version=db.session.get(Comment, comment.id).version)
    db.session.commit()
    with pytest.raises(IntakeError, match="closed"):
        follow_up(comment.id)


def test_the_api_answers_a_closed_thread_with_a_clear_422(app, client, answered, supervisor):
    _site, key = create_site("charity-website")
    unpublish_thread(answered.id, supervisor, "Taken down on request")
    db.session.commit()
    response = client.post("/api/v1/comments", headers={"Authorization": f"Bearer {key}"},
                           json=comment_request(external_id="wp-5", in_reply_to=answered.id))
    assert response.status_code == 422
    assert response.get_json(force=True)["errors"] == {"in_reply_to": THREAD_CLOSED}
    bad = client.post("/api/v1/comments", headers={"Authorization": f"Bearer {key}"},
                      json=comment_request(external_id="wp-6", in_reply_to="seven"))
    assert bad.status_code == 422 and "in_reply_to" in bad.get_json(force=True)["errors"]


def test_the_public_reply_link_posts_a_follow_up_and_a_closed_thread_keeps_the_text(
        app, client, answered, supervisor):
    page = client.get(f"/pages/after-a-miscarriage?reply_to={answered.id}")
    assert 'id="replying-to"' in page.get_data(as_text=True)
    # Heavier bleeding fires the red-flag advice; Jo has read it and posts anyway.
    response = client.post("/pages/after-a-miscarriage", data={
        "author_name": "Jo", "body": FOLLOW_UP, "in_reply_to": str(answered.id),
        "form_token": "a" * 32, "confirmed": "1"})
    assert response.status_code == 303
    joined = db.session.query(Comment).filter_by(in_reply_to_id=answered.id).one()
    assert joined.body == FOLLOW_UP
    unpublish_thread(answered.id, supervisor, "Taken down on request")
    db.session.commit()
    refused = client.post("/pages/after-a-miscarriage", data={
        "author_name": "Jo", "body": "One more question", "in_reply_to": str(answered.id),
        "form_token": "b" * 32})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "closed to new replies" in html
    assert "One more question" in html


def test_the_demo_has_a_follow_up_in_an_answered_thread_and_a_disclosure_to_answer_privately(
        app, runner):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    [joined] = db.session.query(Comment).filter(Comment.in_reply_to_id.is_not(None)).all()
    root = db.session.get(Comment, joined.in_reply_to_id)
    assert root.status == "published" and joined.status == "pending"
    disclosure = db.session.query(Comment).filter(
        Comment.author_email == "mel.writes@example.net").one()
    assert "abuse" in disclosure.red_flag_categories
