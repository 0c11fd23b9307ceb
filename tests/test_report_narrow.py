"""The narrow read of time to first reply: its NumPy ranking equals NumPy's own reference
ways, and the read itself (packed on PostgreSQL, joined text on SQLite) loses no value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from models import Comment
from moderation.services.reports import ANSWERED_DIMENSIONS, answered_figures, narrow, period_weeks
from moderation.services.reports.periods import resolve_period

LONDON = "Europe/London"
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("shape", ["labels", "ids with no midwife", "wide range", "all null"])
def test_grouping_by_counting_equals_numpy_unique(shape):
    rng = np.random.default_rng(11)
    for size in (1, 2, 17, 2_500):
        keys = {
            "labels": rng.integers(-1, 10, size),
            "ids with no midwife": np.where(rng.random(size) < 0.2, narrow.NULL_KEY,
                                            rng.integers(1, 60, size)),
            "wide range": rng.integers(-10**12, 10**12, size),
            "all null": np.full(size, narrow.NULL_KEY),
        }[shape].astype(np.int64)

        groups, inverse = narrow._unique(keys)

        expected_groups, expected_inverse = np.unique(keys, return_inverse=True)
        assert groups.tolist() == expected_groups.tolist()
        assert inverse.tolist() == expected_inverse.tolist()


@pytest.mark.parametrize("high", [3, 10**8, 2**40])
def test_the_packed_sort_orders_rows_by_value_like_a_stable_argsort(high):
    rng = np.random.default_rng(high % 1000)
    numbers = rng.integers(-5, high, 4_000).astype(np.int64)  # small ranges: many ties
    rows = np.flatnonzero(rng.random(4_000) < 0.7)

    ordered = narrow._by_value(numbers, rows)

    assert ordered.tolist() == rows[np.argsort(numbers[rows], kind="stable")].tolist()


def test_the_read_keeps_every_value_and_null_of_each_thread(make_comment, make_user):
    midwife = make_user("midwife")
    # One thread per combination of a missing midwife, clock time and working time, with
    # values at the edges of what a 4-byte integer holds.
    threads = [(None, None, None), (midwife.id, 0, None), (None, 2**31 - 1, 0),
               (midwife.id, None, 86_400), (midwife.id, 7, 5)]
    for index, (by, seconds, working) in enumerate(threads):
        received = MONDAY + timedelta(hours=index)
        make_comment(status="published", received_at=received, due_at=received,
                     first_replied_at=received + timedelta(minutes=1),
                     response_seconds=seconds,
                     response_working_seconds=working, moderated_by_id=by)
    where = [Comment.first_replied_at.is_not(None)]

    count, arrays = narrow._read_columns(
        [Comment.moderated_by_id, Comment.response_seconds, Comment.response_working_seconds],
        [True, True, True], where)

    assert count == len(threads)
    read = sorted(zip(*[[int(v) if p else None for v, p in zip(values, present, strict=True)]
                        for values, present in arrays], strict=True), key=str)
    assert read == sorted(threads, key=str)


def test_a_period_without_answered_threads_has_no_figures(make_comment):
    make_comment(status="published", received_at=MONDAY)  # received, never answered
    period = resolve_period("custom", date(2025, 3, 3), date(2025, 3, 9), timezone=LONDON)

    figures = answered_figures(period, period_weeks(period, LONDON), ANSWERED_DIMENSIONS)

    assert figures == {dimension: {} for dimension in ANSWERED_DIMENSIONS}
