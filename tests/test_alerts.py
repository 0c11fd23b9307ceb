"""Urgent alerts: who is told at once, escalation at 15 and 45 minutes, and what stops it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from models import AlertChannel, Escalation, OutboxMessage, db, utcnow
from moderation.commands.worker import deliver_due
from moderation.services.alerts import (
    ack_token,
    drop_reason,
    first_words,
    raise_urgent_alert,
    run_escalations,
)
from moderation.services.claims import claim_comment, take_next_comment
from moderation.services.oncall import add_override, add_shift
from moderation.services.relabelling import relabel_comment
from moderation.services.settings import current_policy
from tests.alerting_servers import free_port

# Wednesday 3 June 2026, 10:00 in London (09:00 UTC): a controlled clock for every test.
T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)
WEDNESDAY = 2


@pytest.fixture
def app_config(app_config):
    # Nothing listens on that port: these tests look at the outbox, not at delivery.
    return {**app_config, "SMTP_PORT": free_port(), "BASE_URL": "https://moderation.example.org"}


@pytest.fixture
def rota(make_user, supervisor):
    """Ann on call 08:00-12:00 on Wednesdays, Bea from 12:00 to 20:00; Helen supervises."""
    ann = make_user("midwife", email="ann@example.test", name="Ann Lee")
    bea = make_user("midwife", email="bea@example.test", name="Bea King")
    add_shift(WEDNESDAY, time(8), time(12), ann.id, supervisor)
    add_shift(WEDNESDAY, time(12), time(20), bea.id, supervisor)
    db.session.commit()
    return ann, bea


def messages(step: int | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if step is not None:
        query = query.where(OutboxMessage.escalation_step == step)
    return list(db.session.scalars(query))


def recipients(step: int) -> list[str]:
    return sorted(message.recipient for message in messages(step))


def urgent(make_comment, **fields):
    return make_comment("My bleeding is soaking a pad every half hour and I feel faint now",
                        urgency="urgent", received_at=T0, author_email="dee@example.net",
                        **fields)


def test_an_urgent_comment_alerts_the_person_on_call_at_once(app, rota, make_comment):
    ann, _ = rota
    comment = urgent(make_comment)
    escalation = raise_urgent_alert(comment, T0)
    db.session.commit()
    assert escalation.on_call is True
    assert recipients(0) == [ann.email]


def test_escalation_reaches_the_next_person_and_supervisors_at_15_and_every_supervisor_at_45(
        app, rota, make_comment, make_user, supervisor):
    _, bea = rota
    other_boss = make_user("supervisor", email="kim@example.test", name="Kim Shaw")
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    assert run_escalations(T0 + timedelta(minutes=14, seconds=59)) == 0
    assert run_escalations(T0 + timedelta(minutes=15)) == 1
    db.session.commit()
    assert recipients(1) == sorted([bea.email, supervisor.email, other_boss.email])
    assert run_escalations(T0 + timedelta(minutes=44)) == 0
    assert run_escalations(T0 + timedelta(minutes=45)) == 1
    db.session.commit()
    assert recipients(2) == sorted([supervisor.email, other_boss.email])
    # Nothing after the last step, however long it waits.
    assert run_escalations(T0 + timedelta(hours=5)) == 0


def test_claiming_the_comment_stops_the_escalation_and_drops_unsent_alerts(
        app, rota, make_comment, midwife):
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    claim_comment(comment.id, midwife, T0 + timedelta(minutes=5))
    db.session.commit()
    escalation = db.session.scalar(select(Escalation))
    assert escalation.stopped_at == T0 + timedelta(minutes=5)
    assert escalation.acknowledged_by_id == midwife.id
    # Past the 15-minute mark, while her claim lasts (the composer renews it every minute):
    # nobody else is bothered.
    for minute in range(6, 24):
        claim_comment(comment.id, midwife, T0 + timedelta(minutes=minute))
    db.session.commit()
    assert run_escalations(T0 + timedelta(minutes=24)) == 0
    assert messages(1) == [] and messages(2) == []
    # The first alert was not sent yet: the worker drops it, saying why.
    [message] = messages(0)
    assert drop_reason(message, T0 + timedelta(minutes=6)) == "claimed by Sam Jones meanwhile"


def test_take_next_stops_the_escalation_too(app, rota, make_comment, midwife):
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    assert take_next_comment(midwife, T0 + timedelta(minutes=3)).id == comment.id
    db.session.commit()
    assert db.session.scalar(select(Escalation.stop_reason)) == "claimed by Sam Jones"


def test_an_alert_for_a_comment_answered_meanwhile_is_dropped_with_a_reason(
        app, make_comment, supervisor):
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    comment.status = "published"
    db.session.commit()
    assert deliver_due("w", T0) == {"dropped": 1}
    [message] = messages(0)
    assert message.status == "dropped" and message.last_error == "comment published meanwhile"
    assert run_escalations(T0 + timedelta(minutes=15)) == 0
    db.session.commit()
    assert db.session.scalar(select(Escalation.stop_reason)) == "comment published meanwhile"


def test_out_of_hours_every_supervisor_is_alerted_at_once(app, make_comment, make_user,
                                                          supervisor):
    other_boss = make_user("supervisor", email="kim@example.test", name="Kim Shaw")
    comment = urgent(make_comment)
    escalation = raise_urgent_alert(comment, T0)
    db.session.commit()
    assert escalation.on_call is False
    assert recipients(0) == sorted([supervisor.email, other_boss.email])


def test_overlapping_shifts_alert_everyone_on_call(app, rota, make_comment, make_user,
                                                   supervisor):
    ann, _ = rota
    cover = make_user("midwife", email="cy@example.test", name="Cy Dunn")
    add_shift(WEDNESDAY, time(9), time(11), cover.id, supervisor)
    db.session.commit()
    raise_urgent_alert(urgent(make_comment), T0)
    db.session.commit()
    assert recipients(0) == sorted([ann.email, cover.email])


def test_relabelling_a_comment_urgent_alerts_the_person_on_call(app, rota, make_comment,
                                                                midwife):
    ann, _ = rota
    comment = make_comment("Feeling dizzy since this morning", urgency="priority",
                           received_at=T0)
    relabel_comment(comment.id, midwife, urgency="urgent", now=T0)
    db.session.commit()
    assert recipients(0) == [ann.email]


def test_an_urgent_comment_is_alerted_once_even_if_relabelled_again(app, rota, make_comment,
                                                                    midwife):
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    relabel_comment(comment.id, midwife, urgency="priority", now=T0)
    relabel_comment(comment.id, midwife, urgency="urgent", now=T0)
    db.session.commit()
    assert len(messages(0)) == 1


def test_the_alert_carries_urgency_red_flag_first_words_and_links_but_never_the_text_or_email(
        app, rota, make_comment):
    comment = urgent(make_comment, red_flag=True, red_flag_categories=["physical_emergency"])
    comment.triage_reasons = ['safety rule heavy_bleeding (soaking pads): "soaking a pad"']
    raise_urgent_alert(comment, T0)
    db.session.commit()
    [message] = messages(0)
    assert "red flag: physical emergency" in message.subject
    assert "My bleeding is soaking a pad every half…" in message.body
    assert "Rule: heavy_bleeding (soaking pads)" in message.body
    assert comment.body not in message.body and "dee@example.net" not in message.body
    assert f"https://moderation.example.org/comments/{comment.id}" in message.body
    assert "https://moderation.example.org/alerts/ack/" in message.body


def test_first_words_are_cut_to_a_few_words():
    assert first_words("one two three") == "one two three"
    assert first_words("a b c d e f g h i j") == "a b c d e f g h…"
    assert len(first_words("x" * 500)) <= 61


def test_the_im_on_it_link_claims_it_stops_the_alerts_and_asks_her_to_sign_in(
        app, client, rota, make_comment):
    ann, _ = rota
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    token = ack_token(comment.id, ann.id)
    page = client.get(f"/alerts/ack/{token}")
    assert page.status_code == 200 and b"I'm on it</button>" in page.data
    assert db.session.scalar(select(Escalation.stopped_at)) is None  # a GET changes nothing
    response = client.post(f"/alerts/ack/{token}")
    assert response.status_code == 302
    # Reading the comment still takes her password and second factor: the link is no sign-in.
    assert "/login?next=" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"next=/comments/{comment.id}")
    db.session.expire_all()
    assert db.session.get(type(comment), comment.id).claimed_by_id == ann.id
    escalation = db.session.scalar(select(Escalation))
    assert escalation.acknowledged_by_id == ann.id and escalation.stopped_at is not None
    assert client.get(f"/comments/{comment.id}").status_code == 302  # not signed in


def test_a_tampered_or_expired_im_on_it_link_is_refused_clearly(app, client, rota,
                                                                make_comment):
    ann, _ = rota
    comment = urgent(make_comment)
    token = ack_token(comment.id, ann.id)
    response = client.post(f"/alerts/ack/{token[:-2]}xx")
    assert response.status_code == 409 and b"not valid" in response.data
    app.config["ACK_LINK_MAX_AGE_SECONDS"] = -1
    response = client.post(f"/alerts/ack/{token}")
    assert response.status_code == 409 and b"expired" in response.data
    assert db.session.get(type(comment), comment.id).claimed_by_id is None


def test_the_im_on_it_link_for_a_comment_someone_else_took_says_who(app, client, rota,
                                                                   make_comment, midwife):
    ann, _ = rota
    comment = urgent(make_comment)
    claim_comment(comment.id, midwife)
    db.session.commit()
    response = client.post(f"/alerts/ack/{ack_token(comment.id, ann.id)}")
    assert response.status_code == 409 and b"Being answered by Sam" in response.data


def test_the_alerts_page_shows_each_alert_and_the_dead_letters_with_a_retry_button(
        app, supervisor_client, rota, make_comment, supervisor):
    ann, _ = rota
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    db.session.commit()
    deliver_due("w", T0)  # nothing listens: retried later
    message = messages(0)[0]
    message.status, message.last_error = "dead", "SMTP server unreachable"
    claim_comment(comment.id, ann, T0 + timedelta(minutes=2))
    db.session.commit()
    page = supervisor_client.get("/alerts/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ann Lee" in html and ann.email in html and "first alert" in html
    assert 'id="dead-letters"' in html and "SMTP server unreachable" in html
    response = supervisor_client.post(f"/alerts/messages/{message.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "pending"
    again = supervisor_client.post(f"/alerts/messages/{message.id}/retry", follow_redirects=True)
    assert "Only a dead or dropped message can be retried" in again.get_data(as_text=True)


def test_midwives_cannot_see_the_alerts_page(app, midwife_client):
    assert midwife_client.get("/alerts/").status_code == 403


def test_a_webhook_is_queued_only_for_people_who_chose_it_and_when_one_is_configured(
        app, rota, make_comment):
    ann, _ = rota
    db.session.add(AlertChannel(user_id=ann.id, email=None, email_enabled=False,
                                webhook_enabled=True))
    db.session.commit()
    raise_urgent_alert(urgent(make_comment), T0)
    assert messages(0) == []  # no webhook URL configured, and her email is off
    db.session.rollback()
    app.config["ALERT_WEBHOOK_URL"] = f"http://127.0.0.1:{free_port()}/hook"
    raise_urgent_alert(urgent(make_comment), T0)
    db.session.commit()
    assert [(m.channel, m.user_id) for m in messages(0)] == [("webhook", ann.id)]


def test_the_out_of_hours_banner_shows_on_the_queue_only_when_nobody_is_on_call(
        app, midwife_client, make_user, supervisor):
    page = midwife_client.get("/")
    assert b"Out of hours: nobody is on call" in page.data
    cover = make_user("midwife")
    now = utcnow()
    add_override(now - timedelta(hours=1), now + timedelta(hours=1), cover.id, "", supervisor)
    db.session.commit()
    assert b"Out of hours" not in midwife_client.get("/").data


def test_first_claimed_at_is_kept_across_later_claims(app, make_comment, midwife, supervisor):
    comment = urgent(make_comment)
    claim_comment(comment.id, midwife, T0 + timedelta(minutes=4))
    db.session.commit()
    claim_comment(comment.id, supervisor, T0 + timedelta(hours=2))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(comment), comment.id).first_claimed_at == T0 + timedelta(
        minutes=4)


def test_the_report_splits_time_to_first_claim_by_whether_anyone_was_on_call(
        app, rota, make_comment, midwife):
    from moderation.services.reports import build_table, resolve_period

    saturday = T0 + timedelta(days=3)  # nobody is on call at the weekend in this rota
    timings = [(T0, 4), (T0 + timedelta(minutes=1), 10), (saturday, 30), (saturday, None)]
    for received_at, minutes in timings:
        comment = make_comment("Heavy bleeding", urgency="urgent", received_at=received_at)
        raise_urgent_alert(comment, received_at)
        if minutes is not None:
            claim_comment(comment.id, midwife, received_at + timedelta(minutes=minutes))
        db.session.commit()
    make_comment("A routine question", received_at=T0)  # not urgent: not counted
    period = resolve_period("custom", T0.date() - timedelta(days=1), T0.date() + timedelta(days=7))
    rows = {row["hours"]: row for row in build_table("urgent-claims", period).rows}
    assert rows["someone on call"]["urgent"] == 2 and rows["someone on call"]["claimed"] == 2
    assert rows["someone on call"]["median_claim"] == pytest.approx(7 * 60, abs=1)
    assert rows["nobody on call"]["urgent"] == 2 and rows["nobody on call"]["claimed"] == 1
    assert rows["nobody on call"]["median_claim"] == pytest.approx(30 * 60, abs=1)


def test_a_claim_that_lapses_without_a_reply_starts_the_alerts_again(
        app, rota, make_comment, midwife, supervisor):
    _, bea = rota
    comment = urgent(make_comment)
    raise_urgent_alert(comment, T0)
    claim_comment(comment.id, midwife, T0 + timedelta(minutes=2))
    db.session.commit()
    timeout = timedelta(minutes=current_policy().claim_timeout_minutes)  # the claim lease
    assert run_escalations(T0 + timedelta(minutes=2) + timeout - timedelta(seconds=1)) == 0
    lapsed = T0 + timedelta(minutes=2) + timeout + timedelta(seconds=1)
    assert run_escalations(lapsed) == 1
    db.session.commit()
    assert recipients(1) == sorted([bea.email, supervisor.email])
    escalation = db.session.scalar(select(Escalation))
    assert escalation.round == 1 and escalation.stopped_at is None
    assert escalation.next_step_at == T0 + timedelta(minutes=45)
    assert run_escalations(T0 + timedelta(minutes=45)) == 1
    db.session.commit()
    assert recipients(2) == [supervisor.email]
