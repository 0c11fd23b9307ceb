"""The snippet library: supervisors create, edit (with versions), retire and order snippets."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Snippet, SnippetVersion, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.replies import publish_reply
from moderation.services.snippet_versions import reply_diff
from moderation.services.snippets import (
    SnippetError,
    SnippetInput,
    create_snippet,
    fill_placeholders,
    move_snippet,
    overdue_snippets,
    restore_snippet,
    retire_snippet,
    suggested_snippets,
    update_snippet,
)

BODY = "Hi {first_name},\n\nBleeding usually settles within two weeks.\n\n{signature}"


def data(**changes) -> SnippetInput:
    fields = {"title": "Bleeding duration", "topic": "bleeding", "body": BODY,
              "clinical_owner_id": None, "review_by": date(2027, 3, 31)}
    fields.update(changes)
    return SnippetInput(**fields)


def version_count(snippet_id: int) -> int:
    return db.session.scalar(select(func.count(SnippetVersion.id))
                             .where(SnippetVersion.snippet_id == snippet_id))


def audit_actions(snippet_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "snippet",
                                        AuditEvent.target_id == snippet_id)
        .order_by(AuditEvent.id)))


def form(**changes) -> dict:
    fields = {"key": "bleeding_duration", "title": "Bleeding duration", "topic": "bleeding",
              "body": BODY, "clinical_owner_id": "", "review_by": "2027-03-31"}
    fields.update(changes)
    return fields


# --- Service ---------------------------------------------------------------------------------

def test_creating_a_snippet_makes_version_1_at_the_end_of_its_topic(supervisor, make_snippet):
    make_snippet("bleeding_first", position=0)
    snippet = create_snippet("bleeding_duration", data(), supervisor)
    db.session.commit()
    assert snippet.version == 1 and snippet.active
    assert snippet.position == 1
    assert version_count(snippet.id) == 1
    assert audit_actions(snippet.id) == ["snippet.created"]


@pytest.mark.parametrize(("key", "changes", "message"), [
    ("Bad Key!", {}, "The key must be"),
    ("ok_key", {"title": "  "}, "Give the snippet a title"),
    ("ok_key", {"body": " \n "}, "cannot be empty"),
    ("ok_key", {"topic": "weather"}, "Unknown topic"),
    ("ok_key", {"body": "Hi {firstname}, {signature}"}, "Unknown placeholder {firstname}"),
    ("ok_key", {"body": "Dear {name} and {first_name}"}, "Unknown placeholder {name}"),
    ("ok_key", {"body": "x" * 5001}, "at most 5,000 characters"),
])
def test_invalid_snippets_are_refused_with_a_clear_message(supervisor, key, changes, message):
    with pytest.raises(SnippetError, match=message.replace("{", r"\{").replace("}", r"\}")):
        create_snippet(key, data(**changes), supervisor)


def test_snippet_keys_are_unique(supervisor, make_snippet):
    make_snippet("bleeding_duration")
    with pytest.raises(SnippetError, match="already exists"):
        create_snippet("bleeding_duration", data(), supervisor)


def test_a_blank_topic_means_any_topic(supervisor):
    snippet = create_snippet("urgent_care_now", data(topic=""), supervisor)
    assert snippet.topic is None


def test_every_text_edit_makes_a_new_draft_version_and_keeps_the_old_text(supervisor,
                                                                          make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=BODY + "\n\nWith a new line."), supervisor)
    update_snippet(snippet.id, data(title="How long bleeding lasts",
                                    body=BODY + "\n\nWith a new line."), supervisor)
    db.session.commit()
    db.session.refresh(snippet)
    # The live text stays version 1 until a second clinician approves; the first draft was
    # replaced by the second.
    assert snippet.version == 1 and snippet.body == BODY
    assert [(v.version, v.status) for v in snippet.versions] == [
        (1, "approved"), (2, "withdrawn"), (3, "draft")]
    assert snippet.versions[2].title == "How long bleeding lasts"
    assert audit_actions(snippet.id) == ["snippet.updated", "snippet.updated"]


def test_saving_without_a_change_makes_no_version(supervisor, make_snippet):
    snippet = make_snippet(body=BODY, clinical_owner="Lead Midwife",
                           review_by=date(2027, 3, 31))
    update_snippet(snippet.id, data(body=BODY + "\r\n"), supervisor)
    assert snippet.version == 1
    assert version_count(snippet.id) == 1
    assert audit_actions(snippet.id) == []


def test_a_new_review_date_is_audited_without_a_new_text_version(supervisor, make_snippet):
    snippet = make_snippet(body=BODY, clinical_owner="Lead Midwife",
                           review_by=date(2020, 1, 1))
    update_snippet(snippet.id, data(review_by=date(2028, 1, 1)), supervisor)
    assert snippet.version == 1 and snippet.review_by == date(2028, 1, 1)
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == snippet.id))
    assert event.details["before"]["review_by"] == "2020-01-01"
    assert event.details["after"]["review_by"] == "2028-01-01"


def test_an_edit_based_on_an_old_version_is_refused(supervisor, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body="Someone else's edit. {signature}"), supervisor)
    with pytest.raises(SnippetError, match="while you were editing"):
        update_snippet(snippet.id, data(body="My edit"), supervisor, expected_version=1)


def test_retired_snippets_leave_the_composer_but_keep_their_history(
        supervisor, make_snippet, make_comment):
    snippet = make_snippet()
    retire_snippet(snippet.id, supervisor)
    db.session.commit()
    assert suggested_snippets(make_comment()) == []
    assert version_count(snippet.id) == 1
    restore_snippet(snippet.id, supervisor)
    assert [s.key for s in suggested_snippets(make_comment())] == ["bleeding_duration"]
    assert audit_actions(snippet.id) == ["snippet.retired", "snippet.restored"]


def test_moving_snippets_reorders_only_their_topic(supervisor, make_snippet, make_comment):
    a = make_snippet("bleeding_a", position=0)
    b = make_snippet("bleeding_b", position=0)  # equal positions: moving must still work
    c = make_snippet("bleeding_c", position=2)
    other = make_snippet("first_period", topic="first_period", position=1)
    move_snippet(c.id, "up", supervisor)
    move_snippet(c.id, "up", supervisor)
    move_snippet(c.id, "up", supervisor)  # already first: no change
    move_snippet(a.id, "down", supervisor)
    db.session.commit()
    order = [s.key for s in suggested_snippets(make_comment(topic="bleeding"))]
    assert order[:3] == ["bleeding_c", "bleeding_b", "bleeding_a"]
    assert other.position == 1
    assert b.position == 1


def test_overdue_snippets_are_listed_oldest_first(make_snippet):
    today = utcnow().date()
    make_snippet("late", review_by=today - timedelta(days=1))
    make_snippet("later", review_by=today - timedelta(days=30))
    make_snippet("fine", review_by=today + timedelta(days=30))
    make_snippet("retired_late", review_by=today - timedelta(days=3), active=False)
    assert [s.key for s in overdue_snippets()] == ["later", "late"]


def test_a_reply_diff_shows_only_what_the_midwife_changed(
        supervisor, midwife, make_snippet, make_comment):
    snippet = make_snippet(body="Hi {first_name},\n\nIt is [[weeks]] since.\n\n{signature}")
    update_snippet(snippet.id, data(body="Hi {first_name},\n\nNew text.\n\n{signature}"),
                   supervisor)
    comment = make_comment(author_name="Alex")
    claim_comment(comment.id, midwife)
    inserted = fill_placeholders(snippet.versions[0].body, comment, midwife)
    sent = inserted.replace("[[weeks]]", "six weeks") + "\n\nTake care."
    reply = publish_reply(comment.id, midwife, sent, expected_version=comment.version,
                          snippet_id=snippet.id, snippet_version=1)
    db.session.commit()
    diff = reply_diff(reply)
    assert diff.version == 1
    removed = [line.text for line in diff.lines if line.kind == "del"]
    added = [line.text for line in diff.lines if line.kind == "add"]
    assert removed == ["It is [[weeks]] since."]
    assert added == ["It is six weeks since.", "", "Take care."]
    assert "Hi Alex," not in removed + added


def test_a_reply_without_a_snippet_has_no_diff(midwife, make_comment, make_reply):
    reply = make_reply(make_comment(), midwife)
    assert reply_diff(reply) is None


# --- HTTP ------------------------------------------------------------------------------------

def test_midwives_get_403_everywhere_in_the_library(midwife_client, make_snippet):
    snippet = make_snippet()
    for method, path in [("get", "/snippets/"), ("get", "/snippets/new"),
                         ("post", "/snippets/new"), ("get", f"/snippets/{snippet.id}"),
                         ("get", f"/snippets/{snippet.id}/edit"),
                         ("post", f"/snippets/{snippet.id}/retire"),
                         ("post", f"/snippets/{snippet.id}/move")]:
        assert getattr(midwife_client, method)(path).status_code == 403, path
    assert snippet.active


def test_supervisors_see_the_library_grouped_with_overdue_flagged(supervisor_client,
                                                                  make_snippet):
    make_snippet("urgent_care_now", topic=None, title="Getting urgent help now")
    make_snippet("bleeding_duration", title="How long bleeding lasts",
                 review_by=date(2020, 1, 1), clinical_owner="Lead Midwife, EPU")
    html = supervisor_client.get("/snippets/").get_data(as_text=True)
    assert html.index("Any topic") < html.index("Bleeding")
    assert "Getting urgent help now" in html and "Lead Midwife, EPU" in html
    assert "1 snippet is past the review date." in html
    assert "review overdue" in html


def test_the_nav_shows_supervisors_the_library_link(supervisor_client):
    assert 'href="/snippets/"' in supervisor_client.get("/").get_data(as_text=True)


def test_the_nav_shows_midwives_no_library_link(midwife_client):
    assert 'href="/snippets/"' not in midwife_client.get("/").get_data(as_text=True)


def test_creating_a_snippet_over_http(supervisor_client):
    response = supervisor_client.post("/snippets/new", data=form())
    assert response.status_code == 302
    snippet = db.session.scalar(select(Snippet).where(Snippet.key == "bleeding_duration"))
    assert snippet.body == BODY and snippet.review_by == date(2027, 3, 31)


def test_an_unknown_placeholder_is_refused_over_http_and_the_text_kept(supervisor_client):
    response = supervisor_client.post("/snippets/new", data=form(
        body="Hello {name}, my careful paragraph."))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown placeholder {name}" in html
    assert "my careful paragraph." in html
    assert db.session.scalar(select(func.count(Snippet.id))) == 0


def test_editing_over_http_makes_a_draft_and_no_change_makes_none(supervisor_client,
                                                                    make_snippet):
    snippet = make_snippet(body=BODY, clinical_owner="Lead Midwife",
                           review_by=date(2027, 3, 31))
    unchanged = supervisor_client.post(f"/snippets/{snippet.id}/edit",
                                       data=form(version=1), follow_redirects=True)
    assert "the text did not change, so no new version" in unchanged.get_data(as_text=True)
    changed = supervisor_client.post(f"/snippets/{snippet.id}/edit",
                                     data=form(body=BODY + "\n\nMore.", version=1),
                                     follow_redirects=True)
    assert "as draft version 2" in changed.get_data(as_text=True)
    stale = supervisor_client.post(f"/snippets/{snippet.id}/edit",
                                   data=form(body="Stale edit {signature}", version=1))
    assert stale.status_code == 422
    assert "Stale edit" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Snippet, snippet.id).version == 1  # live until approved


def test_retire_and_move_over_http(supervisor_client, make_snippet):
    first = make_snippet("bleeding_a", position=0)
    second = make_snippet("bleeding_b", position=1)
    assert supervisor_client.post(f"/snippets/{second.id}/move",
                                  data={"direction": "up"}).status_code == 302
    assert supervisor_client.post(f"/snippets/{first.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(Snippet, second.id).position == 0
    assert db.session.get(Snippet, first.id).active is False
    assert "Offer again" in supervisor_client.get("/snippets/").get_data(as_text=True)


def test_the_history_page_shows_versions_and_an_escaped_diff(
        supervisor_client, midwife, make_snippet, make_comment):
    snippet = make_snippet(body="Hi {first_name},\n\nIt is [[weeks]].\n\n{signature}")
    comment = make_comment(author_name="Alex")
    claim_comment(comment.id, midwife)
    sent = fill_placeholders(snippet.body, comment, midwife).replace(
        "[[weeks]]", "<b>six</b> weeks")
    publish_reply(comment.id, midwife, sent, expected_version=comment.version,
                  snippet_id=snippet.id, snippet_version=1)
    db.session.commit()
    html = supervisor_client.get(f"/snippets/{snippet.id}").get_data(as_text=True)
    assert "Version 1" in html
    assert "&lt;b&gt;six&lt;/b&gt; weeks" in html and "<b>six</b>" not in html
    assert 'class="diff-del"' in html and 'class="diff-add"' in html
