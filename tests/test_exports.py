"""Exports of answered threads: read back equal to the database, streamed, audited, refused
on bad input (web and command line)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models import Comment, Reply, db
from moderation.services import exports as exports_service
from moderation.services.exports import (
    ExportInputError,
    ExportOptions,
    parse_export_options,
    pseudonym,
    pseudonymous_id,
    start_thread_export,
)
from tests.conftest import audited

# Exports read from a snapshot on a connection of their own: they need real commits.
pytestmark = pytest.mark.committed

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key"  # the app's SECRET_KEY in the test configuration

TRICKY_BODY = ('She said "it\'s normal", but it isn\'t, is it?\nSecond line, with a comma\r\n'
               "Третья строка · 第三行 · السطر الثالث · 💜")


@pytest.fixture
def thread(make_comment, make_reply, midwife, make_page):
    """An answered thread: a comment and its published replies."""

    def make(*, body: str = "How long does the bleeding last?", author_name: str = "Alex",
             author_email: str | None = "alex@example.com", topic: str = "bleeding",
             urgency: str = "routine", received: datetime = MONDAY, minutes: int = 90,
             replies: tuple[str, ...] = ("Thank you for writing.",), page=None,
             due: datetime | None = None) -> Comment:
        replied = received + timedelta(minutes=minutes)
        comment = make_comment(body, urgency=urgency, topic=topic, status="published",
                               author_name=author_name, author_email=author_email,
                               received_at=received, page=page,
                               due_at=due or received + timedelta(hours=4),
                               first_replied_at=replied, response_seconds=minutes * 60,
                               response_working_seconds=minutes * 30,
                               moderated_by_id=midwife.id)
        for n, reply in enumerate(replies):
            make_reply(comment, midwife, body=reply,
                       published_at=replied + timedelta(hours=n))
        return comment

    return make


def export_text(options: ExportOptions, actor=None) -> str:
    export = start_thread_export(options, actor, secret_key=SECRET)
    db.session.commit()
    return "".join(export.chunks())


def spreadsheet(moment: datetime) -> str:
    """A time as the CSV export writes it: London local time, read as a date by Excel."""
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M:%S")


def test_json_times_carry_the_services_offset_in_summer(thread):
    thread(received=datetime(2025, 7, 1, 9, 0, tzinfo=UTC))
    record = json.loads(export_text(ExportOptions("jsonl")).splitlines()[0])
    assert record["comment"]["received_at"] == "2025-07-01T10:00:00+01:00"


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


# --- Reading exports back ------------------------------------------------------------------

def test_csv_reads_back_equal_to_the_database(thread, midwife):
    first = thread(body=TRICKY_BODY, author_name="Zoë O'Brien, \"Z\"",
                   replies=("Dear Zoë,\n\nYes, \"normal\", within two weeks.", "Follow-up, 再见"))
    second = thread(body="Short question", author_email=None, minutes=30,
                    received=MONDAY + timedelta(days=1))

    rows = csv_rows(export_text(ExportOptions("csv")))

    assert [int(r["thread_id"]) for r in rows] == [first.id, second.id]
    for row, comment in zip(rows, (first, second), strict=True):
        db.session.refresh(comment)
        replies = db.session.scalars(select(Reply).where(Reply.comment_id == comment.id)
                                     .order_by(Reply.published_at)).all()
        assert row["comment_body"] == comment.body
        assert row["author_name"] == comment.author_name
        assert row["author_email"] == (comment.author_email or "")
        assert row["page_slug"] == comment.page.slug and row["page_title"] == comment.page.title
        assert row["urgency"] == comment.urgency and row["topic"] == comment.topic
        # CSV times are the service's local time in the form spreadsheets read as dates.
        assert row["received_at"] == spreadsheet(comment.received_at)
        assert row["first_replied_at"] == spreadsheet(comment.first_replied_at)
        assert int(row["time_to_first_reply_seconds"]) == comment.response_seconds
        assert int(row["time_to_first_reply_working_seconds"]) == \
            comment.response_working_seconds
        assert row["within_target"] == "yes"
        assert int(row["reply_count"]) == len(replies)
        for n, reply in enumerate(replies, start=1):
            assert row[f"reply_{n}_body"] == reply.body
            assert row[f"reply_{n}_midwife"] == midwife.name
            assert row[f"reply_{n}_published_at"] == spreadsheet(reply.published_at)
    assert rows[1]["reply_2_body"] == ""  # one reply: the second set of columns is empty


def test_csv_is_utf8_with_a_bom_and_crlf_rows_with_quoted_newlines(thread):
    thread(body=TRICKY_BODY)

    raw = export_text(ExportOptions("csv")).encode("utf-8")

    assert raw.startswith(b"\xef\xbb\xbf")
    header_line = raw[3:].split(b"\r\n", 1)[0]
    assert header_line.startswith(b"thread_id,page_slug,")
    assert b'"She said ""it\'s normal"", but' in raw  # quotes doubled inside a quoted cell
    assert "Третья строка · 第三行".encode() in raw


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\",\"y\")", "+44 7700 900000",
                                       "-2+3", "@SUM(A1)", "\tTab first", "\rReturn first"])
def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_are_neutralised(thread,
                                                                            dangerous):
    thread(body=dangerous, author_name=dangerous, replies=(dangerous,))

    row = csv_rows(export_text(ExportOptions("csv")))[0]

    for column in ("comment_body", "author_name", "reply_1_body"):
        assert row[column] == "'" + dangerous
    assert row["time_to_first_reply_seconds"] == "5400"  # numbers are left alone


def test_json_reads_back_equal_to_the_database(thread, midwife):
    comment = thread(body=TRICKY_BODY, replies=("One", "Two"))

    records = json.loads(export_text(ExportOptions("json")))

    assert len(records) == 1
    record = records[0]
    assert record["thread_id"] == comment.id
    assert record["comment"] == {"author_name": "Alex", "author_email": "alex@example.com",
                                 "body": TRICKY_BODY, "received_at": "2025-03-03T09:00:00+00:00",
                                 "urgency": "routine", "topic": "bleeding"}
    assert record["page"]["slug"] == comment.page.slug
    assert record["first_replied_at"] == "2025-03-03T10:30:00+00:00"
    assert record["time_to_first_reply"] == {"clock_seconds": 5400, "working_seconds": 2700}
    assert record["within_target"] is True
    assert record["replies"] == [
        {"midwife": midwife.name, "body": "One", "published_at": "2025-03-03T10:30:00+00:00"},
        {"midwife": midwife.name, "body": "Two", "published_at": "2025-03-03T11:30:00+00:00"},
    ]


def test_an_empty_json_export_is_still_valid_json(app):
    assert json.loads(export_text(ExportOptions("json"))) == []
    assert export_text(ExportOptions("jsonl")) == ""


def test_jsonl_has_one_thread_per_line(thread):
    first = thread(body=TRICKY_BODY)
    second = thread(received=MONDAY + timedelta(days=2), minutes=10, due=MONDAY)

    lines = export_text(ExportOptions("jsonl")).splitlines()

    records = [json.loads(line) for line in lines]
    assert [r["thread_id"] for r in records] == [first.id, second.id]
    assert records[0]["comment"]["body"] == TRICKY_BODY
    assert records[1]["within_target"] is False


def test_only_answered_threads_and_published_replies_are_exported(thread, make_comment,
                                                                 midwife):
    answered = thread()
    make_comment("Still waiting", status="pending")
    make_comment("Rejected", status="rejected")
    db.session.add(Reply(comment_id=answered.id, midwife_id=midwife.id, body="A draft",
                         created_at=MONDAY + timedelta(hours=3)))
    db.session.commit()

    records = json.loads(export_text(ExportOptions("json")))

    assert [r["thread_id"] for r in records] == [answered.id]
    assert [r["body"] for r in records[0]["replies"]] == ["Thank you for writing."]


# --- Filters and pseudonyms ----------------------------------------------------------------

def test_filters_select_by_uk_day_of_first_reply_and_by_topic(thread):
    # First replies (UK time): 30 June 00:30 BST is still 29 June 23:30 UTC.
    early = thread(received=datetime(2025, 6, 29, 23, 0, tzinfo=UTC), minutes=30)
    late = thread(received=datetime(2025, 6, 30, 23, 0, tzinfo=UTC), minutes=30,
                  topic="remembrance")  # 1 July 00:30 BST
    thread(received=datetime(2025, 6, 20, 9, 0, tzinfo=UTC), topic="remembrance")

    def ids(**filters) -> list[int]:
        options = parse_export_options("jsonl", **filters)
        return [json.loads(line)["thread_id"] for line in export_text(options).splitlines()]

    assert ids(date_from="2025-06-30", date_to="2025-06-30") == [early.id]
    assert ids(date_from="2025-07-01") == [late.id]
    assert ids(date_from="2025-06-25", topic="remembrance") == [late.id]


def test_pseudonymised_exports_drop_emails_and_use_stable_pseudonyms(thread):
    thread(author_name="Alex Smith", author_email="Alex@Example.com",
           body="I'm Alex. Alex Smith, alex@example.com, my partner says hi",
           replies=("Dear Alex,\n\nThank you.",))
    thread(author_name="Alex S", author_email="alex@example.com",
           received=MONDAY + timedelta(days=1))
    thread(author_name="Alexandra", author_email=None, received=MONDAY + timedelta(days=2))

    options = parse_export_options("json", pseudonymise=True)
    records = json.loads(export_text(options))
    again = json.loads(export_text(options))

    alias = pseudonym(SECRET, "Alex Smith", "alex@example.com")
    assert alias.startswith("Commenter ") and len(alias) == len("Commenter ") + 8
    assert [r["comment"]["author_name"] for r in records] == [
        alias, alias, pseudonym(SECRET, "Alexandra", None)]
    assert records == again  # stable across exports
    assert all("author_email" not in r["comment"] for r in records)
    assert records[0]["comment"]["body"] == f"I'm {alias}. {alias}, {alias}, my partner says hi"
    assert records[0]["replies"][0]["body"] == f"Dear {alias},\n\nThank you."
    text = export_text(parse_export_options("csv", pseudonymise=True))
    assert "@example.com" not in text and "Alex Smith" not in text
    assert "author_email" not in csv_rows(text)[0]
    assert pseudonym("another-key", "Alex Smith", "alex@example.com") != alias


@pytest.mark.parametrize("arguments, message", [
    ({"format": "xml"}, "Unknown format 'xml': choose one of csv, json, jsonl."),
    ({"date_from": "2025-03-09", "date_to": "2025-03-03"}, "is after the end date"),
    ({"date_from": "2025-02-30"}, "is not a valid date"),
    ({"date_to": "yesterday"}, "is not a valid date"),
    ({"topic": "gossip"}, "Unknown topic 'gossip'"),
])
def test_bad_export_options_get_a_clear_message(arguments, message):
    with pytest.raises(ExportInputError, match=message):
        parse_export_options(**{"format": "csv", **arguments})


def test_export_options_accept_dates_and_empty_filters():
    options = parse_export_options("JSONL", date(2025, 3, 1), "2025-03-31", " ", False)

    assert options == ExportOptions("jsonl", date(2025, 3, 1), date(2025, 3, 31), None, False)
    assert options.filename == "answered-threads-2025-03-01-to-2025-03-31.jsonl"


# --- Audit and snapshot --------------------------------------------------------------------

def test_every_export_is_audited_with_who_the_filters_and_the_row_count(thread, supervisor):
    thread()
    thread(topic="remembrance")

    options = parse_export_options("csv", date_from="2025-03-01", topic="bleeding")
    export = start_thread_export(options, supervisor, secret_key=SECRET)
    db.session.commit()
    rows = csv_rows("".join(export.chunks()))

    event = db.session.scalars(audited()).one()
    assert (event.action, event.actor_id) == ("export.threads", supervisor.id)
    assert event.details["filters"] == {"format": "csv", "from": "2025-03-01", "to": None,
                                        "topic": "bleeding", "pseudonymise": False}
    assert event.details["rows"] == len(rows) == 1


def test_the_audited_count_and_the_records_come_from_one_snapshot(thread):
    thread()
    export = start_thread_export(ExportOptions("jsonl"), None, secret_key=SECRET)
    db.session.commit()

    thread(received=MONDAY + timedelta(days=1))  # answered after the export was counted
    lines = "".join(export.chunks()).splitlines()

    assert export.rows == len(lines) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def test_records_are_streamed_in_batches(thread, monkeypatch):
    monkeypatch.setattr(exports_service, "BATCH_SIZE", 2)
    for day in range(5):
        thread(received=MONDAY + timedelta(days=day))

    export = start_thread_export(ExportOptions("csv"), None, secret_key=SECRET)
    db.session.commit()
    chunks = list(export.chunks())

    assert len(chunks) == 3  # header + 2 rows, 2 rows, the last row
    assert len(csv_rows("".join(chunks))) == 5


def test_closing_an_export_that_never_started_releases_its_snapshot(thread):
    thread()
    export = start_thread_export(ExportOptions("csv"), None, secret_key=SECRET)
    db.session.commit()

    export.close()
    export.close()

    with pytest.raises(RuntimeError):
        next(export.records())


# --- Over HTTP -----------------------------------------------------------------------------

def test_supervisor_downloads_a_streamed_csv_and_it_is_audited(supervisor_client, thread,
                                                               supervisor):
    thread(body=TRICKY_BODY)

    response = supervisor_client.post("/exports/threads", data={
        "format": "csv", "date_from": "2025-03-01", "date_to": "2025-03-31", "topic": ""})

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="answered-threads-2025-03-01-to-2025-03-31.csv"')
    rows = csv_rows(response.get_data().decode("utf-8"))
    assert [r["comment_body"] for r in rows] == [TRICKY_BODY]
    event = db.session.scalars(audited()).one()
    assert (event.actor_id, event.details["rows"], event.details["via"]) == (
        supervisor.id, 1, "web")


@pytest.mark.parametrize("fmt, mimetype", [("json", "application/json"),
                                           ("jsonl", "application/x-ndjson")])
def test_supervisor_downloads_json_and_json_lines(supervisor_client, thread, fmt, mimetype):
    comment = thread()

    response = supervisor_client.post("/exports/threads", data={"format": fmt,
                                                                "pseudonymise": "y"})

    assert response.status_code == 200 and response.mimetype == mimetype
    text = response.get_data(as_text=True)
    records = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert [r["thread_id"] for r in records] == [
        pseudonymous_id(supervisor_client.application.config["SECRET_KEY"], "thread",
                        comment.id)]
    assert records[0]["comment"]["author_name"].startswith("Commenter ")


@pytest.mark.parametrize("data, message", [
    ({"format": "csv", "date_from": "2025-03-09", "date_to": "2025-03-03"},
     "is after the end date"),
    ({"format": "pdf"}, "Unknown format"),
    ({"format": "csv", "topic": "gossip"}, "Unknown topic"),
    ({"format": "csv", "date_from": "03/09/2025"}, "is not a valid date"),
])
def test_bad_input_on_the_web_exports_nothing_and_says_why(supervisor_client, thread, data,
                                                          message):
    thread()

    response = supervisor_client.post("/exports/threads", data=data)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(audited()).all() == []


def test_the_export_form_needs_a_csrf_token(app, supervisor_client, thread):
    thread()
    app.config["WTF_CSRF_ENABLED"] = True

    response = supervisor_client.post("/exports/threads", data={"format": "csv"})

    assert response.status_code == 400
    assert db.session.scalars(audited()).all() == []


@pytest.mark.parametrize("method, url", [("get", "/exports/"), ("post", "/exports/threads")])
def test_midwives_get_403_on_exports(midwife_client, thread, method, url):
    thread()

    response = getattr(midwife_client, method)(url, data={"format": "csv"})

    assert response.status_code == 403
    assert db.session.scalars(audited()).all() == []


def test_the_export_page_prefills_from_the_query_string(supervisor_client):
    html = supervisor_client.get("/exports/?date_from=2025-03-01&topic=remembrance").get_data(
        as_text=True)

    assert 'value="2025-03-01"' in html
    assert '<option selected value="remembrance">' in html


# --- Command line --------------------------------------------------------------------------

def test_cli_writes_each_format_to_a_file(runner, thread, tmp_path):
    comment = thread(body=TRICKY_BODY)

    for fmt in ("csv", "json", "jsonl"):
        output = tmp_path / f"threads.{fmt}"
        result = runner.invoke(args=["export", "threads", "--format", fmt, "--from",
                                     "2025-03-01", "--to", "2025-03-31", "--output",
                                     str(output)])
        assert result.exit_code == 0, result.output
        text = output.read_bytes().decode("utf-8")  # as written: no newline translation
        if fmt == "csv":
            assert csv_rows(text)[0]["comment_body"] == TRICKY_BODY
        elif fmt == "json":
            assert json.loads(text)[0]["thread_id"] == comment.id
        else:
            assert json.loads(text.splitlines()[0])["comment"]["body"] == TRICKY_BODY
        assert f"Exported 1 answered thread(s) as {fmt}" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_cli_writes_to_standard_output_and_audits_the_system_user(runner, thread):
    thread()

    result = runner.invoke(args=["export", "threads", "--format", "jsonl", "--topic",
                                 "bleeding", "--pseudonymise"])

    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert record["comment"]["author_name"].startswith("Commenter ")
    event = db.session.scalars(audited()).one()
    assert event.actor_id is None
    assert event.details["via"] == "cli" and event.details["system_user"]
    assert event.details["filters"]["topic"] == "bleeding" and event.details["rows"] == 1


@pytest.mark.parametrize("arguments, message", [
    (["--format", "xlsx"], "Unknown format 'xlsx'"),
    (["--from", "2025-03-09", "--to", "2025-03-03"], "is after the end date"),
    (["--from", "31/03/2025"], "is not a valid date"),
    (["--topic", "gossip"], "Unknown topic 'gossip'"),
])
def test_cli_bad_input_neither_creates_nor_empties_the_output(runner, thread, tmp_path,
                                                             arguments, message):
    thread()
    existing = tmp_path / "existing.csv"
    existing.write_text("keep me")
    missing = tmp_path / "missing.csv"

    for output in (existing, missing):
        result = runner.invoke(args=["export", "threads", *arguments, "--output", str(output)])
        assert result.exit_code == 2
        assert message in result.output

    assert existing.read_text() == "keep me"
    assert not missing.exists()
    assert db.session.scalars(audited()).all() == []


def test_cli_refuses_an_output_folder_that_does_not_exist(runner, tmp_path):
    result = runner.invoke(args=["export", "threads", "--output",
                                 str(tmp_path / "nowhere" / "x.csv")])

    assert result.exit_code == 2
    assert "does not exist" in result.output
