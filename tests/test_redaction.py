"""Redaction: what the midwife removes never reaches the public, in any form."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, db
from models.comment import redact_text
from moderation.services.claims import claim_comment
from moderation.services.redaction import find_spans, merge_spans, redact
from moderation.services.replies import InvalidReply, ReplyConflict, publish_reply

BODY = ("I lost our baby at 9 weeks at St Elsewhere General Hospital last month. The nurse "
        "there, Mrs Haversham, was kind. Is it normal to still bleed a little?")
HOSPITAL = "St Elsewhere General Hospital"


@pytest.fixture
def pending(make_comment, midwife):
    comment = make_comment(BODY, author_name="Kim", author_email="kim@example.net")
    claim_comment(comment.id, midwife)
    db.session.commit()
    return db.session.get(Comment, comment.id)


def publish(comment_id: int, midwife) -> None:
    comment = db.session.get(Comment, comment_id)
    publish_reply(comment_id, midwife, "A little bleeding can go on for a few weeks.",
                  expected_version=comment.version)
    db.session.commit()


def test_the_public_sees_removed_where_the_hospital_was(app, midwife, pending):
    result = redact(pending.id, midwife, HOSPITAL, expected_version=pending.version)
    db.session.commit()
    assert result.added == [[BODY.index(HOSPITAL), BODY.index(HOSPITAL) + len(HOSPITAL)]]
    comment = db.session.get(Comment, pending.id)
    assert comment.body == BODY  # the original is kept
    assert comment.public_body == BODY.replace(HOSPITAL, "[removed]")


@pytest.mark.committed
def test_the_original_never_leaks_through_page_source_feed_api_or_exports(
        app, client, midwife, pending, supervisor_client):
    redact(pending.id, midwife, HOSPITAL, expected_version=pending.version)
    db.session.commit()
    redact(pending.id, midwife, "Mrs Haversham")
    db.session.commit()
    publish(pending.id, midwife)

    # Each streamed export is read to its end before the next request.
    sources = {
        "page": client.get("/pages/after-a-miscarriage").get_data(as_text=True),
        "feed": client.get("/api/v1/pages/after-a-miscarriage/comments").get_data(as_text=True),
        "csv": supervisor_client.post("/exports/threads", data={"format": "csv"})
        .get_data().decode("utf-8-sig"),
        "json": supervisor_client.post("/exports/threads", data={"format": "json"})
        .get_data(as_text=True),
    }
    for name, text in sources.items():
        assert "Elsewhere" not in text and "Haversham" not in text, name
        assert "[removed]" in text, name
    assert "Is it normal to still bleed a little?" in sources["page"]
    [shown] = json.loads(sources["feed"])["comments"]
    assert shown["body"] == redact_text(BODY, db.session.get(Comment, pending.id).redactions)


def test_the_original_is_shown_to_supervisors_only(app, midwife, pending, midwife_client,
                                                   supervisor_client):
    redact(pending.id, midwife, HOSPITAL, expected_version=pending.version)
    db.session.commit()
    midwife_view = midwife_client.get(f"/comments/{pending.id}").get_data(as_text=True)
    supervisor_view = supervisor_client.get(f"/comments/{pending.id}").get_data(as_text=True)
    assert "Elsewhere" not in midwife_view and "[removed]" in midwife_view
    assert "Elsewhere" in supervisor_view and 'id="redaction-original"' in supervisor_view


def test_every_redaction_is_audited_with_the_spans_before_and_after(app, midwife, pending):
    redact(pending.id, midwife, HOSPITAL, expected_version=pending.version)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "comment.redacted")).one()
    assert event.actor_id == midwife.id and event.target_id == pending.id
    assert event.details["before"] == {"redactions": []}
    assert event.details["after"]["redactions"] == db.session.get(
        Comment, pending.id).redactions


def test_overlapping_redactions_are_merged_into_one_removed_part(app, midwife, pending):
    redact(pending.id, midwife, "General Hospital", expected_version=pending.version)
    db.session.commit()
    result = redact(pending.id, midwife, "St Elsewhere General")
    db.session.commit()
    assert result.merged
    comment = db.session.get(Comment, pending.id)
    assert len(comment.redactions) == 1
    assert comment.public_body.count("[removed]") == 1 and "Elsewhere" not in comment.public_body


def test_a_redaction_that_would_remove_everything_is_refused_and_changes_nothing(
        app, midwife, make_comment):
    comment = make_comment("Help me please")
    with pytest.raises(InvalidReply, match="whole comment"):
        redact(comment.id, midwife, "help me please")
    db.session.rollback()
    assert db.session.get(Comment, comment.id).redactions == []


@pytest.mark.parametrize("text, message", [
    ("", "nothing was given"),
    ("Queen Mary's", "not in the comment"),
])
def test_unusable_redactions_get_a_clear_message(app, midwife, pending, text, message):
    with pytest.raises(InvalidReply, match=message):
        redact(pending.id, midwife, text)


def test_a_redaction_chosen_from_an_older_version_is_refused(app, midwife, pending):
    with pytest.raises(ReplyConflict, match="changed since you opened it"):
        redact(pending.id, midwife, HOSPITAL, expected_version=pending.version - 1)


def test_redacting_text_already_removed_says_so(app, midwife, pending):
    redact(pending.id, midwife, HOSPITAL)
    db.session.commit()
    with pytest.raises(InvalidReply, match="already removed"):
        redact(pending.id, midwife, "Elsewhere General")


def test_redaction_matches_every_occurrence_ignoring_case_and_spacing():
    body = "Ward 7 was busy. I asked ward  7 again."
    assert find_spans(body, "ward 7") == [[0, 6], [25, 32]]
    assert merge_spans([[5, 9], [0, 3], [3, 4], [8, 12]]) == ([[0, 4], [5, 12]], True)


def test_redacting_over_http_then_publishing_shows_removed_on_the_page(
        app, client, midwife, midwife_client, pending):
    response = midwife_client.post(f"/comments/{pending.id}/redact", data={
        "text": HOSPITAL, "expected_version": pending.version})
    assert response.status_code == 302
    flashed = midwife_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Redacted in 1 place" in flashed
    publish(pending.id, midwife)
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "[removed] last month" in html and "Elsewhere" not in html


def test_a_refused_redaction_over_http_says_why(app, midwife_client, pending):
    response = midwife_client.post(f"/comments/{pending.id}/redact",
                                   data={"text": "not in there"}, follow_redirects=True)
    assert "is not in the comment as written" in response.get_data(as_text=True)


def test_a_supervisor_restores_the_original_of_a_pending_comment(app, midwife, pending,
                                                                 supervisor_client):
    redact(pending.id, midwife, HOSPITAL)
    db.session.commit()
    response = supervisor_client.post(f"/comments/{pending.id}/redactions/clear")
    assert response.status_code == 302
    assert db.session.get(Comment, pending.id).redactions == []
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "comment.redactions_removed"))
