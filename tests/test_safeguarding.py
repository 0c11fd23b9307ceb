"""The safeguarding route: raised by rules or a midwife, the lead told, publishing blocked,
records for the lead and supervisors only, exported for the safeguarding log."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, OutboxMessage, SafeguardingRecord, db
from moderation.services.claims import claim_comment
from moderation.services.intake import receive_comment
from moderation.services.replies import InvalidReply, publish_reply
from moderation.services.safeguarding import (
    SafeguardingForbidden,
    export_csv,
    raise_concern,
    set_lead,
    update_record,
)
from tests.test_intake import comment_request

HURT = ("Since the miscarriage my partner hit me when I cry and says I'm next if I tell anyone. "
        "Is the bleeding supposed to last this long?")


@pytest.fixture
def lead(make_user, supervisor):
    person = make_user("midwife", email="lead@example.test", name="Lena Lead")
    set_lead(person.id, supervisor, True)
    db.session.commit()
    return person


def test_the_rules_open_a_record_and_email_the_lead_at_intake(app, lead):
    comment = receive_comment(comment_request(body=HURT, external_id="wp-hurt"), None).comment
    db.session.commit()
    record = db.session.scalars(select(SafeguardingRecord)).one()
    assert record.comment_id == comment.id and record.source == "rules"
    assert "safeguarding" in db.session.get(Comment, comment.id).red_flag_categories
    [message] = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "safeguarding")).all()
    assert message.recipient == lead.email
    # The email names the record; what the person wrote stays in the app.
    assert "hit me" not in message.body and f"/safeguarding/{record.id}" in message.body


def test_with_no_lead_designated_every_supervisor_is_told(app, supervisor, midwife,
                                                          make_comment):
    comment = make_comment("My boyfriend takes my phone and won't let me see the GP alone")
    raise_concern(comment.id, midwife, "Coercive control: phone taken, GP visits stopped")
    db.session.commit()
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == [supervisor.email]


def test_a_safeguarding_comment_cannot_be_published_as_it_stands(app, lead, midwife,
                                                                 make_comment):
    comment = make_comment("I'm 15 and my mum doesn't know, the bleeding won't stop")
    raise_concern(comment.id, midwife, "Under 18, nobody at home knows")
    db.session.commit()
    claim_comment(comment.id, midwife)
    db.session.commit()
    version = db.session.get(Comment, comment.id).version
    with pytest.raises(InvalidReply, match="cannot be published as it stands"):
        publish_reply(comment.id, midwife, "Please call 111 now.", expected_version=version)
    db.session.rollback()
    assert db.session.get(Comment, comment.id).status == "pending"


def test_a_midwife_raises_it_from_the_composer_and_cannot_read_the_record(
        app, lead, midwife_client, make_comment):
    comment = make_comment("He watches everything I type on my phone")
    response = midwife_client.post(f"/comments/{comment.id}/safeguarding",
                                   data={"concern": "Being watched: coercive control"})
    assert response.status_code == 302
    record = db.session.scalars(select(SafeguardingRecord)).one()
    assert midwife_client.get(f"/safeguarding/{record.id}").status_code == 403
    assert midwife_client.get("/safeguarding").status_code == 403
    assert midwife_client.post("/safeguarding/export").status_code == 403
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert 'id="safeguarding-notice"' in html


def test_a_concern_needs_words_and_is_kept_when_refused(app, midwife_client, make_comment):
    comment = make_comment("Something felt off about this one")
    response = midwife_client.post(f"/comments/{comment.id}/safeguarding",
                                   data={"concern": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Describe the concern" in html and ">x</textarea>" in html
    assert db.session.scalar(select(SafeguardingRecord.id)) is None


def test_the_lead_records_decision_actions_outcome_and_closing_needs_an_outcome(
        app, lead, midwife, make_comment):
    comment = make_comment("My stepdad hurts my mum and I'm 16")
    record = raise_concern(comment.id, midwife, "Under 18; risk to a child at home")
    db.session.commit()
    with pytest.raises(InvalidReply, match="outcome"):
        update_record(record.id, lead, decision="Refer", actions="", outcome="", close=True)
    db.session.rollback()
    update_record(record.id, lead, decision="Answer privately with helplines",
                  actions="Private email sent with Childline and 999 advice",
                  outcome="Reply delivered; no further contact", close=True)
    db.session.commit()
    record = db.session.get(SafeguardingRecord, record.id)
    assert record.status == "closed" and record.updated_by_id == lead.id
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "safeguarding.updated"))
    with pytest.raises(SafeguardingForbidden):
        update_record(record.id, midwife, decision="", actions="", outcome="", close=False)


def test_the_log_exports_as_csv_without_public_text_or_emails(app, lead, midwife,
                                                             supervisor_client, make_comment):
    comment = make_comment("=HYPERLINK(\"x\") he said he'd hurt me",
                           author_email="private@example.net")
    raise_concern(comment.id, midwife, "=1+1 threats at home")
    db.session.commit()
    response = supervisor_client.post("/safeguarding/export")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["concern"] for row in rows] == ["'=1+1 threats at home"]
    assert "private@example.net" not in text and "HYPERLINK" not in text
    assert export_csv(lead).count("\r\n") == 2  # the lead can export too


def test_supervisors_designate_leads_over_http(app, supervisor_client, midwife):
    response = supervisor_client.post("/supervisor/safeguarding-leads",
                                      data={"user_id": midwife.id, "lead": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert midwife.safeguarding_lead is True
