"""Security events: JSON log lines and audit rows with time, account, address and browser."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from models import AuditEvent, db
from moderation import create_app
from tests.conftest import PASSWORD, sign_in

BROWSER = {"User-Agent": "Probe/1.0"}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .execution_options(populate_existing=True)))


def json_lines(caplog, action: str) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records
            if r.name == "moderation.security" and f'"event": "{action}"' in r.getMessage()]


def test_a_failed_sign_in_is_a_json_line_and_an_audit_row(client, midwife, caplog):
    caplog.set_level(logging.INFO, logger="moderation.security")
    client.post("/login", data={"email": midwife.email, "password": "wrong-password-here"},
                headers=BROWSER, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    [line] = json_lines(caplog, "security.sign_in_failed")
    assert line["account"] == midwife.email and line["address"] == "198.51.100.7"
    assert line["user_agent"] == "Probe/1.0" and line["time"]
    [event] = events("security.sign_in_failed")
    assert event.details["address"] == "198.51.100.7" and event.details["account"] == midwife.email
    assert "password" not in json.dumps(event.details).replace('"step": "password"', "")


def test_a_sign_in_is_recorded_with_the_account(client, midwife):
    sign_in(client, midwife)
    [event] = events("security.sign_in")
    assert event.actor_id == midwife.id


def test_forbidden_pages_are_recorded(midwife_client, midwife):
    assert midwife_client.get("/supervisor/").status_code == 403
    [event] = events("security.forbidden")
    assert event.actor_id == midwife.id and event.details["path"] == "/supervisor/"


def test_csrf_failures_are_recorded(app, midwife_client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert midwife_client.post("/logout").status_code == 400
    assert len(events("security.csrf_failed")) == 1


def test_wrong_api_keys_are_recorded(client):
    response = client.post("/api/v1/comments", json={}, headers={
        "Authorization": "Bearer mk_not-a-real-key"})
    assert response.status_code == 401
    assert len(events("security.api_key_failed")) == 1


def test_limits_hit_are_recorded(app_config, midwife):
    client = create_app(app_config).test_client()
    for _ in range(6):
        client.post("/login", data={"email": midwife.email, "password": "wrong-password-x"})
    [event] = events("security.rate_limited")
    assert event.details["account"] == midwife.email


def test_session_revocations_are_recorded(midwife_client, midwife):
    midwife_client.post("/logout")
    [event] = events("security.session_revoked")
    assert event.actor_id == midwife.id and event.details["reason"] == "signed out"


def test_supervisors_filter_the_events(app, supervisor_client, midwife):
    other = app.test_client()
    other.post("/login", data={"email": midwife.email, "password": "wrong-password-here"},
               environ_base={"REMOTE_ADDR": "198.51.100.9"})
    sign_in(app.test_client(), midwife)
    page = supervisor_client.get("/security/events?action=security.sign_in_failed"
                                 f"&account={midwife.email}").get_data(as_text=True)
    assert "198.51.100.9" in page and page.count("security.sign_in_failed</td>") == 1
    by_address = supervisor_client.get("/security/events?address=198.51.100.9")
    assert by_address.get_data(as_text=True).count("<tr>") == 2  # header and one event
    assert supervisor_client.get("/security/events?date_to=9999-12-31").status_code == 400


def test_midwives_cannot_read_the_security_events(midwife_client):
    assert midwife_client.get("/security/events").status_code == 403


def test_a_sign_in_with_the_right_password_is_not_a_failure(client, midwife):
    client.post("/login", data={"email": midwife.email, "password": PASSWORD})
    assert events("security.sign_in_failed") == []
