"""Near misses: a comment a midwife raises to urgent that the served triage did not call urgent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import NearMiss, OutboxMessage, db, utcnow
from moderation.services.near_misses import (
    NearMissError,
    acknowledge_near_miss,
    near_misses_by_model_version,
    unacknowledged_count,
)
from moderation.services.relabelling import relabel_comment
from moderation.services.reports import build_table, resolve_period

MISSED = "bleeding is getting heavier and I feel a bit faint when I stand"


def _near_misses() -> list[NearMiss]:
    return list(db.session.scalars(select(NearMiss).order_by(NearMiss.id)))


def _near_miss_emails() -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "near_miss")
        .order_by(OutboxMessage.recipient)))


def test_raising_a_routine_comment_to_urgent_records_a_near_miss_with_its_model(
        midwife, make_comment):
    comment = make_comment(MISSED, urgency="routine", model_version="triage-test-1")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    [miss] = _near_misses()
    assert (miss.comment_id, miss.served_urgency, miss.model_version, miss.raised_by_id) == (
        comment.id, "routine", "triage-test-1", midwife.id)
    assert miss.acknowledged_at is None


def test_a_comment_served_as_urgent_is_no_near_miss_even_after_lowering_and_raising_again(
        midwife, make_comment):
    comment = make_comment(MISSED, urgency="urgent")
    relabel_comment(comment.id, midwife, urgency="priority")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    assert _near_misses() == []


def test_raising_to_priority_is_no_near_miss_and_one_comment_counts_once(
        midwife, make_comment):
    comment = make_comment(MISSED, urgency="routine")
    relabel_comment(comment.id, midwife, urgency="priority")
    assert _near_misses() == []
    relabel_comment(comment.id, midwife, urgency="urgent")
    relabel_comment(comment.id, midwife, urgency="priority")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    [miss] = _near_misses()
    assert miss.served_urgency == "routine"  # what triage served, not the midwife's step


def test_supervisors_see_a_notice_at_once_until_they_acknowledge(
        app, midwife, supervisor, supervisor_client, make_comment):
    comment = make_comment(MISSED, urgency="priority")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    page = supervisor_client.get("/queue/").get_data(as_text=True)
    assert "1 near miss:" in page
    models_page = supervisor_client.get("/models/").get_data(as_text=True)
    assert MISSED in models_page
    [miss] = _near_misses()
    response = supervisor_client.post(f"/models/near-misses/{miss.id}/acknowledge")
    assert response.status_code == 303
    assert unacknowledged_count() == 0
    assert "near miss:" not in supervisor_client.get("/queue/").get_data(as_text=True)


def test_midwives_do_not_get_the_supervisor_notice(midwife, midwife_client, make_comment):
    comment = make_comment(MISSED, urgency="routine")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    assert "near miss" not in midwife_client.get("/queue/").get_data(as_text=True)
    assert midwife_client.get("/models/").status_code in (302, 403)


def test_only_a_supervisor_can_acknowledge(midwife, make_comment):
    comment = make_comment(MISSED, urgency="routine")
    relabel_comment(comment.id, midwife, urgency="urgent")
    [miss] = _near_misses()
    with pytest.raises(NearMissError, match="supervisor"):
        acknowledge_near_miss(miss.id, midwife)
    assert miss.acknowledged_at is None


def test_reports_count_near_misses_and_raised_check_soon_per_model_version(
        midwife, supervisor, make_comment):
    received = utcnow() - timedelta(hours=1)
    a = make_comment(MISSED, urgency="routine", model_version="v-a", received_at=received,
                     check_soon=True)
    make_comment("thanks x", urgency="routine", model_version="v-a", received_at=received,
                 check_soon=True)
    b = make_comment(MISSED + " now", urgency="priority", model_version="v-b",
                     received_at=received)
    for comment in (a, b):
        relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    assert near_misses_by_model_version() == {"v-a": 1, "v-b": 1}
    table = build_table("safety-net", resolve_period("7"))
    rows = {row["model_version"]: row for row in table.rows}
    assert (rows["v-a"]["check_soon"], rows["v-a"]["check_soon_raised"],
            rows["v-a"]["near_misses"]) == (2, 1, 1)
    assert rows["v-a"]["raised_share"] == 0.5
    assert (rows["v-b"]["check_soon"], rows["v-b"]["near_misses"]) == (0, 1)


def test_a_near_miss_is_emailed_to_every_supervisor_and_the_clinical_owner_once(
        app, midwife, supervisor, make_user, make_comment):
    app.config["CLINICAL_OWNER_EMAIL"] = "clinical.owner@example.org"
    other = make_user("supervisor", email="boss2@example.org")
    comment = make_comment(MISSED, urgency="routine", model_version="triage-test-1")
    relabel_comment(comment.id, midwife, urgency="urgent")
    relabel_comment(comment.id, midwife, urgency="priority")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    emails = _near_miss_emails()
    assert sorted(m.recipient for m in emails) == sorted(
        ["clinical.owner@example.org", supervisor.email, other.email])
    assert {m.comment_id for m in emails} == {comment.id}
    assert {m.status for m in emails} == {"pending"}


def test_the_near_miss_email_names_the_served_label_and_model_but_only_the_first_words(
        app, midwife, supervisor, make_comment):
    comment = make_comment(MISSED, urgency="priority", model_version="triage-test-1")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    [email] = _near_miss_emails()
    assert email.recipient == supervisor.email
    assert "served priority" in email.subject
    assert "Model version: triage-test-1" in email.body
    assert '"bleeding is getting heavier and I feel a…"' in email.body
    assert MISSED not in email.body
    assert f"/comments/{comment.id}" in email.body


def test_a_comment_served_as_urgent_sends_no_near_miss_email(midwife, supervisor, make_comment):
    comment = make_comment(MISSED, urgency="urgent")
    relabel_comment(comment.id, midwife, urgency="priority")
    relabel_comment(comment.id, midwife, urgency="urgent")
    db.session.commit()
    assert _near_miss_emails() == []
