"""Every back-office page checks who is asking."""

from __future__ import annotations

import pytest

from tests.helpers import sample_path

# The alert's "I'm on it" link carries its own signed, expiring token instead of a session.
# users.accept: the one-time invitation link is opened before its owner has a password.
PUBLIC_ENDPOINTS = {"static", "auth.login", "alerts.acknowledge_link", "users.accept",
                    "auth.forgot_password", "auth.reset_password_page"}
# health: probes for the load balancer; metrics: its own token check (tests/test_metrics.py).
PUBLIC_BLUEPRINTS = {"feed", "intake_form", "api", "health", "metrics"}
SUPERVISOR_PREFIXES = ("/supervisor", "/snippets", "/exports", "/settings", "/oncall", "/alerts",
                       "/users", "/audit")


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else None
        if rule.endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS:
            continue
        url = sample_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_back_office_page_sends_strangers_to_sign_in(app, client):
    checked = 0
    for method, url in _staff_rules(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], (method, url)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_midwives_get_403_on_every_supervisor_page(app, midwife_client, method):
    checked = 0
    for rule_method, url in _staff_rules(app):
        if rule_method != method or not url.startswith(SUPERVISOR_PREFIXES):
            continue
        response = midwife_client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)
        checked += 1
    assert checked > 0


@pytest.fixture
def csrf_supervisor_client(app, supervisor):
    """A signed-in supervisor's client on an app that checks CSRF tokens."""
    from tests.conftest import sign_in

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert sign_in(client, supervisor).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    return client


def test_every_form_post_without_a_csrf_token_is_refused(app, csrf_supervisor_client, make_page):
    make_page("1")  # so the public page's form has a page to refuse the post on
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        url = sample_path(rule.rule)
        response = csrf_supervisor_client.post(url, data={"body": "x", "reason": "spam"})
        assert response.status_code == 400, (url, response.status_code)
        if not rule.endpoint.startswith("intake_form."):  # the public page words it for visitors
            assert "CSRF" in response.get_data(as_text=True), url
        checked += 1
    assert checked > 10
