"""Redacting parts of a comment before it is published.

A redaction is a [start, end) span of the comment's original body. The public page, the feed,
the API and exports of public text read `Comment.public_body`, where each span reads
"[removed]"; the original body is kept, and the back-office shows it only to supervisors.
Every redaction is audited. A new span that overlaps or touches an earlier one is merged with
it; a redaction that would leave nothing readable is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from models import Comment, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.replies import CommentGone, InvalidReply, ReplyConflict
from moderation.services.threads import NotAllowed

MAX_REDACTION_CHARS = 2000
# What is left must hold at least one letter or digit for the comment to mean anything.
READABLE = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class RedactionResult:
    """What a redaction did: the comment, the spans added, and whether any were merged."""

    comment: Comment
    added: list[list[int]]
    merged: bool


def merge_spans(spans: list[list[int]]) -> tuple[list[list[int]], bool]:
    """Sort and merge overlapping or touching spans; also say whether any were merged."""
    merged: list[list[int]] = []
    joined = False
    for start, end in sorted([list(span) for span in spans]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            joined = True
        else:
            merged.append([start, end])
    return merged, joined


def find_spans(body: str, text: str) -> list[list[int]]:
    """Every place `text` occurs in `body`, ignoring case and runs of white space."""
    words = text.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    return [[match.start(), match.end()] for match in pattern.finditer(body)]


def _covers_everything(body: str, spans: list[list[int]]) -> bool:
    left, position = [], 0
    for start, end in spans:
        left.append(body[position:start])
        position = end
    left.append(body[position:])
    return READABLE.search("".join(left)) is None


def redact(comment_id: int, user: User, text: str, *, expected_version: int | None = None,
           now: datetime | None = None) -> RedactionResult:
    """Redact every occurrence of `text` in the comment (audited); refuse what cannot be done."""
    now = now or utcnow()
    text = (text or "").strip()
    if not text:
        raise InvalidReply("Select or type the words to redact: nothing was given.")
    if len(text) > MAX_REDACTION_CHARS:
        raise InvalidReply(f"At most {MAX_REDACTION_CHARS:,} characters can be redacted at "
                           "once. Nothing was changed.")
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    if expected_version is not None and comment.version != expected_version:
        raise ReplyConflict("This comment changed since you opened it. Nothing was redacted: "
                            "look at it again, then redact.")
    if comment.status not in ("pending", "published"):
        raise ReplyConflict(f"This comment is {comment.status}; only a comment waiting for "
                            "an answer or published can be redacted.")
    found = find_spans(comment.body, text)
    if not found:
        raise InvalidReply(f"“{text[:80]}” is not in the comment as written (perhaps it was "
                           "already removed). Nothing was changed.")
    existing = [list(span) for span in (comment.redactions or [])]
    new_spans = [span for span in found if not any(
        s <= span[0] and span[1] <= e for s, e in existing)]
    if not new_spans:
        raise InvalidReply(f"“{text[:80]}” is already removed. Nothing was changed.")
    merged, joined = merge_spans(existing + new_spans)
    if _covers_everything(comment.body, merged):
        raise InvalidReply("This would remove the whole comment, leaving nothing to publish. "
                           "Nothing was redacted: reject the comment or close it without "
                           "publishing instead.")
    before = existing
    comment.redactions = merged
    try:
        db.session.flush()
    except StaleDataError as exc:  # the version-guarded UPDATE lost a race: the caller rolls back
        raise ReplyConflict("This comment changed just now. Nothing was redacted: look at "
                            "it again, then redact.") from exc
    record_event(user, "comment.redacted", "comment", comment.id,
                 before={"redactions": before}, after={"redactions": merged},
                 added=new_spans, merged=joined)
    return RedactionResult(comment=comment, added=new_spans, merged=joined)


def remove_redactions(comment_id: int, user: User) -> Comment:
    """A supervisor restores the original text of a pending comment (audited)."""
    if not user.is_supervisor:
        raise NotAllowed("Only a supervisor can restore redacted text.")
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None:
        raise CommentGone("This comment no longer exists.")
    if comment.status != "pending":
        raise ReplyConflict("Redactions can be undone only before the comment is published.")
    before = list(comment.redactions or [])
    comment.redactions = []
    db.session.flush()
    record_event(user, "comment.redactions_removed", "comment", comment.id,
                 before={"redactions": before}, after={"redactions": []})
    return comment
