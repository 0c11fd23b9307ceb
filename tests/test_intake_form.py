"""The "Add a comment" form of the demo public page: posting, errors, CSRF and rate limits."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from models import Comment, db
from moderation import create_app
from tests.helpers import QUESTION, form_token
from tests.test_intake import URGENT_BODY, comment_count

# --- Posting --------------------------------------------------------------------------------

def test_a_visitor_posts_a_comment_and_is_thanked(client, article):
    token = form_token(client.get("/pages/after-a-miscarriage").get_data(as_text=True))
    response = client.post("/pages/after-a-miscarriage", data={
        "author_name": "Jess", "author_email": "jess@example.net", "body": QUESTION,
        "form_token": token})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a midwife" in page.lower() and "reply" in page
    comment = db.session.scalar(select(Comment))
    assert (comment.body, comment.author_name, comment.status) == (QUESTION, "Jess", "pending")
    assert comment.external_id == f"web-{token}" and comment.triaged
    assert QUESTION not in page  # shown only once a midwife has published it


def test_a_visitor_describing_an_emergency_is_told_to_get_help_now(client, article):
    first = client.post("/pages/after-a-miscarriage", data={"body": URGENT_BODY})
    assert first.status_code == 200 and "Before you post" in first.get_data(as_text=True)
    assert comment_count() == 0  # not taken until she chooses to post
    response = client.post("/pages/after-a-miscarriage",
                           data={"body": URGENT_BODY, "confirmed": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and 'href="tel:999"' in html
    assert html.index("get help now") < html.index("One of our midwives will read it")
    assert db.session.scalar(select(Comment)).urgency == "urgent"


def test_a_double_submitted_form_stores_one_comment(client, article):
    token = form_token(client.get("/pages/after-a-miscarriage").get_data(as_text=True))
    data = {"body": QUESTION, "form_token": token}
    assert client.post("/pages/after-a-miscarriage", data=data).status_code == 303
    assert client.post("/pages/after-a-miscarriage", data=data).status_code == 303
    assert comment_count() == 1


@pytest.mark.committed
def test_simultaneous_submits_of_one_form_store_one_comment(app_config, article):
    app_config["PUBLIC_COMMENT_RATE_LIMIT"] = "100 per minute"
    app = create_app(app_config)
    data = {"body": QUESTION, "form_token": "feedfacefeedfacefeedfacefeedface"}
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def submit() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/pages/after-a-miscarriage", data=data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * 4
    db.session.expire_all()
    assert comment_count() == 1


def test_invalid_input_gets_clear_errors_and_keeps_what_was_typed(client, article):
    response = client.post("/pages/after-a-miscarriage", data={
        "author_name": "Jess", "author_email": "not an email", "body": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Must look like an email address" in html
    assert "Must not be empty" in html
    assert 'value="Jess"' in html and 'value="not an email"' in html
    assert comment_count() == 0


def test_a_nul_character_is_refused_naming_the_comment_field(client, article):
    response = client.post("/pages/after-a-miscarriage", data={"body": "hello\x00there"})
    assert response.status_code == 422
    assert 'id="comment_body-error">Contains a NUL character' in response.get_data(as_text=True)


def test_the_form_is_protected_against_cross_site_posts(app_config, article):
    app_config["WTF_CSRF_ENABLED"] = True
    client = create_app(app_config).test_client()
    forged = client.post("/pages/after-a-miscarriage", data={"body": QUESTION})
    assert forged.status_code == 400
    assert "expired" in forged.get_data(as_text=True) and QUESTION in forged.get_data(
        as_text=True)
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    posted = client.post("/pages/after-a-miscarriage", data={
        "body": QUESTION, "csrf_token": csrf, "form_token": form_token(html)})
    assert posted.status_code == 303
    assert comment_count() == 1


def test_a_cross_site_post_to_an_unknown_page_is_a_404_not_a_500(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    client = create_app(app_config).test_client()
    response = client.post("/pages/no-such-article", data={"body": QUESTION})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_posting_is_rate_limited_per_address_and_keeps_the_text(app_config, article):
    app_config["PUBLIC_COMMENT_RATE_LIMIT"] = "2 per minute"
    client = create_app(app_config).test_client()
    for n in range(2):
        assert client.post("/pages/after-a-miscarriage",
                           data={"body": f"{QUESTION} ({n})"}).status_code == 303
    limited = client.post("/pages/after-a-miscarriage", data={"body": "My third comment"})
    assert limited.status_code == 429
    assert "My third comment" in limited.get_data(as_text=True)
    assert "wait a minute" in limited.get_data(as_text=True)
    other_address = client.post("/pages/after-a-miscarriage", data={"body": QUESTION},
                                environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other_address.status_code == 303
    assert comment_count() == 3
