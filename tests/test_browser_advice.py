"""In a real browser: the red-flag interstitial shows help first and never blocks posting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Comment, db
from moderation.services.signposting import seed_register

OVERDOSE = "I've taken all my tablets and I don't know what to do"


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def article(make_page):
    page = make_page("after-a-miscarriage", "After a miscarriage")
    page.summary = "Every miscarriage is a loss, however early it happens."
    seed_register()
    db.session.commit()
    return page


def test_the_interstitial_shows_crisis_help_then_posts_the_kept_text(page, article):
    page.goto("/pages/after-a-miscarriage")
    page.get_by_label("Your name").fill("Robin")
    page.get_by_label("Your comment", exact=True).fill(OVERDOSE)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()

    # Help for a mental-health crisis, before the comment is taken; the text is kept.
    alert = page.get_by_role("alert")
    assert alert.get_by_role("heading", name="If you are thinking about ending your life"
                             ).is_visible()
    assert alert.locator('a[href="tel:116123"]').is_visible()
    assert page.get_by_label("Your comment", exact=True).input_value() == OVERDOSE
    assert db.session.scalar(select(Comment)) is None

    page.get_by_role("button", name="Post my comment").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").get_by_role(
        "heading", name="Please don't wait for our reply: get help now").is_visible()
    db.session.expire_all()
    stored = db.session.scalar(select(Comment))
    assert stored.body == OVERDOSE and stored.urgency == "urgent"
    assert stored.author_name == "Robin"

    # Still there on the next visit to the page in the same session.
    page.reload()
    assert page.get_by_role("alert").locator('a[href="tel:999"]').first.is_visible()
