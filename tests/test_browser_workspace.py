"""In the browser: the queue is dense on a small laptop and a card list on a phone."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from models import db, utcnow
from tests.conftest import PASSWORD, browser_sign_in
from tests.helpers import sign_in_tab

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_config(app_config):
    """Presence polls every second so a second browser is seen without waiting 10 s."""
    return {**app_config, "PRESENCE_POLL_SECONDS": 1}


@pytest.fixture
def busy_queue(make_comment):
    """Twenty waiting comments, some due soon, some overdue, one with a long first line."""
    now = utcnow()
    comments = []
    for n in range(20):
        comments.append(make_comment(
            f"Comment {n}: " + "I have been bleeding more than I expected since last week " * 3,
            urgency=("urgent", "priority", "routine")[n % 3],
            author_name=f"Person {n} with a rather long name",
            received_at=now - timedelta(hours=2, minutes=n),
            due_at=now + timedelta(minutes=(n - 4) * 20)))
    return comments


def rows_above_the_fold(tab) -> int:
    """How many queue rows are wholly visible without scrolling."""
    return tab.evaluate("""() => [...document.querySelectorAll('tr.queue-row')]
        .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length""")


def test_a_small_laptop_shows_at_least_twelve_comments_above_the_fold(new_tab, midwife,
                                                                       busy_queue):
    tab = new_tab()
    tab.set_viewport_size(LAPTOP)
    sign_in_tab(tab, midwife.email)
    assert rows_above_the_fold(tab) >= 12
    first = tab.locator("tr.queue-row").first
    # Every row still says urgency, topic, why, time left and who is on it.
    for cell in ("urgency", "topic", "reason", "time-left", "answering"):
        assert first.locator(f"td.{cell}").count() == 1
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_phone_shows_cards_with_no_horizontal_scroll_and_every_link_reachable(
        new_tab, midwife, busy_queue):
    tab = new_tab()
    tab.set_viewport_size(PHONE)
    sign_in_tab(tab, midwife.email)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    link = tab.locator("a.open-comment").first
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert tab.locator("#take-next-form button").bounding_box()["x"] < PHONE["width"]


def test_time_left_counts_down_and_turns_amber_then_red(new_tab, midwife, make_comment):
    now = utcnow()
    soon = make_comment("Due in a few seconds", urgency="priority",
                        due_at=now + timedelta(seconds=62))
    later = make_comment("Due tomorrow", urgency="routine", due_at=now + timedelta(hours=20))
    tab = new_tab()
    tab.set_viewport_size(LAPTOP)
    # The page's clock runs from the server's "now"; move it on by installing a fake clock.
    tab.clock.install(time=now)
    sign_in_tab(tab, midwife.email)
    soon_cell = tab.locator(f'tr[data-comment-id="{soon.id}"] .countdown')
    later_cell = tab.locator(f'tr[data-comment-id="{later.id}"] .countdown')
    assert "due-soon" in soon_cell.get_attribute("class")
    assert "due-later" in later_cell.get_attribute("class")
    tab.clock.run_for(70_000)
    assert "overdue-state" in soon_cell.get_attribute("class")
    assert soon_cell.inner_text().startswith("overdue by")


def test_invite_accept_and_sign_in_in_the_browser(new_tab, supervisor):
    boss = new_tab(signed_in_as=supervisor.email)
    boss.get_by_role("link", name="Staff").click()
    boss.get_by_label("Full name").fill("Ada Lovelace")
    boss.get_by_label("Email").fill("ada@example.test")
    boss.get_by_label("Role", exact=True).select_option("midwife")
    boss.get_by_role("button", name="Send invitation").click()
    link = boss.get_by_label("One-time link").input_value()
    assert "/invitations/" in link

    ada = new_tab()
    ada.goto(urlsplit(link).path)  # the emailed link names BASE_URL; the test server differs
    ada.get_by_label("New password", exact=True).fill("quiet-harbour-42-lanterns")
    ada.get_by_label("New password again").fill("quiet-harbour-42-lanterns")
    ada.get_by_role("button", name="Set password").click()
    # She then signs in like anyone else (a new session; a second factor where required).
    ada.wait_for_url(re.compile(r"/login"))
    assert "Welcome, Ada Lovelace" in ada.content()

    later = new_tab()
    browser_sign_in(later, "ada@example.test", "quiet-harbour-42-lanterns")
    later.wait_for_url(re.compile(r"/$"))
    boss.reload()
    assert "invited, not signed in yet" not in boss.locator("tr", has_text="Ada").inner_text()


def test_the_audit_page_filters_by_kind_and_person(new_tab, supervisor, midwife, make_comment):
    from moderation.services.claims import claim_comment
    from moderation.services.users import change_role

    comment = make_comment("A question")
    claim_comment(comment.id, midwife)
    change_role(midwife.id, "supervisor", supervisor)
    db.session.commit()
    boss = new_tab(signed_in_as=supervisor.email)
    boss.get_by_role("link", name="Audit trail").click()
    boss.get_by_label("Kind").select_option("user.role_changed")
    # Wait for the filtered page itself: counting rows mid-navigation finds none.
    with boss.expect_navigation():
        boss.get_by_role("button", name="Filter").click()
    rows = boss.locator("tr.audit-event")
    assert rows.count() == 1
    assert "midwife" in rows.first.inner_text() and "supervisor" in rows.first.inner_text()
    boss.get_by_label("Kind").select_option("")
    boss.get_by_label("Person").select_option(label=midwife.name)
    with boss.expect_navigation():
        boss.get_by_role("button", name="Filter").click()
    kinds = boss.locator("tr.audit-event td.kind").all_inner_texts()
    # Her own events: the claim, and the security log's record of her new role.
    assert "comment.claimed" in kinds and "user.role_changed" not in kinds
    assert all(kind.startswith(("comment.", "security.")) for kind in kinds)


def test_bulk_spam_and_undo_in_the_browser(new_tab, midwife, make_comment):
    spam = [make_comment(f"Cheap pills here {n}", urgency="routine") for n in range(2)]
    keep = make_comment("A real question about bleeding", urgency="priority")
    tab = new_tab(signed_in_as=midwife.email)
    for comment in spam:
        tab.locator(f"#select-{comment.id}").check()
    tab.get_by_label("Reason for the selected comments").fill("Advertising, not a question")
    tab.get_by_role("button", name="Mark as spam").click()
    tab.locator("#bulk-undo").wait_for()
    assert tab.locator("tr.queue-row").count() == 1
    assert tab.locator("tr.queue-row").first.get_attribute("data-comment-id") == str(keep.id)
    tab.locator("#bulk-undo").get_by_role("button", name="Undo").click()
    tab.get_by_text("Undone: 2 comments are back in the queue.").wait_for()
    assert tab.locator("tr.queue-row").count() == 3


def test_take_next_uses_the_saved_view(new_tab, midwife, make_comment):
    make_comment("Urgent bleeding", urgency="urgent", topic="bleeding")
    wanted = make_comment("When does my period come back?", urgency="routine",
                          topic="first_period")
    tab = new_tab(signed_in_as=midwife.email)
    tab.get_by_label("Topic").select_option("first_period")
    tab.get_by_role("button", name="Filter").click()
    tab.get_by_text("Save these filters as a view").click()
    tab.get_by_label("Name of the view").fill("Periods")
    tab.get_by_role("button", name="Save view").click()
    tab.goto("/")
    tab.get_by_role("link", name=re.compile(r"^Periods 1")).click()
    tab.get_by_role("button", name="Take next").click()
    tab.wait_for_url(f"**/comments/{wanted.id}")


def test_a_second_midwife_sees_who_is_replying_and_the_first_sees_her_viewing(
        new_tab, midwife, make_user, make_comment):
    jo = make_user("midwife", email="jo@example.test", name="Jo Green")
    comment = make_comment("Is this much bleeding normal?", urgency="priority")
    sam = new_tab(signed_in_as=midwife.email)
    sam.goto(f"/comments/{comment.id}")  # opening it only shows it: "Reply" claims it
    sam.locator("#claim-button").click()
    sam.locator("#claim-time").wait_for()
    assert "This comment is yours for" in sam.locator("#claim-time").inner_text()
    other = new_tab(signed_in_as=jo.email)
    other.goto(f"/comments/{comment.id}")
    other.get_by_text("Sam is replying").wait_for()
    sam.get_by_text("Jo is viewing").wait_for()


def test_signing_out_clears_reply_drafts_from_the_browser(new_tab, midwife):
    tab = new_tab(signed_in_as=midwife.email)
    tab.evaluate("""() => {
        localStorage.setItem('moderation-draft:v1:1:2', JSON.stringify({body: 'bleeding'}));
        localStorage.setItem('something-else', 'kept');
    }""")
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url("**/login")
    # The script removes the drafts, and the response's Clear-Site-Data empties the rest of
    # this origin's storage too: nothing of a health conversation stays in the browser.
    assert tab.evaluate("localStorage.getItem('moderation-draft:v1:1:2')") is None


def test_the_composer_confirms_on_the_page_lists_blanks_and_publishes_then_takes_next(
        new_tab, midwife, make_comment):
    first = make_comment("How long will the bleeding last?", urgency="urgent",
                         author_name="Alex")
    second = make_comment("When can we try again?", urgency="routine")
    tab = new_tab(signed_in_as=midwife.email)
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(f"/comments/{first.id}")
    tab.locator("#claim-button").click()
    reply = tab.get_by_label("Reply text")
    reply.fill("Dear Alex, it is usually [[how long]]. Take care.")
    tab.get_by_label("I have read this reply through").check()
    tab.get_by_role("button", name="Publish and take next").click()
    panel = tab.locator("#action-confirm")
    assert "Fill in these blanks" in panel.inner_text() and "[[how long]]" in panel.inner_text()
    assert tab.get_by_role("button", name="Yes, go ahead").is_hidden()
    tab.get_by_role("button", name="Keep editing").click()
    # An urgent comment's reply names an emergency route (the publish-time safety check).
    reply.fill("Dear Alex, it usually settles within two weeks. If you soak a pad in an hour, "
               "call 999. Take care.")
    tab.get_by_role("button", name="Publish and take next").click()
    tab.get_by_role("button", name="Yes, go ahead").click()
    tab.wait_for_url(f"**/comments/{second.id}")
    assert dialogs == []
    assert db.session.get(type(first), first.id, populate_existing=True).status == "published"


def test_composer_shortcuts_are_listed_with_question_mark_and_alt_1_inserts(
        new_tab, midwife, make_comment, make_snippet):
    make_snippet(body="Dear {first_name},\n\nBleeding usually settles.\n\n{signature}")
    comment = make_comment("How long will the bleeding last?", author_name="Alex")
    tab = new_tab(signed_in_as=midwife.email)
    tab.goto(f"/comments/{comment.id}")
    # Wait for the composer itself: a key pressed mid-navigation reaches the page before it.
    with tab.expect_navigation():
        tab.locator("#claim-button").click()
    tab.get_by_label("Reply text").wait_for()
    help_panel = tab.locator("#composer-help")
    assert help_panel.is_hidden()
    tab.locator("h1").click()
    tab.keyboard.press("?")
    help_panel.wait_for(state="visible")
    assert "Publish and take the next" in help_panel.inner_text()
    tab.keyboard.press("Alt+1")
    assert "Bleeding usually settles." in tab.get_by_label("Reply text").input_value()
    tab.keyboard.press("Alt+q")
    tab.wait_for_url(re.compile(r"/$"))


def tab_to(tab, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has focus (bounded)."""
    for _ in range(limit):
        if tab.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def test_a_midwife_takes_answers_and_publishes_with_the_keyboard_alone(new_tab, midwife,
                                                                       make_comment):
    comment = make_comment("How long will the bleeding last?", urgency="urgent")
    tab = new_tab()
    tab.goto("/login")
    tab_to(tab, "email")
    tab.keyboard.type(midwife.email)
    tab_to(tab, "password")
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/$"))
    tab.keyboard.press("n")
    tab.wait_for_url(f"**/comments/{comment.id}")
    tab_to(tab, "body")
    tab.keyboard.type("It usually settles within two weeks. Call 111 if it gets heavier.")
    tab_to(tab, "confirm")
    tab.keyboard.press("Space")
    tab.keyboard.press("Control+Enter")
    tab_to(tab, "action-confirm-yes")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"/(\?.*)?$"))
    assert db.session.get(type(comment), comment.id, populate_existing=True).status == \
        "published"
