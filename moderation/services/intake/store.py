"""Storing a validated comment: de-duplicated, triaged, audited (flushed; the caller commits).

A comment is matched on (site, external_id) by the database's unique indexes, so a retry never
makes a second copy; it is scored by the triage model (or queued as priority when the model
fails) and stored with a `comment.received` audit event.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Insert

from models import AuditEvent, Comment, Page, Site, db, utcnow
from moderation.formatting import iso_utc
from moderation.services.alerts import raise_urgent_alert
from moderation.services.audit import event_columns
from moderation.services.cache import app_cache
from moderation.services.intake.validation import CommentInput, IntakeError, validate_comment
from moderation.services.metrics import count_received
from moderation.services.safeguarding import open_if_flagged_by_rules
from moderation.services.settings import ServicePolicy, cached_policy
from moderation.services.sites import SiteIdentity
from moderation.services.triage import triage_comments

# A follow-up can join only a thread the public can see (docs/replies.md).
THREAD_CLOSED = ("This conversation is closed to new replies (it is not on the page any "
                 "more). Your comment was not posted: you can post it as a new comment.")
# Who sent a comment: a site row, or the identity intake keeps per worker.
Sender = Site | SiteIdentity | None
UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class IntakeResult:
    """The stored comment, and whether this call created it (False: it already existed)."""

    comment: Comment
    created: bool


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


def new_comment(clean: CommentInput, site_id: int | None, received_at: datetime) -> Comment:
    return Comment(
        site_id=site_id, external_id=clean.external_id, author_name=clean.author_name,
        author_email=clean.author_email, body=clean.body,
        # In UTC, as the database gives it back (the comment is not read again after its insert).
        posted_at=clean.posted_at.astimezone(UTC) if clean.posted_at is not None else None,
        received_at=received_at, status="pending",
    )


def place_page(page: Page | None, clean: CommentInput, site_id: int | None,
               update_page: bool) -> Page:
    """Create the page on first sight (owned by the sending site); only its owner renames it.

    Any other key could otherwise retitle a page or point its link somewhere else.
    """
    if page is None:
        page = Page(slug=clean.page_slug, title=clean.page_title, url=clean.page_url,
                    site_id=site_id)
        db.session.add(page)
    elif (update_page and page.site_id is not None and page.site_id == site_id
          and (page.title, page.url) != (clean.page_title, clean.page_url)):
        page.title, page.url = clean.page_title, clean.page_url
    return page


def record_received(comment: Comment, site: Sender, source: str, page_slug: str) -> None:
    """Audit the arrival, then alert and open a safeguarding record if the comment needs it."""
    _audit_received(comment.id, _received_details(comment, site, source, page_slug))
    _after_arrival(comment)


def _received_details(comment: Comment, site: Sender, source: str,
                      page_slug: str) -> dict[str, Any]:
    """The `comment.received` event's details (all known before the comment is stored)."""
    return {
        "source": source, "site": site.name if site is not None else None,
        "external_id": comment.external_id, "page": page_slug,
        "after": {"status": comment.status, "urgency": comment.urgency, "topic": comment.topic,
                  "triaged": comment.triaged, "due_at": comment.due_at},
    }


def _after_arrival(comment: Comment) -> None:
    # After triage, in the same transaction: an urgent comment alerts the person on call.
    raise_urgent_alert(comment)
    # A comment the rules flag for safeguarding opens a record and tells the lead.
    open_if_flagged_by_rules(comment)


def _event_row(details: dict[str, Any]) -> dict[str, Any]:
    """The columns of a `comment.received` event but its target_id (the comment's id)."""
    row = event_columns(None, "comment.received", "comment", None, details)
    del row["target_id"]
    return {**row, "created_at": utcnow()}


@cache
def _audit_insert() -> Insert:
    return insert(AuditEvent.__table__)


def _audit_received(comment_id: int, details: dict[str, Any]) -> None:
    """The `comment.received` event in one prebuilt INSERT on the session's connection: the
    same transaction, without a unit-of-work flush at the commit."""
    db.session.connection().execute(_audit_insert(),
                                    {**_event_row(details), "target_id": comment_id})


def _page_for(clean: CommentInput, site_id: int | None, update_page: bool) -> Page:
    """The comment's page, created on first sight (another request may create it first)."""
    page = _find_page(clean.page_slug)
    if page is not None:
        return place_page(page, clean, site_id, update_page)
    try:
        with db.session.begin_nested():
            page = place_page(None, clean, site_id, update_page)
            db.session.flush()
    except IntegrityError:
        page = _find_page(clean.page_slug)
        if page is None:
            raise
    return page


@dataclass(frozen=True)
class PageFacts:
    """What intake needs of a page between requests (pages are never deleted)."""

    id: int
    site_id: int | None
    title: str
    url: str


def _page_id_for(clean: CommentInput, site_id: int | None, update_page: bool) -> int:
    """The page's id, read at most every INTAKE_CACHE_SECONDS per worker.

    Only a page found unchanged is remembered: one created or renamed by this request is not
    (its transaction may yet roll back), and a title or URL its owner changes is stored at once.
    """
    cache = app_cache("intake_pages")
    facts = cache.peek(clean.page_slug)
    renamed = facts is not None and (
        update_page and facts.site_id is not None and facts.site_id == site_id
        and (facts.title, facts.url) != (clean.page_title, clean.page_url))
    if facts is not None and not renamed:
        return facts.id
    page = _find_page(clean.page_slug)
    if page is None:
        return _page_for(clean, site_id, update_page).id  # first sight: created now
    place_page(page, clean, site_id, update_page)
    if page in db.session.dirty:  # renamed now
        cache.forget(clean.page_slug)
    else:
        cache.put(clean.page_slug, PageFacts(page.id, page.site_id, page.title, page.url))
    return page.id


@cache
def _column_defaults() -> tuple[tuple[str, Any], ...]:
    """(attribute, default) of every column but the id, read once per process.

    Intake sends the columns it left unset too, with the model's own defaults, so the INSERT
    returns nothing but the id: each column returned costs the driver work on every comment.
    """
    defaults = []
    for attr in inspect(Comment).column_attrs:
        column = attr.columns[0]
        if attr.key != column.name:
            raise TypeError(f"Comment.{attr.key} is stored as {column.name}")
        if column.primary_key:
            continue
        default = column.default
        if (default is None and column.server_default is not None) or (
                default is not None and not (default.is_scalar or default.is_callable)):
            # Sending NULL would override the database's default: give it a Python one.
            raise TypeError(f"Comment.{attr.key}: intake cannot compute its default")
        defaults.append((attr.key, default))
    return tuple(defaults)


def _default_value(default: Any) -> Any:
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


@cache
def _insert_statement(dialect: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect."""
    table = Comment.__table__
    return UPSERT_INSERTS[dialect](table).on_conflict_do_nothing().returning(table.c.id)


@cache
def _insert_with_event() -> Insert:
    """PostgreSQL: the comment's INSERT … ON CONFLICT DO NOTHING and its `comment.received`
    event in one statement (a data-modifying WITH), so storing costs one round trip; a
    comment already stored inserts neither and returns no row."""
    comments, events = Comment.__table__, AuditEvent.__table__
    stored = (postgresql.insert(comments)
              .values({name: bindparam(name, type_=comments.c[name].type)
                       for name, _default in _column_defaults()})
              .on_conflict_do_nothing().returning(comments.c.id).cte("stored"))
    names = list(_event_row({}))
    return (insert(events)
            .from_select([*names, "target_id"], select(
                *(bindparam(f"event_{name}", type_=events.c[name].type) for name in names),
                stored.c.id))
            .returning(events.c.target_id))


def _insert_unless_stored(comment: Comment, details: dict[str, Any]) -> bool:
    """Store a new comment and its `comment.received` event (details); False when a comment
    with its (site, external_id) is already stored. This replaces a SELECT, a SAVEPOINT and
    its RELEASE: the unique indexes decide races between workers. Every column is sent, so
    only the id comes back, and the comment becomes persistent without a second pass over
    its attributes."""
    comment.refresh_queue_rank()  # the ORM's before_insert hook does not see this statement
    state = comment.__dict__
    values = {}
    for key, default in _column_defaults():
        if key not in state:
            set_committed_value(comment, key, _default_value(default))
        values[key] = state[key]
    # On the session's connection: the same transaction, without the ORM's execute events
    # (the rollups listen for bulk UPDATE and DELETE only).
    connection = db.session.connection()
    together = connection.dialect.name == "postgresql"
    if together:
        values.update({f"event_{name}": value for name, value in _event_row(details).items()})
        row = connection.execute(_insert_with_event(), values).first()
    else:  # SQLite has no INSERT inside WITH; its statements cost no round trip anyway
        row = connection.execute(_insert_statement(connection.dialect.name), values).first()
    if row is None:
        return False
    set_committed_value(comment, "id", row[0])
    make_transient_to_detached(comment)  # as if just loaded: no history, nothing to flush
    db.session.add(comment)
    count_received(comment)  # nor does the ORM's after_insert hook that counts the others
    if not together:
        _audit_received(comment.id, details)
    return True


def _follow_up_root(clean: CommentInput, site_id: int | None) -> int | Comment | None:
    """thread_root, except that a retry of a stored follow-up gets the stored comment back."""
    try:
        return thread_root(clean.in_reply_to, clean.page_slug)
    except IntakeError:
        existing = find_comment(site_id, clean.external_id)
        if existing is None:
            raise
        return existing


def receive_comment(
    data: Any,
    site: Sender,
    *,
    source: str = "api",
    update_page: bool = True,
    policy: ServicePolicy | None = None,
) -> IntakeResult:
    """Validate, de-duplicate, triage and store one comment (flushed; the caller commits)."""
    clean = validate_comment(data)
    site_id = site.id if site is not None else None
    policy = policy or cached_policy()
    for _attempt in range(3):
        root = _follow_up_root(clean, site_id)
        if isinstance(root, Comment):
            return IntakeResult(root, created=False)
        comment = new_comment(clean, site_id, utcnow())
        comment.in_reply_to_id = root
        triage_comments([comment], policy)
        comment.page_id = _page_id_for(clean, site_id, update_page)
        if _insert_unless_stored(comment, _received_details(comment, site, source,
                                                            clean.page_slug)):
            _after_arrival(comment)
            return IntakeResult(comment, created=True)
        existing = find_comment(site_id, clean.external_id)
        if existing is not None:
            return IntakeResult(existing, created=False)
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


