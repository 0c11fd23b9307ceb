"""In the browser: the demo midwife signs in and sees the queue."""

from __future__ import annotations

from tests.conftest import browser_sign_in


def test_midwife_signs_in_and_sees_the_queue(page, midwife, make_comment):
    make_comment("Is it normal to still be spotting after two weeks?", author_name="Priya")
    browser_sign_in(page, midwife.email)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().strip()
    assert page.get_by_text("Priya").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_midwife_is_refused_the_supervisor_area_in_the_browser(page, midwife):
    browser_sign_in(page, midwife.email)
    page.wait_for_url("**/")
    response = page.goto("/supervisor/")
    assert response.status == 403
    assert page.get_by_text("You do not have access to this page").is_visible()
