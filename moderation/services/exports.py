"""Exports of answered threads (CSV, JSON, JSON Lines), streamed from one database snapshot.

An export is opened on its own connection inside a snapshot transaction (REPEATABLE READ on
PostgreSQL, a deferred read transaction in WAL mode on SQLite). The threads are counted with a
SQL COUNT in that snapshot, the audit event (who, filters, row count) is written and committed
by the caller before the first byte leaves, and the records are then streamed from the same
snapshot, so the count in the audit trail is exactly the number of records sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from classifier.labels import TOPICS
from models import Comment, Page, Reply, User, db
from models.comment import redact_text
from moderation.rules import EXPORT_FORMATS
from moderation.services.audit import record_event
from moderation.services.documents import (
    BATCH_SIZE,
    MIMETYPES,
    csv_document,
    json_array,
    json_lines,
)
from moderation.services.reports import day_start
from moderation.services.settings import current_policy


class ExportInputError(ValueError):
    """Export options that cannot be used, with a message the person can act on."""


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the format and the filters."""

    format: str = "csv"
    date_from: date | None = None
    date_to: date | None = None
    topic: str | None = None
    pseudonymise: bool = False

    def describe(self) -> dict[str, Any]:
        """The filters as plain values, for the audit trail."""
        return {
            "format": self.format,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "topic": self.topic,
            "pseudonymise": self.pseudonymise,
        }

    @property
    def filename(self) -> str:
        """A descriptive file name for the download."""
        parts = ["answered-threads"]
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else "start"
            end = self.date_to.isoformat() if self.date_to else "now"
            parts.append(f"{start}-to-{end}")
        if self.topic:
            parts.append(self.topic.replace("_", "-"))
        if self.pseudonymise:
            parts.append("pseudonymised")
        return "-".join(parts) + "." + self.format


def _parse_date(value: date | str | None, name: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        parsed = value
    else:
        text = value.strip()
        if not text:
            return None
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise ExportInputError(
                f"The {name} date {text!r} is not a valid date: use YYYY-MM-DD, e.g. 2026-03-31."
            ) from None
    if not 1970 <= parsed.year <= 2999:
        # The day after 9999-12-31, which ends the range, does not exist.
        raise ExportInputError(
            f"The {name} date {parsed.isoformat()} is out of range: choose a year from 1970 "
            "to 2999.")
    return parsed


def parse_export_options(
    format: str | None = "csv",
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    topic: str | None = None,
    pseudonymise: bool = False,
) -> ExportOptions:
    """Check what was asked for; raise ExportInputError with a clear message if unusable."""
    fmt = (format or "").strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise ExportInputError(
            f"Unknown format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}."
        )
    start, end = _parse_date(date_from, "start"), _parse_date(date_to, "end")
    if start and end and start > end:
        raise ExportInputError(
            f"The start date ({start.isoformat()}) is after the end date ({end.isoformat()}): "
            "swap them and try again."
        )
    chosen_topic = (topic or "").strip() or None
    if chosen_topic is not None and chosen_topic not in TOPICS:
        raise ExportInputError(
            f"Unknown topic {chosen_topic!r}: choose one of {', '.join(TOPICS)}."
        )
    return ExportOptions(fmt, start, end, chosen_topic, bool(pseudonymise))


# --- Pseudonyms --------------------------------------------------------------------------


def pseudonym(secret_key: str, name: str | None, email: str | None) -> str:
    """A stable stand-in for a commenter: HMAC of their email (or name) with the app's key."""
    identity = (email or "").strip().lower() or " ".join((name or "").split()).casefold()
    if not identity:
        return "Anonymous commenter"
    digest = hmac.new(secret_key.encode(), identity.encode(), hashlib.sha256).hexdigest()
    return f"Commenter {digest[:8]}"


def pseudonymous_id(secret_key: str, kind: str, record_id: int) -> str:
    """An id that stays the same across exports but cannot be matched to the public feed.

    The feed shows comment ids next to the author's name; the HMAC (keyed with the app's
    secret, which the recipient never has) cuts that link.
    """
    message = f"{kind}:{record_id}".encode()
    return f"{kind[0]}_" + hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:20]


def _name_pattern(name: str | None, email: str | None) -> re.Pattern[str] | None:
    """Words that name the commenter in free text: full name, first name, email."""
    tokens = {t for t in ((name or "").strip(), (name or "").split(" ")[0].strip(),
                          (email or "").strip()) if len(t) >= 2}
    if not tokens:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# --- Records -----------------------------------------------------------------------------


def _iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the service's time zone with its offset, to the second."""
    if value is None:
        return None
    return value.astimezone(zone).isoformat(timespec="seconds")


def _spreadsheet_time(value: str | None) -> str:
    """An exported time as a spreadsheet reads a date: local 'YYYY-MM-DD HH:MM:SS'."""
    # Excel and LibreOffice read this form as a date, not as text; the offset (the service's
    # own zone, documented) is dropped because neither reads one.
    return value[:19].replace("T", " ") if value else ""


def thread_filters(options: ExportOptions, timezone: str) -> list[ColumnElement]:
    """Answered threads, by the calendar day (service time zone) of their first reply."""
    conditions: list[ColumnElement] = [
        Comment.status == "published",
        Comment.first_replied_at.is_not(None),
    ]
    if options.date_from:
        conditions.append(Comment.first_replied_at >= day_start(options.date_from, timezone))
    if options.date_to:
        end = day_start(options.date_to + timedelta(days=1), timezone)
        conditions.append(Comment.first_replied_at < end)
    if options.topic:
        conditions.append(Comment.topic == options.topic)
    return conditions


class ThreadExport:
    """One export: a snapshot connection, the counted threads, and their records as text."""

    def __init__(self, options: ExportOptions, *, secret_key: str, timezone: str) -> None:
        self.options = options
        self.secret_key = secret_key
        self.zone = ZoneInfo(timezone)
        self.filters = thread_filters(options, timezone)
        self._connection: Connection | None = _snapshot_connection()
        try:
            self.rows = self._connection.execute(
                select(func.count()).select_from(Comment).where(*self.filters)
            ).scalar_one()
            per_thread = (
                select(func.count().label("replies"))
                .select_from(Reply)
                .join(Comment, Comment.id == Reply.comment_id)
                .where(*self.filters, Reply.is_published)
                .group_by(Reply.comment_id)
                .subquery()
            )
            self.max_replies = self._connection.execute(
                select(func.coalesce(func.max(per_thread.c.replies), 0))
            ).scalar_one()
        except BaseException:
            self.close()
            raise

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.options.format]

    def close(self) -> None:
        """End the snapshot and give the connection back (safe to call twice)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("ROLLBACK")
                else:
                    connection.rollback()
            finally:
                connection.close()

    def records(self) -> Iterator[dict[str, Any]]:
        """Yield one record per thread, oldest first reply first, reading in batches."""
        if self._connection is None:
            raise RuntimeError("This export is closed.")
        statement = (
            select(
                Comment.id, Comment.author_name, Comment.author_email, Comment.body,
                Comment.redactions,
                Comment.received_at, Comment.urgency, Comment.topic, Comment.due_at,
                Comment.first_replied_at, Comment.response_seconds,
                Comment.response_working_seconds,
                Page.slug, Page.title, Page.url,
                Reply.id.label("reply_id"), Reply.body.label("reply_body"),
                Reply.published_at.label("reply_published_at"),
                User.name.label("midwife"),
            )
            .join(Page, Page.id == Comment.page_id)
            .outerjoin(Reply, and_(Reply.comment_id == Comment.id,
                                   Reply.is_published))
            .outerjoin(User, User.id == Reply.midwife_id)
            .where(*self.filters)
            .order_by(Comment.first_replied_at, Comment.id, Reply.published_at, Reply.id)
        )
        # yield_per streams: a server-side cursor on PostgreSQL, a lazy cursor on SQLite.
        result = self._connection.execution_options(yield_per=BATCH_SIZE).execute(statement)
        try:
            for _, rows in groupby(result.mappings(), key=lambda row: row["id"]):
                yield self._record(list(rows))
        finally:
            result.close()

    def _record(self, rows: list[Any]) -> dict[str, Any]:
        first = rows[0]
        name, email = first["author_name"], first["author_email"]
        # Exports carry public text only: the redacted version, never the original.
        body = redact_text(first["body"], first["redactions"] or [])
        replies = [
            {"midwife": row["midwife"], "body": row["reply_body"],
             "published_at": _iso(row["reply_published_at"], self.zone)}
            for row in rows if row["reply_id"] is not None
        ]
        comment: dict[str, Any] = {"author_name": name, "author_email": email}
        if self.options.pseudonymise:
            alias = pseudonym(self.secret_key, name, email)
            pattern = _name_pattern(name, email)
            if pattern is not None:
                body = pattern.sub(alias, body)
                for reply in replies:
                    reply["body"] = pattern.sub(alias, reply["body"])
            comment = {"author_name": alias}
        comment.update(body=body, received_at=_iso(first["received_at"], self.zone),
                       urgency=first["urgency"], topic=first["topic"])
        replied, due = first["first_replied_at"], first["due_at"]
        thread_id: int | str = first["id"]
        if self.options.pseudonymise:
            thread_id = pseudonymous_id(self.secret_key, "thread", first["id"])
        return {
            "thread_id": thread_id,
            "page": {"slug": first["slug"], "title": first["title"], "url": first["url"]},
            "comment": comment,
            "reply_due_at": _iso(due, self.zone),
            "first_replied_at": _iso(replied, self.zone),
            "time_to_first_reply": {"clock_seconds": first["response_seconds"],
                                    "working_seconds": first["response_working_seconds"]},
            "within_target": (replied <= due) if replied and due else None,
            "replies": replies,
        }

    # --- Serialisation ---

    def csv_header(self) -> list[str]:
        """The CSV columns: one row per thread, replies side by side."""
        header = ["thread_id", "page_slug", "page_title", "page_url", "author_name"]
        if not self.options.pseudonymise:
            header.append("author_email")
        header += ["comment_body", "received_at", "urgency", "topic", "reply_due_at",
                   "first_replied_at", "time_to_first_reply_seconds",
                   "time_to_first_reply_working_seconds", "within_target", "reply_count"]
        for n in range(1, max(self.max_replies, 1) + 1):
            header += [f"reply_{n}_midwife", f"reply_{n}_body", f"reply_{n}_published_at"]
        return header

    def csv_row(self, record: dict[str, Any]) -> list[Any]:
        """Flatten a record into the CSV columns."""
        comment = record["comment"]
        row = [record["thread_id"], record["page"]["slug"], record["page"]["title"],
               record["page"]["url"], comment["author_name"]]
        if not self.options.pseudonymise:
            row.append(comment["author_email"])
        timing = record["time_to_first_reply"]
        row += [comment["body"], _spreadsheet_time(comment["received_at"]), comment["urgency"],
                comment["topic"], _spreadsheet_time(record["reply_due_at"]),
                _spreadsheet_time(record["first_replied_at"]), timing["clock_seconds"],
                timing["working_seconds"],
                {True: "yes", False: "no", None: ""}[record["within_target"]],
                len(record["replies"])]
        for reply in record["replies"]:
            row += [reply["midwife"], reply["body"], _spreadsheet_time(reply["published_at"])]
        return row + [""] * (len(self.csv_header()) - len(row))

    def chunks(self) -> Iterator[str]:
        """The whole export as text, a batch of records at a time; closes the snapshot."""
        try:
            if self.options.format == "csv":
                yield from csv_document(self.csv_header(),
                                        (self.csv_row(r) for r in self.records()), BATCH_SIZE)
            elif self.options.format == "json":
                yield from json_array(self.records(), BATCH_SIZE)
            else:
                yield from json_lines(self.records(), BATCH_SIZE)
        finally:
            self.close()


def _snapshot_connection() -> Connection:
    """A connection in a read transaction that sees one consistent snapshot."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # pysqlite only opens transactions before writes: open one by hand. In WAL mode a
        # read transaction keeps its snapshot while other connections commit.
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("BEGIN")
        return connection
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    connection.begin()
    return connection


def start_thread_export(options: ExportOptions, actor: User | None, *, secret_key: str,
                        via: str = "web", **context: Any) -> ThreadExport:
    """Open an export, count its threads and audit it (flushed: the caller commits)."""
    export = ThreadExport(options, secret_key=secret_key, timezone=current_policy().timezone)
    try:
        record_event(actor, "export.threads", "comment", None, via=via,
                     filters=options.describe(), rows=export.rows, **context)
    except BaseException:
        export.close()
        raise
    return export
