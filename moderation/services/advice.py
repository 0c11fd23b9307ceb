"""What the person who posts is told: help for the red flags in her comment, and when we read it.

The same advice goes to the public page and into the API receipt, so the charity's website
can show exactly what the demo page shows. Every number comes from the signposting register
by key; if the register has lost an entry, the checked seed entry stands in, so the advice
never goes out without its numbers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from classifier import safety
from models import Comment, utcnow
from moderation.formatting import iso_utc
from moderation.services.availability import (
    describe_hours,
    describe_moment,
    next_read_at,
)
from moderation.services.cache import app_cache
from moderation.services.signposting import SEED_FILE, entries_by_key

log = logging.getLogger(__name__)

URGENT_LEVEL = "urgent"  # a red flag: get help now, before any reply
FULL_LEVEL = "full"  # the model failed or did not score: the whole help box for everyone
ROUTINE_LEVEL = "not_urgent"  # when to expect a reply, and one line of red flags

# Each category's message, in the order a person should read them, with the register keys
# it uses. The wording is this project's own, written from the clinical review's guidance.
CATEGORY_MESSAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    safety.THIRD_PARTY: (
        "If someone else may be about to end their life or is in danger",
        "Please call 999 for them now and say where they are. If you can't reach them, ask "
        "the police for a welfare check. For advice on how to help them, call NHS 111 and "
        "choose the mental health option, or talk to Samaritans.",
        ("emergency_999", "nhs_111_mental_health", "samaritans"),
    ),
    safety.MENTAL_HEALTH: (
        "If you are thinking about ending your life",
        "If you might act on these thoughts, or you have already hurt yourself or taken "
        "something, call 999 or go to A&E now. For urgent mental health help at any time, call "
        "NHS 111 and choose the mental health option. You can talk to Samaritans, free, day or "
        "night, or text SHOUT if writing is easier than talking.",
        ("emergency_999", "nhs_111_mental_health", "nhs_24", "lifeline_ni", "samaritans",
         "shout"),
    ),
    safety.ABUSE: (
        "If someone at home is hurting, threatening or controlling you",
        "If you are in danger now, call 999. If speaking would put you at risk, stay on the "
        "line and press 55. The National Domestic Abuse Helpline is free and answers day and "
        "night. Replies on this page are public, so think about who could read them.",
        ("emergency_999", "silent_call_55", "domestic_abuse_helpline", "mens_advice_line"),
    ),
    safety.PHYSICAL: (
        "If you are bleeding heavily, feel faint or are in severe pain",
        "Call 999 or go to A&E now if you are soaking a pad in an hour or less, feel faint or "
        "dizzy, have severe pain, pain on one side or in the tip of your shoulder, chest pain "
        "or trouble breathing, or a high temperature and feel very unwell. If you are not sure, "
        "call NHS 111 at any time.",
        ("emergency_999", "nhs_111", "nhs_24"),
    ),
    safety.SAFEGUARDING: (
        "If you are under 18, or someone is controlling or hurting you",
        "If you are under 18, you can talk to Childline about anything, for free. If someone "
        "stops you seeing a doctor, takes your phone or money, or hurts you or your children, "
        "the National Domestic Abuse Helpline can help. In danger, call 999.",
        ("childline", "domestic_abuse_helpline", "emergency_999"),
    ),
}
# The "Get help now" box shown before posting, and to everyone when the model failed.
GET_HELP_CATEGORIES = (safety.PHYSICAL, safety.MENTAL_HEALTH, safety.ABUSE,
                       safety.SAFEGUARDING)
ROUTINE_RED_FLAGS = (
    "If things change before then, for example very heavy bleeding, feeling faint, severe pain "
    "or a high temperature, call 999 or NHS 111. If you feel you can't go on, call NHS 111 "
    "(mental health option) or Samaritans.",
    ("emergency_999", "nhs_111", "nhs_111_mental_health", "samaritans"),
)


@dataclass(frozen=True)
class RegisterRef:
    """The register details a message uses, as shown to the person."""

    key: str
    name: str
    phone: str | None
    text_number: str | None
    hours: str
    web_address: str | None

    @property
    def tel(self) -> str | None:
        """The tel: link target for the phone number."""
        digits = "".join(ch for ch in self.phone or "" if ch.isdigit())
        return f"tel:{digits}" if digits else None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form for the API."""
        return {"key": self.key, "name": self.name, "phone": self.phone, "tel": self.tel,
                "text_number": self.text_number, "hours": self.hours,
                "web_address": self.web_address}


@dataclass(frozen=True)
class AdviceMessage:
    """One block of advice: a heading, the text, and the services it names."""

    category: str
    title: str
    text: str
    register: list[RegisterRef]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form for the API."""
        return {"category": self.category, "title": self.title, "text": self.text,
                "register": [ref.to_json() for ref in self.register]}


@dataclass(frozen=True)
class Advice:
    """Everything the person is told after posting (or before, on the interstitial)."""

    level: str
    categories: list[str]
    next_read_at: datetime | None
    timing: str  # when a person will read the comment, in words
    messages: list[AdviceMessage] = field(default_factory=list)
    reply_by: datetime | None = None

    @property
    def urgent(self) -> bool:
        """True when the person should get help now, before any reply."""
        return self.level == URGENT_LEVEL

    @property
    def about_someone_else(self) -> bool:
        """True when the comment is about another person at risk."""
        return safety.THIRD_PARTY in self.categories

    def to_json(self) -> dict[str, Any]:
        """The `advice` object of the API receipt."""
        return {
            "level": self.level,
            "categories": list(self.categories),
            "next_read_at": iso_utc(self.next_read_at),
            "reply_by": iso_utc(self.reply_by),
            "timing": self.timing,
            "show_get_help_box": self.level != ROUTINE_LEVEL,
            "messages": [message.to_json() for message in self.messages],
        }


@lru_cache(maxsize=1)
def _seed_entries() -> dict[str, dict[str, Any]]:
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return {item["key"]: item for item in data["entries"]}


def _register_refs() -> dict[str, RegisterRef]:
    """The register entries advice names, as plain values.

    Read again at most every INTAKE_CACHE_SECONDS per worker (every intake answer carries
    advice); a worker that changes an entry drops its copy at once, the others within that.
    """
    def load() -> dict[str, RegisterRef]:
        return {entry.key: RegisterRef(entry.key, entry.name, entry.phone, entry.text_number,
                                       entry.hours, entry.web_address)
                for entry in entries_by_key(_all_keys()).values()}

    return app_cache("signposting_refs").get("refs", load)


def _ref(key: str, entries: dict[str, RegisterRef]) -> RegisterRef | None:
    ref = entries.get(key)
    if ref is not None:
        return ref
    seed = _seed_entries().get(key)
    if seed is None:
        return None
    log.warning("Signposting entry %r is missing from the register; using the seed copy", key)
    return RegisterRef(key, seed["name"], seed.get("phone"), seed.get("text_number"),
                       seed.get("hours", ""), seed.get("web_address"))


def _messages(categories: list[str], entries: dict[str, RegisterRef]) -> list[AdviceMessage]:
    messages = []
    for category, (title, text, keys) in CATEGORY_MESSAGES.items():
        if category in categories:
            refs = [ref for key in keys if (ref := _ref(key, entries)) is not None]
            messages.append(AdviceMessage(category, title, text, refs))
    return messages


def _all_keys() -> list[str]:
    keys = {key for _, _, ks in CATEGORY_MESSAGES.values() for key in ks}
    return sorted(keys | set(ROUTINE_RED_FLAGS[1]))


def _timing(now: datetime) -> tuple[datetime | None, str]:
    try:
        moment = next_read_at(now)
    except ValueError:  # a policy with no working days: say so rather than fail
        return None, "We can't say when a midwife will next read comments."
    if moment == now:  # staffed now (staffed_at, without asking the rota twice)
        return moment, ("A midwife will try to read your comment within the hour, but please "
                        "get help now.")
    return moment, (f"Our midwives are not working now: the next time someone will read your "
                    f"comment is {describe_moment(moment, now)}.")


def build_advice(urgency: str, categories: list[str], scored: bool, *,
                 now: datetime | None = None, reply_by: datetime | None = None) -> Advice:
    """Advice for a comment of this urgency with these red-flag categories."""
    now = now or utcnow()
    entries = _register_refs()
    moment, timing = _timing(now)
    if urgency == "urgent":
        # A model-only urgent has no category: give every route rather than guess one.
        shown = categories if any(c != safety.SAFEGUARDING for c in categories) else [
            *GET_HELP_CATEGORIES]
        return Advice(URGENT_LEVEL, categories, moment, timing, _messages(shown, entries),
                      reply_by)
    # Not urgent: "within the hour" would be a promise the service does not make.
    if reply_by is not None:
        timing = (f"A midwife will read your comment by {describe_moment(reply_by, now)} and "
                  "reply here.")
    else:
        timing = f"Our midwives read comments {describe_hours()}."
    if not scored:
        return Advice(FULL_LEVEL, categories, moment, timing,
                      _messages([*GET_HELP_CATEGORIES, *categories], entries), reply_by)
    text, keys = ROUTINE_RED_FLAGS
    messages = [AdviceMessage("red_flags", "If things change", text,
                              [ref for key in keys if (ref := _ref(key, entries))])]
    # A safeguarding flag on a non-urgent comment still gets its own routes.
    messages = _messages([c for c in categories if c == safety.SAFEGUARDING], entries) + messages
    return Advice(ROUTINE_LEVEL, categories, moment, timing, messages, reply_by)


def advice_for_comment(comment: Comment, now: datetime | None = None) -> Advice:
    """The advice for a stored comment, from its urgency, red-flag categories and scoring."""
    return build_advice(comment.urgency, list(comment.red_flag_categories or []),
                        bool(comment.triaged), now=now, reply_by=comment.due_at)


def preview_advice(body: str, now: datetime | None = None) -> Advice | None:
    """Advice to show before a comment is accepted, when a red-flag rule fires on it."""
    hits = safety.check(body or "")
    if not hits:
        return None
    categories = safety.categories(hits)
    urgency = "urgent" if safety.urgent_hits(hits) else "routine"
    return build_advice(urgency, categories, True, now=now)


def get_help_box(now: datetime | None = None) -> dict[str, Any]:
    """The hours and the short "Get help now" box shown above the form."""
    entries = _register_refs()
    return {"hours": describe_hours(), "messages": _messages([*GET_HELP_CATEGORIES], entries)}
