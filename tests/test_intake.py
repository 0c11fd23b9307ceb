"""Comment intake as a service: validation, idempotency, triage on arrival, hostile input."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Comment, Page, db, utcnow
from moderation.services.intake import (
    MAX_BODY,
    ImportRecord,
    ImportReport,
    IntakeError,
    import_batch,
    receive_comment,
    submit_public_comment,
    validate_comment,
)
from moderation.services.sites import create_site

URGENT_BODY = (
    "I had a miscarriage last week and tonight the bleeding is suddenly much heavier, "
    "I'm soaking a pad every hour and I feel faint and dizzy when I stand up. What should I do?"
)
ROUTINE_BODY = "Thank you for this page, it helped me understand what happened to us."


def comment_request(**overrides: Any) -> dict[str, Any]:
    """A valid intake request as the charity's website sends it; fields can be overridden."""
    data: dict[str, Any] = {
        "page": {
            "slug": "after-a-miscarriage",
            "title": "After a miscarriage",
            "url": "https://www.example.org/health/after-a-miscarriage",
        },
        "author_name": "Jo",
        "author_email": "jo@example.net",
        "body": "It's been two weeks and I'm still spotting a little. Is that normal?",
        "external_id": "wp-1001",
        "posted_at": (utcnow() - timedelta(minutes=3)).isoformat(),
    }
    data.update(overrides)
    return data


def comment_count() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


@pytest.fixture
def site(app):
    """A website with an API key."""
    site, _key = create_site("charity-website")
    db.session.commit()
    return site


# --- Validation ----------------------------------------------------------------------------

def test_a_valid_request_becomes_a_clean_comment_input(app):
    clean = validate_comment(comment_request(author_name="  Jo  ", author_email=""))
    assert clean.page_slug == "after-a-miscarriage"
    assert clean.author_name == "Jo"
    assert clean.author_email is None
    assert clean.posted_at is not None and clean.posted_at.tzinfo is not None


TEN_MINUTES_AHEAD = "<ten minutes from now>"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"body": ""}, "body", "empty"),
        ({"body": " \n\t "}, "body", "empty"),
        ({"body": "\u200b\u200d\ufeff "}, "body", "empty"),
        ({"body": "x" * (MAX_BODY + 1)}, "body", "at most 10,000"),
        ({"body": 42}, "body", "string"),
        ({"body": "before\x00after"}, "body", "NUL"),
        ({"body": "lone \ud800 surrogate"}, "body", "not valid Unicode"),
        ({"author_name": "Jo\x00"}, "author_name", "NUL"),
        ({"author_name": "J" * 121}, "author_name", "at most 120"),
        ({"author_email": "not-an-email"}, "author_email", "email address"),
        ({"author_email": "a" * 250 + "@x.org"}, "author_email", "email address"),
        ({"external_id": ""}, "external_id", "empty"),
        ({"external_id": "line\nbreak"}, "external_id", "printable"),
        ({"external_id": "x" * 201}, "external_id", "at most 200"),
        ({"external_id": "id\x00"}, "external_id", "NUL"),
        ({"posted_at": "2026-11-27T14:05:00"}, "posted_at", "time zone"),
        ({"posted_at": "last Tuesday"}, "posted_at", "ISO 8601"),
        ({"posted_at": TEN_MINUTES_AHEAD}, "posted_at", "future"),
        ({"page": "after-a-miscarriage"}, "page", "object"),
        ({"page": {"slug": "After A Miscarriage", "title": "T", "url": "https://x.org/"}},
         "page.slug", "lowercase"),
        ({"page": {"slug": "a", "title": "T", "url": "javascript:alert(1)"}}, "page.url", "http"),
        ({"page": {"slug": "a", "title": "   ", "url": "https://x.org/"}}, "page.title", "empty"),
        ({"page": {"slug": "a", "title": "T" * 301, "url": "https://x.org/"}},
         "page.title", "at most 300"),
        ({"page": {"slug": "a", "title": "T\x00", "url": "https://x.org/"}}, "page.title", "NUL"),
        ({"page": {"slug": "a", "title": "T"}}, "page.url", "required"),
    ],
)
def test_each_invalid_field_gets_its_own_message(app, overrides, field, fragment):
    if overrides.get("posted_at") == TEN_MINUTES_AHEAD:
        # Computed now, not at collection: a slow run must not let the future become the past.
        overrides = {"posted_at": (utcnow() + timedelta(minutes=10)).isoformat()}
    with pytest.raises(IntakeError) as caught:
        validate_comment(comment_request(**overrides))
    assert field in caught.value.errors
    assert fragment.lower() in caught.value.errors[field].lower()


def test_missing_required_fields_are_each_named(app):
    with pytest.raises(IntakeError) as caught:
        validate_comment({"author_name": "Jo"})
    assert set(caught.value.errors) == {"page", "body", "external_id"}


def test_unknown_fields_are_refused_and_listed(app):
    data = comment_request(nickname="jojo", rating=5)
    data["page"]["category"] = "loss"
    with pytest.raises(IntakeError) as caught:
        validate_comment(data)
    assert {"nickname", "rating", "page.category"} <= set(caught.value.errors)
    assert "Unknown field" in caught.value.errors["nickname"]


def test_a_request_that_is_not_an_object_is_refused(app):
    with pytest.raises(IntakeError) as caught:
        validate_comment(["a", "list"])
    assert "request" in caught.value.errors


def test_a_time_with_an_offset_is_kept_as_the_same_instant(app):
    clean = validate_comment(comment_request(posted_at="2026-03-01T10:00:00+02:00"))
    assert clean.posted_at == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_a_slightly_fast_website_clock_is_tolerated(app):
    clean = validate_comment(
        comment_request(posted_at=(utcnow() + timedelta(minutes=4)).isoformat())
    )
    assert clean.posted_at is not None


# --- Storing and idempotency ---------------------------------------------------------------

def test_a_new_comment_is_stored_pending_and_triaged_on_arrival(app, site):
    result = receive_comment(comment_request(), site)
    db.session.commit()
    comment = db.session.get(Comment, result.comment.id)
    assert result.created
    assert comment.status == "pending"
    assert comment.triaged and comment.model_version
    assert comment.urgency in {"urgent", "priority", "routine"}
    assert comment.due_at > comment.received_at
    assert comment.site_id == site.id and comment.page.slug == "after-a-miscarriage"


def test_heavy_bleeding_and_feeling_faint_is_urgent_with_a_deadline_within_the_hour(app, site):
    comment = receive_comment(comment_request(body=URGENT_BODY), site).comment
    assert comment.urgency == "urgent"
    assert comment.due_at - comment.received_at <= timedelta(hours=1)


def test_the_same_external_id_from_the_same_site_creates_nothing_new(app, site):
    first = receive_comment(comment_request(), site)
    db.session.commit()
    again = receive_comment(comment_request(body="A retry with a changed body"), site)
    db.session.commit()
    assert not again.created
    assert again.comment.id == first.comment.id
    assert again.comment.body != "A retry with a changed body"  # the first copy wins
    assert comment_count() == 1


def test_the_same_external_id_from_two_sites_is_two_comments(app, site):
    other, _ = create_site("partner-forum")
    receive_comment(comment_request(), site)
    receive_comment(comment_request(), other)
    db.session.commit()
    assert comment_count() == 2


def test_arrival_is_recorded_in_the_audit_trail_without_the_body(app, site):
    comment = receive_comment(comment_request(), site).comment
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.received"))
    assert event.target_id == comment.id
    assert event.details["site"] == "charity-website"
    assert event.details["after"]["urgency"] == comment.urgency
    assert "body" not in event.details


def test_a_retry_of_a_stored_comment_writes_no_second_arrival_event(app, site):
    receive_comment(comment_request(), site)
    db.session.commit()
    again = receive_comment(comment_request(), site)
    db.session.commit()
    assert again.created is False
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "comment.received")).all()
    assert [event.target_id for event in events] == [again.comment.id]


def test_the_stored_comment_is_the_one_intake_answers_about(app, site):
    """Intake does not read the row back: what it holds must be what the database holds."""
    request = comment_request(posted_at="2026-11-27T15:05:00+01:00")
    held = receive_comment(request, site).comment
    assert held not in db.session.dirty and held.id is not None
    columns = [column.key for column in Comment.__table__.columns]
    kept = {name: getattr(held, name) for name in columns}
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Comment, kept["id"])
    assert {name: getattr(stored, name) for name in columns} == kept
    assert kept["posted_at"] == datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
    assert kept["version"] == 1 and kept["redactions"] == [] and kept["claimed_by_id"] is None


def test_pages_are_created_once_and_renamed_by_the_live_website(app, site):
    receive_comment(comment_request(external_id="1"), site)
    renamed = comment_request(external_id="2")
    renamed["page"]["title"] = "After a miscarriage: your recovery"
    receive_comment(renamed, site)
    db.session.commit()
    pages = db.session.scalars(select(Page)).all()
    assert len(pages) == 1
    assert pages[0].title == "After a miscarriage: your recovery"


def test_an_import_never_renames_a_page_with_an_old_title(app, site, make_page):
    make_page("after-a-miscarriage", "After a miscarriage (current)")
    old = comment_request(external_id="old-1")
    old["page"]["title"] = "Miscarriage (2019 title)"
    report = ImportReport()
    import_batch([ImportRecord(1, data=old)], site, report)
    db.session.commit()
    assert report.added == 1
    page = db.session.scalar(select(Page))
    assert page.title == "After a miscarriage (current)"


@pytest.fixture
def without_model(app_config, tmp_path):
    """Point the app at a model file that does not exist."""
    app_config["TRIAGE_MODEL_PATH"] = str(tmp_path / "no-model-here.skops")


def test_a_comment_is_never_lost_when_the_model_is_missing(without_model, app, caplog):
    """Stored, marked unscored, and the red-flag rules still make an emergency urgent."""
    with caplog.at_level(logging.ERROR, logger="classifier.decision"):
        comment = receive_comment(comment_request(body=URGENT_BODY), None).comment
        db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.triaged is False
    assert stored.urgency == "urgent" and stored.red_flag
    assert stored.triage_error
    assert stored.due_at is not None
    assert "Triage model failed" in caplog.text


# --- Hostile input -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body",
    [
        '<script>alert("x")</script><img src=x onerror=alert(1)> <b>bold</b> &amp;',
        "\U0001f622" * MAX_BODY,
        "\u202eemordnilap\u202c and \u0645\u0631\u062d\u0628\u0627 with zero\u200bwidth\u200d",
        "a" * 9_000,
        "  leading and trailing spaces are kept  \r\n\r\nand Windows line ends\r\n",
    ],
    ids=["html-and-script", "ten-thousand-emoji", "rtl-and-zero-width", "long-word", "spaces"],
)
def test_hostile_bodies_are_stored_exactly_as_received(app, site, body):
    comment = receive_comment(comment_request(body=body), site).comment
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == body


def test_a_nul_byte_anywhere_is_refused_naming_the_field(app, site):
    with pytest.raises(IntakeError) as caught:
        receive_comment(comment_request(body="hello\x00", author_name="\x00"), site)
    assert set(caught.value.errors) == {"body", "author_name"}
    assert comment_count() == 0


# --- The public form's path ----------------------------------------------------------------

def test_a_double_submitted_public_form_stores_one_comment(app, make_page):
    page = make_page("after-a-miscarriage", "After a miscarriage")
    token = "0123456789abcdef0123456789abcdef"
    first = submit_public_comment(page, "Sam", None, ROUTINE_BODY, token)
    db.session.commit()
    second = submit_public_comment(page, "Sam", None, ROUTINE_BODY, token)
    db.session.commit()
    assert first.created and not second.created
    assert first.comment.external_id == f"web-{token}"
    assert first.comment.site_id is None
    assert comment_count() == 1


def test_a_tampered_public_form_token_gets_a_fresh_id(app, make_page):
    page = make_page()
    result = submit_public_comment(page, "", None, ROUTINE_BODY, "wp-1001' OR 1=1")
    assert result.created
    assert result.comment.external_id.startswith("web-")
    assert result.comment.external_id != "web-wp-1001' OR 1=1"


def test_the_public_form_uses_the_same_validation(app, make_page):
    page = make_page()
    with pytest.raises(IntakeError) as caught:
        submit_public_comment(page, "", "nope", "   ", None)
    assert set(caught.value.errors) == {"author_email", "body"}


def test_a_hostile_comment_is_shown_escaped_in_the_queue_and_the_composer(
    app, site, midwife_client
):
    body = '<script>alert("x")</script><img src=x onerror=alert(1)> \u202eevil\u202c'
    comment = receive_comment(
        comment_request(body=body, author_name="<b>Mallory</b>"), site
    ).comment
    db.session.commit()
    for url in ("/", f"/comments/{comment.id}"):
        html = midwife_client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html, url
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "<b>Mallory</b>" not in html, url
