"""`flask comments import`: backlog files through the same validation and triage as the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Comment, db
from moderation.services.intake import receive_comment
from moderation.services.sites import create_site
from tests.test_intake import URGENT_BODY, comment_count, comment_request


def jsonl(path: Path, lines: list[object]) -> Path:
    """Write JSON lines; a str is written as it is (to make broken lines)."""
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def run_import(runner, path: Path, *args: str):
    return runner.invoke(args=["comments", "import", str(path), *args])


def test_a_jsonl_backlog_is_imported_with_a_report_of_every_line(runner, tmp_path):
    receive_comment(comment_request(external_id="old-0"), None)
    db.session.commit()
    path = jsonl(tmp_path / "backlog.jsonl", [
        comment_request(external_id="old-1"),
        comment_request(external_id="old-2", body=URGENT_BODY),
        "",
        comment_request(external_id="old-0"),           # line 4: already in the database
        '{"page": {"slug": "x", ',                       # line 5: broken JSON
        comment_request(external_id="old-3", body="a\u0000b"),  # line 6: NUL
        comment_request(external_id="old-1"),           # line 7: twice in the file
        comment_request(external_id="old-4", mood="sad"),  # line 8: unknown field
        comment_request(external_id="old-5"),
    ])
    result = run_import(runner, path)
    assert result.exit_code == 1, result.output
    assert "3 added, 2 duplicate(s) skipped, 3 rejected" in result.output
    assert "line 5: not valid JSON" in result.output
    assert "line 6: body: Contains a NUL character" in result.output
    assert "line 8: mood: Unknown field" in result.output
    assert comment_count() == 4


def test_imported_comments_are_triaged_by_the_model(runner, tmp_path):
    path = jsonl(tmp_path / "backlog.jsonl", [
        comment_request(external_id="a", body=URGENT_BODY),
        comment_request(external_id="b", body="Thank you, this page helped us a lot."),
    ])
    assert run_import(runner, path).exit_code == 0
    urgent = db.session.scalar(select(Comment).where(Comment.external_id == "a"))
    assert urgent.triaged and urgent.urgency == "urgent"
    assert urgent.status == "pending" and urgent.due_at is not None


def test_importing_the_same_file_again_adds_nothing(runner, tmp_path):
    path = jsonl(tmp_path / "backlog.jsonl",
                 [comment_request(external_id=f"old-{n}") for n in range(5)])
    first = run_import(runner, path, "--batch-size", "2")
    again = run_import(runner, path, "--batch-size", "2")
    assert "5 added, 0 duplicate(s)" in first.output
    assert "0 added, 5 duplicate(s)" in again.output
    assert again.exit_code == 0
    assert comment_count() == 5


def test_a_site_import_is_idempotent_with_what_the_site_sent_by_api(runner, tmp_path):
    site, _ = create_site("charity-website")
    receive_comment(comment_request(external_id="wp-1"), site)
    db.session.commit()
    path = jsonl(tmp_path / "backlog.jsonl", [comment_request(external_id="wp-1"),
                                              comment_request(external_id="wp-2")])
    result = run_import(runner, path, "--site", "charity-website")
    assert "1 added, 1 duplicate(s)" in result.output
    assert db.session.scalar(
        select(func.count()).where(Comment.site_id == site.id)
    ) == 2


def test_an_unknown_site_stops_the_import(runner, tmp_path):
    path = jsonl(tmp_path / "backlog.jsonl", [comment_request()])
    result = run_import(runner, path, "--site", "nobody")
    assert result.exit_code != 0 and "No site called 'nobody'" in result.output
    assert comment_count() == 0


def write_csv(path: Path, rows: list[dict[str, str]], header=None) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def csv_row(**overrides: str) -> dict[str, str]:
    row = {"page_slug": "after-a-miscarriage", "page_title": "After a miscarriage",
           "page_url": "https://www.example.org/health/after-a-miscarriage",
           "author_name": "Jo", "author_email": "", "body": "Is this normal?",
           "external_id": "csv-1", "posted_at": "2025-06-01T09:30:00+01:00"}
    row.update(overrides)
    return row


def test_a_csv_backlog_is_imported_and_bad_rows_are_named_by_line(runner, tmp_path):
    path = write_csv(tmp_path / "backlog.csv", [
        csv_row(external_id="csv-1", body="First line\nsecond line\nthird line"),
        csv_row(external_id="csv-2", posted_at="2025-06-01 09:30"),  # starts on line 5
        csv_row(external_id="csv-3", author_email="", author_name=""),
    ])
    result = run_import(runner, path)
    assert "2 added, 0 duplicate(s) skipped, 1 rejected" in result.output
    assert "line 5: posted_at: Must include a time zone" in result.output
    multi_line = db.session.scalar(select(Comment).where(Comment.external_id == "csv-1"))
    assert multi_line.body == "First line\nsecond line\nthird line"
    assert multi_line.author_email is None
    assert multi_line.posted_at.isoformat() == "2025-06-01T08:30:00+00:00"


def test_a_csv_with_unknown_columns_is_refused_whole(runner, tmp_path):
    row = {**csv_row(), "ip_address": "192.0.2.1"}
    result = run_import(runner, write_csv(tmp_path / "backlog.csv", [row]))
    assert result.exit_code != 0
    assert "unknown column(s): ip_address" in result.output
    assert comment_count() == 0


def test_a_line_that_is_not_utf8_is_rejected_and_the_rest_imported(runner, tmp_path):
    good = json.dumps(comment_request(external_id="ok")).encode()
    bad = json.dumps(comment_request(external_id="bad", body="caf\u00e9")).encode().replace(
        b"caf\\u00e9", b"caf\xe9")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(bad + b"\n" + good + b"\n")
    result = run_import(runner, path)
    assert "1 added" in result.output
    assert "line 1: body: Contains text that is not valid Unicode" in result.output


@pytest.mark.parametrize("name", ["backlog.txt", "backlog"])
def test_the_format_is_recognised_by_content_when_the_name_does_not_say(runner, tmp_path, name):
    as_csv = io.StringIO()
    writer = csv.DictWriter(as_csv, fieldnames=list(csv_row()))
    writer.writeheader()
    writer.writerow(csv_row())
    (tmp_path / name).write_text(as_csv.getvalue(), encoding="utf-8")
    assert "1 added" in run_import(runner, tmp_path / name).output


def test_a_large_file_is_imported_in_batches_with_a_progress_bar(runner, tmp_path):
    path = jsonl(tmp_path / "large.jsonl",
                 [comment_request(external_id=f"bulk-{n}", body=f"Question number {n}?")
                  for n in range(1200)])
    result = run_import(runner, path)
    assert result.exit_code == 0
    assert "Importing large.jsonl" in result.stderr
    assert "1200 added" in result.stdout
    assert db.session.scalar(select(func.count()).where(Comment.triaged.is_(True))) == 1200
