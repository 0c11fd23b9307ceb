"""Supervisors read the audit trail in the app: filters, before and after, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from models import AuditEvent, db
from moderation.services.audit_trail import AuditFilters, audit_csv_rows, audit_page

# Left on emptied tables: on PostgreSQL three of these tests saw another test's audit event
# after a rollback (not yet understood; see the test loop's report).
pytestmark = pytest.mark.committed


def event(actor, action, target_type, target_id, created_at, **details) -> AuditEvent:
    row = AuditEvent(actor_id=actor.id if actor else None, action=action,
                     target_type=target_type, target_id=target_id, created_at=created_at,
                     details=details)
    db.session.add(row)
    db.session.commit()
    return row


def test_filters_by_person_comment_kind_and_uk_day(app, midwife, supervisor):
    # 23:30 UTC on 1 July is 00:30 on 2 July in the UK (summer time).
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    relabel = event(midwife, "comment.relabelled", "comment", 7, late,
                    before={"urgency": "routine"}, after={"urgency": "urgent"})
    other = event(supervisor, "comment.rejected", "comment", 8, late - timedelta(hours=2))
    account = event(supervisor, "user.role_changed", "user", midwife.id,
                    late - timedelta(days=3))

    def ids(**filters) -> list[int]:
        return [e.id for e in audit_page(AuditFilters(**filters))[0]]

    assert ids() == [account.id, other.id, relabel.id]  # newest recorded first
    assert ids(person_id=midwife.id) == [relabel.id]
    assert ids(comment_id=8) == [other.id]
    assert ids(kind="user.role_changed") == [account.id]
    assert ids(date_from=date(2026, 7, 2), date_to=date(2026, 7, 2)) == [relabel.id]
    assert ids(date_to=date(2026, 7, 1)) == [account.id, other.id]


def test_the_last_day_of_the_calendar_is_a_filter_not_an_error(app, midwife, supervisor_client):
    row = event(midwife, "comment.claimed", "comment", 1, datetime(2026, 3, 1, tzinfo=UTC))
    assert row.id in [e.id for e in audit_page(AuditFilters(date_to=date.max))[0]]
    assert supervisor_client.get("/audit/?date_to=9999-12-31").status_code == 200


def test_pages_continue_before_the_last_event_shown(app, midwife):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    made = [event(midwife, "comment.claimed", "comment", n, start + timedelta(minutes=n))
            for n in range(5)]
    first, before = audit_page(AuditFilters(), limit=3)
    second, after = audit_page(AuditFilters(), before_id=before, limit=3)
    assert [e.id for e in first + second] == [e.id for e in reversed(made)]
    assert after is None


def test_csv_rows_carry_iso_times_with_offset_and_before_after(app, midwife):
    event(midwife, "comment.relabelled", "comment", 7,
          datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
          before={"urgency": "routine"}, after={"urgency": "urgent"}, note="seen")
    (row,) = list(audit_csv_rows(AuditFilters()))
    assert row[1] == "2026-07-01T09:00:00+00:00"
    assert row[2] == midwife.name and row[4] == "comment.relabelled"
    assert row[7] == '{"urgency": "routine"}' and row[8] == '{"urgency": "urgent"}'
    assert row[9] == '{"note": "seen"}'


def test_only_supervisors_read_the_audit_trail(midwife_client, supervisor_client, midwife):
    event(midwife, "comment.relabelled", "comment", 7,
          datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
          before={"urgency": "routine"}, after={"urgency": "urgent"})
    assert midwife_client.get("/audit/").status_code == 403
    assert midwife_client.get("/audit/events.csv").status_code == 403
    html = supervisor_client.get(f"/audit/?person={midwife.id}").get_data(as_text=True)
    assert "comment.relabelled" in html and "routine" in html and "urgent" in html


def test_bad_filters_get_a_clear_message(supervisor_client):
    response = supervisor_client.get("/audit/?kind=nonsense&date_from=2026-07-09"
                                     "&date_to=2026-07-01&comment=abc")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown kind" in html and "end date is before the start date" in html


def test_the_csv_export_follows_the_filters(supervisor_client, midwife, supervisor):
    when = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    event(midwife, "comment.relabelled", "comment", 7, when)
    event(supervisor, "comment.rejected", "comment", 8, when)
    response = supervisor_client.get("/audit/events.csv?comment=8")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["event_id", "time", "person"]
    assert [r[4] for r in rows[1:]] == ["comment.rejected"]
