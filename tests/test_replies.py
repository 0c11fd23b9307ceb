"""Replying: the composer, placeholders and blanks, publishing exactly once, reject and spam."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from models import AuditEvent, Comment, LabelCorrection, Reply, User, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.replies import (
    MAX_REPLY_CHARS,
    InvalidReply,
    ReplyConflict,
    mark_spam,
    publish_reply,
    reject_comment,
)
from moderation.services.snippets import (
    author_first_name,
    fill_placeholders,
    suggested_snippets,
    unfilled_blanks,
)


@pytest.fixture
def priya(make_user) -> User:
    """A second midwife, Priya."""
    return make_user("midwife", email="priya@example.test", name="Priya Shah")


@pytest.fixture
def claimed(midwife, make_comment):
    """Make a pending comment claimed by Sam (the `midwife` fixture)."""

    def make(body: str = "How long does the bleeding usually last?", **fields) -> Comment:
        comment = make_comment(body, **fields)
        claim_comment(comment.id, midwife)
        db.session.commit()
        return db.session.get(Comment, comment.id)

    return make


def reply_count(comment_id: int) -> int:
    return db.session.scalar(select(func.count(Reply.id)).where(Reply.comment_id == comment_id))


def events(comment_id: int, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "comment",
                                 AuditEvent.target_id == comment_id,
                                 AuditEvent.action == action).order_by(AuditEvent.id)
    ))


def fresh(comment_id: int) -> Comment:
    return db.session.get(Comment, comment_id, populate_existing=True)


def with_reasons(comment: Comment, reasons: list) -> None:
    """Give a comment the triage reasons the model would explain it with."""
    comment.triage_reasons = reasons
    db.session.commit()


def hidden_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no hidden field {name}"
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


def textarea_text(html: str) -> str:
    match = re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, "the composer has no reply textarea"
    return match.group(1)


# --- Placeholders and blanks ----------------------------------------------------------------

@pytest.mark.parametrize(("author", "greeting"), [
    ("Alex Morgan", "Alex"),
    ("sarah", "Sarah"),
    ("MARY-JANE SMITH", "Mary-Jane"),
    ("McKenzie", "McKenzie"),
    ("Anonymous", "there"),
    ("anonymous", "there"),
    ("", "there"),
    ("   ", "there"),
    ("mum2be", "there"),
    ("someone@example.org", "there"),
    ("Zoë", "Zoë"),
    ("O'Neill", "O'Neill"),
    ("<b>Bold</b>", "there"),
])
def test_first_name_is_greeted_kindly_or_falls_back_to_there(author, greeting):
    assert author_first_name(author) == greeting


def test_inserting_a_snippet_fills_the_name_and_the_midwifes_signature(
        app, midwife, make_comment):
    comment = make_comment(author_name="jess turner")
    text = fill_placeholders("Hi {first_name},\n\nKeep {braces} alone.\n\n{signature}",
                             comment, midwife)
    assert text == f"Hi Jess,\n\nKeep {{braces}} alone.\n\n{midwife.display_name}"


def test_blanks_are_listed_in_order():
    text = "It is [[how many weeks since the loss]] since, and [[what she describes]]."
    assert unfilled_blanks(text) == ["how many weeks since the loss", "what she describes"]
    assert unfilled_blanks("All filled in: six weeks.") == []


# --- Suggestions ----------------------------------------------------------------------------

def test_urgent_comment_gets_urgent_care_first_then_its_topic(make_comment, make_snippet):
    make_snippet("general_acknowledgement", topic="other", title="General", position=0)
    make_snippet("bleeding_duration", topic="bleeding", title="Bleeding", position=1)
    make_snippet("urgent_physical", topic=None, title="Urgent care", position=9)
    urgent = make_comment("Soaking a pad every hour and dizzy", urgency="urgent")
    routine = make_comment("How long does bleeding last?", urgency="routine")
    assert [s.key for s in suggested_snippets(urgent)] == [
        "urgent_physical", "bleeding_duration", "general_acknowledgement"]
    assert [s.key for s in suggested_snippets(routine)] == [
        "bleeding_duration", "general_acknowledgement", "urgent_physical"]


def test_retired_snippets_are_not_suggested(make_comment, make_snippet):
    make_snippet("bleeding_duration", active=False)
    make_snippet("bleeding_other", title="Other bleeding text")
    assert [s.key for s in suggested_snippets(make_comment())] == ["bleeding_other"]


# --- publish_reply: refusals ----------------------------------------------------------------

def test_a_reply_with_unfilled_blanks_is_refused_with_the_blanks_listed(midwife, claimed):
    comment = claimed()
    body = "Hi Alex, it is [[how many weeks since the loss]] now. [[what she describes]]"
    with pytest.raises(InvalidReply) as refused:
        publish_reply(comment.id, midwife, body, expected_version=comment.version)
    message = str(refused.value)
    assert "[[how many weeks since the loss]]" in message
    assert "[[what she describes]]" in message
    db.session.rollback()
    assert fresh(comment.id).status == "pending"
    assert reply_count(comment.id) == 0


@pytest.mark.parametrize("body", ["", "   \n\n  "])
def test_an_empty_reply_is_refused(midwife, claimed, body):
    comment = claimed()
    with pytest.raises(InvalidReply, match="The reply is empty"):
        publish_reply(comment.id, midwife, body, expected_version=comment.version)


def test_an_over_long_reply_is_refused_but_the_longest_allowed_is_published(midwife, claimed):
    comment = claimed()
    with pytest.raises(InvalidReply, match="5,001 characters"):
        publish_reply(comment.id, midwife, "a" * (MAX_REPLY_CHARS + 1),
                      expected_version=comment.version)
    reply = publish_reply(comment.id, midwife, "a" * MAX_REPLY_CHARS,
                          expected_version=comment.version)
    assert len(reply.body) == MAX_REPLY_CHARS


def test_leftover_placeholders_and_half_blanks_are_refused(midwife, claimed):
    comment = claimed()
    with pytest.raises(InvalidReply, match=r"\{first_name\}"):
        publish_reply(comment.id, midwife, "Hi {first_name}, thank you.",
                      expected_version=comment.version)
    with pytest.raises(InvalidReply, match="leftover"):
        publish_reply(comment.id, midwife, "It is six weeks]] now.",
                      expected_version=comment.version)


def test_publishing_a_comment_someone_else_is_answering_is_refused(midwife, priya, make_comment):
    comment = make_comment()
    claim_comment(comment.id, priya)
    db.session.commit()
    with pytest.raises(ReplyConflict, match="Being answered by Priya"):
        publish_reply(comment.id, midwife, "Thank you for writing.",
                      expected_version=fresh(comment.id).version)
    db.session.rollback()
    assert fresh(comment.id).status == "pending"
    assert fresh(comment.id).claimed_by_id == priya.id
    assert reply_count(comment.id) == 0


def test_an_expired_claim_nobody_took_is_taken_again_and_the_reply_published(
        midwife, make_comment):
    comment = make_comment()
    claim_comment(comment.id, midwife, now=utcnow() - timedelta(hours=1))
    db.session.commit()
    reply = publish_reply(comment.id, midwife, "Thank you for writing.",
                          expected_version=fresh(comment.id).version)
    db.session.commit()
    assert reply.published_at is not None
    assert fresh(comment.id).status == "published"


def test_a_comment_relabelled_while_she_wrote_is_not_published(midwife, priya, claimed):
    comment = claimed(urgency="routine")
    version_she_saw = comment.version
    # Priya corrects the urgency meanwhile: an ORM update, so the version moves on.
    comment.urgency = "urgent"
    db.session.add(LabelCorrection(comment_id=comment.id, user_id=priya.id, field="urgency",
                                   old_value="routine", new_value="urgent"))
    db.session.commit()
    with pytest.raises(ReplyConflict) as refused:
        publish_reply(comment.id, midwife, "Thank you.", expected_version=version_she_saw)
    assert "changed while you were writing" in str(refused.value)
    assert "Priya relabelled it (urgency: routine → urgent)" in str(refused.value)
    db.session.rollback()
    assert fresh(comment.id).status == "pending"
    assert reply_count(comment.id) == 0


def test_an_already_published_comment_gets_a_clear_message_and_no_second_reply(
        midwife, priya, make_comment):
    comment = make_comment()
    claim_comment(comment.id, priya)
    publish_reply(comment.id, priya, "Priya's answer.", expected_version=fresh(comment.id).version)
    db.session.commit()
    with pytest.raises(ReplyConflict, match="already published by Priya"):
        publish_reply(comment.id, midwife, "Sam's answer.",
                      expected_version=fresh(comment.id).version)
    db.session.rollback()
    assert reply_count(comment.id) == 1


def test_a_rejected_comment_cannot_be_published(midwife, claimed):
    comment = claimed()
    reject_comment(comment.id, midwife, "Duplicate of an earlier comment",
                   expected_version=comment.version)
    db.session.commit()
    with pytest.raises(ReplyConflict, match="already rejected by Sam"):
        publish_reply(comment.id, midwife, "Thank you.", expected_version=fresh(comment.id).version)
    db.session.rollback()
    assert fresh(comment.id).status == "rejected"
    assert reply_count(comment.id) == 0


# --- publish_reply: success -----------------------------------------------------------------

def test_publishing_records_the_reply_the_response_times_and_an_audit_event(
        midwife, make_comment, make_snippet):
    snippet = make_snippet()
    received = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 10:00 in London (GMT)
    now = received + timedelta(hours=1, minutes=30)
    comment = make_comment(received_at=received)
    claim_comment(comment.id, midwife, now=now - timedelta(minutes=5))
    db.session.commit()
    version = fresh(comment.id).version
    reply = publish_reply(comment.id, midwife, "  Hi Alex,\r\n\r\nSix weeks is normal.\n  ",
                          expected_version=version, snippet_id=snippet.id, snippet_version=1,
                          now=now)
    db.session.commit()
    comment = fresh(comment.id)
    assert reply.body == "Hi Alex,\n\nSix weeks is normal."
    assert (reply.snippet_id, reply.snippet_version) == (snippet.id, 1)
    assert reply.published_at == now
    assert comment.status == "published"
    # One stored moment: the visible one derives from the reply, the decided one from the answer.
    assert comment.published_at == comment.first_replied_at == comment.decided_at == now
    assert comment.moderated_at is None
    assert comment.moderated_by_id == midwife.id
    assert comment.response_seconds == 5400
    assert comment.response_working_seconds == 5400
    assert comment.claimed_by_id is None and comment.claim_expires_at is None
    assert comment.version == version + 1
    [audit] = events(comment.id, "reply.published")
    assert audit.actor_id == midwife.id
    assert audit.details["before"]["status"] == "pending"
    assert audit.details["after"]["status"] == "published"
    assert audit.details["reply_id"] == reply.id
    assert audit.details["response_seconds"] == 5400


def test_response_working_time_skips_the_weekend(midwife, make_comment):
    received = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # Friday 16:00
    now = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # Monday 10:00
    comment = make_comment(received_at=received)
    claim_comment(comment.id, midwife, now=now)
    reply = publish_reply(comment.id, midwife, "Thank you.",
                          expected_version=fresh(comment.id).version, now=now)
    assert reply.comment.response_seconds == 66 * 3600
    assert reply.comment.response_working_seconds == 2 * 3600


# --- Reject and spam ------------------------------------------------------------------------

@pytest.mark.parametrize("action", [reject_comment, mark_spam])
@pytest.mark.parametrize("reason", ["", "  ", "no", "x" * 501])
def test_reject_and_spam_need_a_reason_of_3_to_500_characters(midwife, claimed, action, reason):
    comment = claimed()
    with pytest.raises(InvalidReply, match="reason"):
        action(comment.id, midwife, reason, expected_version=comment.version)
    db.session.rollback()
    assert fresh(comment.id).status == "pending"


@pytest.mark.parametrize(("action", "status", "audit_action"), [
    (reject_comment, "rejected", "comment.rejected"),
    (mark_spam, "spam", "comment.marked_spam"),
])
def test_reject_and_spam_set_the_status_reason_and_audit(midwife, claimed, action, status,
                                                         audit_action):
    comment = claimed()
    action(comment.id, midwife, "  Advert for a clinic  ", expected_version=comment.version)
    db.session.commit()
    comment = fresh(comment.id)
    assert comment.status == status
    assert comment.moderation_reason == "Advert for a clinic"
    assert comment.moderated_by_id == midwife.id and comment.moderated_at is not None
    assert comment.claimed_by_id is None
    [audit] = events(comment.id, audit_action)
    assert audit.details["before"]["status"] == "pending"
    assert audit.details["after"]["status"] == status
    assert audit.details["reason"] == "Advert for a clinic"


def test_a_published_comment_cannot_then_be_rejected(midwife, claimed):
    comment = claimed()
    publish_reply(comment.id, midwife, "Thank you.", expected_version=comment.version)
    db.session.commit()
    with pytest.raises(ReplyConflict, match="already published"):
        reject_comment(comment.id, midwife, "Changed my mind",
                       expected_version=fresh(comment.id).version)
    db.session.rollback()
    assert fresh(comment.id).status == "published"


# --- Concurrency: exactly one reply per comment ---------------------------------------------

def _publish_in_thread(app, comment_id: int, user_id: int, body: str, version: int,
                       results: dict, start: threading.Barrier) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        start.wait(timeout=10)
        try:
            publish_reply(comment_id, user, body, expected_version=version)
            db.session.commit()
            results[body] = "published"
        except ReplyConflict as exc:
            db.session.rollback()
            results[body] = str(exc)
        finally:
            db.session.remove()


def _run_publishers(app, comment_id: int, publishers: list[tuple[int, str]], version: int):
    results: dict[str, str] = {}
    start = threading.Barrier(len(publishers))
    threads = [threading.Thread(target=_publish_in_thread,
                                args=(app, comment_id, user_id, body, version, results, start))
               for user_id, body in publishers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.committed
def test_a_double_submitted_publish_makes_exactly_one_reply(app, midwife, claimed):
    """Both requests pass every check, then race at the version-guarded UPDATE."""
    comment = claimed()
    at_the_update = threading.Barrier(2)

    def both_reach_the_update(mapper, connection, target):
        try:
            at_the_update.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass

    event.listen(Comment, "before_update", both_reach_the_update)
    try:
        results = _run_publishers(app, comment.id, [(midwife.id, "first tab"),
                                                    (midwife.id, "second tab")],
                                  comment.version)
    finally:
        event.remove(Comment, "before_update", both_reach_the_update)
    db.session.expire_all()
    assert sorted(results.values())[-1] == "published"
    outcomes = list(results.values())
    assert outcomes.count("published") == 1
    [loser] = [message for message in outcomes if message != "published"]
    assert "already published by Sam" in loser
    assert reply_count(comment.id) == 1
    assert len(events(comment.id, "reply.published")) == 1
    assert fresh(comment.id).status == "published"


@pytest.mark.committed
def test_two_midwives_publishing_at_once_make_exactly_one_reply(app, midwife, priya,
                                                                make_comment):
    """Nobody holds a live claim: both try to take it and publish; one wins."""
    comment = make_comment()
    claim_comment(comment.id, midwife, now=utcnow() - timedelta(hours=2))
    db.session.commit()
    results = _run_publishers(app, comment.id, [(midwife.id, "Sam's reply"),
                                                (priya.id, "Priya's reply")],
                              fresh(comment.id).version)
    db.session.expire_all()
    outcomes = list(results.values())
    assert len(outcomes) == 2
    assert outcomes.count("published") == 1
    [loser] = [message for message in outcomes if message != "published"]
    assert "already published" in loser or "Being answered by" in loser
    assert reply_count(comment.id) == 1
    [reply] = db.session.scalars(select(Reply).where(Reply.comment_id == comment.id))
    assert results[reply.body] == "published"


# --- HTTP: the composer ---------------------------------------------------------------------

def test_opening_a_comment_shows_it_in_context_without_claiming_it(
        midwife_client, midwife, make_comment, make_page):
    page = make_page("bleeding-after-miscarriage", "Bleeding after a miscarriage")
    older = make_comment("My first question, weeks ago", author_email="alex@example.org",
                         received_at=utcnow() - timedelta(days=30), status="published",
                         page=page)
    make_comment("A second, still pending", author_email="alex@example.org",
                 received_at=utcnow() - timedelta(days=2), page=page)
    make_comment("A rejected one", author_email="alex@example.org", status="rejected", page=page)
    make_comment("Someone else entirely", author_email="kim@example.org", page=page)
    comment = make_comment("Still bleeding after three weeks", author_email="alex@example.org",
                           page=page)
    with_reasons(comment, ["mentions bleeding for weeks", {"word": "three weeks", "weight": 0.4}])
    response = midwife_client.get(f"/comments/{comment.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fresh(comment.id).claimed_by_id is None  # reading is not claiming
    assert "Still bleeding after three weeks" in html
    assert "Bleeding after a miscarriage" in html
    assert "mentions bleeding for weeks" in html and "three weeks" in html
    # Earlier comments by the same email: only published ones, marked as unverified.
    assert f'/comments/{older.id}"' in html and "My first question, weeks ago" in html
    assert "same email, not verified" in html
    assert "A second, still pending" not in html and "A rejected one" not in html
    assert "Someone else entirely" not in html
    assert "Publish reply" not in html
    assert 'id="claim-button"' in html


def test_reply_button_claims_the_comment_and_opens_the_composer(
        midwife_client, midwife, make_comment):
    comment = make_comment()
    response = midwife_client.post(f"/comments/{comment.id}/claim")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/comments/{comment.id}"
    assert fresh(comment.id).claimed_by_id == midwife.id
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Publish reply" in html and 'id="claim-button"' not in html


def test_the_reply_button_does_not_take_a_comment_someone_else_holds(
        midwife_client, priya, make_comment):
    comment = make_comment()
    claim_comment(comment.id, priya)
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/claim", follow_redirects=True)
    assert "Being answered by Priya" in response.get_data(as_text=True)
    assert fresh(comment.id).claimed_by_id == priya.id


def test_a_comment_someone_else_is_answering_opens_read_only(
        midwife_client, priya, make_comment):
    comment = make_comment()
    claim_comment(comment.id, priya)
    db.session.commit()
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Being answered by Priya" in html
    assert "Publish reply" not in html
    assert fresh(comment.id).claimed_by_id == priya.id


def test_nothing_typed_is_rendered_as_html(midwife_client, make_comment, make_snippet):
    make_snippet(title="<script>alert('title')</script>", body="<em>Hi</em> {first_name}")
    comment = make_comment("<script>alert('comment')</script>", author_name="<b>Bold</b>")
    with_reasons(comment, ["<img src=x onerror=alert(1)>", {"<i>key</i>": "<u>value</u>"}])
    midwife_client.post(f"/comments/{comment.id}/claim")
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;comment&#39;)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<u>value</u>" not in html
    assert "<script>alert('title')" not in html and "<em>Hi</em>" not in html
    assert "&lt;em&gt;Hi&lt;/em&gt; there" in html  # "<b>Bold</b>" is not a name to greet
    response = midwife_client.post(f"/comments/{comment.id}/preview", data={
        "body": "Hello <script>alert('reply')</script>\n\nSecond paragraph",
        "expected_version": fresh(comment.id).version,
    })
    html = response.get_data(as_text=True)
    assert "<script>alert('reply')" not in html
    assert "<p>Hello &lt;script&gt;alert(&#39;reply&#39;)&lt;/script&gt;</p>" in html
    assert "<p>Second paragraph</p>" in html


def test_a_snippet_can_be_inserted_without_javascript(midwife_client, midwife, make_comment,
                                                      make_snippet):
    snippet = make_snippet(body="Hi {first_name},\n\nIt is [[how many weeks]] now.\n\n{signature}")
    comment = make_comment(author_name="jess")
    midwife_client.post(f"/comments/{comment.id}/claim")
    html = midwife_client.get(f"/comments/{comment.id}?snippet={snippet.key}").get_data(
        as_text=True)
    assert textarea_text(html).strip() == (
        f"Hi Jess,\n\nIt is [[how many weeks]] now.\n\n{midwife.display_name}")
    assert hidden_value(html, "snippet_id") == str(snippet.id)
    assert hidden_value(html, "snippet_version") == "1"
    assert "Still to fill in" in html and "[[how many weeks]]" in html


def test_the_composer_marks_overdue_snippets_and_puts_urgent_care_first(
        midwife_client, make_comment, make_snippet):
    make_snippet("bleeding_duration", review_by=date(2020, 1, 1))
    make_snippet("urgent_physical", topic=None, title="Getting urgent help now", position=5)
    comment = make_comment("Soaking a pad an hour", urgency="urgent")
    midwife_client.post(f"/comments/{comment.id}/claim")
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert html.index('id="insert-urgent_physical"') < html.index('id="insert-bleeding_duration"')
    assert "review overdue" in html


# --- HTTP: publish, reject, spam ------------------------------------------------------------

def test_publishing_through_the_form_redirects_to_the_queue_with_a_message(
        midwife_client, claimed):
    comment = claimed(author_name="Alex")
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Hi Alex,\n\nThat is normal.", "expected_version": comment.version,
        "confirm": "y",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Your reply to Alex is published." in midwife_client.get("/").get_data(as_text=True)
    assert fresh(comment.id).status == "published"


def test_publishing_needs_the_confirmation_box_and_keeps_the_text(midwife_client, claimed):
    comment = claimed()
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "My careful words", "expected_version": comment.version,
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ready to publish" in html
    assert "My careful words" in textarea_text(html)
    assert fresh(comment.id).status == "pending"


def test_blanks_refuse_publishing_over_http_and_keep_the_text(midwife_client, claimed):
    comment = claimed()
    body = "It is [[how many weeks since the loss]] since your loss.\n\nI edited this line."
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": body, "expected_version": comment.version, "confirm": "y",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Fill in the blank before publishing: [[how many weeks since the loss]]" in html
    assert "I edited this line." in textarea_text(html)
    assert reply_count(comment.id) == 0


def test_a_stale_form_gets_409_and_keeps_the_text(midwife_client, midwife, priya, claimed):
    comment = claimed()
    stale_version = comment.version
    comment.topic = "first_period"
    db.session.add(LabelCorrection(comment_id=comment.id, user_id=priya.id, field="topic",
                                   old_value="bleeding", new_value="first_period"))
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Words I must not lose", "expected_version": stale_version, "confirm": "y",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed while you were writing" in html
    assert "Words I must not lose" in textarea_text(html)
    # She may publish after looking again: the form now carries the version she sees.
    assert hidden_value(html, "expected_version") == str(fresh(comment.id).version)
    assert "Publish reply" in html


def test_relabelling_in_the_composer_makes_an_open_publish_form_stale(
        midwife_client, claimed):
    comment = claimed(urgency="routine")
    version_on_screen = comment.version
    relabelled = midwife_client.post(f"/comments/{comment.id}/labels", data={
        "urgency": "urgent", "topic": "bleeding", "expected_version": version_on_screen,
        "next": f"/comments/{comment.id}"})
    assert relabelled.headers["Location"] == f"/comments/{comment.id}"
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Written before the relabel", "expected_version": version_on_screen,
        "confirm": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sam relabelled it (urgency: routine → urgent)" in html
    assert "Written before the relabel" in textarea_text(html)
    assert fresh(comment.id).status == "pending"


def test_publishing_after_a_colleague_published_gets_409_text_kept_no_button(
        midwife_client, priya, make_comment):
    comment = make_comment()
    version = comment.version
    claim_comment(comment.id, priya)
    publish_reply(comment.id, priya, "Priya answered.", expected_version=version)
    db.session.commit()
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "My own answer", "expected_version": version, "confirm": "y",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "already published by Priya" in html
    assert "My own answer" in textarea_text(html)
    assert "Publish reply" not in html
    assert "Priya answered." in html
    assert reply_count(comment.id) == 1


def test_reject_over_http_needs_a_reason_and_keeps_the_reply_text(midwife_client, claimed):
    comment = claimed()
    response = midwife_client.post(f"/comments/{comment.id}/reject", data={
        "body": "Half-written reply", "reason": "", "expected_version": comment.version,
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a reason" in html
    assert "Half-written reply" in textarea_text(html)
    assert fresh(comment.id).status == "pending"


@pytest.mark.parametrize(("path", "status", "said"), [
    ("reject", "rejected", "was rejected"),
    ("spam", "spam", "was marked as spam"),
])
def test_reject_and_spam_over_http(midwife_client, claimed, path, status, said):
    comment = claimed(author_name="Kim")
    response = midwife_client.post(f"/comments/{comment.id}/{path}", data={
        "reason": "Selling supplements", "expected_version": comment.version,
    })
    assert response.status_code == 302
    assert f"The comment from Kim {said}." in midwife_client.get("/").get_data(as_text=True)
    assert fresh(comment.id).status == status


def test_publishing_without_a_csrf_token_changes_nothing(app, midwife_client, claimed):
    comment = claimed()
    app.config["WTF_CSRF_ENABLED"] = True
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Thank you", "expected_version": comment.version, "confirm": "y"})
    assert response.status_code == 400
    assert fresh(comment.id).status == "pending"
    assert reply_count(comment.id) == 0


def test_keepalive_renews_her_claim_and_refuses_someone_elses(
        midwife_client, priya, midwife, make_comment):
    mine = make_comment()
    claim_comment(mine.id, midwife, now=utcnow() - timedelta(minutes=2))
    theirs = make_comment()
    claim_comment(theirs.id, priya)
    db.session.commit()
    renewed = midwife_client.post(f"/comments/{mine.id}/keepalive")
    assert renewed.status_code == 200 and renewed.get_json()["ok"] is True
    assert fresh(mine.id).claim_expires_at > utcnow() + timedelta(minutes=2)
    refused = midwife_client.post(f"/comments/{theirs.id}/keepalive")
    assert refused.status_code == 409
    assert "Being answered by Priya" in refused.get_json()["message"]


def test_keepalive_needs_the_pages_csrf_token_in_a_header(app, midwife_client, claimed):
    comment = claimed()
    app.config["WTF_CSRF_ENABLED"] = True
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    token = hidden_value(html, "csrf_token")
    assert midwife_client.post(f"/comments/{comment.id}/keepalive").status_code == 400
    response = midwife_client.post(f"/comments/{comment.id}/keepalive",
                                   headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["ok"] is True


def test_an_unknown_comment_is_404(midwife_client):
    assert midwife_client.get("/comments/999999").status_code == 404
    assert midwife_client.post("/comments/999999/publish", data={
        "body": "x", "expected_version": 1, "confirm": "y"}).status_code == 404


def test_the_urgent_snippet_follows_the_red_flag_that_fired(make_comment, make_snippet):
    """A mental-health crisis brings up the mental-health snippet first, abuse the abuse one."""
    for position, key in enumerate(("urgent_physical", "urgent_mental_health", "urgent_abuse")):
        make_snippet(key, topic=None, title=key, position=position)
    crisis = make_comment("I've taken all my tablets", urgency="urgent")
    crisis.red_flag_categories = ["mental_health_crisis"]
    hurt = make_comment("he hit me again tonight", urgency="urgent")
    hurt.red_flag_categories = ["abuse", "safeguarding"]
    assert suggested_snippets(crisis)[0].key == "urgent_mental_health"
    assert suggested_snippets(hurt)[0].key == "urgent_abuse"
