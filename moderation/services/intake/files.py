"""Reading a backlog of comments from JSON lines or CSV files, and storing it in batches."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Comment, Page, db, utcnow
from moderation.services.intake.store import (
    Sender,
    new_comment,
    place_page,
    receive_comment,
    record_received,
)
from moderation.services.intake.validation import CommentInput, IntakeError, validate_comment
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.triage import triage_comments

CSV_COLUMNS = ("page_slug", "page_title", "page_url", "author_name", "author_email", "body",
               "external_id", "posted_at")
IMPORT_BATCH = 500


@dataclass
class ImportReport:
    """What an import did: counts, and each rejected line with its reason."""

    added: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportRecord:
    """One comment read from a file, or the reason it could not be read."""

    line: int
    data: Any = None
    problem: str | None = None


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unknown format or columns)."""


def detect_format(name: str, first_text: str) -> str:
    """Tell 'jsonl' from 'csv' by the file name, else by the first character."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "jsonl" if first_text.lstrip("\ufeff \t\r\n").startswith("{") else "csv"


def read_jsonl(lines: Iterable[str]) -> Iterator[ImportRecord]:
    """Yield one record per non-blank line of JSON lines."""
    for number, line in enumerate(lines, start=1):
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        try:
            yield ImportRecord(number, data=json.loads(line))
        except ValueError as exc:
            yield ImportRecord(number, problem=f"not valid JSON ({exc})")


def read_csv(lines: Iterable[str]) -> Iterator[ImportRecord]:
    """Yield one record per CSV row, numbered by the line where the row starts."""
    reader = csv.reader(_strip_bom(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ImportFileError(f"The CSV header cannot be read: {exc}") from exc
    columns = [name.strip() for name in header]
    unknown = sorted(set(columns) - set(CSV_COLUMNS))
    missing = [name for name in ("page_slug", "page_title", "page_url", "body", "external_id")
               if name not in columns]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append("unknown column(s): " + ", ".join(unknown))
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        raise ImportFileError(
            "The CSV header does not fit: " + "; ".join(parts)
            + ". Expected columns: " + ", ".join(CSV_COLUMNS) + "."
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ImportRecord(start, problem=f"not valid CSV ({exc})")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield ImportRecord(
                line, problem=f"has {len(row)} cells where the header has {len(columns)}"
            )
            continue
        yield ImportRecord(line, data=_csv_row_to_comment(dict(zip(columns, row, strict=True))))


def _strip_bom(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines):
        yield line.lstrip("\ufeff") if number == 0 else line


def _csv_row_to_comment(row: dict[str, str]) -> dict[str, Any]:
    """Shape a CSV row like an API request; empty optional cells mean 'not given'."""
    data: dict[str, Any] = {
        "page": {"slug": row.get("page_slug"), "title": row.get("page_title"),
                 "url": row.get("page_url")},
        "body": row.get("body"),
        "external_id": row.get("external_id"),
    }
    for name in ("author_name", "author_email", "posted_at"):
        if row.get(name):
            data[name] = row[name]
    return data


def open_import_text(raw: io.BufferedIOBase) -> io.TextIOWrapper:
    """Read a file as UTF-8, keeping undecodable bytes so their line is rejected, not the file."""
    return io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")


def import_batch(
    records: list[ImportRecord],
    site: Sender,
    report: ImportReport,
    policy: ServicePolicy | None = None,
) -> None:
    """Validate, de-duplicate, triage in one go and store a batch of records (flushed)."""
    policy = policy or current_policy()
    site_id = site.id if site is not None else None
    valid: list[tuple[int, CommentInput]] = []
    now = utcnow()
    for record in records:
        if record.problem is not None:
            report.rejected.append((record.line, record.problem))
            continue
        try:
            valid.append((record.line, validate_comment(record.data, now)))
        except IntakeError as exc:
            report.rejected.append((record.line, _describe(exc.errors)))
    if not valid:
        return

    ids = [clean.external_id for _, clean in valid]
    site_clause = Comment.site_id.is_(None) if site_id is None else Comment.site_id == site_id
    known = set(db.session.scalars(
        select(Comment.external_id).where(site_clause, Comment.external_id.in_(ids))
    ))
    fresh: list[CommentInput] = []
    for _, clean in valid:
        if clean.external_id in known:
            report.duplicates += 1
            continue
        known.add(clean.external_id)  # the same id twice in one file is a duplicate too
        fresh.append(clean)
    if not fresh:
        return

    slugs = {clean.page_slug for clean in fresh}
    pages = {page.slug: page for page in db.session.scalars(
        select(Page).where(Page.slug.in_(slugs))
    )}
    received_at = utcnow()
    comments = [new_comment(clean, site_id, received_at) for clean in fresh]
    triage_comments(comments, policy)
    try:
        with db.session.begin_nested():
            for clean, comment in zip(fresh, comments, strict=True):
                comment.page = pages[clean.page_slug] = place_page(
                    pages.get(clean.page_slug), clean, site_id, update_page=False
                )
                db.session.add(comment)
            db.session.flush()
            for comment in comments:
                record_received(comment, site, "import", comment.page.slug)
    except IntegrityError:
        # Someone else stored some of these meanwhile: fall back to one at a time.
        for clean in fresh:
            result = receive_comment(_as_request(clean), site, source="import",
                                     update_page=False, policy=policy)
            if result.created:
                report.added += 1
            else:
                report.duplicates += 1
        return
    report.added += len(comments)


def _as_request(clean: CommentInput) -> dict[str, Any]:
    data: dict[str, Any] = {
        "page": {"slug": clean.page_slug, "title": clean.page_title, "url": clean.page_url},
        "author_name": clean.author_name, "author_email": clean.author_email,
        "body": clean.body, "external_id": clean.external_id,
    }
    if clean.posted_at is not None:
        data["posted_at"] = clean.posted_at.isoformat()
    return data


def _describe(errors: dict[str, str]) -> str:
    return "; ".join(f"{name}: {message}" for name, message in errors.items())
