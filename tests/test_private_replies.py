"""Answering privately by email through the outbox, and closing without publishing."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, OutboxMessage, Reply, ReplyReview, db
from moderation.commands.worker import deliver_due
from moderation.services.claims import claim_comment
from moderation.services.private_replies import (
    NO_EMAIL,
    close_without_publishing,
    delivery_state,
    email_html,
    send_private_reply,
)
from moderation.services.replies import InvalidReply, publish_reply
from moderation.services.reports import answered_figures, period_weeks, resolve_period
from moderation.services.reviews import ReviewInput, record_review
from tests.alerting_servers import running_smtp

DISCLOSURE = ("My husband checks my phone and won't let me go to the GP on my own since the "
              "miscarriage. I don't know who to talk to.")
PRIVATE_TEXT = ("Thank you for trusting us with this. What you describe is not okay, and you "
                "deserve support.\n\nYou can call the national domestic abuse helpline any "
                "time, free: 0808 2000 247. <b>You are not alone.</b>")


@pytest.fixture
def smtp():
    with running_smtp() as server:
        yield server


@pytest.fixture
def app_config(app_config, smtp):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port,
            "SMTP_TIMEOUT_SECONDS": 2, "OUTBOX_MAX_ATTEMPTS": 2,
            "CHARITY_SIGNATURE": "The midwife team at the charity"}


@pytest.fixture
def disclosure(make_comment, midwife):
    comment = make_comment(DISCLOSURE, author_name="Jo", author_email="jo@example.net",
                           topic="emotional_support", red_flag=True,
                           red_flag_categories=["abuse"])
    claim_comment(comment.id, midwife)
    db.session.commit()
    return db.session.get(Comment, comment.id)


@pytest.fixture
def approve(make_user):
    """A second clinician approves a held private reply (four eyes, the default for private)."""
    second = make_user("midwife", name="Rosa Second")

    def approve_reply(reply: Reply) -> None:
        [review] = db.session.scalars(select(ReplyReview).where(ReplyReview.reply_id == reply.id))
        record_review(review.id, second, ReviewInput(verdict="agree"))
        db.session.commit()

    return approve_reply


def test_a_private_reply_reaches_the_poster_by_email_with_signature_and_escaped_html(
        app, midwife, disclosure, smtp, approve):
    reply = send_private_reply(disclosure.id, midwife, PRIVATE_TEXT,
                               expected_version=disclosure.version)
    db.session.commit()
    approve(reply)
    assert deliver_due("test-worker") == {"sent": 1}
    [(recipients, received)] = smtp.wait_for(1)
    assert recipients == ["jo@example.net"]
    message = email.message_from_bytes(received.as_bytes(), policy=email.policy.default)
    assert message.is_multipart()
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "0808 2000 247" in plain and "The midwife team at the charity" in plain
    # The HTML part escapes what she typed, and carries nothing that could track the reader.
    assert "&lt;b&gt;You are not alone.&lt;/b&gt;" in html and "<b>" not in html
    assert "<img" not in html and "http" not in html
    # The subject says nothing of what the person wrote.
    assert "husband" not in message["Subject"]
    db.session.expire_all()
    reply = db.session.get(Reply, reply.id)
    assert reply.kind == "private" and reply.published_at is None
    assert delivery_state(reply) == "delivered to the mail server"


def test_a_private_reply_is_never_on_the_page_the_feed_or_the_api(
        app, client, midwife, disclosure, smtp):
    send_private_reply(disclosure.id, midwife, PRIVATE_TEXT, expected_version=disclosure.version)
    db.session.commit()
    deliver_due("test-worker")
    comment = db.session.get(Comment, disclosure.id)
    assert comment.status == "private" and comment.published_at is None
    assert comment.first_replied_at is not None  # the response time still counts
    page = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    feed = client.get("/api/v1/pages/after-a-miscarriage/comments").get_data(as_text=True)
    for text in (page, feed):
        # (The page's own help box lists the helpline number, so the reply's words are checked.)
        assert "trusting us with this" not in text and "checks my phone" not in text


def test_a_private_reply_without_an_email_on_file_is_refused_and_nothing_is_sent(
        app, midwife, make_comment):
    comment = make_comment("Nobody knows I am here", author_email=None)
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(InvalidReply) as refused:
        send_private_reply(comment.id, midwife, PRIVATE_TEXT, expected_version=comment.version)
    assert str(refused.value) == NO_EMAIL
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.id)) is None
    assert db.session.get(Comment, comment.id).status == "pending"


def test_a_bounced_private_reply_shows_as_not_delivered_on_the_thread(
        app, midwife, disclosure, smtp, approve):
    smtp.handler.refuse = "550 No such user here"
    reply = send_private_reply(disclosure.id, midwife, PRIVATE_TEXT,
                               expected_version=disclosure.version)
    db.session.commit()
    approve(reply)
    assert deliver_due("test-worker") == {"dead": 1}
    db.session.expire_all()
    state = delivery_state(db.session.get(Reply, reply.id))
    assert state.startswith("NOT delivered") and "550" in state


def test_an_smtp_server_that_is_down_leaves_the_reply_queued_for_another_try(
        app, midwife, disclosure, smtp, approve):
    smtp.stop()
    reply = send_private_reply(disclosure.id, midwife, PRIVATE_TEXT,
                               expected_version=disclosure.version)
    db.session.commit()
    approve(reply)
    assert deliver_due("test-worker") == {"pending": 1}
    db.session.expire_all()
    state = delivery_state(db.session.get(Reply, reply.id))
    assert state.startswith("queued for sending again") and "unreachable" in state


def test_a_safeguarding_comment_cannot_be_published_as_it_stands(app, midwife, disclosure):
    with pytest.raises(InvalidReply, match="safeguarding"):
        publish_reply(disclosure.id, midwife, "Thank you for writing.",
                      expected_version=disclosure.version)
    db.session.rollback()
    assert db.session.get(Comment, disclosure.id).status == "pending"


def test_closing_without_publishing_needs_a_reason_and_is_audited(
        app, midwife, make_comment):
    comment = make_comment("Please just read this, no need to reply")
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(InvalidReply):
        close_without_publishing(comment.id, midwife, "", expected_version=comment.version)
    db.session.rollback()
    close_without_publishing(comment.id, midwife, "Asked us not to publish it",
                             expected_version=comment.version)
    db.session.commit()
    closed = db.session.get(Comment, comment.id)
    assert closed.status == "closed" and closed.moderation_reason == "Asked us not to publish it"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_id == comment.id, AuditEvent.action == "comment.closed"))


def test_the_composer_offers_private_first_for_safeguarding_and_sends_it_over_http(
        app, midwife_client, disclosure):
    html = midwife_client.get(f"/comments/{disclosure.id}").get_data(as_text=True)
    assert 'id="safeguarding-notice"' in html
    assert 'class="button primary" id="private-button"' in html
    response = midwife_client.post(f"/comments/{disclosure.id}/private", data={
        "body": PRIVATE_TEXT, "expected_version": disclosure.version})
    assert response.status_code == 302
    assert db.session.get(Comment, disclosure.id).status == "private"
    html = midwife_client.get(f"/comments/{disclosure.id}").get_data(as_text=True)
    # Four eyes: a private reply waits for a second clinician before it is emailed.
    assert "private email" in html and "waiting for a second clinician" in html


def test_a_private_reply_refused_over_http_keeps_her_text(app, midwife_client, make_comment,
                                                           midwife):
    comment = make_comment("No address left", author_email=None)
    response = midwife_client.post(f"/comments/{comment.id}/private", data={
        "body": "My careful words", "expected_version": comment.version})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "no email address" in html and "My careful words" in html


def test_the_html_alternative_escapes_every_line():
    html = email_html("<script>alert(1)</script>\nline two", "Team & co")
    assert "<script>" not in html and "&lt;script&gt;" in html and "Team &amp; co" in html


def test_a_private_reply_counts_in_the_response_time_report(app, midwife, disclosure, smtp):
    send_private_reply(disclosure.id, midwife, PRIVATE_TEXT, expected_version=disclosure.version)
    db.session.commit()
    period = resolve_period("7")
    figures = answered_figures(period, period_weeks(period, "Europe/London"), ("all",))
    assert figures["all"]["all"]["rows"] == 1 and figures["all"]["all"]["n_clock"] == 1
