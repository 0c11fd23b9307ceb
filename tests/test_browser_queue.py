"""In the browser: the queue with its keyboard shortcuts, live banner and urgent count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Comment, db, utcnow
from tests.helpers import sign_in_tab


@pytest.fixture
def app_config(app_config):
    """Poll every second so the test sees new comments without waiting 15 s."""
    return {**app_config, "QUEUE_POLL_SECONDS": 1}


@pytest.fixture
def waiting(make_comment):
    """An urgent comment due soon, a priority one, then a routine one."""
    now = utcnow()
    urgent = make_comment("I am soaking a pad every hour and feel dizzy", urgency="urgent",
                          author_name="Priya", received_at=now - timedelta(minutes=20))
    priority = make_comment("Still bleeding five weeks on", urgency="priority",
                            received_at=now - timedelta(hours=1),
                            due_at=now + timedelta(hours=3))
    routine = make_comment("When will my period come back?", urgency="routine",
                           topic="first_period", received_at=now - timedelta(hours=2))
    return urgent, priority, routine


def selected_id(tab) -> str | None:
    return tab.locator("tr.queue-row.selected").get_attribute("data-comment-id")


def test_midwife_moves_with_j_and_k_and_opens_with_enter(page, midwife, waiting):
    urgent, priority, _ = waiting
    sign_in_tab(page, midwife.email)
    rows = page.locator("tr.queue-row")
    assert rows.count() == 3
    assert rows.first.get_attribute("data-comment-id") == str(urgent.id)
    # The navigation counts the one urgent comment nobody is answering.
    assert page.locator("#urgent-unclaimed-count").inner_text().startswith("1")
    assert page.locator("#urgent-unclaimed-count").is_visible()

    page.keyboard.press("j")
    assert selected_id(page) == str(urgent.id)
    page.keyboard.press("j")
    assert selected_id(page) == str(priority.id)
    page.keyboard.press("k")
    assert selected_id(page) == str(urgent.id)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/comments/{urgent.id}")
    # Opening shows it; "Reply" (a POST) claims it: back on the queue it is hers and no
    # longer counted as unclaimed.
    with page.expect_navigation():
        page.get_by_role("button", name="Reply", exact=True).click()
    page.goto("/")
    row = page.locator(f'tr[data-comment-id="{urgent.id}"]')
    assert row.locator(".claim-mine").inner_text() == "you"
    assert page.locator("#urgent-unclaimed-count").is_hidden()


def test_n_takes_the_next_comment_nobody_is_answering(page, midwife, jo, waiting):
    urgent, priority, _ = waiting
    from moderation.services.claims import claim_comment

    claim_comment(urgent.id, jo)
    db.session.commit()
    sign_in_tab(page, midwife.email)
    assert "being answered by Jo" in page.locator(
        f'tr[data-comment-id="{urgent.id}"]').inner_text()
    page.keyboard.press("n")
    page.wait_for_url(f"**/comments/{priority.id}")
    claimed = db.session.get(Comment, priority.id, populate_existing=True)
    assert claimed.claimed_by_id == midwife.id


def test_question_mark_shows_help_and_typing_in_search_is_not_a_shortcut(page, midwife,
                                                                          waiting):
    sign_in_tab(page, midwife.email)
    help_panel = page.locator("#shortcut-help")
    assert help_panel.is_hidden()
    page.keyboard.press("?")
    assert help_panel.is_visible()
    page.keyboard.press("?")
    assert help_panel.is_hidden()

    search = page.get_by_label("Search")
    search.click()
    search.type("jnk")
    assert search.input_value() == "jnk"
    assert page.locator("tr.queue-row.selected").count() == 0
    assert page.url.endswith("/")


def test_new_comments_are_announced_and_the_urgent_count_follows(page, midwife, make_comment,
                                                                  waiting):
    sign_in_tab(page, midwife.email)
    banner = page.locator("#new-comments")
    assert banner.is_hidden()

    make_comment("Sharp pain on one side and shoulder tip pain", urgency="urgent")
    make_comment("Thank you for this page", urgency="routine", topic="other")

    banner.wait_for(state="visible")
    assert "1 new URGENT comment and 1 other" in banner.inner_text()
    page.wait_for_function(
        "document.getElementById('urgent-unclaimed-count').textContent.trim().startsWith('2')")
    with page.expect_navigation():
        banner.get_by_role("link", name="show").click()
    assert page.locator("tr.queue-row").count() == 5


# Spies on the real browser APIs (they still run): how often the chime played and which
# desktop notifications were raised.
SPY_ON_SOUND_AND_NOTIFICATIONS = """
window.__chimes = [];
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__chimes.push(this.src);
  return realPlay.call(this);
};
window.__notifications = [];
const RealNotification = window.Notification;
function SpyNotification(title, options) {
  window.__notifications.push(title);
  return new RealNotification(title, options);
}
Object.defineProperty(SpyNotification, "permission", { get: () => RealNotification.permission });
SpyNotification.requestPermission = (...args) => RealNotification.requestPermission(...args);
window.Notification = SpyNotification;
"""

HIDE_THIS_TAB = """
Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
document.dispatchEvent(new Event("visibilitychange"));
"""


def test_a_queue_in_a_background_tab_announces_a_new_urgent_comment(
        page, live_server, midwife, waiting):
    # The waiting comments live on the demo article "after-a-miscarriage".
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.add_init_script(SPY_ON_SOUND_AND_NOTIFICATIONS)
    sign_in_tab(page, midwife.email)
    assert page.locator("#notification-status").inner_text() == (
        "Desktop alerts are on for urgent comments.")
    assert page.locator("#allow-notifications").is_hidden()
    title_before = page.title()
    assert "URGENT" not in title_before

    # The midwife works in another tab; the queue's tab is in the background.
    page.evaluate(HIDE_THIS_TAB)
    public = page.context.new_page()
    public.bring_to_front()
    assert page.evaluate("document.hidden") is True

    # A visitor posts through the public page: intake, the model's triage, the queue.
    public.goto("/pages/after-a-miscarriage")
    public.get_by_label("Your comment", exact=True).fill(
        "I've soaked through two pads in the last hour and I feel faint when I stand up.")
    public.get_by_role("button", name="Post comment").click()
    public.wait_for_load_state()
    # A red flag in the text: the advice comes first, posting is one click away.
    public.get_by_role("button", name="Post my comment").click()
    public.wait_for_load_state()
    stored = db.session.scalar(
        select(Comment).where(Comment.external_id.like("web-%")))
    assert stored is not None and stored.urgency == "urgent"

    # Without a reload, the hidden tab's title and banner say URGENT, once, with the chime.
    from playwright.sync_api import expect

    expect(page).to_have_title(re.compile("URGENT"), timeout=10_000)
    assert page.title() == f"(1 URGENT) {title_before}"
    banner = page.locator("#new-comments")
    assert banner.get_attribute("hidden") is None
    assert banner.locator(".new-comments-text").text_content() == "1 new URGENT comment — "
    assert banner.get_attribute("role") == "alert"
    assert page.evaluate("window.__chimes") == [f"{live_server}/static/sounds/urgent-chime.wav"]
    assert page.evaluate("window.__notifications") == ["1 new URGENT comment"]
    assert page.evaluate("document.hidden") is True
    # The next polls find the same comment: no second chime or notification.
    page.wait_for_timeout(2500)
    assert len(page.evaluate("window.__chimes")) == 1


def test_the_urgent_chime_is_a_sound_file_served_by_the_app(client):
    response = client.get("/static/sounds/urgent-chime.wav")
    assert response.status_code == 200
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WAVE"
    assert response.mimetype.startswith("audio/")


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")
