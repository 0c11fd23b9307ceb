"""Snippet change control: a draft goes live only when a second clinician approves it.

A new snippet or a changed text is a draft version (services/snippets.py keeps it); a
supervisor other than its author, or a member of staff marked "clinical approver", approves
it, and only then does the composer offer it. Approvers hear of a waiting draft by email
through the outbox, and see it on the approvals page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from models import Snippet, SnippetReference, SnippetVersion, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.outbox import OutboxError, enqueue_email, staff_link
from moderation.services.snippets import (
    SnippetError,
    SnippetInput,
    create_snippet,
    next_position,
    update_snippet,
)
from moderation.services.users import set_duty

MAX_REFERENCE_TITLE = 300
MAX_REFERENCE_URL = 500


class ApprovalRefused(SnippetError):
    """This person may not approve this version (hers, or not a clinical approver)."""


def approvers(excluding: int | None = None) -> list[User]:
    """Active staff who may approve snippet changes: supervisors and clinical approvers."""
    query = select(User).where(User.active.is_(True),
                               or_(User.role == "supervisor", User.clinical_approver.is_(True)))
    if excluding is not None:
        query = query.where(User.id != excluding)
    return list(db.session.scalars(query.order_by(User.name)))


def pending_drafts() -> list[SnippetVersion]:
    """Every snippet version waiting for a second clinician, oldest first."""
    return list(db.session.scalars(
        select(SnippetVersion).options(joinedload(SnippetVersion.snippet),
                                       joinedload(SnippetVersion.created_by))
        .where(SnippetVersion.status == "draft")
        .order_by(SnippetVersion.created_at, SnippetVersion.id)))


def can_approve(user: User, version: SnippetVersion) -> bool:
    """Tell whether `user` may approve this draft (a clinician who did not write it)."""
    return (version.status == "draft" and user.approves_snippets
            and version.created_by_id != user.id)


def _notify_approvers(snippet: Snippet, draft: SnippetVersion, author: User) -> int:
    """Email every approver but the author that a draft waits; return how many were queued."""
    link = staff_link("snippets.approvals")
    body = (f"{author.name} drafted version {draft.version} of the snippet "
            f"\u201c{draft.title}\u201d. It is not offered to midwives until a second "
            f"clinician approves it.\n\nReview it: {link}\n")
    queued = 0
    for person in approvers(excluding=author.id):
        try:
            enqueue_email("snippet_draft", person.email, "A snippet change waits for approval",
                          body, f"snippet-draft:{draft.id}:{person.id}", user_id=person.id)
        except OutboxError:
            continue  # an unusable address on one account must not lose the draft
        queued += 1
    return queued


def draft_new_snippet(key: str, data: SnippetInput, actor: User) -> Snippet:
    """Create a snippet as a draft and tell the approvers."""
    snippet = create_snippet(key, data, actor)
    _notify_approvers(snippet, _draft_of(snippet), actor)
    return snippet


def draft_snippet_change(snippet_id: int, data: SnippetInput, actor: User, *,
                         expected_version: int | None) -> tuple[Snippet, SnippetVersion | None]:
    """Save an edit; a changed text becomes a draft the approvers hear of. Returns the draft."""
    before = _draft_id(snippet_id)
    snippet = update_snippet(snippet_id, data, actor, expected_version=expected_version)
    draft = _draft_of(snippet)
    if draft is not None and draft.id != before:
        _notify_approvers(snippet, draft, actor)
        return snippet, draft
    return snippet, None


def _draft_of(snippet: Snippet) -> SnippetVersion | None:
    return db.session.scalar(select(SnippetVersion).where(
        SnippetVersion.snippet_id == snippet.id, SnippetVersion.status == "draft"))


def _draft_id(snippet_id: int) -> int | None:
    return db.session.scalar(select(SnippetVersion.id).where(
        SnippetVersion.snippet_id == snippet_id, SnippetVersion.status == "draft"))


def _waiting_version(snippet_id: int, version: int) -> SnippetVersion:
    found = db.session.scalar(select(SnippetVersion).where(
        SnippetVersion.snippet_id == snippet_id, SnippetVersion.version == version))
    if found is None:
        raise SnippetError("This snippet version does not exist.")
    if found.status != "draft":
        raise SnippetError(f"Version {version} is not waiting for approval (it is "
                           f"{found.status}). Nothing was changed.")
    return found


def approve_version(snippet_id: int, version: int, approver: User,
                    now: datetime | None = None) -> Snippet:
    """A second clinician approves a draft: it becomes the text the composer offers."""
    now = now or utcnow()
    draft = _waiting_version(snippet_id, version)
    if draft.created_by_id == approver.id:
        raise ApprovalRefused("You drafted this version, so you cannot approve it: a second "
                              "clinician (another supervisor or a clinical approver) must.")
    if not approver.approves_snippets:
        raise ApprovalRefused("Only a supervisor or a clinical approver can approve a snippet "
                              "change.")
    snippet = draft.snippet
    before = {"version": snippet.version, "approved_at": snippet.approved_at}
    draft.status, draft.approved_by_id, draft.approved_at = "approved", approver.id, now
    if draft.topic != snippet.topic:
        snippet.position = next_position(draft.topic)
    snippet.title, snippet.topic, snippet.body = draft.title, draft.topic, draft.body
    snippet.version, snippet.approved_at = draft.version, now
    snippet.updated_at, snippet.updated_by_id = now, approver.id
    db.session.flush()
    record_event(approver, "snippet.approved", "snippet", snippet.id, before=before,
                 after={"version": draft.version, "approved_at": now},
                 drafted_by_id=draft.created_by_id)
    return snippet


def discard_draft(snippet_id: int, version: int, actor: User) -> Snippet:
    """Withdraw a draft without approving it; the live text (if any) stays as it is."""
    draft = _waiting_version(snippet_id, version)
    if not (actor.approves_snippets or actor.id == draft.created_by_id):
        raise ApprovalRefused("Only its author, a supervisor or a clinical approver can "
                              "discard a draft.")
    draft.status = "withdrawn"
    snippet = draft.snippet
    if snippet.approved_at is None:
        snippet.active = False  # never live: nothing is left to offer
    db.session.flush()
    record_event(actor, "snippet.draft_discarded", "snippet", snippet.id, version=version)
    return snippet


# --- References ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReferenceInput:
    """A guidance document a snippet rests on."""

    title: str
    url: str | None
    checked_on: date | None


def add_reference(snippet_id: int, data: ReferenceInput, actor: User) -> SnippetReference:
    """List a reference (guidance, optional link, date checked) under a snippet."""
    snippet = db.session.get(Snippet, snippet_id)
    if snippet is None:
        raise SnippetError("This snippet no longer exists.")
    title = (data.title or "").strip()
    url = (data.url or "").strip() or None
    if not title or len(title) > MAX_REFERENCE_TITLE:
        raise SnippetError(f"Name the guidance (1 to {MAX_REFERENCE_TITLE} characters).",
                           "ref_title")
    if url is not None and (len(url) > MAX_REFERENCE_URL
                            or not url.startswith(("https://", "http://"))):
        raise SnippetError("The link must start with https:// (at most "
                           f"{MAX_REFERENCE_URL} characters), or be left empty.", "ref_url")
    if data.checked_on is None or data.checked_on > utcnow().date():
        raise SnippetError("Give the date the guidance was checked (not in the future).",
                           "ref_checked_on")
    reference = SnippetReference(snippet_id=snippet.id, title=title, url=url,
                                 checked_on=data.checked_on, added_by_id=actor.id)
    db.session.add(reference)
    db.session.flush()
    record_event(actor, "snippet.reference_added", "snippet", snippet.id,
                 after={"title": title, "url": url, "checked_on": data.checked_on})
    return reference


def remove_reference(reference_id: int, actor: User) -> Snippet:
    """Take a reference off a snippet (audited)."""
    reference = db.session.get(SnippetReference, reference_id)
    if reference is None:
        raise SnippetError("This reference no longer exists.")
    snippet = reference.snippet
    record_event(actor, "snippet.reference_removed", "snippet", snippet.id,
                 before={"title": reference.title, "url": reference.url,
                         "checked_on": reference.checked_on})
    db.session.delete(reference)
    db.session.flush()
    return snippet


def set_clinical_approver(user_id: int, actor: User, approver: bool) -> User:
    """A supervisor lets a member of staff approve snippet changes, or stops it (audited)."""
    return set_duty(user_id, actor, "clinical_approver", approver,
                    "user.clinical_approver_changed",
                    refused=ApprovalRefused("Only a supervisor can name clinical approvers."),
                    missing=SnippetError("This account does not exist."))
