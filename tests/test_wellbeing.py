"""Staff wellbeing: distressing comments opened per shift, the break, Take next, debriefs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import (
    DebriefRequest,
    DistressingOpen,
    OutboxMessage,
    ServiceSetting,
    User,
    db,
    utcnow,
)
from moderation.services.claims import claim_comment, release_claim, take_next_comment
from moderation.services.wellbeing import (
    WellbeingError,
    request_debrief,
    shift_exposure,
    update_wellbeing_settings,
    weekly_exposure,
)

CRISIS = "I can't stop crying since the scan and some nights I think about not waking up"


@pytest.fixture
def distressing(make_comment):
    """Make a priority comment the safety rules flagged as a mental-health crisis."""

    def make(body: str = CRISIS, **fields):
        values = {"urgency": "priority", "topic": "emotional_support", "red_flag": True,
                  "red_flag_categories": ["mental_health_crisis"]}
        return make_comment(body, **{**values, **fields})

    return make


def _open_several(midwife, distressing, count: int, now) -> None:
    """She opens `count` distressing comments to answer them; each is then dealt with."""
    for n in range(count):
        comment = distressing(f"{CRISIS} ({n})")
        claim_comment(comment.id, midwife, now - timedelta(minutes=count - n))
        release_claim(comment.id, midwife)
        comment.status = "closed"
    db.session.commit()


def _limit(supervisor, value: int) -> None:
    update_wellbeing_settings({"wellbeing_soft_limit": value}, supervisor)
    db.session.commit()


def test_opening_a_distressing_comment_counts_once_and_an_ordinary_one_not_at_all(
        midwife, distressing, make_comment):
    crisis = distressing()
    ordinary = make_comment("When will my period come back?", topic="first_period")
    now = utcnow()
    claim_comment(crisis.id, midwife, now)
    claim_comment(crisis.id, midwife, now + timedelta(minutes=1))  # a renewal
    release_claim(crisis.id, midwife)
    claim_comment(crisis.id, midwife, now + timedelta(minutes=2))  # opened again
    claim_comment(ordinary.id, midwife, now)
    db.session.commit()
    [opened] = db.session.scalars(select(DistressingOpen)).all()
    assert (opened.comment_id, opened.reasons) == (crisis.id, ["mental_health_crisis"])
    assert shift_exposure(midwife, now + timedelta(minutes=3)).count == 1


def test_abuse_safeguarding_and_remembrance_count_but_a_physical_emergency_alone_does_not(
        midwife, make_comment):
    now = utcnow()
    for categories, topic in ((["abuse"], "other"), (["safeguarding"], "other"),
                              ([], "remembrance"), (["physical_emergency"], "bleeding")):
        comment = make_comment("text", urgency="priority", topic=topic,
                               red_flag=bool(categories), red_flag_categories=categories)
        claim_comment(comment.id, midwife, now)
        release_claim(comment.id, midwife)
    db.session.commit()
    assert shift_exposure(midwife, now).count == 3


def test_the_shift_count_forgets_what_was_opened_before_the_shift(midwife, distressing):
    now = utcnow()
    _open_several(midwife, distressing, 2, now - timedelta(hours=13))
    _open_several(midwife, distressing, 1, now)
    assert shift_exposure(midwife, now).count == 1


def test_past_the_soft_limit_a_calm_dismissible_break_banner_appears(
        midwife_client, midwife, supervisor, distressing):
    _limit(supervisor, 3)
    _open_several(midwife, distressing, 2, utcnow())
    assert "break-banner" not in midwife_client.get("/").get_data(as_text=True)
    _open_several(midwife, distressing, 1, utcnow())
    page = midwife_client.get("/").get_data(as_text=True)
    assert "break-banner" in page and "3 distressing comments this shift" in page
    midwife_client.post("/wellbeing/break/dismiss", data={"next": "/"})
    assert "break-banner" not in midwife_client.get("/").get_data(as_text=True)
    _open_several(midwife, distressing, 1, utcnow())  # another one: she is asked again
    assert "4 distressing comments" in midwife_client.get("/").get_data(as_text=True)


def test_past_the_limit_take_next_offers_her_an_ordinary_comment_first(
        midwife, make_user, supervisor, distressing, make_comment):
    _limit(supervisor, 2)
    now = utcnow()
    _open_several(midwife, distressing, 2, now)
    first_in_queue = distressing("Another crisis, check soon", check_soon=True)
    ordinary = make_comment("How long does bleeding last?", urgency="routine")
    assert take_next_comment(midwife, now).id == ordinary.id
    colleague = make_user("midwife", email="kim@example.test", name="Kim Lee")
    assert take_next_comment(colleague, now).id == first_in_queue.id


def test_an_urgent_comment_never_waits_because_of_a_break(
        midwife, supervisor, distressing, make_comment):
    _limit(supervisor, 2)
    now = utcnow()
    _open_several(midwife, distressing, 2, now)
    urgent_crisis = distressing("I have taken all my tablets", urgency="urgent")
    make_comment("When can we try again?", urgency="routine", topic="trying_again")
    assert take_next_comment(midwife, now).id == urgent_crisis.id


def test_when_only_distressing_comments_wait_she_still_gets_one(
        midwife, supervisor, distressing):
    _limit(supervisor, 2)
    now = utcnow()
    _open_several(midwife, distressing, 2, now)
    waiting = distressing("Nobody would miss me")
    assert take_next_comment(midwife, now).id == waiting.id


def test_after_the_quiet_time_take_next_follows_the_queue_again(
        midwife, supervisor, distressing, make_comment):
    _limit(supervisor, 2)
    now = utcnow()
    _open_several(midwife, distressing, 2, now)
    first_in_queue = distressing("Another crisis", check_soon=True)
    make_comment("How long does bleeding last?", urgency="routine")
    later = now + timedelta(minutes=61)
    assert shift_exposure(midwife, later).prefer_others_until is None
    assert take_next_comment(midwife, later).id == first_in_queue.id


def test_a_soft_limit_of_zero_is_refused_and_nothing_changes(supervisor, supervisor_client):
    with pytest.raises(WellbeingError, match="from 1 to 100"):
        update_wellbeing_settings({"wellbeing_soft_limit": "0",
                                   "wellbeing_break_minutes": "30"}, supervisor)
    db.session.rollback()
    response = supervisor_client.post("/wellbeing/settings", data={
        "wellbeing_soft_limit": "0", "wellbeing_shift_hours": "12",
        "wellbeing_break_minutes": "60"})
    assert response.status_code == 422
    assert "0 would mean a break after every comment" in response.get_data(as_text=True)
    assert db.session.scalars(select(ServiceSetting)).all() == []


def test_a_debrief_request_reaches_every_supervisor_privately(
        midwife_client, midwife, supervisor, make_user, distressing):
    other = make_user("supervisor", email="ola@example.test", name="Ola Berg")
    comment = distressing()
    midwife_client.post(f"/comments/{comment.id}/debrief",
                        data={"note": "This one stayed with me", "next": "/"})
    emails = db.session.scalars(select(OutboxMessage)
                                .where(OutboxMessage.kind == "debrief_request")).all()
    assert sorted(e.recipient for e in emails) == sorted([supervisor.email, other.email])
    for email in emails:
        assert "Sam" in email.body
        assert CRISIS not in email.body and "stayed with me" not in email.body
    assert db.session.scalar(select(DebriefRequest)).user_id == midwife.id


def test_supervisors_see_the_debrief_in_the_app_and_mark_it_arranged(
        supervisor_client, midwife, distressing):
    comment = distressing()
    request_debrief(comment.id, midwife, "After the scan one")
    db.session.commit()
    page = supervisor_client.get("/wellbeing").get_data(as_text=True)
    assert "debrief-count" in page and "After the scan one" in page
    debrief = db.session.scalar(select(DebriefRequest))
    supervisor_client.post(f"/wellbeing/debriefs/{debrief.id}/arranged")
    assert "debrief-count" not in supervisor_client.get("/wellbeing").get_data(as_text=True)


def test_a_debrief_on_a_comment_that_is_gone_is_refused_clearly(midwife):
    with pytest.raises(WellbeingError, match="no longer exists"):
        request_debrief(999_999, midwife)


def test_supervisors_see_weekly_totals_per_person_and_team_without_contents(
        supervisor_client, midwife, make_user, distressing):
    colleague = make_user("midwife", email="kim@example.test", name="Kim Lee")
    now = utcnow()
    _open_several(midwife, distressing, 3, now)
    _open_several(colleague, distressing, 1, now)
    weekly = weekly_exposure(now=now)
    this_week = weekly.weeks[-1]
    assert weekly.team[this_week] == 4
    assert {u.email: c[this_week] for u, c in weekly.people} == {
        midwife.email: 3, colleague.email: 1}
    page = supervisor_client.get("/wellbeing").get_data(as_text=True)
    assert "Kim" in page and "not performance management" in page
    assert "crying" not in page


def test_a_midwife_sees_her_own_shift_and_not_her_colleagues(midwife_client, midwife,
                                                             make_user, distressing):
    colleague = make_user("midwife", email="kim@example.test", name="Kim Lee")
    _open_several(colleague, distressing, 2, utcnow())
    page = midwife_client.get("/wellbeing").get_data(as_text=True)
    assert "Kim" not in page and "never to measure your work" in page


def test_the_demo_midwife_is_offered_a_break_when_she_signs_in(runner, app):
    from moderation.services.demo import DEMO_ACCOUNTS
    from tests.conftest import sign_in

    for _ in range(2):  # seeding twice changes nothing more
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    email, password, _role = DEMO_ACCOUNTS[0]
    grace = db.session.scalar(select(User).where(User.email == email))
    assert shift_exposure(grace).break_suggested
    client = app.test_client()
    sign_in(client, grace, password)
    assert "break-banner" in client.get("/").get_data(as_text=True)
