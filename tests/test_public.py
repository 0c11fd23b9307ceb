"""The demo public article page: answered threads, and the "Add a comment" form."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Comment, db, utcnow
from moderation import create_app
from tests.test_intake import URGENT_BODY, comment_count

QUESTION = "How long does the bleeding usually go on for after a miscarriage at eight weeks?"


@pytest.fixture
def article(make_page):
    """The demo article, with a summary."""
    page = make_page("after-a-miscarriage", "After a miscarriage")
    page.summary = ("Bleeding usually settles over about two weeks.\n\n"
                    "Our midwives read every comment.")
    db.session.commit()
    return page


def form_token(html: str) -> str:
    match = re.search(r'name="form_token" type="hidden" value="([0-9a-f]{32})"', html)
    assert match, "the form carries a one-time token"
    return match.group(1)


# --- Reading --------------------------------------------------------------------------------

def test_the_page_shows_the_article_and_only_answered_published_threads(
    client, article, make_comment, make_reply, midwife
):
    now = utcnow()
    answered = make_comment("First, answered", status="published", page=article,
                            author_email="asker@example.net", received_at=now - timedelta(days=2),
                            published_at=now - timedelta(days=1))
    make_reply(answered, midwife, "A midwife's answer")
    make_comment("Waiting for a midwife", status="pending", page=article)
    make_comment("Rejected one", status="rejected", page=article)
    make_comment("Second, published", status="published", page=article, author_name="",
                 received_at=now - timedelta(hours=3), published_at=now)
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "<h1>After a miscarriage</h1>" in html
    assert "<p>Bleeding usually settles over about two weeks.</p>" in html
    assert html.index("First, answered") < html.index("A midwife&#39;s answer") < html.index(
        "Second, published")
    for hidden in ("Waiting for a midwife", "Rejected one", "asker@example.net"):
        assert hidden not in html


def test_authors_are_not_verified_until_a_midwife_answers(
    client, article, make_comment, make_reply, midwife
):
    answered = make_comment("Answered", status="published", page=article, author_name="Priya",
                            published_at=utcnow())
    make_reply(answered, midwife, "Our answer")
    make_comment("Unanswered", status="published", page=article, author_name="Lou",
                 published_at=utcnow())
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    priya = html[html.index("Priya"):html.index("Answered</p>")]
    lou = html[html.index(">Lou<"):html.index("Unanswered</p>")]
    assert "(not verified)" not in priya
    assert "(not verified)" in lou


def test_a_blank_name_is_shown_as_anonymous(client, article, make_comment):
    make_comment("No name given", status="published", page=article, author_name="",
                 published_at=utcnow())
    assert "Anonymous" in client.get("/pages/after-a-miscarriage").get_data(as_text=True)


def test_an_unknown_page_is_404(client):
    assert client.get("/pages/no-such-article").status_code == 404


@pytest.mark.parametrize(
    ("typed", "forbidden"),
    [
        ('<script>alert("x")</script>', "<script>alert"),
        ('<img src=x onerror="alert(1)">', "<img src=x"),
        ("<b>bold</b>", "<b>bold"),
    ],
)
def test_hostile_text_is_always_shown_escaped(
    client, article, make_comment, make_reply, midwife, typed, forbidden
):
    comment = make_comment(typed, status="published", page=article, author_name=typed,
                           published_at=utcnow())
    make_reply(comment, midwife, f"Quoting you: {typed}")
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert forbidden not in html
    assert "&lt;" in html


def test_rtl_and_zero_width_text_is_isolated_so_it_cannot_reorder_the_page(
    client, article, make_comment
):
    make_comment("\u202eevil\u202c \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth", page=article,
                 status="published", author_name="\u202eeman\u202c", published_at=utcnow())
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert '<bdi class="comment-author">\u202eeman\u202c</bdi>' in html
    assert '<div class="comment-body" dir="auto"><p>\u202eevil\u202c' in html


def test_the_page_has_no_inline_script_or_style(client, article):
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_the_public_page_has_no_staff_navigation(client, article):
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "Sign out" not in html and "Queue" not in html


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
