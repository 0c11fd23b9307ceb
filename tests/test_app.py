"""Protective headers, error pages and CSRF across the app."""

from __future__ import annotations

import pytest

from moderation import create_app
from tests.conftest import PASSWORD


def test_signed_in_pages_are_never_cached(midwife_client):
    assert midwife_client.get("/").headers["Cache-Control"] == "no-store"


def test_content_security_policy_allows_only_own_scripts_and_styles(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy


def test_session_cookie_is_httponly_and_lax(client, midwife):
    response = client.post("/login", data={"email": midwife.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert create_app({"TESTING": True}).config["SESSION_COOKIE_SECURE"] is True


def test_unknown_page_shows_a_friendly_404(midwife_client):
    response = midwife_client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_server_error_shows_no_stack_trace_and_is_logged(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "secret internals" not in body
    assert "secret internals" in caplog.text


@pytest.fixture
def csrf_app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_form_posted_without_csrf_token_is_refused(csrf_app_config, midwife):
    app = create_app(csrf_app_config)
    client = app.test_client()
    response = client.post("/login", data={"email": midwife.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
