"""In the browser: a midwife takes the urgent comment, answers it from a snippet and publishes."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from models import Comment, Reply, db, utcnow
from tests.helpers import sign_in_tab

DEMO_SNIPPETS = Path(__file__).resolve().parent.parent / "moderation" / "demo" / "snippets.json"


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production: every form and the keep-alive must carry the token."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def library(make_snippet):
    """The real demo snippets for bleeding and urgent care."""
    items = {item["key"]: item for item in json.loads(DEMO_SNIPPETS.read_text("utf-8"))}
    for position, key in enumerate(("bleeding_duration", "urgent_physical")):
        item = items[key]
        make_snippet(key, topic=item["topic"], title=item["title"], body=item["body"],
                     position=position)
    return items


def test_midwife_answers_the_urgent_comment_from_a_snippet_and_publishes(
        page, new_tab, midwife, make_user, make_comment, library):
    now = utcnow()
    make_comment("Just wondering when my period will come back", urgency="routine",
                 topic="first_period", author_name="Kim", received_at=now - timedelta(hours=2))
    urgent = make_comment(
        "Three weeks since my miscarriage and the bleeding is getting heavier <b>tonight</b>",
        urgency="urgent", topic="bleeding", author_name="alex morgan",
        received_at=now - timedelta(minutes=20))

    sign_in_tab(page, midwife.email)
    take_next = page.get_by_role("button", name="Take next")
    if take_next.count():
        take_next.first.click()
    else:
        page.goto(f"/comments/{urgent.id}")
    page.wait_for_url(f"**/comments/{urgent.id}")
    assert page.get_by_text("tonight").first.is_visible()  # the comment's <b> shown as text
    assert "<b>tonight</b>" in page.locator(".comment-body").inner_text()

    # Urgent care is suggested first for an urgent comment; she chooses the bleeding snippet.
    inserts = page.locator("a.snippet-insert")
    assert inserts.first.get_attribute("id") == "insert-urgent_physical"
    page.get_by_role("link", name="Insert How long bleeding lasts").click()
    reply = page.get_by_label("Reply text")
    text = reply.input_value()
    assert text.startswith("Hi Alex,")
    assert text.rstrip().endswith(midwife.display_name)
    blanks = page.locator("#blanks-list li")
    assert blanks.count() == 2
    assert page.locator("#reply-preview p").first.inner_text() == "Hi Alex,"

    # She fills the blanks and edits the text; the preview follows as she types.
    edited = (text.replace("[[how many weeks since the loss]]", "three weeks")
              .replace("[[what she describes about the bleeding now]]",
                       "you tell us it is getting heavier tonight")
              .replace("We are here if you want to talk.",
                       "Please go to A&E now if you are soaking a pad an hour. <i>Really</i>."))
    reply.fill(edited)
    assert page.locator("#blanks-left").is_hidden()
    preview = page.locator("#reply-preview")
    assert "Please go to A&E now if you are soaking a pad an hour. <i>Really</i>." in (
        preview.inner_text())
    assert preview.locator("i").count() == 0  # typed markup stays text in the preview
    assert preview.locator("p").count() == edited.count("\n\n") + 1

    # The draft survives a reload.
    page.reload()
    assert page.get_by_label("Reply text").input_value() == edited
    assert page.get_by_text("was restored").is_visible()

    # Publishing asks for confirmation on the page (never a browser dialog).
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_label("I have read this reply through").check()
    page.get_by_role("button", name="Publish reply").click()
    assert "Publish this reply to alex morgan" in page.locator("#action-confirm").inner_text()
    page.get_by_role("button", name="Yes, go ahead").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))
    assert dialogs == []
    assert page.get_by_text("Your reply to alex morgan is published.").is_visible()

    db.session.expire_all()
    assert db.session.get(Comment, urgent.id).status == "published"
    [sent] = db.session.query(Reply).filter_by(comment_id=urgent.id).all()
    assert sent.body == edited.strip()
    assert sent.snippet_version == 1

    # A second midwife, in her own browser, can no longer take or answer it.
    colleague = make_user("midwife", email="priya@example.test", name="Priya Shah")
    tab = new_tab(signed_in_as=colleague.email)
    assert tab.locator(f'a[href="/comments/{urgent.id}"]').count() == 0
    tab.goto(f"/comments/{urgent.id}")
    assert tab.get_by_text("This comment was already published by").is_visible()
    assert tab.get_by_role("button", name="Publish reply").count() == 0
    assert tab.get_by_text("soaking a pad an hour").first.is_visible()
