"""The on-call rota: who is on call when, gaps and overlaps, next_read_at, and editing it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from models import OnCallOverride, OnCallShift, db
from moderation.services.availability import next_read_at
from moderation.services.oncall import (
    RotaError,
    add_override,
    add_shift,
    channels_for,
    gaps_ahead,
    next_on_call,
    on_call_at,
    set_channels,
)

MONDAY, FRIDAY, SATURDAY = 0, 4, 5


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A winter date (London is on UTC then), as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Friday 4 December 2026, and the weekend after.
FRIDAY_1705 = london(2026, 12, 4, 17, 5)


@pytest.fixture
def ann(make_user):
    return make_user("midwife", email="ann@example.test", name="Ann Lee")


@pytest.fixture
def bea(make_user):
    return make_user("midwife", email="bea@example.test", name="Bea King")


def test_a_weekly_shift_puts_its_person_on_call_only_in_its_hours(app, ann, supervisor):
    add_shift(FRIDAY, time(9), time(17), ann.id, supervisor)
    assert on_call_at(london(2026, 12, 4, 9)) == [ann]
    assert on_call_at(london(2026, 12, 4, 16, 59)) == [ann]
    assert on_call_at(london(2026, 12, 4, 17)) == []
    assert on_call_at(london(2026, 12, 11, 12)) == [ann]  # every week
    assert on_call_at(london(2026, 12, 3, 12)) == []  # a Thursday


def test_an_overnight_shift_runs_into_the_next_morning(app, ann, supervisor):
    add_shift(FRIDAY, time(17), time(9), ann.id, supervisor)
    assert on_call_at(FRIDAY_1705) == [ann]
    assert on_call_at(london(2026, 12, 5, 8, 59)) == [ann]  # Saturday morning
    assert on_call_at(london(2026, 12, 5, 9)) == []


def test_overlapping_shifts_put_both_people_on_call(app, ann, bea, supervisor):
    add_shift(FRIDAY, time(9), time(17), ann.id, supervisor)
    add_shift(FRIDAY, time(16), time(22), bea.id, supervisor)
    assert on_call_at(london(2026, 12, 4, 16, 30)) == [ann, bea]


def test_a_one_off_cover_replaces_the_weekly_shift_for_its_period(app, ann, bea, supervisor):
    add_shift(FRIDAY, time(9), time(17), ann.id, supervisor)
    add_override(london(2026, 12, 4, 12), london(2026, 12, 4, 14), bea.id, "Ann at a course",
                 supervisor)
    assert on_call_at(london(2026, 12, 4, 13)) == [bea]
    assert on_call_at(london(2026, 12, 4, 14)) == [ann]


def test_a_deactivated_person_is_never_on_call(app, ann, supervisor):
    add_shift(FRIDAY, time(9), time(17), ann.id, supervisor)
    ann.active = False
    db.session.commit()
    assert on_call_at(london(2026, 12, 4, 12)) == []


def test_the_next_person_on_the_rota_is_whoever_comes_on_next(app, ann, bea, supervisor):
    add_shift(FRIDAY, time(9), time(17), ann.id, supervisor)
    add_shift(FRIDAY, time(17), time(22), bea.id, supervisor)
    assert next_on_call(london(2026, 12, 4, 10), {ann.id}) == [bea]
    # Nobody else on the rota: nobody next (the supervisors are alerted anyway).
    assert next_on_call(london(2026, 12, 4, 10), {ann.id, bea.id}) == []


def test_next_read_at_is_now_while_someone_is_on_call(app, ann, supervisor):
    add_shift(FRIDAY, time(17), time(9), ann.id, supervisor)
    assert next_read_at(FRIDAY_1705) == FRIDAY_1705


def test_next_read_at_is_now_in_working_hours_even_with_an_empty_rota(app):
    moment = london(2026, 12, 2, 11)  # a Wednesday morning
    assert next_read_at(moment) == moment


def test_next_read_at_friday_evening_with_nobody_on_call_is_monday_morning(app):
    assert next_read_at(FRIDAY_1705) == london(2026, 12, 7, 9)


def test_next_read_at_out_of_hours_is_the_start_of_the_next_shift_if_sooner(app, ann,
                                                                           supervisor):
    add_shift(SATURDAY, time(10), time(14), ann.id, supervisor)
    assert next_read_at(FRIDAY_1705) == london(2026, 12, 5, 10)


def test_gaps_in_the_coming_week_are_listed(app, ann, supervisor):
    for day in range(7):
        add_shift(day, time(8), time(20), ann.id, supervisor)
    gaps = gaps_ahead(london(2026, 12, 4, 12), timedelta(days=1))
    assert [(gap.starts_at, gap.ends_at) for gap in gaps] == [
        (london(2026, 12, 4, 20), london(2026, 12, 5, 8))]


def test_a_shift_that_ends_when_it_starts_is_refused(app, ann, supervisor):
    with pytest.raises(RotaError, match="different time"):
        add_shift(MONDAY, time(9), time(9), ann.id, supervisor)


def test_a_cover_that_ends_before_it_starts_is_refused(app, ann, supervisor):
    with pytest.raises(RotaError, match="end after"):
        add_override(london(2026, 12, 4, 14), london(2026, 12, 4, 12), ann.id, "", supervisor)


def test_alert_channels_default_to_the_sign_in_email_and_can_be_changed(app, ann, supervisor):
    assert channels_for(ann).email == ann.email and not channels_for(ann).webhook
    set_channels(ann.id, "ann.mobile@example.test", True, True, supervisor)
    assert channels_for(ann).email == "ann.mobile@example.test" and channels_for(ann).webhook
    with pytest.raises(RotaError, match="at least one way"):
        set_channels(ann.id, None, False, False, supervisor)
    with pytest.raises(RotaError, match="look like"):
        set_channels(ann.id, "not an email", True, False, supervisor)


# --- Through HTTP --------------------------------------------------------------------------

def test_a_supervisor_adds_and_removes_a_shift_in_the_app(app, supervisor_client, ann):
    page = supervisor_client.get("/oncall/")
    assert page.status_code == 200 and b"Weekly shifts" in page.data
    response = supervisor_client.post("/oncall/shifts", data={
        "shift-weekday": "4", "shift-starts": "17:00", "shift-ends": "09:00",
        "shift-user_id": str(ann.id)}, follow_redirects=True)
    assert b"Shift added." in response.data and b"(next day)" in response.data
    shift = db.session.scalar(select(OnCallShift))
    assert (shift.weekday, shift.starts, shift.ends) == (FRIDAY, time(17), time(9))
    response = supervisor_client.post(f"/oncall/shifts/{shift.id}/delete",
                                      follow_redirects=True)
    assert b"Shift removed." in response.data
    assert db.session.scalar(select(func.count()).select_from(OnCallShift)) == 0


def test_bad_rota_input_gets_a_clear_error_and_stores_nothing(app, supervisor_client, ann):
    response = supervisor_client.post("/oncall/shifts", data={
        "shift-weekday": "1", "shift-starts": "09:00", "shift-ends": "09:00",
        "shift-user_id": str(ann.id)})
    assert response.status_code == 422 and b"different time" in response.data
    response = supervisor_client.post("/oncall/shifts", data={
        "shift-weekday": "1", "shift-starts": "nine", "shift-ends": "17:00",
        "shift-user_id": str(ann.id)})
    assert response.status_code == 422
    response = supervisor_client.post("/oncall/overrides", data={
        "cover-starts_at": "2026-12-04T14:00", "cover-ends_at": "2026-12-04T12:00",
        "cover-user_id": str(ann.id)})
    assert response.status_code == 422 and b"end after" in response.data
    assert db.session.scalar(select(func.count()).select_from(OnCallShift)) == 0
    assert db.session.scalar(select(func.count()).select_from(OnCallOverride)) == 0


def test_a_supervisor_adds_cover_in_uk_time(app, supervisor_client, ann):
    response = supervisor_client.post("/oncall/overrides", data={
        "cover-starts_at": "2027-07-01T09:00", "cover-ends_at": "2027-07-01T17:00",
        "cover-user_id": str(ann.id), "cover-note": "Summer cover"}, follow_redirects=True)
    assert b"Cover added." in response.data and b"Summer cover" in response.data
    override = db.session.scalar(select(OnCallOverride))
    # 09:00 in London in July is 08:00 UTC.
    assert override.starts_at == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)


def test_a_supervisor_sets_someones_alert_channels(app, supervisor_client, ann):
    response = supervisor_client.post("/oncall/channels", data={
        "channels-user_id": str(ann.id), "channels-email": "ann.phone@example.test",
        "channels-email_enabled": "y", "channels-webhook_enabled": "y"},
        follow_redirects=True)
    assert b"Alert channels saved." in response.data
    assert channels_for(ann).email == "ann.phone@example.test"


def test_midwives_cannot_edit_the_rota(app, midwife_client, midwife):
    assert midwife_client.get("/oncall/").status_code == 403
    assert midwife_client.post("/oncall/shifts", data={
        "shift-weekday": "1", "shift-starts": "09:00", "shift-ends": "17:00",
        "shift-user_id": str(midwife.id)}).status_code == 403


def test_removing_a_shift_that_is_already_gone_says_so(app, supervisor_client):
    response = supervisor_client.post("/oncall/shifts/999/delete")
    assert response.status_code == 422 and b"This shift no longer exists." in response.data
