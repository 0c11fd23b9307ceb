"""Snippet change control: a draft goes live only when a second clinician approves it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import OutboxMessage, Snippet, SnippetVersion, User, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.replies import InvalidReply, prefilled_snippet, publish_reply
from moderation.services.snippet_approvals import (
    ApprovalRefused,
    ReferenceInput,
    add_reference,
    approve_version,
    draft_new_snippet,
    draft_snippet_change,
    set_clinical_approver,
)
from moderation.services.snippets import (
    SnippetError,
    SnippetInput,
    create_snippet,
    insertable,
    suggested_snippets,
    update_snippet,
)
from tests.conftest import sign_in

BODY = "Dear {first_name},\n\nBleeding usually settles within two weeks.\n\n{signature}"
NEW_BODY = ("Dear {first_name},\n\nBleeding usually settles within two weeks; if you soak a "
            "pad an hour, call 111.\n\n{signature}")


def data(**changes) -> SnippetInput:
    fields = {"title": "Bleeding duration", "topic": "bleeding", "body": BODY,
              "review_by": date(2027, 3, 31)}
    fields.update(changes)
    return SnippetInput(**fields)


@pytest.fixture
def second_supervisor(make_user) -> User:
    return make_user("supervisor", email="ines@example.test", name="Ines Okafor")


def test_a_new_snippet_is_a_draft_the_composer_does_not_offer(supervisor, make_comment,
                                                              midwife):
    snippet = create_snippet("bleeding_duration", data(), supervisor)
    db.session.commit()
    comment = make_comment("How long will I bleed?")
    assert snippet.approved_at is None and not insertable(snippet)
    assert snippet not in suggested_snippets(comment)
    assert prefilled_snippet("bleeding_duration", comment, midwife) is None


def test_a_changed_text_stays_a_draft_and_midwives_keep_the_approved_version(
        supervisor, make_snippet, make_comment, midwife):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    db.session.commit()
    comment = make_comment("How long will I bleed?")
    inserted, text = prefilled_snippet("bleeding_duration", comment, midwife)
    assert inserted.version == 1 and "call 111" not in text


def test_a_reply_naming_a_draft_snippet_version_is_refused(supervisor, make_snippet,
                                                           make_comment, midwife):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    comment = make_comment("How long will I bleed?")
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(InvalidReply, match="draft waiting for a second clinician"):
        publish_reply(comment.id, midwife, "Dear Alex, it settles. Sam",
                      expected_version=comment.version, snippet_id=snippet.id,
                      snippet_version=2)
    db.session.rollback()
    assert db.session.get(type(comment), comment.id).status == "pending"


def test_its_author_cannot_approve_her_own_draft(supervisor, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    with pytest.raises(ApprovalRefused, match="You drafted this version"):
        approve_version(snippet.id, 2, supervisor)
    db.session.rollback()
    assert db.session.get(Snippet, snippet.id).version == 1


def test_a_midwife_without_the_approver_permission_cannot_approve(supervisor, midwife,
                                                                  make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    with pytest.raises(ApprovalRefused, match="supervisor or a clinical approver"):
        approve_version(snippet.id, 2, midwife)


def test_a_second_supervisor_approves_and_the_new_text_becomes_insertable(
        supervisor, second_supervisor, make_snippet, make_comment, midwife):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    approve_version(snippet.id, 2, second_supervisor)
    db.session.commit()
    comment = make_comment("How long will I bleed?")
    inserted, text = prefilled_snippet("bleeding_duration", comment, midwife)
    assert inserted.version == 2 and "call 111" in text
    version = db.session.scalar(select(SnippetVersion).where(
        SnippetVersion.snippet_id == snippet.id, SnippetVersion.version == 2))
    assert (version.status, version.created_by_id, version.approved_by_id) == (
        "approved", supervisor.id, second_supervisor.id)


def test_a_midwife_named_clinical_approver_can_approve(supervisor, midwife, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    set_clinical_approver(midwife.id, supervisor, True)
    approve_version(snippet.id, 2, midwife)
    assert snippet.version == 2 and snippet.approved_at is not None


def test_only_a_supervisor_names_clinical_approvers(midwife, make_user):
    other = make_user("midwife")
    with pytest.raises(ApprovalRefused, match="Only a supervisor"):
        set_clinical_approver(other.id, midwife, True)


def test_approvers_but_the_author_are_told_by_email(supervisor, second_supervisor, midwife):
    draft_new_snippet("bleeding_duration", data(), supervisor)
    db.session.commit()
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)
                                        .where(OutboxMessage.kind == "snippet_draft")))
    assert recipients == {second_supervisor.email}


def test_an_unchanged_text_drafts_nothing_and_tells_nobody(supervisor, second_supervisor,
                                                           make_snippet):
    snippet = make_snippet(body=BODY)
    _, draft = draft_snippet_change(snippet.id, data(body=BODY), supervisor,
                                    expected_version=1)
    assert draft is None
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_the_clinical_owner_must_be_an_active_account(supervisor, make_user):
    gone = make_user("midwife", active=False)
    with pytest.raises(SnippetError, match="active staff"):
        create_snippet("bleeding_duration", data(clinical_owner_id=gone.id), supervisor)
    snippet = create_snippet("bleeding_duration", data(clinical_owner_id=supervisor.id),
                             supervisor)
    assert snippet.clinical_owner_user == supervisor


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": " "}, "Name the guidance"),
    ({"url": "javascript:alert(1)"}, "must start with https://"),
    ({"checked_on": None}, "date the guidance was checked"),
])
def test_a_bad_reference_is_refused_clearly(supervisor, make_snippet, changes, message):
    snippet = make_snippet()
    fields = {"title": "NICE NG126 Ectopic pregnancy and miscarriage",
              "url": "https://www.nice.org.uk/guidance/ng126", "checked_on": date(2026, 11, 2)}
    fields.update(changes)
    with pytest.raises(SnippetError, match=message):
        add_reference(snippet.id, ReferenceInput(**fields), supervisor)


def test_a_reference_in_the_future_is_refused(supervisor, make_snippet):
    snippet = make_snippet()
    with pytest.raises(SnippetError, match="not in the future"):
        add_reference(snippet.id, ReferenceInput("NICE NG126", None,
                                                 utcnow().date() + timedelta(days=2)),
                      supervisor)


# --- Over HTTP -------------------------------------------------------------------------------

def test_the_history_shows_who_drafted_and_who_approved_and_the_references(
        supervisor_client, supervisor, second_supervisor, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    approve_version(snippet.id, 2, second_supervisor)
    add_reference(snippet.id, ReferenceInput("NICE NG126", "https://www.nice.org.uk/guidance/ng126",
                                             date(2026, 11, 2)), supervisor)
    db.session.commit()
    html = supervisor_client.get(f"/snippets/{snippet.id}").get_data(as_text=True)
    assert "Drafted by Helen Price; approved by Ines Okafor" in html
    assert "NICE NG126" in html and "checked 02 Nov 2026" in html


def test_approving_her_own_draft_over_http_is_refused_with_the_reason(
        supervisor_client, supervisor, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    db.session.commit()
    response = supervisor_client.post(f"/snippets/{snippet.id}/decide",
                                      data={"version": 2, "decision": "approve"},
                                      follow_redirects=True)
    assert "You drafted this version, so you cannot approve it" in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(Snippet, snippet.id).version == 1


def test_a_second_supervisor_approves_from_the_approvals_page(app, supervisor,
                                                              second_supervisor, make_snippet):
    snippet = make_snippet(body=BODY)
    update_snippet(snippet.id, data(body=NEW_BODY), supervisor)
    db.session.commit()
    client = app.test_client()
    sign_in(client, second_supervisor)
    page = client.get("/snippets/approvals").get_data(as_text=True)
    assert "Approve version 2" in page and "call 111" in page
    client.post(f"/snippets/{snippet.id}/decide", data={"version": 2, "decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Snippet, snippet.id).version == 2


def test_a_midwife_cannot_open_the_approvals_page(midwife_client):
    assert midwife_client.get("/snippets/approvals").status_code == 403


def test_the_staff_page_shows_and_sets_the_clinical_approver(supervisor_client, midwife):
    html = supervisor_client.get("/users/").get_data(as_text=True)
    assert "Make clinical approver" in html
    supervisor_client.post(f"/snippets/approvers/{midwife.id}", data={"approver": "1"})
    db.session.expire_all()
    assert db.session.get(User, midwife.id).clinical_approver is True
    assert "clinical approver" in supervisor_client.get("/users/").get_data(as_text=True)
