"""In the browser: axe-core finds no accessibility violation on any page, on a laptop and a phone.

axe-core is vendored from the npm registry under tests/vendor/axe-core (MPL-2.0). It is
injected only here, in a test browser context that bypasses the page's Content-Security-Policy;
the app never serves it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from models import db, utcnow
from tests.conftest import PASSWORD, totp_code
from tests.helpers import sign_in_tab

# Page markup and ARIA do not depend on the database, and axe is the suite's slowest check:
# these run on the first backend only (tests/conftest.py, marker one_backend).
pytestmark = pytest.mark.one_backend

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def axe_tab(browser, live_server):
    """Open a tab whose context bypasses CSP so axe can be injected; closes it afterwards."""
    contexts = []

    def open_tab(viewport: dict[str, int]):
        context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=viewport)
        # axe comes with every page the tab opens (once per context, not sent again per page).
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def axe_violations(tab, path: str) -> list[str]:
    """Visit a page, run every axe rule, and describe each violation in one line."""
    tab.goto(path)
    return axe_here(tab, path)


def axe_here(tab, label: str) -> list[str]:
    """Run every axe rule on the page the tab shows now (reached by a form or a click)."""
    tab.wait_for_load_state("load")
    result = tab.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': '
                + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200))}));
    }""")
    return [f"{label} [{v['impact']}] {v['id']}: {json.dumps(v['nodes'])}" for v in result]


@pytest.fixture
def jo(make_user):
    """A second midwife called Jo."""
    return make_user("midwife", email="jo@example.test", name="Jo Green")


@pytest.fixture
def everything(make_comment, make_snippet, make_reply, supervisor, midwife, jo):
    """A queue, an answered comment, a snippet and a published page: something on every page."""
    from moderation.services.claims import claim_comment

    now = utcnow()
    urgent = make_comment("Soaking a pad an hour and dizzy", urgency="urgent", red_flag=True,
                          red_flag_categories=["physical_emergency"],
                          received_at=now - timedelta(minutes=30))
    reasoned = make_comment("Is this pain normal?", urgency="priority", check_soon=True)
    reasoned.triage_reasons = ["priority: words that weighed most: 'pain'"]
    overdue = make_comment("When will my period come back?", urgency="routine",
                           due_at=now - timedelta(hours=1))
    claim_comment(overdue.id, jo)
    answered = make_comment("Thank you for the page", urgency="routine", status="published",
                            moderated_by_id=midwife.id,
                            first_replied_at=now, response_seconds=600,
                            response_working_seconds=600)
    answer = make_reply(answered, midwife, body="Thank you for writing to us.")
    from datetime import date

    from moderation.services.snippets import SnippetInput, retire_snippet, update_snippet

    snippet = make_snippet()
    # A second version (the history page shows a diff) and a review date long past.
    update_snippet(snippet.id, SnippetInput(
        title="Bleeding duration", topic="bleeding",
        body="Dear {first_name},\n\nBleeding usually settles within two weeks.\n\n{signature}",
        clinical_owner_id=None, review_by=date(2020, 1, 1)), supervisor)
    retired = make_snippet("old_advice", title="Old advice")
    retire_snippet(retired.id, supervisor)
    from moderation.services.users import invite_user

    _, link = invite_user(email="ada@example.test", name="Ada Lovelace", role="midwife",
                          actor=supervisor)
    from datetime import datetime, time

    from moderation.services.alerts import ack_token
    from moderation.services.oncall import add_override, add_shift
    from moderation.services.password_reset import reset_link
    from moderation.services.safeguarding import raise_concern, set_lead
    from moderation.services.signposting import seed_register

    seed_register()
    set_lead(jo.id, supervisor, True)
    # A rota with a weekly shift and a one-off cover, so the on-call page has rows.
    add_shift(0, time(8), time(20), midwife.id, supervisor)
    add_override(datetime(2030, 1, 1, 9), datetime(2030, 1, 1, 17), jo.id, "Bank holiday",
                 supervisor)
    record = raise_concern(reasoned.id, midwife, "She mentions her partner shouting at her.")
    db.session.commit()
    return {"urgent": urgent, "snippet": snippet, "page": urgent.page,
            "invitation": link.rsplit("/", 1)[1], "record": record.id,
            "reset": reset_link(midwife).split("/", 3)[3],
            "ack": ack_token(urgent.id, midwife.id), "answer": answer.id}


def signed_out_pages(data) -> list[str]:
    return ["/login", f"/pages/{data['page'].slug}", "/a-page-that-does-not-exist",
            f"/invitations/{data['invitation']}", "/invitations/not-a-real-link",
            "/login/forgot", "/" + data["reset"], "/login/reset/not-a-real-link",
            "/alerts/ack/not-a-real-link"]


def midwife_pages(data) -> list[str]:
    return ["/", "/?status=mine", "/?status=published", "/?urgency=nonsense",
            f"/comments/{data['urgent'].id}", "/account/password", "/account/sessions",
            "/mentions", "/signposting/", f"/alerts/ack/{data['ack']}", "/login/enrol",
            "/users/", "/safeguarding", f"/replies/{data['answer']}/edit", "/reviews/",
            "/incidents", "/wellbeing", f"/comments/{data['urgent'].id}/incident"]


def supervisor_pages(data) -> list[str]:
    snippet = data["snippet"].id
    return ["/", "/settings", "/supervisor/", "/snippets/", f"/snippets/{snippet}",
            f"/snippets/{snippet}/edit", "/snippets/new", "/exports/", "/alerts/", "/oncall/",
            "/users/", "/audit/", f"/audit/?comment={data['urgent'].id}", "/audit/?kind=nonsense",
            "/signposting/", "/signposting/new", f"/signposting/{first_signpost()}/edit",
            "/models/", "/supervisor/safeguarding-leads", "/safeguarding",
            f"/safeguarding/{data['record']}", "/security/events", "/mentions",
            "/account/sessions", "/account/second-factor/reset", "/safeguarding/999999",
            "/snippets/approvals", "/reviews/", "/reviews/report", "/incidents", "/wellbeing"]


def first_signpost() -> str:
    from moderation.services.signposting import all_entries

    return all_entries()[0].key


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_signed_out_pages_have_no_axe_violations(axe_tab, everything, viewport):
    tab = axe_tab(VIEWPORTS[viewport])
    found = [v for path in signed_out_pages(everything) for v in axe_violations(tab, path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_midwifes_pages_have_no_axe_violations(axe_tab, everything, midwife, viewport):
    tab = axe_tab(VIEWPORTS[viewport])
    sign_in_tab(tab, midwife.email)
    found = [v for path in midwife_pages(everything) for v in axe_violations(tab, path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_supervisors_pages_have_no_axe_violations(axe_tab, everything, supervisor, viewport):
    tab = axe_tab(VIEWPORTS[viewport])
    sign_in_tab(tab, supervisor.email)
    found = [v for path in supervisor_pages(everything) for v in axe_violations(tab, path)]
    assert found == [], "\n".join(found)


RED_FLAG = "I am soaking a pad every hour"


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_pages_reached_through_forms_have_no_axe_violations(axe_tab, everything, make_user,
                                                            make_comment, make_reply, midwife,
                                                            supervisor, viewport):
    from moderation.services.notes import add_note
    from moderation.services.redaction import redact

    found: list[str] = []
    # The public page: the red-flag advice before posting, then the advice after it.
    visitor = axe_tab(VIEWPORTS[viewport])
    visitor.goto(f"/pages/{everything['page'].slug}")
    visitor.get_by_label("Your name").fill("Robin")
    visitor.get_by_label("Your comment", exact=True).fill(RED_FLAG)
    visitor.get_by_role("button", name="Post comment").click()
    visitor.get_by_role("button", name="Post my comment").wait_for()
    found += axe_here(visitor, "public page: red-flag advice before posting")
    visitor.get_by_role("button", name="Post my comment").click()
    visitor.get_by_text("Thank you for your comment").first.wait_for()
    found += axe_here(visitor, "public page: after posting")

    # Asking for a reset link, then a reset form sent back with errors.
    visitor.goto("/login/forgot")
    visitor.get_by_label("Email").fill(midwife.email)
    visitor.get_by_role("button", name="Email me a link").click()
    visitor.wait_for_load_state()
    found += axe_here(visitor, "/login/forgot after asking")
    visitor.goto("/" + everything["reset"])
    visitor.locator("form button[type=submit]").click()
    visitor.locator(".field-error").first.wait_for()
    found += axe_here(visitor, "reset form with errors")

    # The second-factor pages: the code step, and enrolment for a supervisor without one.
    code = axe_tab(VIEWPORTS[viewport])
    code.goto("/login")
    code.get_by_label("Email").fill(supervisor.email)
    code.get_by_label("Password", exact=True).fill(PASSWORD)
    code.get_by_role("button", name="Sign in").click()
    code.wait_for_url("**/login/code")
    found += axe_here(code, "/login/code")
    code.get_by_label("Code").fill(totp_code(supervisor))
    code.get_by_role("button", name="Continue").click()
    code.wait_for_url(re.compile(r"/$"))
    # A new signposting entry saved empty: the form comes back with its errors.
    code.goto("/signposting/new")
    code.get_by_role("button", name="Save entry").click()
    code.locator(".field-error").first.wait_for()
    found += axe_here(code, "/signposting/new with errors")
    unenrolled = make_user("supervisor", email="newsup@example.test", mfa=False)
    enrol = axe_tab(VIEWPORTS[viewport])
    enrol.goto("/login")
    enrol.get_by_label("Email").fill(unenrolled.email)
    enrol.get_by_label("Password", exact=True).fill(PASSWORD)
    enrol.get_by_role("button", name="Sign in").click()
    enrol.wait_for_url("**/login/enrol")
    found += axe_here(enrol, "/login/enrol")

    # The composer after claiming a follow-up: the conversation so far, a note, a redacted
    # part, a phone number still in the text and an email address for a private reply.
    now = utcnow()
    root = make_comment("How long does the bleeding last?", status="published",
                        author_email="dee@example.test", moderated_by_id=midwife.id,
                        first_replied_at=now)
    make_reply(root, midwife, body="Usually up to two weeks.")
    follow_up = make_comment("Still bleeding. I'm Dee Smith of 4 Elm Road, call 07700 900123",
                             in_reply_to_id=root.id, author_email="dee@example.test")
    redact(follow_up.id, supervisor, "4 Elm Road")
    add_note(follow_up.id, supervisor, "@Sam can you take this one? She is still bleeding.")
    db.session.commit()
    tab = axe_tab(VIEWPORTS[viewport])
    sign_in_tab(tab, midwife.email)
    tab.goto(f"/comments/{follow_up.id}")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Reply", exact=True).click()
    tab.get_by_label("Reply text").wait_for()
    assert tab.locator("#private-button").count() == 1
    found += axe_here(tab, "composer after claiming")
    tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    found += axe_here(tab, "composer after claiming, every fold open")
    # The note's mention of Sam: her list of mentions with one to open.
    found += axe_violations(tab, "/mentions")
    # Signed in on a second device: her sessions page lists both, with the button to end others.
    second = axe_tab(VIEWPORTS[viewport])
    sign_in_tab(second, midwife.email)
    found += axe_violations(second, "/account/sessions")
    # The "I'm on it" link from an alert, opened by someone not signed in on this device.
    found += axe_violations(visitor, f"/alerts/ack/{everything['ack']}")
    assert found == [], "\n".join(found)
