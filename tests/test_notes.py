"""Internal notes on a thread and @mentions: never public, and the colleague is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Comment, NoteMention, OutboxMessage, db
from moderation.services.claims import claim_comment
from moderation.services.notes import add_note, notes_for
from moderation.services.replies import InvalidReply, publish_reply

NOTE = "Checked with @priya: she knows this poster from last month's thread."


@pytest.fixture
def priya(make_user):
    return make_user("midwife", email="priya@example.test", name="Priya Shah")


def test_a_mention_reaches_the_colleague_in_the_app_and_by_email(
        app, midwife, priya, make_comment, app_config):
    comment = make_comment("Is it normal to feel so angry?")
    add_note(comment.id, midwife, NOTE)
    db.session.commit()
    [mention] = db.session.scalars(select(NoteMention)).all()
    assert mention.user_id == priya.id and mention.seen_at is None
    [email] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mention"))
    assert email.recipient == priya.email and "Sam mentioned you" in email.subject
    assert "last month's thread" not in email.body  # the note stays in the app


def test_she_sees_the_mention_and_opening_it_marks_it_seen(app, midwife, priya, make_comment,
                                                            client):
    from tests.conftest import sign_in

    comment = make_comment("Is it normal to feel so angry?")
    add_note(comment.id, midwife, NOTE)
    db.session.commit()
    sign_in(client, priya)
    html = client.get("/mentions").get_data(as_text=True)
    assert 'id="mention-count">1<' in html and "last month" in html
    mention_id = db.session.scalar(select(NoteMention.id))
    opened = client.get(f"/mentions/{mention_id}")
    assert opened.status_code == 302 and f"/comments/{comment.id}" in opened.headers["Location"]
    assert db.session.get(NoteMention, mention_id).seen_at is not None


def test_an_unknown_or_ambiguous_mention_is_refused_and_saves_nothing(
        app, midwife, priya, make_user, make_comment):
    make_user("midwife", email="priya.k@example.test", name="Priya Kaur")
    comment = make_comment("Question")
    with pytest.raises(InvalidReply, match="Nobody here is called @zed"):
        add_note(comment.id, midwife, "ask @zed")
    with pytest.raises(InvalidReply, match="could be several people"):
        add_note(comment.id, midwife, "ask @priya")
    db.session.rollback()
    add_note(comment.id, midwife, "ask @priya.k")
    db.session.commit()
    assert len(notes_for(db.session.get(Comment, comment.id))) == 1


def test_notes_are_never_on_the_page_the_feed_or_the_export(app, client, midwife, priya,
                                                            make_comment, supervisor_client):
    comment = make_comment("How long will I bleed for?")
    add_note(comment.id, midwife, "Internal: poster sounded low, check in next week @priya")
    claim_comment(comment.id, midwife)
    db.session.commit()
    publish_reply(comment.id, midwife, "Usually a week or two.",
                  expected_version=db.session.get(Comment, comment.id).version)
    db.session.commit()
    texts = [
        client.get("/pages/after-a-miscarriage").get_data(as_text=True),
        client.get("/api/v1/pages/after-a-miscarriage/comments").get_data(as_text=True),
        supervisor_client.post("/exports/threads", data={"format": "json"})
        .get_data(as_text=True),
    ]
    assert "Usually a week or two." in texts[0]
    assert all("poster sounded low" not in text for text in texts)


def test_a_note_added_over_http_shows_on_the_composer_and_an_empty_one_is_refused(
        app, midwife_client, make_comment):
    comment = make_comment("Question")
    midwife_client.post(f"/comments/{comment.id}/notes", data={"body": "Seen by the GP too"})
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Internal notes (1)" in html and "Seen by the GP too" in html
    refused = midwife_client.post(f"/comments/{comment.id}/notes", data={"body": "  "})
    assert refused.status_code == 422 and "The note is empty" in refused.get_data(as_text=True)
    unknown = midwife_client.post(f"/comments/{comment.id}/notes",
                                  data={"body": "A long careful note for @nobody"})
    assert unknown.status_code == 422
    assert "A long careful note for @nobody" in unknown.get_data(as_text=True)
