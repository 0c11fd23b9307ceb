"""Supervisor reports: exact figures from frozen timestamps, and the page over HTTP."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from models import Comment, LabelCorrection, db
from moderation.services.reports import (
    ANSWERED_DIMENSIONS,
    MAX_RANGE_DAYS,
    ReportInputError,
    answered_figures,
    build_report,
    build_table,
    grouped_percentiles,
    period_weeks,
    resolve_period,
)
from moderation.services.settings import current_policy
from moderation.services.working_hours import working_seconds_between
from tests.conftest import audited

LONDON = "Europe/London"
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # GMT: UK time equals UTC in March


@pytest.fixture
def answered(make_comment, make_reply, midwife):
    """Create an answered thread whose first reply came `seconds` after it was received."""

    def make(*, received: datetime = MONDAY, seconds: int, urgency: str = "routine",
             topic: str = "bleeding", working: int | None = None, due: datetime | None = None,
             by=None, **fields) -> Comment:
        replied = received + timedelta(seconds=seconds)
        by = by or midwife
        comment = make_comment(
            urgency=urgency, topic=topic, status="published", received_at=received,
            due_at=due or received + timedelta(days=30), first_replied_at=replied,
            response_seconds=seconds,
            response_working_seconds=seconds if working is None else working,
            moderated_by_id=by.id, moderated_at=replied, **fields)
        make_reply(comment, by, published_at=replied)
        return comment

    return make


def week_of_march_2025():
    return resolve_period("custom", date(2025, 3, 3), date(2025, 3, 9), timezone=LONDON)


def row_for(table, key, value):
    return next(row for row in table.rows if row[key] == value)


# --- Percentiles ---------------------------------------------------------------------------

def test_median_and_90th_percentile_per_urgency_interpolate_between_nearest_values(answered):
    for minutes in range(1, 11):  # urgent: 60, 120, ..., 600 seconds
        answered(urgency="urgent", seconds=minutes * 60, working=minutes * 10)
    for seconds in (3000, 1000, 2000):
        answered(urgency="priority", seconds=seconds)
    answered(urgency="routine", seconds=86400, working=28800)

    table = build_table("response-by-urgency", week_of_march_2025())

    urgent = row_for(table, "urgency", "urgent")
    assert urgent["answered"] == 10
    assert urgent["median_clock"] == 330.0  # halfway between 300 and 360
    assert urgent["p90_clock"] == 546.0  # rank 8.1 of 0..9: 540 + 0.1 * (600 - 540)
    assert urgent["median_working"] == 55.0
    assert urgent["p90_working"] == 91.0
    priority = row_for(table, "urgency", "priority")
    assert (priority["median_clock"], priority["p90_clock"]) == (2000.0, 2800.0)
    routine = row_for(table, "urgency", "routine")
    assert (routine["median_clock"], routine["p90_clock"]) == (86400.0, 86400.0)
    assert routine["median_working"] == 28800.0
    overall = row_for(table, "urgency", "all")
    assert overall["answered"] == 14
    # 14 values: 60..600 (10), 1000, 2000, 3000, 86400; median between the 7th and 8th.
    assert overall["median_clock"] == 450.0
    assert overall["p90_clock"] == 2700.0  # rank 11.7 of 0..13: 2000 + 0.7 * (3000 - 2000)


def test_share_within_target_counts_a_reply_exactly_at_the_deadline_as_within(answered):
    due = MONDAY + timedelta(hours=1)
    answered(urgency="urgent", seconds=1800, due=due)
    answered(urgency="urgent", seconds=3600, due=due)  # exactly on time
    answered(urgency="urgent", seconds=3601, due=due)
    answered(urgency="urgent", seconds=7200, due=due)
    answered(urgency="priority", seconds=60, due=due)

    table = build_table("response-by-urgency", week_of_march_2025())

    urgent = row_for(table, "urgency", "urgent")
    assert (urgent["within_target"], urgent["within_target_share"]) == (2, 0.5)
    assert row_for(table, "urgency", "priority")["within_target_share"] == 1.0
    assert row_for(table, "urgency", "routine")["within_target_share"] is None
    assert row_for(table, "urgency", "all")["within_target_share"] == 3 / 5


def test_percentiles_agree_with_an_independent_linear_interpolation(answered, app):
    rng = random.Random(11)
    values = {"urgent": [], "priority": [], "routine": []}
    for urgency, count in (("urgent", 7), ("priority", 12), ("routine", 23)):
        for _ in range(count):
            seconds = rng.randrange(30, 200_000)
            values[urgency].append(seconds)
            answered(urgency=urgency, seconds=seconds)

    table = build_table("response-by-urgency", week_of_march_2025())

    for urgency, data in values.items():
        row = row_for(table, "urgency", urgency)
        assert row["median_clock"] == pytest.approx(statistics.median(data), abs=1e-6)
        p90 = statistics.quantiles(data, n=10, method="inclusive")[8]
        assert row["p90_clock"] == pytest.approx(p90, abs=1e-6)
    if db.engine.dialect.name == "postgresql":
        cont = dict(db.session.execute(text(
            "SELECT urgency, percentile_cont(0.9) WITHIN GROUP (ORDER BY response_seconds) "
            "FROM comments GROUP BY urgency")).all())
        for urgency in values:
            assert row_for(table, "urgency", urgency)["p90_clock"] == pytest.approx(
                cont[urgency], abs=1e-6)


def test_every_percentile_method_gives_the_same_figures(answered, make_user, app):
    rng = random.Random(5)
    colleague = make_user("midwife")
    for _ in range(40):
        answered(urgency=rng.choice(("urgent", "priority", "routine")),
                 topic=rng.choice(("bleeding", "remembrance", "other")),
                 received=MONDAY + timedelta(hours=rng.randrange(0, 300)),
                 seconds=rng.randrange(10, 90_000), working=rng.randrange(0, 30_000),
                 due=MONDAY + timedelta(hours=rng.randrange(0, 320)),
                 by=rng.choice((None, colleague)))
    period = resolve_period("custom", date(2025, 3, 3), date(2025, 3, 30), timezone=LONDON)
    weeks = period_weeks(period, LONDON)

    window = answered_figures(period, weeks, ANSWERED_DIMENSIONS, method="window")

    assert sum(f["rows"] for f in window["week"].values()) == 40
    assert window["all"]["all"]["rows"] == 40
    if db.engine.dialect.name == "postgresql":  # percentile_cont is PostgreSQL's own
        assert answered_figures(period, weeks, ANSWERED_DIMENSIONS,
                                method="percentile_cont") == window
    assert answered_figures(period, weeks, ANSWERED_DIMENSIONS, method="narrow") == window


def test_the_page_figures_equal_the_exact_sql_on_random_threads_with_ties_and_gaps(
        make_comment, make_user):
    rng = random.Random(23)
    staff = [make_user("midwife").id for _ in range(3)]
    for _ in range(160):
        received = MONDAY + timedelta(minutes=rng.randrange(0, 40_000))
        # Short times repeat (ties); some durations are unknown; some threads have no midwife.
        seconds = rng.choice((rng.randrange(0, 300_000), rng.randrange(0, 20), None))
        replied = received + timedelta(seconds=seconds or rng.randrange(0, 9_000))
        make_comment(
            urgency=rng.choice(("urgent", "priority", "routine")),
            topic=rng.choice(("bleeding", "remembrance", "other", "first_period")),
            status=rng.choice(("published", "private")), received_at=received,
            due_at=received + timedelta(seconds=rng.randrange(0, 200_000)),
            first_replied_at=replied, response_seconds=seconds,
            response_working_seconds=rng.choice((None, rng.randrange(0, 100_000))),
            moderated_by_id=rng.choice((None, *staff)), moderated_at=replied)
    period = resolve_period("custom", date(2025, 3, 3), date(2025, 4, 6), timezone=LONDON)
    weeks = period_weeks(period, LONDON)

    page = answered_figures(period, weeks, ANSWERED_DIMENSIONS)

    assert page == answered_figures(period, weeks, ANSWERED_DIMENSIONS, method="window")
    if db.engine.dialect.name == "postgresql":
        assert page == answered_figures(period, weeks, ANSWERED_DIMENSIONS,
                                        method="percentile_cont")
    assert page["all"]["all"]["rows"] == 160
    assert None in page["midwife"]


def test_grouped_percentiles_leave_nulls_out_but_count_the_rows(make_comment):
    for seconds in (10, None, 30, None):
        make_comment(status="published", response_seconds=seconds)

    figures = grouped_percentiles([Comment.urgency], {"clock": Comment.response_seconds})

    assert figures[("routine",)]["rows"] == 4
    assert figures[("routine",)]["n_clock"] == 2
    assert figures[("routine",)]["median_clock"] == 20.0


def test_response_times_per_topic(answered):
    answered(topic="bleeding", seconds=100)
    answered(topic="bleeding", seconds=300)
    answered(topic="remembrance", seconds=5000, working=0)

    table = build_table("response-by-topic", week_of_march_2025())

    assert row_for(table, "topic", "bleeding")["median_clock"] == 200.0
    assert row_for(table, "topic", "remembrance")["median_working"] == 0.0
    assert row_for(table, "topic", "trying_again")["answered"] == 0
    assert row_for(table, "topic", "trying_again")["median_clock"] is None


# --- Periods -------------------------------------------------------------------------------

def test_a_thread_counts_in_the_period_of_its_first_reply(answered):
    answered(received=MONDAY - timedelta(days=10), seconds=10 * 86400)  # replied in the week
    answered(received=MONDAY + timedelta(days=6), seconds=3 * 86400)  # replied after it
    answered(received=datetime(2025, 3, 9, 23, 0, tzinfo=UTC), seconds=3599)  # 23:59:59 Sunday

    table = build_table("response-by-urgency", week_of_march_2025())

    assert row_for(table, "urgency", "all")["answered"] == 2


def test_custom_days_are_whole_uk_days_in_summer_time(answered):
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK (BST): outside a range ending 30 June.
    answered(received=datetime(2025, 6, 30, 22, 0, tzinfo=UTC), seconds=5400)
    answered(received=datetime(2025, 6, 29, 23, 30, tzinfo=UTC), seconds=600)  # 30 June, 00:40

    period = resolve_period("custom", date(2025, 6, 30), date(2025, 6, 30), timezone=LONDON)

    assert period.start == datetime(2025, 6, 29, 23, 0, tzinfo=UTC)
    assert build_table("response-by-urgency", period).rows[-1]["answered"] == 1


def test_presets_cover_the_last_n_days_up_to_now():
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    for days in (7, 30, 90):
        period = resolve_period(str(days), now=now, timezone=LONDON)
        assert (period.start, period.end, period.preset) == (now - timedelta(days=days), now,
                                                             days)
    assert resolve_period(None, now=now, timezone=LONDON).preset == 30


@pytest.mark.parametrize("preset, start, end, message", [
    ("custom", date(2025, 3, 9), date(2025, 3, 3), "after the end date"),
    ("custom", None, date(2025, 3, 3), "give both a start date and an end date"),
    ("custom", date(2020, 1, 1), date(2025, 1, 1), f"at most {MAX_RANGE_DAYS} days"),
    ("14", None, None, "Choose a period of 7, 30, 90 days"),
    ("seven", None, None, "Choose a period of 7, 30, 90 days"),
])
def test_unusable_periods_are_refused_with_a_clear_message(app, preset, start, end, message):
    with pytest.raises(ReportInputError, match=message):
        resolve_period(preset, start, end, timezone=LONDON)


def test_weeks_start_on_monday_in_uk_time_and_are_clipped_to_the_period():
    period = resolve_period("custom", date(2025, 3, 26), date(2025, 4, 8), timezone=LONDON)

    weeks = period_weeks(period, LONDON)

    assert [w.first_day for w in weeks] == [date(2025, 3, 26), date(2025, 3, 31),
                                            date(2025, 4, 7)]
    # The clocks went forward on 30 March: Monday 31 March starts at 23:00 UTC on the 30th.
    assert weeks[1].start == datetime(2025, 3, 30, 23, 0, tzinfo=UTC)
    assert weeks[-1].end == datetime(2025, 4, 8, 23, 0, tzinfo=UTC)


def test_weekly_trend_puts_each_thread_in_the_week_of_its_first_reply(answered):
    answered(received=datetime(2025, 3, 30, 21, 0, tzinfo=UTC), seconds=3600)  # Sun 23:00 BST
    answered(received=datetime(2025, 3, 30, 22, 0, tzinfo=UTC), seconds=3600)  # Mon 00:00 BST
    answered(received=datetime(2025, 4, 2, 9, 0, tzinfo=UTC), seconds=7200, working=7200)
    period = resolve_period("custom", date(2025, 3, 24), date(2025, 4, 6), timezone=LONDON)

    table = build_table("response-trend", period)

    assert [row["answered"] for row in table.rows] == [1, 2]
    assert table.rows[1]["median_clock"] == 5400.0
    assert table.rows[0]["within_target_share"] == 1.0
    assert table.rows[0]["week_label"] == "24 Mar 2025"


# --- Working hours -------------------------------------------------------------------------

def test_working_hours_figures_skip_nights_weekends_and_bank_holidays(answered, app):
    policy = current_policy()
    # Easter 2025: Good Friday 18 April and Easter Monday 21 April are bank holidays in England.
    cases = [
        # Thursday 16:00 BST -> Tuesday 10:00 BST: 1 h on Thursday + 1 h on Tuesday.
        (datetime(2025, 4, 17, 15, 0, tzinfo=UTC), datetime(2025, 4, 22, 9, 0, tzinfo=UTC)),
        # Tuesday 16:30 -> Wednesday 09:15: half an hour, then a quarter (the night is skipped).
        (datetime(2025, 4, 22, 15, 30, tzinfo=UTC), datetime(2025, 4, 23, 8, 15, tzinfo=UTC)),
        # Saturday 11:00 -> Saturday 13:00: no working time at all.
        (datetime(2025, 4, 26, 10, 0, tzinfo=UTC), datetime(2025, 4, 26, 12, 0, tzinfo=UTC)),
    ]
    for received, replied in cases:
        answered(received=received, seconds=int((replied - received).total_seconds()),
                 working=working_seconds_between(received, replied, policy))
    period = resolve_period("custom", date(2025, 4, 14), date(2025, 4, 27), timezone=LONDON)

    table = build_table("response-by-urgency", period)

    row = row_for(table, "urgency", "routine")
    # Working seconds: 7200, 2700, 0 -> median 2700; p90 at rank 1.8: 2700 + 0.8 * 4500.
    assert (row["median_working"], row["p90_working"]) == (2700.0, 6300.0)
    assert row["median_clock"] == 60300.0  # 2 h, 16 h 45 min and 4 days 18 h


def test_backlog_counts_pending_by_urgency_with_the_oldest_and_the_overdue(make_comment, app):
    now = datetime(2025, 4, 22, 9, 0, tzinfo=UTC)  # Tuesday 10:00 BST, after Easter Monday
    make_comment(urgency="urgent", received_at=now - timedelta(minutes=90),
                 due_at=now - timedelta(minutes=30))
    make_comment(urgency="urgent", received_at=now - timedelta(minutes=10),
                 due_at=now + timedelta(minutes=50))
    oldest = datetime(2025, 4, 17, 15, 0, tzinfo=UTC)  # Thursday 16:00 BST
    make_comment(urgency="routine", received_at=oldest, due_at=now + timedelta(hours=1))
    make_comment(urgency="routine", status="published", received_at=oldest - timedelta(days=9),
                 due_at=oldest)

    table = build_report(week_of_march_2025(), now=now)["backlog"]

    urgent = row_for(table, "urgency", "urgent")
    assert (urgent["pending"], urgent["overdue"], urgent["oldest_waiting"]) == (2, 1, 5400.0)
    routine = row_for(table, "urgency", "routine")
    assert routine["oldest_received_at"] == oldest
    # Thursday 16:00-17:00 and Tuesday 09:00-10:00: Good Friday, the weekend and Easter
    # Monday are not working time.
    assert routine["oldest_waiting_working"] == 7200
    total = row_for(table, "urgency", "all")
    assert (total["pending"], total["overdue"], total["oldest_received_at"]) == (3, 1, oldest)
    assert row_for(table, "urgency", "priority")["oldest_waiting"] is None


# --- Workload, topics, model ---------------------------------------------------------------

def test_replies_per_midwife_and_her_median_time_to_first_reply(answered, make_user,
                                                              make_reply, midwife):
    colleague = make_user("midwife", name="Rhiannon Evans")
    first = answered(seconds=600)
    answered(seconds=1200)
    answered(seconds=3000, working=60, by=colleague)
    make_reply(first, colleague, published_at=MONDAY + timedelta(hours=5))  # a follow-up

    table = build_table("midwives", week_of_march_2025())

    sam = row_for(table, "midwife", midwife.name)
    assert (sam["replies"], sam["threads_answered"], sam["median_clock"]) == (2, 2, 900.0)
    rhiannon = row_for(table, "midwife", "Rhiannon Evans")
    assert (rhiannon["replies"], rhiannon["threads_answered"]) == (2, 1)
    assert rhiannon["median_working"] == 60.0


def test_comments_per_topic_per_week_leave_spam_out(make_comment):
    make_comment(topic="bleeding", received_at=MONDAY)
    make_comment(topic="bleeding", received_at=MONDAY + timedelta(days=1), status="published")
    make_comment(topic="other", received_at=MONDAY, status="spam")
    make_comment(topic="remembrance", received_at=MONDAY + timedelta(days=8))
    period = resolve_period("custom", date(2025, 3, 3), date(2025, 3, 16), timezone=LONDON)

    table = build_table("topic-volume", period)

    assert [(r["bleeding"], r["remembrance"], r["other"], r["total"]) for r in table.rows] == [
        (2, 0, 0, 2), (0, 1, 0, 1)]


def test_model_error_rate_per_label_counts_each_corrected_comment_once(make_comment, midwife):
    comments = {}
    for name, urgency in (("a", "routine"), ("b", "routine"), ("c", "routine"),
                          ("d", "routine"), ("e", "priority"), ("f", "priority")):
        comments[name] = make_comment(urgency=urgency, topic="bleeding", received_at=MONDAY)
    untriaged = make_comment(urgency="urgent", received_at=MONDAY)
    untriaged.triaged = False  # the model was unavailable: a midwife labelled it
    db.session.commit()

    def correct(comment, field, old, new, minutes):
        setattr(comment, field, new)
        db.session.add(LabelCorrection(comment_id=comment.id, user_id=midwife.id, field=field,
                                       old_value=old, new_value=new,
                                       created_at=MONDAY + timedelta(minutes=minutes)))
        db.session.commit()

    correct(comments["a"], "urgency", "routine", "urgent", 5)
    correct(comments["a"], "urgency", "urgent", "priority", 9)  # changed her mind: still one
    correct(comments["e"], "topic", "bleeding", "first_period", 5)
    correct(untriaged, "urgency", "priority", "urgent", 5)  # the model never labelled it

    report = build_report(week_of_march_2025())
    table = report["model-corrections"]

    def rate(field, label):
        row = next(r for r in table.rows if r["field"] == field and r["label"] == label)
        return row["model_count"], row["corrected"], row["error_rate"]

    assert rate("urgency", "routine") == (4, 1, 0.25)
    assert rate("urgency", "priority") == (2, 0, 0.0)
    assert rate("urgency", "urgent") == (0, 0, None)
    assert rate("urgency", "all") == (6, 1, 1 / 6)
    assert rate("topic", "bleeding") == (6, 1, 1 / 6)
    assert rate("topic", "first_period") == (0, 0, None)
    changes = {(r["field"], r["old_value"], r["new_value"]): r["corrections"]
               for r in report["correction-changes"].rows}
    assert changes == {("urgency", "routine", "urgent"): 1, ("urgency", "urgent", "priority"): 1,
                       ("topic", "bleeding", "first_period"): 1}


def test_tables_write_plain_csv_values(answered):
    answered(urgency="urgent", seconds=90, working=0)

    table = build_table("response-by-urgency", week_of_march_2025())

    header, rows = table.csv_header(), table.csv_rows()
    assert header[3] == "Median, clock time (seconds)"
    assert header[-1] == "Share within target (%)"
    assert rows[0][:4] == ["urgent", "60 minutes, any time", 1, 90.0]
    assert rows[0][-1] == 100.0
    assert rows[1][3] == ""  # no priority threads: empty, not zero


# --- Over HTTP -----------------------------------------------------------------------------

REPORT_URLS = [
    "/supervisor/",
    "/supervisor/reports/backlog.csv",
    "/supervisor/charts/backlog.svg",
]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_midwives_get_403_on_reports(midwife_client, url):
    assert midwife_client.get(url).status_code == 403


@pytest.mark.parametrize("url", REPORT_URLS)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_supervisor_sees_the_figures_for_a_custom_range(supervisor_client, answered):
    answered(urgency="urgent", seconds=41 * 60, working=0)
    answered(urgency="urgent", seconds=43 * 60, working=0)

    response = supervisor_client.get(
        "/supervisor/?period=custom&date_from=2025-03-03&date_to=2025-03-09")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "03 Mar 2025 to 09 Mar 2025" in html
    assert "42 min" in html  # the urgent median
    for title in ("Time to first reply by urgency", "Weekly time to first reply", "Backlog now",
                  "Replies per midwife", "Comments per topic per week",
                  "How often midwives corrected the model"):
        assert title in html
    assert 'style="' not in html and "<style" not in html and "<script>" not in html


def test_a_reversed_range_shows_a_clear_message_and_no_figures(supervisor_client):
    response = supervisor_client.get(
        "/supervisor/?period=custom&date_from=2025-03-09&date_to=2025-03-03")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is after the end date" in html
    assert "Time to first reply by urgency" not in html


def test_an_invalid_date_shows_a_clear_message(supervisor_client):
    response = supervisor_client.get("/supervisor/?period=custom&date_from=2025-02-30&date_to=x")

    assert response.status_code == 400
    assert "is not a valid date" in response.get_data(as_text=True)


def test_each_chart_is_an_svg_image_without_scripts_and_with_its_own_policy(
        supervisor_client, answered):
    answered(seconds=600)
    page = supervisor_client.get("/supervisor/?period=custom&date_from=2025-03-03"
                                 "&date_to=2025-03-09").get_data(as_text=True)

    for name in ("response-trend", "backlog", "topic-volume"):
        url = f"/supervisor/charts/{name}.svg?period=custom&amp;date_from=2025-03-03"
        assert f'src="{url}' in page
        response = supervisor_client.get(url.replace("&amp;", "&") + "&date_to=2025-03-09")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'none'" in policy
        root = ET.fromstring(response.get_data())
        assert not [el for el in root.iter() if el.tag.endswith("script")]
        assert b"javascript:" not in response.get_data()


def test_the_trend_chart_draws_the_figures_of_its_table(supervisor_client, answered):
    answered(seconds=7200, working=3600)
    args = "period=custom&date_from=2025-03-03&date_to=2025-03-09"

    svg = supervisor_client.get(f"/supervisor/charts/response-trend.svg?{args}").get_data(
        as_text=True)

    assert "Median (clock time)" in svg and "90th percentile (clock time)" in svg
    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert values == ["2", "2", "1"]  # hours: median, 90th percentile, working-hours median


def test_the_backlog_chart_draws_pending_and_overdue_per_urgency(supervisor_client,
                                                                make_comment):
    make_comment(urgency="urgent", due_at=datetime(2000, 1, 1, tzinfo=UTC))
    make_comment(urgency="routine")

    svg = supervisor_client.get("/supervisor/charts/backlog.svg").get_data(as_text=True)

    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert values == ["1", "0", "1", "1", "0", "0"]  # pending by urgency, then overdue


def test_a_table_downloads_as_csv_with_the_page_figures_and_is_audited(supervisor_client,
                                                                      answered, supervisor):
    answered(urgency="urgent", seconds=90)

    response = supervisor_client.get("/supervisor/reports/response-by-urgency.csv"
                                     "?period=custom&date_from=2025-03-03&date_to=2025-03-09")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="response-by-urgency-2025-03-03-to-2025-03-09.csv"' in \
        response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "Urgency" and rows[1][:4] == ["urgent", "60 minutes, any time", "1",
                                                       "90.0"]
    event = db.session.scalars(audited()).one()
    assert (event.action, event.actor_id) == ("export.report_table", supervisor.id)
    assert event.details["table"] == "response-by-urgency"
    assert event.details["rows"] == 4
    assert event.details["filters"] == {"from": "2025-03-03", "to": "2025-03-09",
                                        "preset_days": None}


def test_an_unknown_table_or_chart_is_404(supervisor_client):
    assert supervisor_client.get("/supervisor/reports/passwords.csv").status_code == 404
    assert supervisor_client.get("/supervisor/charts/passwords.svg").status_code == 404
    assert db.session.scalars(audited()).all() == []


def test_the_page_offers_the_export_with_the_period_filled_in(supervisor_client):
    html = supervisor_client.get("/supervisor/?period=custom&date_from=2025-03-03"
                                 "&date_to=2025-03-09").get_data(as_text=True)

    assert 'action="/exports/threads"' in html
    assert 'value="2025-03-03"' in html and 'value="2025-03-09"' in html
