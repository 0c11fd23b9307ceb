"""Incidents: reported from a comment or reply, reviewed step by step, exported."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, Incident, NearMiss, OutboxMessage, Reply, db
from moderation.services.incidents import (
    IncidentError,
    move_incident,
    open_near_miss,
    report_incident,
)
from moderation.services.relabelling import relabel_comment

DESCRIPTION = "The reply said to wait for the GP although she described shoulder-tip pain."


@pytest.fixture
def answered(make_comment, make_snippet, midwife):
    """A comment triaged by a known model, answered with version 2 of a snippet."""
    comment = make_comment("Sharp pain in my shoulder since this morning",
                           urgency="priority", model_version="triage-2026-11")
    snippet = make_snippet("ectopic", topic="ectopic_molar", title="Ectopic follow-up")
    reply = Reply(comment_id=comment.id, midwife_id=midwife.id, body="Please see your GP.",
                  snippet_id=snippet.id, snippet_version=2, published_at=comment.received_at)
    db.session.add(reply)
    db.session.commit()
    return comment, reply


def _report(comment_id, user, **fields):
    values = {"kind": "wrong_advice", "severity": "major", "description": DESCRIPTION}
    incident = report_incident(comment_id, user, **{**values, **fields})
    db.session.commit()
    return incident


def test_an_incident_keeps_the_comment_the_model_and_the_snippet_version_involved(
        answered, midwife):
    comment, reply = answered
    incident = _report(comment.id, midwife, reply_id=reply.id)
    assert (incident.comment_id, incident.reply_id, incident.model_version,
            incident.snippet.key, incident.snippet_version, incident.status) == (
        comment.id, reply.id, "triage-2026-11", "ectopic", 2, "open")


def test_an_incident_moves_open_investigating_actions_closed_noting_who_and_what(
        answered, midwife, supervisor):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    for status, note in (("investigating", "Helen reads the thread and the snippet."),
                         ("actions", "Snippet to name shoulder-tip pain as urgent."),
                         ("closed", "Snippet changed and approved; team briefed.")):
        move_incident(incident.id, supervisor, status, note)
        db.session.commit()
    steps = [(s.from_status, s.to_status, s.user_id, s.note) for s in incident.steps]
    assert steps == [
        (None, "open", midwife.id, "Reported."),
        ("open", "investigating", supervisor.id, "Helen reads the thread and the snippet."),
        ("investigating", "actions", supervisor.id,
         "Snippet to name shoulder-tip pain as urgent."),
        ("actions", "closed", supervisor.id, "Snippet changed and approved; team briefed."),
    ]
    assert incident.status == "closed" and incident.closed_at is not None


def test_an_incident_cannot_skip_a_step_of_its_review(answered, midwife, supervisor):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    with pytest.raises(IncidentError, match="next step is investigating"):
        move_incident(incident.id, supervisor, "closed", "Nothing to see.")
    db.session.rollback()
    assert db.session.get(Incident, incident.id).status == "open"
    assert len(db.session.get(Incident, incident.id).steps) == 1


def test_a_closed_incident_moves_no_further_and_each_step_needs_a_note(
        answered, midwife, supervisor):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    with pytest.raises(IncidentError, match="Say what was done"):
        move_incident(incident.id, supervisor, "investigating", "   ")
    db.session.rollback()
    for status in ("investigating", "actions", "closed"):
        move_incident(incident.id, supervisor, status, "Done.")
    with pytest.raises(IncidentError, match="it is closed"):
        move_incident(incident.id, supervisor, "investigating", "Again.")


def test_only_a_supervisor_moves_an_incident(answered, midwife):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    with pytest.raises(IncidentError, match="Only a supervisor"):
        move_incident(incident.id, midwife, "investigating", "I'll look myself.")


def test_an_incident_on_a_deleted_comment_is_refused_with_a_clear_message(make_comment,
                                                                          midwife):
    comment = make_comment()
    gone = comment.id
    db.session.delete(comment)
    db.session.commit()
    with pytest.raises(IncidentError, match="no longer exists"):
        report_incident(gone, midwife, kind="other", severity="minor", description="x")


def test_a_report_without_type_severity_or_description_is_refused(answered, midwife):
    comment, _ = answered
    for fields, message in (({"kind": "bad"}, "what kind"), ({"severity": "huge"}, "severity"),
                            ({"description": "  "}, "Describe what happened")):
        with pytest.raises(IncidentError, match=message):
            _report(comment.id, midwife, **fields)
        db.session.rollback()
    assert db.session.scalars(select(Incident)).all() == []


def test_supervisors_are_emailed_a_short_summary_without_the_description(
        answered, midwife, supervisor):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    [email] = db.session.scalars(select(OutboxMessage)
                                 .where(OutboxMessage.kind == "incident_reported")).all()
    assert email.recipient == supervisor.email
    assert "Wrong advice" in email.subject and "major" in email.subject
    assert DESCRIPTION not in email.body and "shoulder" not in email.body
    assert f"/incidents/{incident.id}" in email.body


def test_a_near_miss_opens_as_a_missed_urgent_incident_once(make_comment, midwife,
                                                            supervisor):
    comment = make_comment("bleeding is heavier and I feel faint", urgency="routine",
                           model_version="triage-old")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    near_miss = db.session.scalar(select(NearMiss))
    incident = open_near_miss(near_miss.id, supervisor, severity="considerable",
                              description="Faintness after bleeding scored routine.")
    db.session.commit()
    assert (incident.kind, incident.model_version, incident.near_miss_id) == (
        "missed_urgent", "triage-old", near_miss.id)
    with pytest.raises(IncidentError, match="already incident"):
        open_near_miss(near_miss.id, supervisor, severity="minor", description="again")


def test_a_midwife_reports_from_the_comment_page_and_keeps_her_words_when_refused(
        midwife_client, answered):
    comment, _ = answered
    page = midwife_client.get(f"/comments/{comment.id}")
    assert "Report an incident" in page.get_data(as_text=True)
    refused = midwife_client.post(f"/comments/{comment.id}/incident",
                                  data={"kind": "wrong_advice", "description": DESCRIPTION})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose a severity" in text and "shoulder-tip pain" in text
    done = midwife_client.post(f"/comments/{comment.id}/incident",
                               data={"kind": "wrong_advice", "severity": "major",
                                     "description": DESCRIPTION}, follow_redirects=True)
    assert done.status_code == 200 and "Incident #" in done.get_data(as_text=True)
    assert db.session.scalar(select(Incident)).comment_id == comment.id


def test_reporting_on_a_comment_that_is_gone_answers_404_with_the_reason(midwife_client):
    response = midwife_client.post("/comments/999999/incident",
                                   data={"kind": "other", "severity": "minor",
                                         "description": "It was rude."})
    assert response.status_code == 404
    assert "no longer exists" in response.get_data(as_text=True)


def test_an_invalid_move_over_http_is_refused_and_the_incident_stays(
        supervisor_client, answered, midwife):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    response = supervisor_client.post(f"/incidents/{incident.id}/move",
                                      data={"to_status": "actions", "note": "skip"},
                                      follow_redirects=True)
    assert "cannot move to actions" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).status == "open"


def test_the_export_lists_incidents_with_their_steps_and_the_near_misses(
        supervisor_client, answered, midwife, supervisor, make_comment):
    comment, _ = answered
    incident = _report(comment.id, midwife, description="=HYPERLINK(\"x\") wrong advice")
    move_incident(incident.id, supervisor, "investigating", "Reading it.")
    missed = make_comment("I feel faint", urgency="routine", model_version="m1")
    relabel_comment(missed.id, midwife, urgency="urgent")
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(
        supervisor_client.get("/incidents/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["record"], r["comment_id"]) for r in rows] == [
        ("incident", str(comment.id)), ("near_miss", str(missed.id))]
    assert rows[0]["description"].startswith("'=")  # never a formula in a spreadsheet
    assert "investigating by Helen Price: Reading it." in rows[0]["steps"]
    document = json.loads(supervisor_client.get("/incidents/export.json").get_data())
    assert document["records"][0]["snippet_key"] == "ectopic"
    assert [s["to"] for s in document["records"][0]["steps"]] == ["open", "investigating"]


def test_a_midwife_sees_her_own_incidents_but_not_the_export(midwife_client, answered,
                                                             midwife):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    assert midwife_client.get(f"/incidents/{incident.id}").status_code == 200
    assert midwife_client.get("/incidents/export.csv").status_code == 403


def test_reporting_is_audited(answered, midwife):
    comment, _ = answered
    incident = _report(comment.id, midwife)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.reported"))
    assert (event.target_id, db.session.get(Comment, comment.id).id) == (incident.id, comment.id)


def test_the_retention_purge_keeps_a_rejected_comment_an_incident_is_about(make_comment,
                                                                           midwife):
    from datetime import timedelta

    from models import utcnow
    from moderation.services.privacy import RetentionPolicy, purge

    long_ago = utcnow() - timedelta(days=200)
    abusive = make_comment("You people are useless", status="rejected", received_at=long_ago)
    other_id = make_comment("Buy cheap watches", status="spam", received_at=long_ago).id
    _report(abusive.id, midwife, kind="abusive_poster", severity="minor",
            description="Abuse aimed at the midwives.")
    report = purge(RetentionPolicy(), utcnow())
    db.session.commit()
    assert report.unpublished_comments_deleted == 1
    remaining = db.session.scalars(select(Comment.id).where(Comment.id.in_([abusive.id,
                                                                              other_id])))
    assert list(remaining) == [abusive.id]


def test_the_demo_has_an_incident_reported_by_a_midwife_and_closed_by_a_supervisor(runner):
    for _ in range(2):  # seeding twice adds nothing the second time
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    [incident] = db.session.scalars(select(Incident)).all()
    assert (incident.kind, incident.status, incident.reported_by.role) == (
        "delayed_response", "closed", "midwife")
    assert [s.to_status for s in incident.steps] == ["open", "investigating", "actions",
                                                     "closed"]
    assert {s.user.role for s in incident.steps[1:]} == {"supervisor"}
