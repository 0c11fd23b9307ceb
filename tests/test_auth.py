"""Signing in and out, roles, and the protections around sessions."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pyotp
import pytest
from sqlalchemy import select

from models import AuditEvent, User, UserSession, db, utcnow
from moderation.services.auth import (
    AccountError,
    authenticate,
    change_password,
    create_user,
    password_hasher,
    password_problem,
)
from tests.conftest import PASSWORD, sign_in


def test_midwife_signs_in_and_lands_on_the_queue(client, midwife):
    response = sign_in(client, midwife)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Comments waiting for a reply" in client.get("/").get_data(as_text=True)


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_wrong_password_and_unknown_email_get_the_same_message(client, midwife):
    wrong_password = client.post("/login", data={"email": midwife.email, "password": "nope-nope"})
    unknown_email = client.post("/login", data={"email": "who@example.test", "password": "x"})
    message = "That email and password do not match an active account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("midwife", active=False)
    assert sign_in(client, user).status_code == 200


def test_next_parameter_is_followed_only_for_local_paths(client, midwife):
    local = client.post("/login?next=/supervisor/",
                        data={"email": midwife.email, "password": PASSWORD})
    assert local.headers["Location"] == "/supervisor/"
    client.post("/logout")
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={hostile}",
                               data={"email": midwife.email, "password": PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_midwife_gets_a_403_page_on_the_supervisor_area(midwife_client):
    response = midwife_client.get("/supervisor/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_supervisor_sees_the_supervisor_area(supervisor_client):
    response = supervisor_client.get("/supervisor/")
    assert response.status_code == 200
    assert "Supervisor area" in response.get_data(as_text=True)


def test_ten_wrong_passwords_in_a_row_are_throttled(client, midwife):
    statuses = [
        client.post("/login", data={"email": midwife.email, "password": f"wrong-{i}"}).status_code
        for i in range(10)
    ]
    assert statuses[-1] == 429
    throttled = client.post("/login", data={"email": midwife.email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.get_data(as_text=True)


def test_logout_ends_the_session_even_for_a_copied_cookie(app, midwife_client):
    cookie = midwife_client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 200
    midwife_client.post("/logout")
    assert thief.get("/").status_code == 302


def test_changing_password_ends_other_sessions(app, midwife, midwife_client):
    other_device = app.test_client()
    sign_in(other_device, midwife)
    response = midwife_client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-long-passphrase-9",
        "confirm": "a-new-long-passphrase-9"})
    assert response.status_code == 302
    assert midwife_client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_weak_new_password_is_refused(midwife, midwife_client):
    response = midwife_client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)


def test_outdated_hash_is_upgraded_on_sign_in(app, make_user):
    from argon2 import PasswordHasher

    user = make_user("midwife")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db.session.commit()
    assert authenticate(user.email, PASSWORD) is not None
    assert not password_hasher.check_needs_rehash(user.password_hash)


def test_create_user_refuses_a_duplicate_email_and_a_weak_password(app, midwife):
    for kwargs, message in (
        ({"email": midwife.email.upper(), "password": "long-enough-pass-1"}, "already exists"),
        ({"email": "new@example.test", "password": "short"}, "at least 12"),
    ):
        try:
            create_user(name="New Person", role="midwife", **kwargs)
        except AccountError as exc:
            assert message in str(exc)
        else:
            raise AssertionError("expected AccountError")


def test_change_password_needs_the_current_one(app, midwife):
    try:
        change_password(midwife, "not-it", "another-long-pass-77")
    except AccountError as exc:
        assert "current password" in str(exc)
    else:
        raise AssertionError("expected AccountError")
    assert db.session.get(User, midwife.id).password_hash == midwife.password_hash


# --- Server-side sessions -------------------------------------------------------------------

def _sessions_of(user: User) -> list[UserSession]:
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        .execution_options(populate_existing=True)))


def test_every_sign_in_gets_its_own_session_identifier(app, midwife):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, midwife)
    sign_in(phone, midwife)
    first, second = _sessions_of(midwife)
    assert first.token_hash != second.token_hash
    laptop.post("/logout")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200  # the other sign-in is untouched


def test_an_idle_session_ends_even_with_a_valid_cookie(midwife_client, midwife):
    assert midwife_client.get("/").status_code == 200
    [record] = _sessions_of(midwife)
    record.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert midwife_client.get("/").status_code == 302
    assert _sessions_of(midwife)[0].revoked_reason == "idle"


def test_a_session_in_use_ends_at_its_absolute_lifetime(midwife_client, midwife):
    [record] = _sessions_of(midwife)
    assert record.expires_at - record.created_at == timedelta(hours=12)
    record.created_at = utcnow() - timedelta(hours=12, minutes=1)
    record.expires_at = utcnow() - timedelta(minutes=1)
    record.last_seen_at = utcnow()  # in use a moment ago
    db.session.commit()
    assert midwife_client.get("/").status_code == 302


def test_keep_me_signed_in_lasts_30_days_at_most(app, midwife):
    client = app.test_client()
    response = client.post("/login", data={"email": midwife.email, "password": PASSWORD,
                                           "remember": "y"})
    [record] = _sessions_of(midwife)
    assert record.remember and record.expires_at - record.created_at == timedelta(days=30)
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - utcnow() <= timedelta(days=30, minutes=1)


def test_the_remember_me_setting_cannot_exceed_30_days(monkeypatch):
    from moderation.config import load_config

    monkeypatch.setenv("REMEMBER_ME_DAYS", "365")
    config = load_config()
    assert config["REMEMBER_ME_DAYS"] == 30
    assert config["REMEMBER_COOKIE_DURATION"] == 30 * 86400


def test_the_sessions_page_lists_devices_and_signs_out_everywhere_else(app, midwife):
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/login", data={"email": midwife.email, "password": PASSWORD},
                headers={"User-Agent": "Laptop Firefox"},
                environ_base={"REMOTE_ADDR": "203.0.113.5"})
    phone.post("/login", data={"email": midwife.email, "password": PASSWORD},
               headers={"User-Agent": "Phone Safari"})
    html = laptop.get("/account/sessions", headers={"User-Agent": "Laptop Firefox"},
                      environ_base={"REMOTE_ADDR": "203.0.113.5"}).get_data(as_text=True)
    assert "Laptop Firefox" in html and "Phone Safari" in html and "203.0.113.5" in html
    assert "(this one)" in html
    laptop.post("/account/sessions/end-others", headers={"User-Agent": "Laptop Firefox"},
                environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert phone.get("/", headers={"User-Agent": "Phone Safari"}).status_code == 302
    assert laptop.get("/", headers={"User-Agent": "Laptop Firefox"},
                      environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 200


def test_production_cookies_use_the_host_prefix(monkeypatch):
    from moderation.config import load_config

    monkeypatch.setenv("MODERATION_ENV", "production")
    config = load_config()
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["REMEMBER_COOKIE_NAME"] == "__Host-remember"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_guessing_at_the_change_password_form_is_limited(midwife_client):
    statuses = [midwife_client.post("/account/password", data={
        "current_password": f"guess-{n}", "new_password": "a-new-long-passphrase-9",
        "confirm": "a-new-long-passphrase-9"}).status_code for n in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


# --- Second factor ----------------------------------------------------------------------------

def _password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_a_supervisor_needs_a_totp_code_after_her_password(app, supervisor):
    client = app.test_client()
    response = _password_step(client, supervisor)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # the password alone does not sign in
    wrong = client.post("/login/code", data={"code": "000000"})
    assert "That code is not right" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(supervisor.totp_secret).now()
    assert client.post("/login/code", data={"code": code}).headers["Location"] == "/"
    assert client.get("/supervisor/").status_code == 200


def test_a_totp_code_works_only_once(app, supervisor):
    code = pyotp.TOTP(supervisor.totp_secret).now()
    first = app.test_client()
    _password_step(first, supervisor)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    replay = app.test_client()
    _password_step(replay, supervisor)
    assert replay.post("/login/code", data={"code": code}).status_code == 200
    assert replay.get("/").status_code == 302


def test_a_supervisor_without_a_second_factor_sets_one_up_with_a_qr_code(app, make_user):
    helen = make_user("supervisor", mfa=False)
    client = app.test_client()
    assert _password_step(client, helen).headers["Location"] == "/login/enrol"
    html = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn by the app
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    response = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", response.get_data(as_text=True))
    assert len(set(codes)) == 10
    user = db.session.get(User, helen.id, populate_existing=True)
    assert user.totp_secret == secret and len(user.recovery_code_hashes) == 10
    assert not any(code in json.dumps(user.recovery_code_hashes) for code in codes)
    assert client.get("/supervisor/").status_code == 200


def test_a_recovery_code_signs_in_once(app, supervisor):
    user = db.session.get(User, supervisor.id)
    codes = ["a1b2c3-d4e5f6", "0f0f0f-1e1e1e"]
    user.recovery_code_hashes = [password_hasher.hash(code) for code in codes]
    db.session.commit()
    client = app.test_client()
    _password_step(client, supervisor)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    again = app.test_client()
    _password_step(again, supervisor)
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 200
    assert len(db.session.get(User, supervisor.id, populate_existing=True)
               .recovery_code_hashes) == 1


def test_a_setting_requires_a_second_factor_of_everyone(app, midwife):
    app.config["MFA_REQUIRED_FOR_EVERYONE"] = True
    client = app.test_client()
    assert _password_step(client, midwife).headers["Location"] == "/login/enrol"
    assert client.get("/").status_code == 302


def test_midwives_without_the_setting_sign_in_with_a_password(client, midwife):
    assert _password_step(client, midwife).headers["Location"] == "/"


def test_a_supervisor_resets_a_colleagues_second_factor_and_it_is_audited(
        app, supervisor_client, supervisor, make_user):
    sam = make_user("midwife", mfa=True)
    sams_phone = app.test_client()
    sign_in(sams_phone, sam)
    assert sams_phone.get("/").status_code == 200
    response = supervisor_client.post("/account/second-factor/reset", data={"email": sam.email})
    assert response.status_code == 302
    assert db.session.get(User, sam.id, populate_existing=True).totp_secret is None
    assert sams_phone.get("/").status_code == 302  # her sessions ended
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event.actor_id == supervisor.id and event.target_id == sam.id


def test_midwives_cannot_reset_second_factors(midwife_client, supervisor):
    response = midwife_client.post("/account/second-factor/reset",
                                   data={"email": supervisor.email})
    assert response.status_code == 403


def test_the_code_step_needs_a_right_password_first(client):
    assert client.get("/login/code").headers["Location"] == "/login"


# --- Passwords (NIST SP 800-63B) ------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "correct horse battery staple",  # a passphrase of plain words: no digits or symbols needed
    "my cat is called bramble",
    "ünïcödé-wörds-ärë-fïnë-ẞ",
    "12 pear trees by the river",
    "a very long passphrase about the river and the pear trees in the orchard, " * 4,
])
def test_long_passphrases_of_any_characters_are_accepted(password):
    assert password_problem(password, email="sam@example.test", name="Sam Jones") is None


@pytest.mark.parametrize("password", [
    "password1234", "iloveyou1234", "qwertyuiopas", "Summer2024!!", "aaaaaaaaaaaa",
    "P@ssw0rd1234", "123456789012", "midwife2026!",
])
def test_common_and_breached_passwords_are_refused(password):
    problem = password_problem(password, email="sam@example.test", name="Sam Jones")
    assert problem is not None and "too easy to guess" in problem


def test_short_passwords_and_ones_naming_the_person_are_refused():
    assert "at least 12" in password_problem("short pass", email="", name="")
    assert "name or email" in password_problem("samjones-river-bend-7", email="x@example.test",
                                                name="Sam Jones")
