"""Reply deadlines and response times in the service's working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from moderation.services.settings import ServicePolicy
from moderation.services.working_hours import (
    add_working_time,
    is_working_day,
    reply_due_at,
    working_seconds_between,
)

POLICY = ServicePolicy()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_urgent_is_due_within_the_hour_even_at_night_and_weekends():
    saturday_3am = utc(2026, 11, 28, 3, 0)
    assert reply_due_at(saturday_3am, "urgent", POLICY) == utc(2026, 11, 28, 4, 0)


def test_priority_within_one_day_takes_four_working_hours():
    # Tuesday 24 Nov 2026, 10:00 London (= UTC in winter).
    assert reply_due_at(utc(2026, 11, 24, 10), "priority", POLICY) == utc(2026, 11, 24, 14)


def test_priority_late_in_the_day_rolls_into_the_next_morning():
    assert reply_due_at(utc(2026, 11, 24, 16), "priority", POLICY) == utc(2026, 11, 25, 12)


def test_priority_on_friday_afternoon_is_due_on_monday():
    assert reply_due_at(utc(2026, 11, 27, 15), "priority", POLICY) == utc(2026, 11, 30, 11)


def test_comment_arriving_at_night_starts_counting_at_nine():
    assert reply_due_at(utc(2026, 11, 24, 23, 30), "priority", POLICY) == utc(2026, 11, 25, 13)


def test_routine_is_two_working_days_across_a_weekend():
    # Thursday 10:00 -> 16 working hours later: Monday 10:00.
    assert reply_due_at(utc(2026, 11, 26, 10), "routine", POLICY) == utc(2026, 11, 30, 10)


def test_bank_holidays_are_skipped():
    # Christmas Eve 2026 is a Thursday; 25 and 28 December are bank holidays in England.
    assert not is_working_day(datetime(2026, 12, 25).date(), POLICY)
    assert not is_working_day(datetime(2026, 12, 28).date(), POLICY)
    due = reply_due_at(utc(2026, 12, 24, 15), "priority", POLICY)
    assert due == utc(2026, 12, 29, 11)


def test_early_may_bank_holiday_after_a_weekend():
    # Friday 1 May 2026 16:00 BST; Monday 4 May is the Early May bank holiday.
    friday_4pm_bst = utc(2026, 5, 1, 15)
    assert reply_due_at(friday_4pm_bst, "priority", POLICY) == utc(2026, 5, 5, 11)


def test_summer_time_is_respected():
    # 09:00 in London in July is 08:00 UTC.
    assert add_working_time(utc(2026, 7, 14, 6), 60, POLICY) == utc(2026, 7, 14, 9)


def test_working_seconds_exclude_nights_weekends_and_holidays():
    friday_4pm, tuesday_10am = utc(2026, 12, 18, 16), utc(2026, 12, 22, 10)
    # Fri 16-17 (1 h) + Mon 9-17 (8 h) + Tue 9-10 (1 h).
    assert working_seconds_between(friday_4pm, tuesday_10am, POLICY) == 10 * 3600
    assert working_seconds_between(utc(2026, 12, 25, 10), utc(2026, 12, 25, 12), POLICY) == 0


def test_working_seconds_are_zero_when_end_precedes_start():
    assert working_seconds_between(utc(2026, 11, 24, 12), utc(2026, 11, 24, 10), POLICY) == 0


@pytest.mark.parametrize("start_hour", [0, 9, 12, 16, 20])
def test_adding_then_measuring_working_time_agrees(start_hour):
    start = utc(2026, 11, 20, start_hour)
    end = add_working_time(start, 300, POLICY)
    assert working_seconds_between(start, end, POLICY) == 300 * 60


def test_changed_hours_and_targets_are_used():
    policy = ServicePolicy(workday_start=time(8), workday_end=time(20),
                           priority_target_working_hours=2)
    assert reply_due_at(utc(2026, 11, 24, 19), "priority", policy) == utc(2026, 11, 25, 9)
