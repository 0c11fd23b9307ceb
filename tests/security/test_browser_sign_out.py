"""In the browser: signing out leaves no reply draft behind in the browser's storage."""

from __future__ import annotations

from tests.helpers import sign_in_tab


def test_sign_out_clears_reply_drafts_from_local_storage(page, midwife, make_comment):
    comment = make_comment("Is it normal to bleed for three weeks?")
    sign_in_tab(page, midwife.email)
    page.goto(f"/comments/{comment.id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Reply", exact=True).click()
    page.get_by_label("Reply text").fill("A draft about her bleeding, not sent yet")
    page.wait_for_function("() => window.localStorage.length > 0")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.evaluate("() => window.localStorage.length") == 0
