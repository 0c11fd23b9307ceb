"""What the person who posts is told, on the page and in the API receipt, model or no model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import select

from models import Comment, db
from moderation.services.advice import build_advice, preview_advice
from moderation.services.availability import describe_moment, next_read_at, staffed_at
from moderation.services.signposting import seed_register
from tests.test_api import (  # noqa: F401 - fixtures
    openapi,
    post_comment,
    response_schema_check,
    site_key,
)
from tests.test_intake import comment_request

PAGE = "/pages/after-a-miscarriage"
# One comment per category, with the register entry its advice must name.
CATEGORY_CASES = [
    ("physical_emergency", "I'm soaking through a pad every hour and feel faint", "tel:999"),
    ("mental_health_crisis", "I've taken all my tablets", "tel:116123"),
    ("abuse", "my partner hit me last night and I'm scared to go home", "tel:08082000247"),
    ("third_party_risk", "my sister has made a plan and sent me a goodbye message",
     "tel:999"),
]
# Friday 4 December 2026, 18:30 in London: after hours, so the next read is Monday 9am.
FRIDAY_EVENING = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def register(app):
    """The signposting register, seeded with the checked entries."""
    seed_register()
    db.session.commit()


@pytest.fixture
def no_model(app):
    """The model file is gone: only the red-flag rules can decide."""
    app.config["TRIAGE_MODEL_PATH"] = "/nonexistent/triage-model.skops"


def _post_confirmed(client, body: str):
    return client.post(PAGE, data={"body": body, "confirmed": "1"}, follow_redirects=True)


# --- working hours -------------------------------------------------------------------------

def test_next_read_is_now_during_staffed_hours(app):
    assert next_read_at(TUESDAY_MORNING) == TUESDAY_MORNING and staffed_at(TUESDAY_MORNING)


def test_next_read_after_hours_is_the_next_opening(app):
    moment = next_read_at(FRIDAY_EVENING)
    assert moment == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 9am (GMT in December)
    assert describe_moment(moment, FRIDAY_EVENING) == "Monday 7 December at 9am"


# --- the done-when case: model deleted, "I've taken all my tablets" -------------------------

def test_without_a_model_an_overdose_gets_mental_health_advice_first_on_the_page(
    client, article, register, no_model  # noqa: F811
):
    check = client.post(PAGE, data={"body": "I've taken all my tablets"})
    assert "If you are thinking about ending your life" in check.get_data(as_text=True)
    html = _post_confirmed(client, "I've taken all my tablets").get_data(as_text=True)
    comment = db.session.scalar(select(Comment))
    assert comment.urgency == "urgent" and not comment.triaged
    assert comment.red_flag_categories == ["mental_health_crisis"]
    alert = html.index('role="alert"')
    assert alert < html.index("If you are thinking about ending your life") < html.index(
        "<h1>After a miscarriage</h1>")
    assert 'href="tel:116123"' in html and 'href="sms:85258"' in html


def test_without_a_model_the_api_receipt_carries_the_advice(
    client, site_key, register, no_model  # noqa: F811
):
    response = post_comment(client, site_key, comment_request(body="I've taken all my tablets"))
    assert response.status_code == 201
    advice = response.get_json()["advice"]
    assert advice["level"] == "urgent" and advice["categories"] == ["mental_health_crisis"]
    assert advice["next_read_at"] and advice["show_get_help_box"]
    first = advice["messages"][0]
    assert first["category"] == "mental_health_crisis"
    assert {"samaritans", "shout", "nhs_111_mental_health"} <= {r["key"] for r in first[
        "register"]}


def test_the_idempotent_repeat_carries_the_same_advice(client, site_key, register):  # noqa: F811
    payload = comment_request(body="I've taken all my tablets")
    first = post_comment(client, site_key, payload).get_json()
    again = post_comment(client, site_key, payload)
    assert again.status_code == 200 and again.get_json()["advice"] == first["advice"]


# --- each category, on the page and in the API ---------------------------------------------

@pytest.mark.parametrize(("category", "body", "tel"), CATEGORY_CASES)
def test_each_category_gets_its_own_advice_on_the_page(
    client, article, register, category, body, tel  # noqa: F811
):
    html = _post_confirmed(client, body).get_data(as_text=True)
    assert f'data-category="{category}"' in html and f'href="{tel}"' in html
    assert html.index('role="alert"') < html.index("<h1>After a miscarriage</h1>")


@pytest.mark.parametrize(("category", "body", "tel"), CATEGORY_CASES)
def test_each_category_gets_its_own_advice_in_the_api(
    client, site_key, register, category, body, tel  # noqa: F811
):
    receipt = post_comment(client, site_key, comment_request(body=body)).get_json()
    assert receipt["urgency"] == "urgent"
    assert receipt["advice"]["messages"][0]["category"] == category
    tels = {ref["tel"] for m in receipt["advice"]["messages"] for ref in m["register"]}
    assert tel in tels


def test_someone_writing_about_another_person_is_asked_to_call_for_them(
    client, article, register  # noqa: F811
):
    html = _post_confirmed(client, "my sister says she wants to kill herself").get_data(
        as_text=True)
    assert "please make these calls for them now" in html


def test_the_advice_stays_on_the_page_for_the_rest_of_the_visit(
    client, article, register  # noqa: F811
):
    _post_confirmed(client, "I'm soaking through a pad every hour and feel faint")
    for _ in range(2):
        html = client.get(PAGE).get_data(as_text=True)
        assert 'role="alert"' in html and 'data-category="physical_emergency"' in html


def test_a_routine_comment_is_told_when_to_expect_a_reply_and_the_red_flags(
    client, article, register  # noqa: F811
):
    html = _post_confirmed(client, "When will my first period come back?").get_data(
        as_text=True)
    assert 'data-level="not_urgent"' in html and "A midwife will read your comment by" in html
    assert 'href="tel:999"' in html and 'role="alert"' not in html


def test_a_model_failure_shows_the_full_box_to_everyone(
    client, article, register, no_model  # noqa: F811
):
    html = _post_confirmed(client, "When will my first period come back?").get_data(
        as_text=True)
    assert 'data-level="full"' in html
    for category in ("physical_emergency", "mental_health_crisis", "abuse", "safeguarding"):
        assert f'data-category="{category}"' in html


def test_the_interstitial_never_blocks_posting_and_keeps_the_text(
    client, article, register  # noqa: F811
):
    body = "I'm soaking through a pad every hour and feel faint"
    html = client.post(PAGE, data={"author_name": "Sam", "body": body}).get_data(as_text=True)
    assert "Post my comment" in html and str(escape(body)) in html and 'value="Sam"' in html
    assert 'name="confirmed" type="hidden" value="1"' in html
    assert db.session.scalar(select(Comment)) is None


def test_the_form_shows_hours_public_notice_and_get_help_before_posting(
    client, article, register  # noqa: F811
):
    html = client.get(PAGE).get_data(as_text=True)
    assert "Monday to Friday, 9am to 5pm, not on bank holidays" in html
    assert "will be public on this page" in html
    for tel in ("tel:999", "tel:116123", "tel:08082000247", "tel:08001111"):
        assert f'href="{tel}"' in html


def test_advice_never_loses_its_numbers_when_the_register_is_empty(app):
    """A lost register entry falls back to the checked seed copy."""
    advice = build_advice("urgent", ["physical_emergency"], True, now=TUESDAY_MORNING)
    assert advice.messages[0].register[0].phone == "999"


def test_a_safeguarding_only_comment_is_not_held_up_as_urgent(app, register):
    advice = preview_advice("I'm 15 and I think I'm pregnant")
    assert advice is not None and advice.level == "not_urgent"
    assert advice.messages[0].category == "safeguarding"


@pytest.mark.parametrize(("body", "broken", "level"), [
    ("I've taken all my tablets", False, "urgent"),
    ("When will my first period come back?", False, "not_urgent"),
    ("When will my first period come back?", True, "full"),
    ("I'm 15 and I think I'm pregnant", False, None),  # the model decides its urgency
])
def test_every_advice_level_matches_the_openapi_contract(
    app, client, site_key, register, openapi, body, broken, level  # noqa: F811
):
    if broken:
        app.config["TRIAGE_MODEL_PATH"] = "/nonexistent/triage-model.skops"
    response = post_comment(client, site_key, comment_request(body=body))
    response_schema_check(openapi, "/api/v1/comments", "post", response)
    advice = response.get_json()["advice"]
    if level is None:
        assert "safeguarding" in advice["categories"]
    else:
        assert advice["level"] == level


def test_only_urgent_advice_speaks_of_the_hour(app, register):
    """A comment that is not urgent is never promised a read 'within the hour'."""
    due = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    for scored in (True, False):
        advice = build_advice("priority", [], scored, now=TUESDAY_MORNING, reply_by=due)
        assert "within the hour" not in advice.timing
        assert advice.timing == "A midwife will read your comment by Thursday 3 December at " \
                               "2pm and reply here."
    urgent = build_advice("urgent", ["physical_emergency"], True, now=TUESDAY_MORNING)
    assert "within the hour" in urgent.timing
