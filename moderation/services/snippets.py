"""The snippet library: suggestions for a comment, placeholders and blanks, versions and diffs.

A snippet body may hold two kinds of gaps:
- placeholders `{first_name}` and `{signature}`, filled automatically on insertion;
- blanks like `[[how many weeks since the loss]]`, which the midwife must fill herself
  (publishing is refused while any is left).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from classifier.labels import TOPICS, URGENT
from models import Comment, Reply, Snippet, SnippetVersion, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.signposting import REGISTER_REF, missing_keys, render_register_refs

# The snippets offered first for an urgent comment, chosen by the red-flag category that fired
# (the clinical review replaced the single urgent-care snippet with these three).
URGENT_SNIPPETS = {
    "physical_emergency": "urgent_physical",
    "mental_health_crisis": "urgent_mental_health",
    "third_party_risk": "urgent_mental_health",
    "abuse": "urgent_abuse",
}
URGENT_CARE_KEY = "urgent_physical"  # offered when the model alone said urgent
PLACEHOLDERS = ("first_name", "signature")
# Said instead of a name when the author gave none, or a name that is not one.
FIRST_NAME_FALLBACK = "there"
NOT_A_NAME = {"anonymous", "anon", "anonymous user", "guest", "unknown", "none", "n/a", "na"}
MAX_SNIPPET_CHARS = 5000
MAX_TITLE_CHARS = 200
MAX_OWNER_CHARS = 200

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}\n]*)\}")
# Letters (any script), optionally joined by hyphens or apostrophes: Zoë, Mary-Jane, O'Neill.
NAME_PATTERN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
BLANK_PATTERN = re.compile(r"\[\[([^\[\]\n]*)\]\]")


class SnippetError(ValueError):
    """A snippet change was refused; str(exc) is the message to show, `field` the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SnippetInput:
    """The editable fields of a snippet, as a supervisor submits them."""

    title: str
    topic: str | None
    body: str
    clinical_owner: str = ""
    review_by: date | None = None


# --- Placeholders and blanks -----------------------------------------------------------------

def author_first_name(author_name: str | None) -> str:
    """Return the name to greet the author by, or a kind fallback when there is none."""
    name = (author_name or "").strip()
    if not name or name.lower() in NOT_A_NAME:
        return FIRST_NAME_FALLBACK
    first = name.split()[0].strip(".,;:!?\"'()")
    # Handles such as "mum2be", an email address or markup are not names to greet someone by.
    if first.lower() in NOT_A_NAME or not NAME_PATTERN.fullmatch(first):
        return FIRST_NAME_FALLBACK
    if first.islower() or first.isupper():
        # "sarah" or "SARAH" -> "Sarah"; "mary-jane" -> "Mary-Jane"; "McKenzie" stays as typed.
        first = "-".join(part[:1].upper() + part[1:].lower() for part in first.split("-"))
    return first


def signature_for(midwife: User) -> str:
    """Return how a midwife signs her replies."""
    return (midwife.display_name or "").strip() or midwife.name


def fill_placeholders(body: str, comment: Comment, midwife: User) -> str:
    """Fill `{first_name}`, `{signature}` and `{{register:key}}` (the register's current
    details); leave any other text, braces included, alone."""
    values = {"first_name": author_first_name(comment.author_name),
              "signature": signature_for(midwife)}
    body = render_register_refs(body)
    return PLACEHOLDER_PATTERN.sub(
        lambda match: values.get(match.group(1), match.group(0)), body
    )


def unfilled_blanks(text: str) -> list[str]:
    """Return the labels of the `[[...]]` blanks still in the text, in order."""
    return [label.strip() or "(empty blank)" for label in BLANK_PATTERN.findall(text or "")]


def unknown_placeholders(body: str) -> list[str]:
    """Return the `{names}` in a snippet body that are not filled automatically."""
    found = PLACEHOLDER_PATTERN.findall(REGISTER_REF.sub("", body or ""))
    return sorted({name for name in found if name not in PLACEHOLDERS})


# --- Suggestions -----------------------------------------------------------------------------

def suggested_snippets(comment: Comment) -> list[Snippet]:
    """Active snippets for a comment: urgent care first if urgent, then its topic, then the rest."""
    snippets = list(db.session.scalars(
        select(Snippet).where(Snippet.active.is_(True))
        .order_by(Snippet.position.asc(), Snippet.id.asc())
    ))

    urgent_keys = urgent_snippet_keys(comment)

    def rank(snippet: Snippet) -> tuple[int, int, int]:
        if snippet.key in urgent_keys:
            group = 0
        elif is_first_choice(snippet, comment):
            group = 1
        else:
            group = 2
        return group, snippet.position, snippet.id

    return sorted(snippets, key=rank)


def urgent_snippet_keys(comment: Comment) -> list[str]:
    """The urgent snippets for this comment's red-flag categories (physical if none fired)."""
    if comment.urgency != URGENT:
        return []
    keys = [URGENT_SNIPPETS[c] for c in comment.red_flag_categories or [] if c in URGENT_SNIPPETS]
    return list(dict.fromkeys(keys)) or [URGENT_CARE_KEY]


def is_first_choice(snippet: Snippet, comment: Comment) -> bool:
    """Tell whether a snippet is among the first suggestions (urgent care or same topic)."""
    urgent_care = snippet.key in urgent_snippet_keys(comment)
    return urgent_care or (snippet.topic is not None and snippet.topic == comment.topic)


def insertable(snippet: Snippet, today: date | None = None) -> bool:
    """A snippet past its review date cannot be inserted until a supervisor re-reviews it."""
    return not snippet.review_overdue(today or utcnow().date())


def active_snippet_by_key(key: str) -> Snippet | None:
    """Return the active snippet with this key, if any."""
    return db.session.scalar(select(Snippet).where(Snippet.key == key, Snippet.active.is_(True)))


# --- Library ---------------------------------------------------------------------------------

def topic_choices() -> list[tuple[str, str]]:
    """The topics a snippet can be filed under, "" meaning any topic."""
    return [("", "Any topic")] + [(topic, topic_label(topic)) for topic in TOPICS]


def topic_label(topic: str | None) -> str:
    """Say a topic the way people read it."""
    return "Any topic" if not topic else topic.replace("_", " ").capitalize()


def snippet_library() -> list[tuple[str | None, list[Snippet]]]:
    """Return every snippet grouped by topic (any-topic first, then the label order)."""
    snippets = db.session.scalars(
        select(Snippet).order_by(Snippet.position.asc(), Snippet.id.asc())
    )
    groups: dict[str | None, list[Snippet]] = {topic: [] for topic in (None, *TOPICS)}
    for snippet in snippets:
        groups.setdefault(snippet.topic, []).append(snippet)
    return [(topic, items) for topic, items in groups.items() if items]


def overdue_snippets(today: date | None = None) -> list[Snippet]:
    """Return the active snippets past their clinical review date."""
    today = today or utcnow().date()
    return list(db.session.scalars(
        select(Snippet).where(Snippet.active.is_(True), Snippet.review_by < today)
        .order_by(Snippet.review_by.asc())
    ))


def _clean(data: SnippetInput) -> SnippetInput:
    """Validate and normalise submitted fields, raising SnippetError on the first problem."""
    title = (data.title or "").strip()
    body = (data.body or "").replace("\r\n", "\n").strip()
    topic = (data.topic or "").strip() or None
    owner = (data.clinical_owner or "").strip()
    if not title:
        raise SnippetError("Give the snippet a title.", "title")
    if len(title) > MAX_TITLE_CHARS:
        raise SnippetError(f"The title can be at most {MAX_TITLE_CHARS} characters.", "title")
    if topic is not None and topic not in TOPICS:
        raise SnippetError(f"Unknown topic {topic!r}: choose one of the labels.", "topic")
    if not body:
        raise SnippetError("The snippet text cannot be empty.", "body")
    if len(body) > MAX_SNIPPET_CHARS:
        raise SnippetError(
            f"The snippet text can be at most {MAX_SNIPPET_CHARS:,} characters "
            f"(it has {len(body):,}).", "body")
    unknown = unknown_placeholders(body)
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        raise SnippetError(
            f"Unknown placeholder {names}: only {{first_name}} and {{signature}} are filled in "
            "automatically. For something the midwife must fill in, use a blank like "
            "[[how many weeks since the loss]].", "body")
    unknown_keys = missing_keys(body)
    if unknown_keys:
        raise SnippetError(
            "Not in the signposting register: "
            + ", ".join("{{register:" + key + "}}" for key in unknown_keys)
            + ". Use a key from the register page, or add the service there first.", "body")
    if len(owner) > MAX_OWNER_CHARS:
        raise SnippetError(f"The clinical owner can be at most {MAX_OWNER_CHARS} characters.",
                           "clinical_owner")
    return SnippetInput(title=title, topic=topic, body=body, clinical_owner=owner,
                        review_by=data.review_by)


def _next_position(topic: str | None) -> int:
    current = db.session.scalar(select(func.max(Snippet.position)).where(_same_topic(topic)))
    return (current if current is not None else -1) + 1


def _same_topic(topic: str | None) -> Any:
    return Snippet.topic.is_(None) if topic is None else Snippet.topic == topic


def _snapshot(snippet: Snippet) -> dict[str, Any]:
    return {"title": snippet.title, "topic": snippet.topic, "body": snippet.body,
            "version": snippet.version, "active": snippet.active, "position": snippet.position,
            "clinical_owner": snippet.clinical_owner, "review_by": snippet.review_by}


def _add_version(snippet: Snippet, actor: User) -> None:
    db.session.add(SnippetVersion(snippet_id=snippet.id, version=snippet.version,
                                  title=snippet.title, topic=snippet.topic, body=snippet.body,
                                  created_by_id=actor.id))


def create_snippet(key: str, data: SnippetInput, actor: User) -> Snippet:
    """Add a snippet at version 1, at the end of its topic."""
    key = (key or "").strip().lower()
    if not KEY_PATTERN.match(key):
        raise SnippetError("The key must be 2 to 64 lower-case letters, digits, _ or -, "
                           "starting with a letter or digit (for example bleeding_duration).",
                           "key")
    if db.session.scalar(select(Snippet.id).where(Snippet.key == key)) is not None:
        raise SnippetError(f"A snippet with the key {key} already exists.", "key")
    clean = _clean(data)
    now = utcnow()
    snippet = Snippet(key=key, title=clean.title, topic=clean.topic, body=clean.body, version=1,
                      active=True, position=_next_position(clean.topic),
                      clinical_owner=clean.clinical_owner, review_by=clean.review_by,
                      created_at=now, updated_at=now, updated_by_id=actor.id)
    db.session.add(snippet)
    db.session.flush()
    _add_version(snippet, actor)
    db.session.flush()
    record_event(actor, "snippet.created", "snippet", snippet.id, before=None,
                 after=_snapshot(snippet))
    return snippet


def _get(snippet_id: int) -> Snippet:
    snippet = db.session.get(Snippet, snippet_id)
    if snippet is None:
        raise SnippetError("This snippet no longer exists.")
    return snippet


def update_snippet(snippet_id: int, data: SnippetInput, actor: User, *,
                   expected_version: int | None = None) -> Snippet:
    """Save an edit: a changed title, topic or text makes a new version; no change, none."""
    snippet = _get(snippet_id)
    if expected_version is not None and snippet.version != expected_version:
        raise SnippetError(
            f"Someone saved this snippet (now version {snippet.version}) while you were "
            "editing it. Your text is still below: compare it with the current version and "
            "save again.")
    clean = _clean(data)
    before = _snapshot(snippet)
    text_changed = (clean.title, clean.topic, clean.body) != (
        snippet.title, snippet.topic, snippet.body)
    meta_changed = (clean.clinical_owner, clean.review_by) != (
        snippet.clinical_owner, snippet.review_by)
    if not text_changed and not meta_changed:
        return snippet
    if clean.topic != snippet.topic:
        snippet.position = _next_position(clean.topic)
    snippet.title, snippet.topic, snippet.body = clean.title, clean.topic, clean.body
    snippet.clinical_owner, snippet.review_by = clean.clinical_owner, clean.review_by
    snippet.updated_at, snippet.updated_by_id = utcnow(), actor.id
    if text_changed:
        # Replies keep (snippet_id, version): the old text stays in SnippetVersion for diffs.
        snippet.version += 1
        db.session.flush()
        _add_version(snippet, actor)
    db.session.flush()
    record_event(actor, "snippet.updated", "snippet", snippet.id, before=before,
                 after=_snapshot(snippet), new_version=text_changed)
    return snippet


def retire_snippet(snippet_id: int, actor: User) -> Snippet:
    """Stop offering a snippet in the composer; it stays for history."""
    return _set_active(snippet_id, actor, active=False)


def restore_snippet(snippet_id: int, actor: User) -> Snippet:
    """Offer a retired snippet again, at the end of its topic."""
    return _set_active(snippet_id, actor, active=True)


def _set_active(snippet_id: int, actor: User, *, active: bool) -> Snippet:
    snippet = _get(snippet_id)
    if snippet.active == active:
        return snippet
    before = _snapshot(snippet)
    snippet.active = active
    if active:
        snippet.position = _next_position(snippet.topic)
    snippet.updated_at, snippet.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event(actor, "snippet.restored" if active else "snippet.retired", "snippet",
                 snippet.id, before=before, after=_snapshot(snippet))
    return snippet


def move_snippet(snippet_id: int, direction: str, actor: User) -> Snippet:
    """Move a snippet one place up or down among the snippets of its topic."""
    if direction not in ("up", "down"):
        raise SnippetError("Move a snippet up or down.")
    snippet = _get(snippet_id)
    siblings = list(db.session.scalars(
        select(Snippet).where(_same_topic(snippet.topic))
        .order_by(Snippet.position.asc(), Snippet.id.asc())
    ))
    index = siblings.index(snippet)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return snippet
    before = [s.key for s in siblings]
    siblings[index], siblings[target] = siblings[target], siblings[index]
    # Renumber the whole topic so equal or gapped positions can never make a move a no-op.
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.flush()
    record_event(actor, "snippet.moved", "snippet", snippet.id, direction=direction,
                 before={"order": before}, after={"order": [s.key for s in siblings]})
    return snippet


# --- History and diffs -----------------------------------------------------------------------

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
    raw = difflib.unified_diff(inserted.splitlines(), reply.body.splitlines(),
                               fromfile=f"snippet v{version.version}", tofile="sent reply",
                               lineterm="", n=1)
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
    return ReplyDiff(reply=reply, version=version.version, lines=lines)


def replies_using(snippet_id: int, limit: int = 50) -> list[Reply]:
    """Return the newest published replies that started from this snippet."""
    return list(db.session.scalars(
        select(Reply).where(Reply.snippet_id == snippet_id, Reply.published_at.is_not(None))
        .options(selectinload(Reply.comment), selectinload(Reply.midwife))
        .order_by(Reply.published_at.desc()).limit(limit)
    ))
