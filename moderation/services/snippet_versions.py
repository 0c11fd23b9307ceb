"""A snippet's versions: the history page, and how sent replies differ from the version used."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Reply, SnippetVersion, db
from moderation.services.snippets import fill_placeholders


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: kind is 'add', 'del', 'hunk' or 'same'."""

    kind: str
    text: str


@dataclass(frozen=True)
class ReplyDiff:
    """How a sent reply differs from the snippet version it started from."""

    reply: Reply
    version: int | None
    lines: list[DiffLine]

    @property
    def unchanged(self) -> bool:
        return not any(line.kind in ("add", "del") for line in self.lines)


def reply_diff(reply: Reply) -> ReplyDiff | None:
    """Diff a reply against its snippet version, with that version's placeholders filled."""
    if reply.snippet_id is None or reply.snippet_version is None:
        return None
    # Through the snippet's versions: loaded once for all the replies on its history page.
    version = next((v for v in reply.snippet.versions if v.version == reply.snippet_version),
                   None)
    if version is None:
        return None
    # Compare with the text as inserted for this comment, so names are not counted as edits.
    inserted = fill_placeholders(version.body, reply.comment, reply.midwife)
    lines = diff_lines(inserted, reply.body, f"snippet v{version.version}", "sent reply")
    return ReplyDiff(reply=reply, version=version.version, lines=lines)


def replies_using(snippet_id: int, limit: int = 50) -> list[Reply]:
    """Return the newest published replies that started from this snippet."""
    return list(db.session.scalars(
        select(Reply).where(Reply.snippet_id == snippet_id, Reply.is_published)
        .options(selectinload(Reply.comment), selectinload(Reply.midwife))
        .order_by(Reply.published_at.desc()).limit(limit)
    ))


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[DiffLine]:
    """A unified diff of two texts, line by line, for the templates."""
    raw = difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_name,
                               tofile=new_name, lineterm="", n=1)
    lines = []
    for line in raw:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("del", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines


def draft_diff(draft: SnippetVersion) -> list[DiffLine]:
    """How a draft differs from the live text (all added when nothing is live yet)."""
    snippet = draft.snippet
    live = snippet.body if snippet.approved_at is not None else ""
    return diff_lines(live, draft.body, f"live v{snippet.version}", f"draft v{draft.version}")
