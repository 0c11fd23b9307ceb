"""In the browser: supervisor A drafts a snippet change, supervisor B approves it, and a
midwife inserts the approved text."""

from __future__ import annotations

import pytest

from models import Snippet, db

SAFETY_NET = "If you soak a large pad every hour for two hours, call 999 or go to A&E."


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_a_snippet_change_drafted_by_one_supervisor_approved_by_another_is_inserted(
        new_tab, supervisor, make_user, midwife, make_snippet, make_comment):
    snippet = make_snippet(
        body="Hi {first_name},\n\nBleeding usually settles within two weeks.\n\n{signature}")
    comment = make_comment("How long will I bleed after the miscarriage?", author_name="Kim")
    approver = make_user("supervisor", email="amara@example.test", name="Amara Mensah")

    # Supervisor A drafts the change: the live text stays until someone else approves it.
    helen = new_tab(signed_in_as=supervisor.email)
    helen.goto(f"/snippets/{snippet.id}/edit")
    text = helen.get_by_label("Text")
    text.fill(text.input_value().replace("two weeks.", f"two weeks. {SAFETY_NET}"))
    helen.get_by_role("button", name="Save snippet").click()
    assert helen.get_by_text("as draft version 2").first.is_visible()
    helen.goto("/snippets/approvals")
    assert helen.get_by_text("You drafted this version").first.is_visible()
    assert helen.get_by_role("button", name="Approve version 2").count() == 0

    # Supervisor B reads the diff and approves it.
    amara = new_tab(signed_in_as=approver.email)
    amara.goto("/snippets/approvals")
    assert SAFETY_NET in amara.locator(".diff-add").first.inner_text()
    amara.get_by_role("button", name="Approve version 2").click()
    assert amara.get_by_text("version 2 is what midwives insert").first.is_visible()

    # The midwife inserts it: the approved text, with the name filled in.
    sam = new_tab(signed_in_as=midwife.email)
    sam.goto(f"/comments/{comment.id}")
    with sam.expect_navigation():
        sam.get_by_role("button", name="Reply", exact=True).click()
    sam.get_by_role("link", name=f"Insert {snippet.title}").click()
    reply = sam.get_by_label("Reply text").input_value()
    assert reply.startswith("Hi Kim,") and SAFETY_NET in reply
    db.session.expire_all()
    assert db.session.get(Snippet, snippet.id).version == 2
