"""Forgotten passwords: a one-time, time-limited link by email, the same answer for everyone."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from models import AuditEvent, OutboxMessage, User, UserSession, db, utcnow
from moderation.commands.worker import deliver_due
from moderation.services.auth import AccountError, authenticate
from moderation.services.password_reset import request_reset, reset_password, reset_user
from tests.alerting_servers import SMTPServer
from tests.conftest import PASSWORD, sign_in

NEW_PASSWORD = "lantern-orchard-pebble-77"
BASE = "https://moderation.example.org"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BASE_URL": BASE}


def reset_emails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "password_reset").order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    [link] = [word for word in message.body.split() if word.startswith(BASE + "/login/reset/")]
    return link


def path_of(link: str) -> str:
    return urlparse(link).path


def token_of(link: str) -> str:
    return path_of(link).rsplit("/", 1)[1]


def security_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("security.password_reset%")).order_by(AuditEvent.id)))


# --- The service ---------------------------------------------------------------------------

def test_a_reset_link_works_once(app, midwife):
    request_reset("Sam@Example.test ")
    db.session.commit()
    token = token_of(link_in(reset_emails()[0]))
    reset_password(token, NEW_PASSWORD)
    db.session.commit()
    assert authenticate(midwife.email, NEW_PASSWORD).id == midwife.id
    with pytest.raises(AccountError, match="used already"):
        reset_password(token, "another-long-phrase-for-it-99")


def test_a_reset_link_expires_after_the_configured_minutes(app, midwife):
    asked = utcnow()
    request_reset(midwife.email, now=asked)
    db.session.commit()
    token = token_of(link_in(reset_emails()[0]))
    assert reset_user(token, now=asked + timedelta(minutes=29)).id == midwife.id
    with pytest.raises(AccountError, match="expired"):
        reset_user(token, now=asked + timedelta(minutes=31))
    app.config["PASSWORD_RESET_MINUTES"] = 60
    assert reset_user(token, now=asked + timedelta(minutes=31)).id == midwife.id


def test_a_link_stops_working_when_the_password_changes_another_way(app, midwife):
    from moderation.services.auth import change_password

    request_reset(midwife.email)
    db.session.commit()
    token = token_of(link_in(reset_emails()[0]))
    change_password(midwife, PASSWORD, NEW_PASSWORD)
    db.session.commit()
    with pytest.raises(AccountError, match="used already"):
        reset_user(token)


def test_unknown_or_deactivated_addresses_queue_nothing(app, make_user):
    make_user("midwife", email="gone@example.test", active=False)
    assert request_reset("nobody@example.test") is None
    assert request_reset("gone@example.test") is None
    assert reset_emails() == []


# --- Over HTTP -----------------------------------------------------------------------------

def test_the_sign_in_page_offers_a_reset(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in html and "Forgot your password?" in html


def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_gets_an_email(
        client, midwife):
    known = client.post("/login/forgot", data={"email": midwife.email})
    known_page = client.get("/login").get_data(as_text=True)
    unknown = client.post("/login/forgot", data={"email": "stranger@example.test"})
    unknown_page = client.get("/login").get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert known_page == unknown_page and "emailed it a link" in known_page
    [message] = reset_emails()
    assert message.recipient == midwife.email and message.user_id == midwife.id
    assert message.body.count(BASE + "/login/reset/") == 1 and "30 minutes" in message.body
    assert security_actions() == ["security.password_reset_requested"] * 2


def test_a_reset_ends_every_session_and_does_not_sign_her_in(app, client, midwife):
    signed_in = app.test_client()
    assert sign_in(signed_in, midwife).status_code == 302
    client.post("/login/forgot", data={"email": midwife.email})
    path = path_of(link_in(reset_emails()[0]))
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302  # still signed out
    assert signed_in.get("/").status_code == 302  # her other session ended
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == midwife.id, UserSession.revoked_at.is_(None))) == 0
    assert client.get(path).status_code == 410
    assert "security.password_reset" in security_actions()
    assert "security.password_reset_refused" in security_actions()


def test_the_second_factor_still_applies_after_a_reset(client, supervisor):
    client.post("/login/forgot", data={"email": supervisor.email})
    path = path_of(link_in(reset_emails()[0]))
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = client.post("/login", data={"email": supervisor.email, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302


def test_a_weak_password_is_refused_and_neither_it_nor_the_old_one_changes(client, midwife):
    client.post("/login/forgot", data={"email": midwife.email})
    path = path_of(link_in(reset_emails()[0]))
    weak = "password1234"
    response = client.post(path, data={"password": weak, "confirm": weak})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and weak not in html
    assert 'class="field-error"' in html
    db.session.expire_all()
    assert authenticate(midwife.email, PASSWORD) is not None
    # The link still works for a good password.
    ok = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert ok.status_code == 302


def test_a_tampered_link_is_refused_with_a_way_forward(client, midwife):
    response = client.get("/login/reset/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_reset_requests_are_rate_limited_per_address_asked_for(app, client, midwife):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per hour"
    statuses = [client.post("/login/forgot", data={"email": midwife.email}).status_code
                for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert len(reset_emails()) == 2
    # Another address is still answered (the per-client limit is higher).
    assert client.post("/login/forgot", data={"email": "x@example.test"}).status_code == 302


def test_reset_requests_are_rate_limited_per_client_address(app, client):
    app.config["PASSWORD_RESET_ADDRESS_RATE_LIMIT"] = "3 per hour"
    statuses = [client.post("/login/forgot", data={"email": f"p{n}@example.test"}).status_code
                for n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_the_reset_email_reaches_a_real_mail_server_through_the_worker(app, client, midwife):
    smtp = SMTPServer().start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT_SECONDS=2)
        client.post("/login/forgot", data={"email": midwife.email})
        assert deliver_due("worker-test") == {"sent": 1}
        [(recipients, message)] = smtp.wait_for(1)
    finally:
        smtp.stop()
    assert recipients == [midwife.email]
    assert message["Subject"] == "Reset your password"
    link = link_in(reset_emails()[0])
    assert link in message.get_payload(decode=True).decode()
    user = db.session.get(User, midwife.id)
    assert reset_user(token_of(link)).id == user.id
