"""End to end in the browser: a visitor's urgent comment reaches the top of the queue, a midwife
answers it, and the public page and the feed show the comment with her reply."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Comment, Reply, db, utcnow

VISITOR_COMMENT = (
    "I had a miscarriage nine days ago. Since this afternoon the bleeding has got really heavy, "
    "I've soaked two pads in the last hour and I feel faint and dizzy when I stand up. "
    "Is this normal?"
)
MIDWIFE_REPLY = (
    "Hi Jess,\n\nSoaking a pad in an hour or less and feeling faint is not something to wait "
    "with. Please call 999 or go to your nearest A&E now.\n\nGrace, Midwife"
)


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production: the public form and the composer must carry their tokens."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def article(make_page, make_comment):
    """The demo article, with two calmer comments already waiting in the queue."""
    page = make_page("after-a-miscarriage", "After a miscarriage")
    page.summary = "Every miscarriage is a loss, however early it happens."
    now = utcnow()
    make_comment("When can we start trying again?", urgency="routine", topic="trying_again",
                 page=page, received_at=now - timedelta(minutes=30))
    make_comment("Nine weeks and still no period, is something wrong?", urgency="priority",
                 topic="first_period", page=page, received_at=now - timedelta(minutes=10))
    db.session.commit()
    return page


def test_a_visitors_urgent_comment_is_answered_and_shown_with_the_reply(
    page, new_tab, article, make_user
):
    # A visitor posts on the demo page.
    page.goto("/pages/after-a-miscarriage")
    assert page.get_by_role("heading", name="After a miscarriage").is_visible()
    page.get_by_label("Your name").fill("Jess")
    page.get_by_label("Your email").fill("jess@example.net")
    page.get_by_label("Your comment", exact=True).fill(VISITOR_COMMENT)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    # A red flag in the text: the help comes first, and posting is one click away.
    assert page.get_by_role("heading", name="Before you post").is_visible()
    page.get_by_role("button", name="Post my comment").click()
    page.wait_for_load_state()
    assert page.get_by_text("One of our midwives will read it and reply").is_visible()
    assert page.get_by_role("alert").get_by_text("Call 999 or go to A&E now").first.is_visible()
    assert VISITOR_COMMENT not in page.content()  # not public until a midwife answers

    stored = db.session.scalar(select(Comment).where(Comment.external_id.like("web-%")))
    assert stored.status == "pending" and stored.urgency == "urgent"

    # The midwife, in her own browser, finds it at the top of her queue, marked urgent.
    midwife = make_user("midwife", email="grace@example.test", name="Grace Okafor")
    tab = new_tab(signed_in_as=midwife.email)
    first_row = tab.locator("#queue-table tbody tr").first
    assert first_row.locator(".badge").inner_text().strip().lower() == "urgent"
    assert "soaked two pads" in first_row.inner_text()
    assert first_row.locator("td.author").inner_text() == "Jess"

    # She opens it, writes her answer and publishes it after confirming.
    first_row.locator("a.open-comment").click()
    tab.wait_for_url(f"**/comments/{stored.id}")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Reply", exact=True).click()
    tab.get_by_label("Reply text").fill(MIDWIFE_REPLY)
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    tab.get_by_label("I have read this reply through").check()
    tab.get_by_role("button", name="Publish reply").click()
    # The confirmation is on the page, never a browser dialog.
    assert "Publish this reply to Jess?" in tab.locator("#action-confirm").inner_text()
    tab.get_by_role("button", name="Yes, go ahead").click()
    tab.wait_for_url(re.compile(r".*/(\?.*)?$"))
    assert dialogs == []
    assert tab.get_by_text("is published").first.is_visible()

    # The visitor comes back: her comment is on the page with the midwife's reply under it.
    page.goto("/pages/after-a-miscarriage")
    thread = page.locator(f"#comment-{stored.id}")
    assert "soaked two pads in the last hour" in thread.locator(".comment-body").inner_text()
    assert thread.locator(".comment-author").inner_text() == "Jess"
    assert thread.locator(".not-verified").count() == 0  # a midwife has answered
    reply = thread.locator(".public-reply")
    assert "Please call 999 or go to your nearest A&E now." in reply.inner_text()
    assert reply.locator(".badge").text_content() == "Midwife"
    assert "jess@example.net" not in page.content()

    # And the website's feed carries the same thread.
    feed = page.request.get("/api/v1/pages/after-a-miscarriage/comments").json()
    [shown] = [c for c in feed["comments"] if c["id"] == stored.id]
    assert shown["body"] == VISITOR_COMMENT and shown["verified"] is True
    assert [r["body"] for r in shown["replies"]] == [MIDWIFE_REPLY]

    db.session.expire_all()
    assert db.session.get(Comment, stored.id).status == "published"
    assert db.session.query(Reply).filter_by(comment_id=stored.id).count() == 1
