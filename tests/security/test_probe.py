"""The probe's classes, replayed: every route x every role, CSRF on every state change, XSS
payloads in every field of every view, NUL bytes and huge numbers in every parameter."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Comment, Reply, Snippet, db, utcnow
from moderation.services.sites import create_site
from tests.conftest import sign_in
from tests.helpers import sample_path

# Reached without signing in: the sign-in steps, the public pages, the API (own keys), the
# health and metrics probes (metrics has its own token) and the links sent by e-mail or
# text (invitation, I'm-on-it), whose token is the credential.
OPEN_ENDPOINTS = {"static", "auth.login", "auth.code", "auth.enrol", "users.accept",
                  "alerts.acknowledge_link", "auth.forgot_password", "auth.reset_password_page"}
OPEN_BLUEPRINTS = {"feed", "intake_form", "api", "health", "metrics"}
SUPERVISOR_ONLY = ("/supervisor", "/snippets", "/exports", "/settings", "/security",
                   "/account/second-factor", "/users", "/audit", "/models", "/oncall",
                   "/alerts", "/signposting", "/safeguarding")
# Supervisor actions on a thread, under a path midwives also use.
SUPERVISOR_ONLY_ENDPOINTS = {"threads.clear_redactions", "threads.unpublish_one",
                             "threads.unpublish_all"}
# Answers that end the probing client's session: sign back in after them.
ENDS_SESSIONS = {"auth.logout", "users.deactivate"}
# A readiness probe answers 503 by design while the triage model is missing.
MAY_ANSWER_503 = {"health.readyz"}


def _not_a_server_error(endpoint: str, status: int) -> bool:
    return status < 500 or (endpoint in MAY_ANSWER_503 and status == 503)


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HUGE = str(10**20)


def _rules(app, *, open_ones: bool = False):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else None
        is_open = rule.endpoint in OPEN_ENDPOINTS or blueprint in OPEN_BLUEPRINTS
        if is_open != open_ones or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def _url(rule, value: str = "1") -> str:
    return sample_path(rule.rule, value)


@pytest.fixture
def world(make_comment, make_snippet, midwife):
    """One of everything the views show, so every route has something to find."""
    comment = make_comment()
    make_snippet()
    return comment


# --- Every route x every role ----------------------------------------------------------------

def test_every_route_is_classified_and_no_role_gets_a_500(app, world, midwife, supervisor):
    clients = {"stranger": app.test_client(), "midwife": app.test_client(),
               "supervisor": app.test_client()}
    sign_in(clients["midwife"], midwife)
    sign_in(clients["supervisor"], supervisor)
    checked = 0
    for method, rule in _rules(app):
        url = _url(rule, str(world.id))
        supervisor_only = (url.startswith(SUPERVISOR_ONLY)
                           or rule.endpoint in SUPERVISOR_ONLY_ENDPOINTS
                           or getattr(app.view_functions[rule.endpoint], "allowed_roles",
                                      None) == {"supervisor"})
        for role, client in clients.items():
            status = client.open(url, method=method).status_code
            assert status < 500, (role, method, url, status)
            if role == "stranger":
                assert status in (302, 401), (role, method, url, status)
            elif role == "midwife" and supervisor_only:
                assert status == 403, (role, method, url, status)
            else:
                assert status != 403, (role, method, url, status)
            checked += 1
        # Sign-out (and deactivating an account) ends sessions: sign back in for the next routes.
        if rule.endpoint in ENDS_SESSIONS:
            if rule.endpoint == "users.deactivate":  # give the account back first
                clients["supervisor"].post(url.replace("/deactivate", "/reactivate"))
            sign_in(clients["midwife"], midwife)
            sign_in(clients["supervisor"], supervisor)
    assert checked > 3 * 30


def test_open_routes_never_answer_500_to_anyone(app, world, midwife_client):
    for client in (app.test_client(), midwife_client):
        for method, rule in _rules(app, open_ones=True):
            status = client.open(_url(rule, "after-a-miscarriage" if "slug" in rule.rule
                                      else str(world.id)), method=method).status_code
            assert _not_a_server_error(rule.endpoint, status), (method, rule.rule, status)


# --- CSRF on every state change ----------------------------------------------------------------

def _state() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Comment, Reply, Snippet)) + (
        db.session.scalar(select(func.count(AuditEvent.id))
                          .where(~AuditEvent.action.like("security.%"))),)


def test_every_state_change_without_a_csrf_token_is_refused_and_changes_nothing(
        app, world, supervisor):
    client = app.test_client()
    sign_in(client, supervisor)
    app.config["WTF_CSRF_ENABLED"] = True
    before = _state()
    checked = 0
    for method, rule in [*_rules(app), *_rules(app, open_ones=True)]:
        if method == "GET" or rule.endpoint.startswith("api."):
            continue  # the API authenticates with bearer keys, not cookies
        url = _url(rule, "after-a-miscarriage" if "slug" in rule.rule else str(world.id))
        response = client.open(url, method=method, data={"body": "x", "reason": "because",
                                                         "expected_version": "1"})
        assert response.status_code in (400, 404), (method, url, response.status_code)
        checked += 1
    assert _state() == before
    assert checked > 15


# --- XSS payloads in every field, rendered in every view ------------------------------------------

def test_payloads_in_every_field_are_shown_as_text_in_every_view(
        app, make_page, make_comment, make_snippet, make_reply, make_user, supervisor):
    page = make_page("xss-page", XSS)
    page.url = "javascript:alert(1)"
    author = make_user("midwife", name=XSS)
    author.display_name = XSS
    pending = make_comment(XSS, author_name=XSS, author_email="x@example.org", page=page,
                           moderation_reason=XSS)
    pending.triage_reasons = [XSS, {XSS: XSS}]
    published = make_comment(XSS, author_name=XSS, author_email="x@example.org", page=page,
                             status="published", first_replied_at=utcnow())
    make_reply(published, author, XSS)
    make_snippet("xss", title=XSS, body=XSS + " {first_name}")
    db.session.commit()
    client = app.test_client()
    sign_in(client, supervisor)
    client.post("/login", headers={"User-Agent": XSS})  # a user agent on the sessions page
    views = ["/", f"/comments/{pending.id}", f"/comments/{published.id}", "/snippets/",
             "/supervisor/", "/exports/", "/security/events", "/account/sessions",
             "/settings", f"/pages/{page.slug}"]
    # The JSON feed carries the text as data (the website escapes it); never as HTML.
    feed = client.get("/api/v1/pages/xss-page/comments")
    assert feed.mimetype == "application/json"
    assert feed.headers["X-Content-Type-Options"] == "nosniff"
    for url in views:
        response = client.get(url, headers={"User-Agent": XSS}, follow_redirects=True)
        text = response.get_data(as_text=True)
        assert response.status_code < 500, url
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert 'href="javascript:' not in text, url


# --- NUL bytes and huge numbers in every parameter ---------------------------------------------

QUERY_PARAMETERS = ("q", "urgency", "topic", "page", "status", "period", "date_from", "date_to",
                    "after", "cursor", "snippet", "action", "account", "address", "next",
                    "format", "sort")


# CR LF matters only where a value is echoed into a header (a redirect's Location), which no
# database touches: one backend tells all. NUL bytes, huge numbers and far dates meet each
# database's own limits, so they run on both.
@pytest.mark.parametrize("value", ["a\x00b", HUGE, "9999-12-31",
                                   pytest.param("\r\nX: y", marks=pytest.mark.one_backend)])
def test_hostile_values_in_every_parameter_are_never_a_500(app, world, supervisor, value):
    client = app.test_client()
    sign_in(client, supervisor)
    for method, rule in [*_rules(app), *_rules(app, open_ones=True)]:
        if method != "GET":
            continue
        path_value = quote(value, safe="") if "<" in rule.rule else ""
        url = _url(rule, path_value or "1")
        for name in QUERY_PARAMETERS:
            status = client.get(f"{url}?{name}={quote(value, safe='')}").status_code
            assert _not_a_server_error(rule.endpoint, status), (url, name, value, status)


@pytest.mark.parametrize("value", ["\x00", HUGE])
def test_hostile_values_in_every_form_field_are_never_a_500(app, world, supervisor, value):
    client = app.test_client()
    sign_in(client, supervisor)
    fields = ("body", "reason", "expected_version", "snippet_id", "snippet_version", "urgency",
              "topic", "title", "key", "email", "code", "format", "date_from", "date_to",
              "current_password", "new_password", "confirm", "next", "author_name")
    for method, rule in _rules(app):
        if method != "POST" or rule.endpoint == "auth.logout":
            continue
        url = _url(rule, str(world.id))
        status = client.post(url, data=dict.fromkeys(fields, value)).status_code
        assert status < 500, (url, value, status)


def test_hostile_values_in_the_api_are_problems_not_500s(app, world):
    _, key = create_site("probe-site")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    for body in ({"page": {"slug": "a\x00", "title": "t", "url": "https://x.example/"},
                  "body": "hi\x00", "external_id": "e\x00"},
                 {"page": {"slug": "a", "title": "t", "url": "https://x.example/"},
                  "body": "hi", "external_id": HUGE, "posted_at": "9999-12-31T23:59:59Z"}):
        assert client.post("/api/v1/comments", json=body, headers=headers).status_code < 500
    assert client.get(f"/api/v1/comments/{HUGE}", headers=headers).status_code == 404
