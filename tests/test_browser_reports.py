"""In the browser: a supervisor reads the reports and downloads the answered threads."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from models import AuditEvent, db, utcnow
from tests.helpers import sign_in_tab


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production: the export form must carry its token."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def answered_threads(make_comment, make_reply, midwife):
    """Three threads answered in the last week, one of them late."""
    now = utcnow()
    comments = []
    for days, urgency, minutes, body in (
            (2, "urgent", 40, "Bleeding heavier tonight, what should I do?"),
            (3, "urgent", 80, "Feeling faint, \"is this normal\", help"),
            (4, "routine", 600, "When will my period come back, roughly?\nThanks, Jo")):
        received = now - timedelta(days=days)
        replied = received + timedelta(minutes=minutes)
        comment = make_comment(body, urgency=urgency, topic="bleeding", status="published",
                               received_at=received, first_replied_at=replied,
                               response_seconds=minutes * 60,
                               response_working_seconds=minutes * 60,
                               moderated_by_id=midwife.id,
                               due_at=received + timedelta(minutes=60 if urgency == "urgent"
                                                           else 2 * 24 * 60))
        make_reply(comment, midwife, body=f"Reply to: {body}", published_at=replied)
        comments.append(comment)
    return comments


def test_supervisor_reads_the_reports_and_downloads_the_answered_threads(
        page, supervisor, answered_threads, tmp_path):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)

    sign_in_tab(page, supervisor.email)
    page.get_by_role("link", name="Supervisor area").click()
    page.get_by_label("Last 7 days").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/supervisor/?period=7*")

    urgency_table = page.get_by_role("table", name="Time to first reply by urgency")
    urgent_row = urgency_table.get_by_role("row").filter(has_text="urgent")
    assert "1 h 0 min" in urgent_row.inner_text()  # the median of 40 and 80 minutes
    assert "50.0%" in urgent_row.inner_text()  # one of the two urgent replies was late
    # Each chart is an image that loaded, with its figures in a table beneath.
    for name in ("response-trend", "backlog", "topic-volume"):
        chart = page.locator(f"img[src*='/supervisor/charts/{name}.svg']")
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_role("table", name="Backlog now").is_visible()

    # A report table downloads as CSV.
    with page.expect_download() as table_download:
        page.get_by_role("link", name="Download “Replies per midwife” (CSV)").click()
    rows = list(csv.reader(io.StringIO(
        table_download.value.path().read_bytes().decode("utf-8-sig"))))
    assert rows[1][:3] == ["Sam Jones", "3", "3"]

    # The answered threads download as JSON from the form at the bottom of the page.
    export = page.get_by_role("region", name="Export answered threads")
    export.get_by_label("Format").select_option("json")
    with page.expect_download() as thread_download:
        export.get_by_role("button", name="Download answered threads").click()
    download = thread_download.value
    assert download.suggested_filename.startswith("answered-threads-")
    assert download.suggested_filename.endswith(".json")
    records = json.loads(download.path().read_text(encoding="utf-8"))
    assert sorted(r["thread_id"] for r in records) == sorted(c.id for c in answered_threads)
    assert {r["comment"]["body"] for r in records} == {c.body for c in answered_threads}

    actions = [event.action for event in db.session.query(AuditEvent).order_by(AuditEvent.id)
               if not event.action.startswith("security.")]  # her sign-in is logged too
    assert actions == ["export.report_table", "export.threads"]
    assert not [p for p in problems if "Content Security Policy" in p]
