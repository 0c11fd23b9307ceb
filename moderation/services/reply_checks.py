"""The checks a reply passes before it leaves: text, emergency route, snippet, reasons.

Also the errors every answering action raises (shown to the midwife as they are).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from models import Comment, SnippetVersion, User, db
from moderation.services.signposting import entries_by_key, missing_keys
from moderation.services.snippets import PLACEHOLDER_PATTERN, PLACEHOLDERS, unfilled_blanks

MAX_REPLY_CHARS = 5000
MIN_REASON_CHARS = 3
MAX_REASON_CHARS = 500


class ReplyError(Exception):
    """An action on a comment was refused; str(exc) is the message, `status` the HTTP code."""

    status = 422


class InvalidReply(ReplyError):
    """What the midwife typed cannot be sent as it is (empty, too long, blanks left...)."""

    status = 422


class EmergencyRouteMissing(InvalidReply):
    """A reply to an urgent comment names no emergency route, and no override was given."""


class ReplyConflict(ReplyError):
    """The comment changed or is someone else's: nothing was changed."""

    status = 409


class CommentGone(ReplyError):
    """The comment does not exist."""

    status = 404


# --- Checks ----------------------------------------------------------------------------------

def normalise_body(body: str | None) -> str:
    """Unify line endings and trim the ends; the midwife's words are otherwise kept as typed."""
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def reply_problems(body: str) -> list[str]:
    """Return what stops this text being published, in words the midwife can act on."""
    if not body:
        return ["The reply is empty. Write a reply or insert a snippet."]
    problems = []
    if len(body) > MAX_REPLY_CHARS:
        problems.append(f"The reply is {len(body):,} characters long; the most a reply can "
                        f"be is {MAX_REPLY_CHARS:,}. Please shorten it by "
                        f"{len(body) - MAX_REPLY_CHARS:,} characters.")
    blanks = unfilled_blanks(body)
    if blanks:
        listed = "; ".join(f"[[{blank}]]" for blank in blanks)
        problems.append(f"Fill in the {'blank' if len(blanks) == 1 else f'{len(blanks)} blanks'}"
                        f" before publishing: {listed}")
    elif "[[" in body or "]]" in body:
        problems.append("Part of a blank is left in the reply: remove the leftover [[ or ]].")
    unknown = missing_keys(body)
    if unknown:
        problems.append("These services are not in the signposting register: "
                        + ", ".join(unknown) + ". Remove them or ask a supervisor to add them.")
    left = sorted({name for name in PLACEHOLDER_PATTERN.findall(body) if name in PLACEHOLDERS})
    if left:
        names = ", ".join("{" + name + "}" for name in left)
        problems.append(f"Replace {names} with the words to send.")
    if "\x00" in body:
        # PostgreSQL cannot store it; it is never meant (a paste from a broken document).
        problems.append("The reply contains a NUL character (an invisible code): delete it "
                        "and try again.")
    return problems


# Words that name a way to emergency care whatever the category (999, A&E, NHS 111).
_EMERGENCY_WORDS = re.compile(
    r"(?<!\d)999(?!\d)|(?<!\d)111(?!\d)|\ba ?& ?e\b|\baccident and emergency\b|"
    r"\bemergency department\b", re.IGNORECASE)
EMERGENCY_ROUTE_MISSING = (
    "This comment is urgent, and the reply names no emergency route: 999, A&E, NHS 111, or a "
    "service from the signposting register for {what}. Add one, or publish anyway with a "
    "reason (it is recorded)."
)


def emergency_route_named(body: str, categories: list[str]) -> bool:
    """Tell whether a reply names 999, A&E, NHS 111 or a register service for these categories."""
    if _EMERGENCY_WORDS.search(body):
        return True
    wanted = set(categories) or {"physical_emergency", "mental_health_crisis", "abuse",
                                 "third_party_risk"}
    digits = re.sub(r"\D", "", body)
    names = body.lower()
    for entry in entries_by_key().values():
        if not wanted & set(entry.categories):
            continue
        for number in (entry.phone, entry.text_number):
            if number and re.sub(r"\D", "", number) in digits:
                return True
        if f"{{{{register:{entry.key}}}}}" in body or entry.name.lower() in names:
            return True
    return False


def check_emergency_route(comment: Comment, user: User, text: str,
                           override_reason: str | None) -> str | None:
    """Refuse a reply to an urgent comment without an emergency route, unless overridden."""
    if comment.urgency != "urgent":
        return None
    categories = list(comment.red_flag_categories or [])
    if emergency_route_named(text, categories):
        return None
    if not (override_reason or "").strip():
        what = ", ".join(c.replace("_", " ") for c in categories) or "an emergency"
        raise EmergencyRouteMissing(EMERGENCY_ROUTE_MISSING.format(what=what))
    return check_reason(override_reason)


def check_snippet_used(snippet_id: int | None, snippet_version: int | None) -> None:
    """The snippet a reply records must be an approved version of a real snippet."""
    if snippet_id is None:
        return
    in_range = all(value is not None and 0 < value < 2**31 for value in (snippet_id,
                                                                          snippet_version))
    status = db.session.scalar(
        select(SnippetVersion.status).where(SnippetVersion.snippet_id == snippet_id,
                                            SnippetVersion.version == snippet_version)
    ) if in_range else None
    if status is None:
        raise InvalidReply("The snippet this reply says it started from does not exist. "
                           "Nothing was published: open the comment again (copy your text first).")
    if status != "approved":
        raise InvalidReply("This snippet version is a draft waiting for a second clinician's "
                           "approval, so it cannot be sent. Nothing was published: insert the "
                           "approved snippet instead (copy your text first).")


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise InvalidReply(f"Give a reason ({MIN_REASON_CHARS} to {MAX_REASON_CHARS} "
                           "characters) so colleagues know why.")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidReply(f"The reason can be at most {MAX_REASON_CHARS} characters "
                           f"(it has {len(reason)}).")
    if "\x00" in reason:
        raise InvalidReply("The reason contains a NUL character (an invisible code): delete "
                           "it and try again.")
    return reason


