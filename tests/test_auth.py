"""Signing in and out, roles, and the protections around sessions."""

from __future__ import annotations

from models import User, db
from moderation.services.auth import (
    AccountError,
    authenticate,
    change_password,
    create_user,
    password_hasher,
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
