"""Publish-time check: a reply to an urgent comment names an emergency route, or says why not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, Reply, db
from moderation.services.claims import claim_comment
from moderation.services.replies import (
    EmergencyRouteMissing,
    InvalidReply,
    emergency_route_named,
    publish_reply,
)
from moderation.services.signposting import seed_register

NO_ROUTE = "Hi Jess,\n\nI'm so sorry you are going through this. Please look after yourself."


@pytest.fixture
def register(app):
    seed_register()
    db.session.commit()


@pytest.fixture
def urgent(midwife, make_comment, register):
    """An urgent comment with a mental-health red flag, claimed by the midwife."""
    comment = make_comment("I've taken all my tablets", urgency="urgent")
    comment.red_flag, comment.red_flag_categories = True, ["mental_health_crisis"]
    claim_comment(comment.id, midwife)
    db.session.commit()
    return db.session.get(Comment, comment.id)


@pytest.mark.parametrize("body", [
    "Please call 999 now.", "Go to A&E straight away.", "Call NHS 111 and choose the "
    "mental health option.", "You can talk to Samaritans on 116 123 at any time.",
    "Talk to {{register:samaritans}} tonight.",
])
def test_a_route_of_the_right_kind_counts(app, register, body):
    assert emergency_route_named(body, ["mental_health_crisis"])


def test_a_service_for_another_category_does_not_count(app, register):
    """The domestic abuse helpline is no route for a mental-health crisis."""
    assert not emergency_route_named("Call 0808 2000 247.", ["mental_health_crisis"])


def test_a_reply_without_a_route_is_refused(midwife, urgent):
    with pytest.raises(EmergencyRouteMissing, match="names no emergency route"):
        publish_reply(urgent.id, midwife, NO_ROUTE, expected_version=urgent.version)
    db.session.rollback()
    assert db.session.scalar(select(Reply)) is None


def test_an_override_needs_a_reason_and_is_audited(midwife, urgent):
    with pytest.raises(InvalidReply, match="Give a reason"):
        publish_reply(urgent.id, midwife, NO_ROUTE, expected_version=urgent.version,
                      override_reason="x")
    db.session.rollback()
    reply = publish_reply(urgent.id, midwife, NO_ROUTE, expected_version=urgent.version,
                          override_reason="Rang her: an ambulance is with her now.")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "reply.emergency_route_overridden"))
    assert event.details["reason"] == "Rang her: an ambulance is with her now."
    assert event.details["reply_id"] == reply.id and event.actor_id == midwife.id


def test_a_reply_with_a_route_publishes_without_override(midwife, urgent):
    publish_reply(urgent.id, midwife, "Please call 999 or go to A&E now.",
                  expected_version=urgent.version)
    db.session.commit()
    assert db.session.get(Comment, urgent.id).status == "published"


def test_a_routine_comment_needs_no_route(midwife, make_comment, register):
    comment = make_comment("When will my period come back?", urgency="routine")
    claim_comment(comment.id, midwife)
    db.session.commit()
    publish_reply(comment.id, midwife, "Usually four to eight weeks.",
                  expected_version=comment.version)


def test_an_unknown_register_key_in_a_reply_is_refused(midwife, urgent):
    with pytest.raises(InvalidReply, match="not in the signposting register: nope"):
        publish_reply(urgent.id, midwife, "Call 999. {{register:nope}}",
                      expected_version=urgent.version)


def test_the_composer_asks_for_the_override_and_keeps_the_text(midwife_client, urgent):
    response = midwife_client.post(f"/comments/{urgent.id}/publish", data={
        "body": NO_ROUTE, "expected_version": urgent.version, "confirm": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "names no emergency route" in html
    assert "Publish without an emergency route because" in html
    response = midwife_client.post(f"/comments/{urgent.id}/publish", data={
        "body": NO_ROUTE, "expected_version": urgent.version, "confirm": "y",
        "override_reason": "Spoke to her on the phone; her GP is with her."})
    assert response.status_code == 302
