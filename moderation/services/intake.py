"""Comment intake: one validation and one creation path for the API, the public form and imports.

A comment is validated field by field, matched on (site, external_id) so a retry never makes a
second copy, scored by the triage model (or queued as priority when the model fails) and stored
with a `comment.received` audit event. The caller commits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Comment, Page, Site, db, utcnow
from moderation.services.alerts import raise_urgent_alert
from moderation.services.audit import record_event
from moderation.services.safeguarding import open_if_flagged_by_rules
from moderation.services.settings import ServicePolicy, current_policy
from moderation.services.triage import triage_comments

FIELDS = ("page", "author_name", "author_email", "body", "external_id", "posted_at",
          "in_reply_to")
# A follow-up can join only a thread the public can see (docs/replies.md).
THREAD_CLOSED = ("This conversation is closed to new replies (it is not on the page any "
                 "more). Your comment was not posted: you can post it as a new comment.")
PAGE_FIELDS = ("slug", "title", "url")
REQUIRED_FIELDS = ("page", "body", "external_id")

MAX_BODY = 10_000
MAX_TITLE = 300
MAX_URL = 1000
MAX_NAME = 120
MAX_EMAIL = 254
MAX_EXTERNAL_ID = 200
# A website's clock may run a little fast; anything later than this is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)

SLUG_PATTERN = re.compile(r"[a-z0-9-]{1,200}")
EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
# Characters that take no space on screen: a body made only of these and spaces says nothing.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
SURROGATES = re.compile("[\ud800-\udfff]")

NUL_MESSAGE = "Contains a NUL character (\\u0000), which is not accepted."


class IntakeError(ValueError):
    """A submitted comment is invalid; `errors` maps each field to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CommentInput:
    """A validated comment, ready to store."""

    page_slug: str
    page_title: str
    page_url: str
    author_name: str
    author_email: str | None
    body: str
    external_id: str
    posted_at: datetime | None
    # The comment (in a published thread) this one follows up.
    in_reply_to: int | None = None


@dataclass(frozen=True)
class IntakeResult:
    """The stored comment, and whether this call created it (False: it already existed)."""

    comment: Comment
    created: bool


# --- Validation ----------------------------------------------------------------------------

def _text(
    errors: dict[str, str],
    name: str,
    value: Any,
    *,
    max_length: int,
    min_length: int = 0,
) -> str | None:
    """Check a string field's type, characters and length; record an error and return None."""
    if not isinstance(value, str):
        errors[name] = "Must be a string."
        return None
    if "\x00" in value:
        errors[name] = NUL_MESSAGE
        return None
    if SURROGATES.search(value):
        errors[name] = "Contains text that is not valid Unicode (bad UTF-8 or a lone surrogate)."
        return None
    if len(value) < min_length:
        errors[name] = "Must not be empty." if min_length == 1 else (
            f"Must have at least {min_length} characters."
        )
        return None
    if len(value) > max_length:
        errors[name] = f"Must have at most {max_length:,} characters (it has {len(value):,})."
        return None
    return value


def _validate_page(errors: dict[str, str], page: Any) -> tuple[str, str, str] | None:
    if not isinstance(page, dict):
        errors["page"] = "Must be an object with slug, title and url."
        return None
    for name in sorted(set(page) - set(PAGE_FIELDS)):
        errors[f"page.{name}"] = "Unknown field: not accepted."
    for name in PAGE_FIELDS:
        if page.get(name) is None:
            errors[f"page.{name}"] = "Is required."
    slug = title = url = None
    if page.get("slug") is not None:
        slug = _text(errors, "page.slug", page["slug"], max_length=200, min_length=1)
        if slug is not None and not SLUG_PATTERN.fullmatch(slug):
            errors["page.slug"] = "Use only lowercase letters, digits and hyphens."
            slug = None
    if page.get("title") is not None:
        title = _text(errors, "page.title", page["title"], max_length=MAX_TITLE)
        if title is not None:
            title = title.strip()
            if not title:
                errors["page.title"] = "Must not be empty."
                title = None
    if page.get("url") is not None:
        url = _text(errors, "page.url", page["url"], max_length=MAX_URL)
        if url is not None:
            url = url.strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
                errors["page.url"] = "Must be an http:// or https:// address."
                url = None
    if slug is None or title is None or url is None:
        return None
    return slug, title, url


def _validate_posted_at(errors: dict[str, str], value: Any, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors["posted_at"] = "Must be an ISO 8601 date and time string."
        return None
    try:
        posted_at = datetime.fromisoformat(value.strip())
    except ValueError:
        errors["posted_at"] = (
            "Must be an ISO 8601 date and time with a time zone, e.g. 2026-11-27T14:05:00Z."
        )
        return None
    if posted_at.tzinfo is None or posted_at.utcoffset() is None:
        # Guessing a zone could shift the reply deadline by hours: ask the sender to say it.
        errors["posted_at"] = (
            "Must include a time zone offset (Z or +00:00): a time without one is ambiguous."
        )
        return None
    if posted_at - now > FUTURE_TOLERANCE:
        errors["posted_at"] = "Is in the future."
        return None
    return posted_at


def validate_comment(data: Any, now: datetime | None = None) -> CommentInput:
    """Check every field of a submitted comment; raise IntakeError with a message per field."""
    if not isinstance(data, dict):
        raise IntakeError({"request": "Must be a JSON object with the comment's fields."})
    now = now or utcnow()
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(FIELDS), key=str):
        errors[str(name)] = "Unknown field: not accepted."
    for name in REQUIRED_FIELDS:
        if data.get(name) is None:
            errors[name] = "Is required."

    page = _validate_page(errors, data["page"]) if data.get("page") is not None else None

    author_name = ""
    if data.get("author_name") is not None:
        name = _text(errors, "author_name", data["author_name"], max_length=MAX_BODY)
        author_name = (name or "").strip()
        if len(author_name) > MAX_NAME:
            errors["author_name"] = f"Must have at most {MAX_NAME} characters."

    author_email = None
    if data.get("author_email") is not None:
        email = _text(errors, "author_email", data["author_email"], max_length=MAX_BODY)
        author_email = (email or "").strip() or None
        if author_email is not None and (
            len(author_email) > MAX_EMAIL or not EMAIL_PATTERN.fullmatch(author_email)
        ):
            errors["author_email"] = "Must look like an email address, e.g. name@example.org."
            author_email = None

    body = None
    if data.get("body") is not None:
        body = _text(errors, "body", data["body"], max_length=MAX_BODY, min_length=1)
        # Stored exactly as received; only a body with nothing visible in it is refused.
        if body is not None and not body.translate(INVISIBLE).strip():
            errors["body"] = "Must not be empty or only spaces."
            body = None

    external_id = None
    if data.get("external_id") is not None:
        external_id = _text(errors, "external_id", data["external_id"],
                            max_length=MAX_EXTERNAL_ID, min_length=1)
        if external_id is not None and not external_id.isprintable():
            errors["external_id"] = "Must contain only printable characters (no line breaks)."
            external_id = None

    posted_at = _validate_posted_at(errors, data.get("posted_at"), now)

    in_reply_to = data.get("in_reply_to")
    if in_reply_to is not None and (
            isinstance(in_reply_to, bool) or not isinstance(in_reply_to, int)
            or not 0 < in_reply_to < 2**31):
        errors["in_reply_to"] = "Must be the id of a comment shown in the page's feed."
        in_reply_to = None

    if errors or page is None or body is None or external_id is None:
        raise IntakeError(errors or {"request": "Invalid comment."})
    return CommentInput(
        page_slug=page[0], page_title=page[1], page_url=page[2], author_name=author_name,
        author_email=author_email, body=body, external_id=external_id, posted_at=posted_at,
        in_reply_to=in_reply_to,
    )


# --- Storing -------------------------------------------------------------------------------

def find_comment(site_id: int | None, external_id: str) -> Comment | None:
    """Return the comment a site already sent under this id, if any."""
    site_clause = Comment.site_id.is_(None) if site_id is None else Comment.site_id == site_id
    return db.session.scalar(
        select(Comment).where(site_clause, Comment.external_id == external_id)
    )


def _find_page(slug: str) -> Page | None:
    return db.session.scalar(select(Page).where(Page.slug == slug))


def thread_root(in_reply_to: int | None, page_slug: str) -> int | None:
    """The first comment of the published thread a follow-up joins; IntakeError if it cannot."""
    if in_reply_to is None:
        return None
    target = db.session.get(Comment, in_reply_to)
    if target is None or target.page is None or target.page.slug != page_slug:
        raise IntakeError({"in_reply_to": "No comment with this id is shown on this page."})
    root = db.session.get(Comment, target.in_reply_to_id) if target.in_reply_to_id else target
    if root is None or root.status != "published":
        raise IntakeError({"in_reply_to": THREAD_CLOSED})
    return root.id


def _new_comment(clean: CommentInput, site_id: int | None, received_at: datetime) -> Comment:
    return Comment(
        site_id=site_id, external_id=clean.external_id, author_name=clean.author_name,
        author_email=clean.author_email, body=clean.body, posted_at=clean.posted_at,
        received_at=received_at, status="pending",
    )


def _attach_page(comment: Comment, page: Page | None, clean: CommentInput,
                 update_page: bool) -> Page:
    """Create the page on first sight (owned by the sending site); only its owner renames it.

    Any other key could otherwise retitle a page or point its link somewhere else.
    """
    if page is None:
        page = Page(slug=clean.page_slug, title=clean.page_title, url=clean.page_url,
                    site_id=comment.site_id)
        db.session.add(page)
    elif (update_page and page.site_id is not None and page.site_id == comment.site_id
          and (page.title, page.url) != (clean.page_title, clean.page_url)):
        page.title, page.url = clean.page_title, clean.page_url
    comment.page = page
    return page


def _record_received(comment: Comment, site: Site | None, source: str) -> None:
    record_event(
        None, "comment.received", "comment", comment.id,
        source=source, site=site.name if site is not None else None,
        external_id=comment.external_id, page=comment.page.slug,
        after={"status": comment.status, "urgency": comment.urgency, "topic": comment.topic,
               "triaged": comment.triaged, "due_at": comment.due_at},
    )
    # After triage, in the same transaction: an urgent comment alerts the person on call.
    raise_urgent_alert(comment)
    # A comment the rules flag for safeguarding opens a record and tells the lead.
    open_if_flagged_by_rules(comment)


def receive_comment(
    data: Any,
    site: Site | None,
    *,
    source: str = "api",
    update_page: bool = True,
    policy: ServicePolicy | None = None,
) -> IntakeResult:
    """Validate, de-duplicate, triage and store one comment (flushed; the caller commits)."""
    clean = validate_comment(data)
    site_id = site.id if site is not None else None
    # Read everything first and write last: on SQLite a write after a read in the same
    # transaction can fail at once under concurrency, while a first write waits its turn.
    for _attempt in range(3):
        existing = find_comment(site_id, clean.external_id)
        if existing is not None:
            return IntakeResult(existing, created=False)
        policy = policy or current_policy()
        page = _find_page(clean.page_slug)
        comment = _new_comment(clean, site_id, utcnow())
        comment.in_reply_to_id = thread_root(clean.in_reply_to, clean.page_slug)
        triage_comments([comment], policy)
        try:
            with db.session.begin_nested():
                _attach_page(comment, page, clean, update_page)
                db.session.add(comment)
                db.session.flush()
                _record_received(comment, site, source)
        except IntegrityError:
            # Another request stored the same comment (or created the page) first: read it.
            continue
        return IntakeResult(comment, created=True)
    raise RuntimeError(f"Could not store comment {clean.external_id!r} after three attempts.")


PUBLIC_TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")


def follow_up_target(value: str | None) -> int | None:
    """The public form's hidden in_reply_to as an id (a tampered value is just refused)."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else -1


def new_form_token() -> str:
    """A one-time token for the public comment form; it becomes the comment's external_id."""
    return uuid.uuid4().hex


def submit_public_comment(
    page: Page, author_name: str | None, author_email: str | None, body: str | None,
    form_token: str | None, in_reply_to: int | None = None,
) -> IntakeResult:
    """Take a comment from the demo public page through the same intake as the API."""
    # The token makes a double-click or a resubmitted form land on the same comment; a
    # tampered token just gets a fresh one, so it can never point at someone else's comment.
    if not form_token or not PUBLIC_TOKEN_PATTERN.fullmatch(form_token):
        form_token = new_form_token()
    # The page exists and is never changed from here; a page saved without a URL still needs
    # one to pass the shared validation.
    data = {
        "page": {"slug": page.slug, "title": page.title,
                 "url": page.url or f"https://www.example.org/{page.slug}"},
        "author_name": author_name or "",
        "author_email": author_email or None,
        "body": body or "",
        "external_id": f"web-{form_token}",
        "in_reply_to": in_reply_to,
    }
    return receive_comment(data, None, source="public", update_page=False)


def comment_receipt(comment: Comment) -> dict[str, Any]:
    """The API's answer about a stored comment, with the advice the website must show."""
    from moderation.services.advice import advice_for_comment  # advice reads intake's helpers

    return {
        "id": comment.id,
        "status": comment.status,
        "urgency": comment.urgency,
        "topic": comment.topic,
        "due_at": iso_utc(comment.due_at),
        "advice": advice_for_comment(comment).to_json(),
    }


def iso_utc(value: datetime | None) -> str | None:
    """Format an aware time as ISO 8601 in UTC with a Z, to the second."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- Backlog import ------------------------------------------------------------------------

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
    site: Site | None,
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
    comments = [_new_comment(clean, site_id, received_at) for clean in fresh]
    triage_comments(comments, policy)
    try:
        with db.session.begin_nested():
            for clean, comment in zip(fresh, comments, strict=True):
                pages[clean.page_slug] = _attach_page(
                    comment, pages.get(clean.page_slug), clean, update_page=False
                )
                db.session.add(comment)
            db.session.flush()
            for comment in comments:
                _record_received(comment, site, "import")
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
