"""Snippets after the clinical review: register keys, blanks, review dates, private answers."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from models import Comment, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.replies import InvalidReply, prefilled_snippet, publish_reply
from moderation.services.signposting import get_entry, missing_keys, seed_register
from moderation.services.snippets import (
    BLANK_PATTERN,
    SnippetError,
    SnippetInput,
    create_snippet,
    fill_placeholders,
)

DEMO = Path(__file__).resolve().parent.parent / "moderation" / "demo" / "snippets.json"
SNIPPETS = json.loads(DEMO.read_text(encoding="utf-8"))
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def register(app):
    seed_register()
    db.session.commit()


# --- the demo library, read against the review ---------------------------------------------

def test_the_single_urgent_care_snippet_is_replaced_by_three_by_category():
    urgent = {s["key"]: s for s in SNIPPETS if s.get("category")}
    assert set(urgent) == {"urgent_physical", "urgent_mental_health", "urgent_abuse"}
    assert "urgent_care_now" not in {s["key"] for s in SNIPPETS}
    assert urgent["urgent_abuse"]["private_only"] is True


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.get("category")],
                         ids=lambda s: s["key"])
def test_every_urgent_snippet_has_a_blank_and_never_promises_a_follow_up(snippet):
    assert BLANK_PATTERN.search(snippet["body"])
    assert "follow up with you" not in snippet["body"]


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.get("topic")],
                         ids=lambda s: s["key"])
def test_every_topic_snippet_has_a_safety_net(snippet):
    assert re.search(r"\b999\b|NHS 111|register:", snippet["body"])


def test_snippets_use_register_keys_that_exist_and_no_wrong_helpline_number(app, register):
    for snippet in SNIPPETS:
        assert missing_keys(snippet["body"]) == [], snippet["key"]
        assert "01914" not in snippet["body"] and "116 123" not in snippet["body"]


def test_the_review_fixes_are_in_the_text():
    bodies = {s["key"]: s["body"] for s in SNIPPETS}
    assert "in a row" not in bodies["recurrent_miscarriage"]
    assert "thyroid" in bodies["recurrent_miscarriage"]
    assert "progesterone" in bodies["trying_again"]
    assert "your GP" not in bodies["bleeding_duration"].split("today")[0].split("temperature")[1]
    assert "how long you have" in bodies["remembering_your_baby"]
    assert "baby loss certificate" in bodies["remembering_your_baby"]
    assert "swollen leg" in bodies["recovery_and_work"]
    assert "pee or poo" in bodies["ectopic_molar_hcg"]
    assert "three weeks" in bodies["first_period"]
    crisis = bodies["emotional_support"]
    assert crisis.index("999") < crisis.index("register:samaritans")
    assert "register:shout" in crisis and "register:nhs_111_mental_health" in crisis


# --- register keys --------------------------------------------------------------------------

def test_a_snippet_naming_an_unknown_register_key_is_refused_on_save(app, supervisor, register):
    with pytest.raises(SnippetError, match=r"\{\{register:samaritanz\}\}") as refused:
        create_snippet("crisis", SnippetInput(
            title="Crisis", topic=None, body="Call {{register:samaritanz}}."), supervisor)
    assert refused.value.field == "body"


def test_register_keys_are_filled_from_the_register_on_insertion(
    app, register, make_comment, midwife
):
    comment = make_comment("I feel so low")
    text = fill_placeholders("Hi {first_name}, call {{register:samaritans}}.", comment, midwife)
    assert "Samaritans on 116 123" in text and "{{" not in text


def test_hostile_register_text_is_escaped_in_the_composer(
    midwife_client, register, make_comment, make_snippet, midwife
):
    get_entry("samaritans").name = HOSTILE
    db.session.commit()
    make_snippet("crisis", topic="emotional_support", title="Crisis",
                 body="Talk to {{register:samaritans}}.")
    comment = make_comment("so low", topic="emotional_support")
    midwife_client.post(f"/comments/{comment.id}/claim")  # opening it by GET only reads
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# --- review dates and private answers --------------------------------------------------------

def test_a_snippet_past_its_review_date_cannot_be_inserted(
    midwife_client, make_snippet, make_comment, midwife
):
    make_snippet("ectopic_molar_hcg", topic="ectopic_molar", title="Ectopic",
                 review_by=utcnow().date() - timedelta(days=1))
    comment = make_comment("hcg still not down", topic="ectopic_molar")
    midwife_client.post(f"/comments/{comment.id}/claim")  # opening it by GET only reads
    html = midwife_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert 'id="insert-ectopic_molar_hcg" aria-disabled="true"' in html
    assert 'data-body=' not in html.split('id="insert-ectopic_molar_hcg"')[1].split("</li>")[0]
    assert prefilled_snippet("ectopic_molar_hcg", comment, midwife) is None


def test_a_supervisor_re_review_unblocks_it(supervisor, make_snippet, make_comment, midwife):
    from moderation.services.snippets import update_snippet

    snippet = make_snippet("ectopic_molar_hcg", topic="ectopic_molar", title="Ectopic",
                           review_by=utcnow().date() - timedelta(days=1))
    comment = make_comment("hcg still not down", topic="ectopic_molar")
    update_snippet(snippet.id, SnippetInput(
        title=snippet.title, topic=snippet.topic, body=snippet.body,
        clinical_owner_id=None, review_by=utcnow().date() + timedelta(days=180)),
        supervisor)
    db.session.commit()
    assert prefilled_snippet("ectopic_molar_hcg", comment, midwife) is not None


def test_a_private_only_snippet_cannot_be_published_on_the_public_page(
    midwife, make_snippet, make_comment
):
    snippet = make_snippet("urgent_abuse", topic=None, title="Abuse", private_only=True,
                           category="abuse")
    comment = make_comment("he hit me", urgency="urgent")
    claim_comment(comment.id, midwife)
    db.session.commit()
    with pytest.raises(InvalidReply, match="private answer only"):
        publish_reply(comment.id, midwife, "Please call 999 now.",
                      expected_version=comment.version, snippet_id=snippet.id,
                      snippet_version=1)
    db.session.rollback()
    assert db.session.get(Comment, comment.id).status == "pending"
