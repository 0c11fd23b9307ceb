"""Relabelling: a midwife's correction of urgency or topic is kept, re-sorts the queue and
feeds the next training run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Comment, LabelCorrection, db, utcnow
from moderation.services.corrections import corrected_examples
from moderation.services.queue import QueueFilters, queue_page
from moderation.services.relabelling import RelabelError, StaleLabels, relabel_comment
from tests.conftest import audited


def corrections(comment_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(select(LabelCorrection).where(
        LabelCorrection.comment_id == comment_id).order_by(LabelCorrection.id))
    return [(c.field, c.old_value, c.new_value) for c in rows]


def queue_ids(user) -> list[int]:
    return [c.id for c in queue_page(QueueFilters(), user).comments]


def test_correcting_to_urgent_moves_the_comment_to_the_top_and_records_who_and_when(
        midwife, make_comment):
    now = utcnow()
    received = now - timedelta(minutes=10)
    first = make_comment("priority question", urgency="priority",
                         due_at=now + timedelta(hours=2))
    missed = make_comment("I feel faint and the bleeding is soaking a pad an hour",
                          urgency="routine", received_at=received,
                          due_at=now + timedelta(days=2), urgent_probability=0.3)
    assert queue_ids(midwife) == [first.id, missed.id]

    relabel_comment(missed.id, midwife, urgency="urgent", now=now)
    db.session.commit()

    comment = db.session.get(Comment, missed.id)
    assert comment.urgency == "urgent"
    assert comment.due_at == received + timedelta(minutes=60)
    assert comment.urgent_probability == 1.0
    assert queue_ids(midwife) == [missed.id, first.id]
    correction = db.session.scalars(select(LabelCorrection)).one()
    assert (correction.field, correction.old_value, correction.new_value) == (
        "urgency", "routine", "urgent")
    assert correction.user_id == midwife.id
    assert correction.created_at == now


def test_the_new_deadline_counts_working_hours_across_a_weekend_and_bank_holiday(
        midwife, make_comment):
    # Friday 23 May 2025, 16:00 in London (15:00 UTC); Monday 26 May is a bank holiday.
    received = datetime(2025, 5, 23, 15, 0, tzinfo=UTC)
    comment = make_comment(urgency="routine", received_at=received)
    relabel_comment(comment.id, midwife, urgency="priority")
    db.session.commit()
    # 1 working hour on Friday, then 3 on Tuesday from 09:00: Tuesday 12:00 BST = 11:00 UTC.
    assert db.session.get(Comment, comment.id).due_at == datetime(2025, 5, 27, 11, 0,
                                                                   tzinfo=UTC)


def test_correcting_away_from_urgent_keeps_the_models_probability(midwife, make_comment):
    comment = make_comment(urgency="urgent", urgent_probability=0.7)
    relabel_comment(comment.id, midwife, urgency="routine")
    db.session.commit()
    assert db.session.get(Comment, comment.id).urgent_probability == 0.7


def test_a_topic_correction_leaves_the_deadline_alone(midwife, make_comment):
    comment = make_comment(topic="bleeding")
    due = comment.due_at
    relabel_comment(comment.id, midwife, topic="first_period")
    db.session.commit()
    assert db.session.get(Comment, comment.id).due_at == due
    assert corrections(comment.id) == [("topic", "bleeding", "first_period")]


def test_each_changed_field_is_one_correction_and_one_audit_event(midwife, make_comment):
    comment = make_comment(urgency="routine", topic="other")
    relabel_comment(comment.id, midwife, urgency="priority", topic="recurrent_loss")
    db.session.commit()
    assert corrections(comment.id) == [("urgency", "routine", "priority"),
                                       ("topic", "other", "recurrent_loss")]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "comment.relabelled")).one()
    assert event.actor_id == midwife.id and event.target_id == comment.id
    assert event.details["before"]["urgency"] == "routine"
    assert event.details["after"]["topic"] == "recurrent_loss"


def test_saving_the_same_labels_records_nothing(midwife, make_comment):
    comment = make_comment(urgency="routine", topic="bleeding")
    relabel_comment(comment.id, midwife, urgency="routine", topic="bleeding")
    db.session.commit()
    assert corrections(comment.id) == []
    assert db.session.scalars(audited()).all() == []


@pytest.mark.parametrize("labels, message", [
    ({"urgency": "critical"}, "Unknown urgency 'critical'"),
    ({"topic": "knitting"}, "Unknown topic 'knitting'"),
])
def test_unknown_labels_are_refused(midwife, make_comment, labels, message):
    comment = make_comment()
    with pytest.raises(RelabelError, match=message):
        relabel_comment(comment.id, midwife, **labels)


def test_a_stale_form_is_refused_and_changes_nothing(midwife, make_comment):
    comment = make_comment(urgency="routine")
    with pytest.raises(StaleLabels):
        relabel_comment(comment.id, midwife, urgency="urgent",
                        expected_version=comment.version - 1)
    db.session.rollback()
    assert db.session.get(Comment, comment.id).urgency == "routine"


def test_corrections_become_training_examples(midwife, make_comment):
    comment = make_comment("Nine weeks and no period, tests negative", urgency="routine",
                           topic="first_period")
    make_comment("Not corrected")
    relabel_comment(comment.id, midwife, urgency="priority")
    db.session.commit()
    assert corrected_examples() == [{"body": comment.body, "urgency": "priority",
                                     "topic": "first_period"}]


# --- Over HTTP ---------------------------------------------------------------------------

def test_the_label_form_saves_and_returns_to_the_composer(midwife_client, make_comment):
    comment = make_comment(urgency="routine", topic="bleeding")
    response = midwife_client.post(f"/comments/{comment.id}/labels", data={
        "urgency": "urgent", "topic": "bleeding", "expected_version": comment.version,
        "next": f"/comments/{comment.id}"})
    assert response.status_code == 302
    assert response.location == f"/comments/{comment.id}"
    assert db.session.get(Comment, comment.id, populate_existing=True).urgency == "urgent"
    assert corrections(comment.id) == [("urgency", "routine", "urgent")]


def test_the_label_form_never_redirects_off_site(midwife_client, make_comment):
    comment = make_comment()
    response = midwife_client.post(f"/comments/{comment.id}/labels", data={
        "urgency": "priority", "topic": "bleeding", "next": "//evil.example/x"})
    assert response.location == "/"


def test_a_bad_label_is_explained_and_changes_nothing(midwife_client, make_comment):
    comment = make_comment(urgency="routine")
    response = midwife_client.post(f"/comments/{comment.id}/labels", data={
        "urgency": "critical", "topic": "bleeding", "next": "/"}, follow_redirects=True)
    assert "The labels were not changed" in response.get_data(as_text=True)
    assert db.session.get(Comment, comment.id, populate_existing=True).urgency == "routine"
    assert corrections(comment.id) == []


def test_a_stale_label_form_is_explained(midwife_client, make_comment):
    comment = make_comment(urgency="routine")
    response = midwife_client.post(f"/comments/{comment.id}/labels", data={
        "urgency": "urgent", "topic": "bleeding", "expected_version": comment.version + 5,
        "next": "/"}, follow_redirects=True)
    assert "Someone changed this comment" in response.get_data(as_text=True)
    assert db.session.get(Comment, comment.id, populate_existing=True).urgency == "routine"


def test_relabelling_a_missing_comment_is_explained(midwife_client):
    response = midwife_client.post("/comments/424242/labels", data={
        "urgency": "urgent", "topic": "bleeding"}, follow_redirects=True)
    assert "no longer exists" in response.get_data(as_text=True)
