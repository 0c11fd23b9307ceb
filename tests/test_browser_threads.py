"""In the browser: a conversation of several replies grows by the poster's follow-up, answered
in the same thread and shown whole, in order, on the public page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from models import Comment, Reply, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.intake import receive_comment
from moderation.services.replies import publish_reply
from tests.helpers import sign_in_tab
from tests.test_intake import comment_request

QUESTION = "Two weeks after my miscarriage I still feel dizzy when I stand up. Should I worry?"
REPLIES = ["Dizziness can come from blood loss. Please ask your GP for a blood test this week, "
           "and if you faint or bleed heavily call 999 or go to A&E.",
           "Thank you for the update. Keep drinking plenty and eat iron-rich food.",
           "Glad the GP is seeing you. If you faint, call 999 straight away."]
FOLLOW_UPS = ["My GP can see me on Friday. Is that soon enough?",
              "The GP said my iron is low and gave me tablets. The dizziness is better now."]
LAST_REPLY = ("That is good news. The tablets take a few weeks to work fully, so be gentle. "
              "If the dizziness comes back or you faint, call 999.")


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def answer(comment: Comment, midwife, body: str, when) -> None:
    claim_comment(comment.id, midwife, when)
    fresh = db.session.get(Comment, comment.id)
    publish_reply(comment.id, midwife, body, expected_version=fresh.version, now=when)
    db.session.commit()


def test_a_thread_with_three_replies_and_a_follow_up(page, new_tab, midwife):
    start = utcnow() - timedelta(days=3)
    root = receive_comment(comment_request(body=QUESTION, external_id="wp-t1",
                                           author_name="Dee"), None).comment
    root.received_at = start
    db.session.commit()
    answer(root, midwife, REPLIES[0], start + timedelta(hours=1))
    first = receive_comment(comment_request(body=FOLLOW_UPS[0], external_id="wp-t2",
                                            author_name="Dee", in_reply_to=root.id),
                            None).comment
    first.received_at = start + timedelta(days=1)
    db.session.commit()
    answer(first, midwife, REPLIES[1], start + timedelta(days=1, hours=1))
    # A third reply in the same thread answers the same follow-up's question later on.
    db.session.add(Reply(comment_id=first.id, midwife_id=midwife.id, body=REPLIES[2],
                         created_at=start + timedelta(days=2),
                         published_at=start + timedelta(days=2)))
    db.session.commit()

    # The poster reads the conversation and replies in it from the page's Reply link.
    page.goto("/pages/after-a-miscarriage")
    thread = page.locator(f"#comment-{root.id}")
    assert thread.locator(".reply-body").all_inner_texts() == REPLIES
    thread.get_by_role("link", name="Reply in this conversation").click()
    assert page.locator("#replying-to").is_visible()
    page.get_by_label("Your comment").fill(FOLLOW_UPS[1])
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    # "Dizziness" fires a red-flag rule: the advice comes first, posting is one click away.
    assert page.get_by_role("heading", name="Before you post").is_visible()
    page.get_by_role("button", name="Post my comment").click()
    page.wait_for_load_state()
    assert page.get_by_text("Thank you for your comment").is_visible()
    db.session.expire_all()
    follow_up = db.session.query(Comment).filter_by(body=FOLLOW_UPS[1]).one()
    assert follow_up.in_reply_to_id == root.id and follow_up.status == "pending"

    # A midwife opens it from the queue and sees the conversation so far.
    tab = new_tab()
    sign_in_tab(tab, midwife.email)
    tab.locator(f'a[href="/comments/{follow_up.id}"]').first.click()
    tab.wait_for_url(f"**/comments/{follow_up.id}")
    conversation = tab.locator("#conversation")
    assert conversation.get_by_text("A follow-up: the conversation so far").is_visible()
    for text in (QUESTION, *REPLIES, FOLLOW_UPS[0]):
        assert conversation.get_by_text(text).first.is_visible()

    # Opening it only reads it: she claims it to reply.
    with tab.expect_navigation():
        tab.get_by_role("button", name="Reply", exact=True).click()
    tab.get_by_label("Reply text").fill(LAST_REPLY)
    tab.get_by_label("I have read this reply through").check()
    tab.get_by_role("button", name="Publish reply").click()
    tab.get_by_role("button", name="Yes, go ahead").click()
    tab.wait_for_url(re.compile(r".*/(\?.*)?$"))

    # The public page shows the whole thread, in order, as one conversation.
    page.goto("/pages/after-a-miscarriage")
    thread = page.locator(f"#comment-{root.id}")
    shown = thread.locator(".comment-body, .reply-body").all_inner_texts()
    assert shown == [QUESTION, REPLIES[0], FOLLOW_UPS[0], REPLIES[1], REPLIES[2],
                     FOLLOW_UPS[1], LAST_REPLY]
    assert page.locator("li.thread").count() == 1
