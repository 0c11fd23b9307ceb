"""In the browser: a midwife reports an incident from a comment, a supervisor closes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Incident, OutboxMessage, db
from tests.helpers import sign_in_tab

DESCRIPTION = "The reply said to wait for the GP, but she described shoulder-tip pain."


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_a_midwife_reports_an_incident_and_a_supervisor_reviews_it_to_closure(
        new_tab, midwife, supervisor, make_comment, make_reply):
    comment = make_comment("Sharp pain in my right shoulder and one side of my tummy",
                           status="published", model_version="triage-2026-11")
    make_reply(comment, midwife, "Please see your GP this week.")

    tab = new_tab()
    sign_in_tab(tab, midwife.email)
    tab.goto(f"/comments/{comment.id}")
    tab.get_by_role("link", name="Report an incident").click()
    tab.get_by_label("Wrong advice").check()
    tab.get_by_label("Severity").select_option("major")
    tab.get_by_label("What happened?").fill(DESCRIPTION)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Report the incident").click()
    assert tab.get_by_text("The supervisors have been told").is_visible()
    incident = db.session.scalar(select(Incident))
    assert incident.model_version == "triage-2026-11"
    assert db.session.scalar(select(OutboxMessage.recipient)
                             .where(OutboxMessage.kind == "incident_reported")) == supervisor.email

    lead = new_tab()
    sign_in_tab(lead, supervisor.email)
    lead.get_by_role("link", name="Incidents").click()
    with lead.expect_navigation():
        lead.get_by_role("link", name=f"Incident #{incident.id}").click()
    assert lead.get_by_text(DESCRIPTION).is_visible()
    for button, note in (("Start the investigation", "Read the thread with the midwife."),
                         ("Record the actions", "Snippet now names shoulder-tip pain."),
                         ("Close the incident", "Snippet approved and the team told.")):
        lead.locator("#step-note").fill(note)
        with lead.expect_navigation():
            lead.get_by_role("button", name=button).click()
        assert lead.get_by_text(note).is_visible()
    assert lead.locator("#incident-status").text_content() == "closed"
    assert lead.locator("#incident-steps li").count() == 4
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).status == "closed"
