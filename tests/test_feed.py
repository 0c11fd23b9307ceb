"""The demo public article page (the feed): answered threads, shown safely."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models import utcnow

# --- Reading --------------------------------------------------------------------------------

def test_the_page_shows_the_article_and_only_answered_published_threads(
    client, article, make_comment, make_reply, midwife
):
    now = utcnow()
    answered = make_comment("First, answered", status="published", page=article,
                            author_email="asker@example.net", received_at=now - timedelta(days=2))
    make_reply(answered, midwife, "A midwife's answer", published_at=now - timedelta(days=1))
    make_comment("Waiting for a midwife", status="pending", page=article)
    make_comment("Rejected one", status="rejected", page=article)
    second = make_comment("Second, published", status="published", page=article,
                          author_name="", received_at=now - timedelta(hours=3))
    make_reply(second, midwife, "Unpublished answer", published_at=now, withdrawn_at=now)
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert "<h1>After a miscarriage</h1>" in html
    assert "<p>Bleeding usually settles over about two weeks.</p>" in html
    assert html.index("First, answered") < html.index("A midwife&#39;s answer") < html.index(
        "Second, published")
    for hidden in ("Waiting for a midwife", "Rejected one", "asker@example.net",
                   "Unpublished answer"):
        assert hidden not in html


def test_authors_are_not_verified_until_a_midwife_answers(
    client, article, make_comment, make_reply, midwife
):
    answered = make_comment("Answered", status="published", page=article, author_name="Priya")
    make_reply(answered, midwife, "Our answer")
    # Its only reply was unpublished by a supervisor: nobody vouches for it any more.
    unanswered = make_comment("Unanswered", status="published", page=article, author_name="Lou")
    make_reply(unanswered, midwife, "Withdrawn answer", withdrawn_at=utcnow())
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    priya = html[html.index("Priya"):html.index("Answered</p>")]
    lou = html[html.index(">Lou<"):html.index("Unanswered</p>")]
    assert "(not verified)" not in priya
    assert "(not verified)" in lou


def test_a_blank_name_is_shown_as_anonymous(client, article, make_comment, make_reply, midwife):
    comment = make_comment("No name given", status="published", page=article, author_name="")
    make_reply(comment, midwife)
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
    comment = make_comment(typed, status="published", page=article, author_name=typed)
    make_reply(comment, midwife, f"Quoting you: {typed}")
    html = client.get("/pages/after-a-miscarriage").get_data(as_text=True)
    assert forbidden not in html
    assert "&lt;" in html


def test_rtl_and_zero_width_text_is_isolated_so_it_cannot_reorder_the_page(
    client, article, make_comment, make_reply, midwife
):
    comment = make_comment("\u202eevil\u202c \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth",
                           page=article, status="published", author_name="\u202eeman\u202c")
    make_reply(comment, midwife)
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
