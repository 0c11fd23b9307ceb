"""The settings page: supervisors change reply targets, working hours and the claim timeout."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from models import AuditEvent, Comment, db, utcnow
from moderation.services.settings import ServicePolicy, current_policy, update_settings
from tests.conftest import audited


def form_data(**changes) -> dict:
    data = {
        "urgent_target_minutes": "60",
        "priority_target_working_hours": "4",
        "routine_target_working_days": "2",
        "workday_start": "09:00",
        "workday_end": "17:00",
        "working_weekdays": ["0", "1", "2", "3", "4"],
        "claim_timeout_minutes": "3",
    }
    data.update(changes)
    return data


def test_midwives_cannot_see_or_change_the_settings(midwife_client):
    assert midwife_client.get("/settings").status_code == 403
    response = midwife_client.post("/settings", data=form_data(claim_timeout_minutes="5"))
    assert response.status_code == 403
    assert current_policy().claim_timeout_minutes == 3


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.location


def test_a_supervisor_sees_the_settings_in_force(supervisor_client):
    html = supervisor_client.get("/settings").get_data(as_text=True)
    assert 'name="urgent_target_minutes" type="number" value="60"' in html or (
        'value="60"' in html and 'name="urgent_target_minutes"' in html)
    assert 'value="09:00"' in html and 'value="17:00"' in html
    assert "Settings" in html  # her navigation links here


def test_a_supervisor_changes_the_claim_timeout_and_it_is_audited(
        supervisor_client, supervisor):
    response = supervisor_client.post("/settings", data=form_data(claim_timeout_minutes="30"),
                                      follow_redirects=True)
    assert "Settings saved." in response.get_data(as_text=True)
    assert current_policy().claim_timeout_minutes == 30
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "settings.updated")).one()
    assert event.actor_id == supervisor.id
    assert event.details == {"before": {"claim_timeout_minutes": 3},
                             "after": {"claim_timeout_minutes": 30}}


def test_a_shorter_urgent_target_moves_waiting_urgent_comments_up(
        supervisor_client, make_comment):
    now = utcnow()
    received = now - timedelta(minutes=5)
    urgent = make_comment(urgency="urgent", received_at=received,
                          due_at=received + timedelta(minutes=60))
    published = make_comment(urgency="urgent", status="published", received_at=received,
                             due_at=received + timedelta(minutes=60))
    response = supervisor_client.post("/settings", data=form_data(urgent_target_minutes="30"),
                                      follow_redirects=True)
    assert "1 waiting comment got a new deadline." in response.get_data(as_text=True)
    assert db.session.get(Comment, urgent.id, populate_existing=True).due_at == (
        received + timedelta(minutes=30))
    assert db.session.get(Comment, published.id, populate_existing=True).due_at == (
        received + timedelta(minutes=60))


def test_submitting_the_same_values_changes_nothing(supervisor_client):
    response = supervisor_client.post("/settings", data=form_data(), follow_redirects=True)
    assert "Nothing changed." in response.get_data(as_text=True)
    assert db.session.scalars(audited()).all() == []


@pytest.mark.parametrize("changes, message", [
    ({"workday_end": "08:00"}, "The working day must end after it starts."),
    ({"working_weekdays": []}, "Choose at least one working day."),
    ({"claim_timeout_minutes": "0"}, "Between 1 and 480 minutes."),
    ({"urgent_target_minutes": "soon"}, "Not a valid integer value."),
    ({"priority_target_working_hours": ""}, "Give the priority reply target in working hours."),
    ({"workday_start": "9am"}, "Not a valid time value."),
])
def test_bad_settings_are_explained_and_nothing_is_stored(supervisor_client, changes, message):
    response = supervisor_client.post("/settings", data=form_data(**changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert current_policy() == ServicePolicy.from_mapping(
        current_app.config["SERVICE_DEFAULTS"])
    assert db.session.scalars(audited()).all() == []


def test_an_out_of_range_setting_names_its_bounds_and_screen_readers_hear_them(
        supervisor_client):
    response = supervisor_client.post("/settings", data=form_data(urgent_target_minutes="2"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="urgent_target_minutes-error"' in html
    assert "Between 5 and 1440 minutes." in html
    field = re.search(r'<input[^>]*id="urgent_target_minutes"[^>]*>', html).group(0)
    assert 'aria-describedby="urgent_target_minutes-error"' in field
    assert 'aria-invalid="true"' in field


def test_the_service_refuses_what_the_form_refuses(app, supervisor):
    with pytest.raises(ValueError, match="Between 5 and 1440 minutes"):
        update_settings({"urgent_target_minutes": 2}, supervisor)
