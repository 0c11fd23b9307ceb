"""The safety layer's vocabulary: categories of help, a rule, a hit, and regex helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_FLAGS = 0  # every pattern runs on lower-cased text
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'",
        # every whitespace character becomes a plain space (same length, so offsets hold)
        **{chr(c): " " for c in range(0x3001) if chr(c).isspace() and c != 0x20},
    }
)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _FLAGS)


def _alts(*parts: str) -> tuple[str, ...]:
    return parts


# --------------------------------------------------------------------------- categories

# What kind of help the person needs; the public advice, the API and the reply snippets are
# chosen by these names (the labelling guide's "Additions after the clinical review").
PHYSICAL = "physical_emergency"
MENTAL_HEALTH = "mental_health_crisis"
ABUSE = "abuse"
THIRD_PARTY = "third_party_risk"
SAFEGUARDING = "safeguarding"
CATEGORIES: tuple[str, ...] = (PHYSICAL, MENTAL_HEALTH, ABUSE, THIRD_PARTY, SAFEGUARDING)



@dataclass(frozen=True)
class SafetyHit:
    """One fired safety rule, with the exact text it matched in the comment."""

    rule: str
    description: str
    matched: str
    start: int
    end: int
    also: tuple[str, ...] = ()
    category: str = PHYSICAL
    raises: bool = True  # False for a safeguarding-only flag, which never changes urgency

    def reason(self) -> str:
        """A short sentence a midwife can read."""
        extra = "".join(f' + "{text}"' for text in self.also)
        return f'safety rule {self.rule} ({self.description}): "{self.matched}"{extra}'

    def plain_reason(self) -> str:
        """The red flag in plain words, then the comment's own words that raised it."""
        extra = "".join(f" + '{text}'" for text in self.also)
        return f"{self.description}: '{self.matched}'{extra}"

    def to_dict(self) -> dict[str, object]:
        """The structured form of the hit."""
        return {
            "kind": "safety",
            "rule": self.rule,
            "description": self.description,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "also": list(self.also),
            "category": self.category,
            "raises": self.raises,
        }


@dataclass(frozen=True)
class Rule:
    """A red flag: patterns, exclusions around a match, and which context checks apply."""

    name: str
    description: str
    patterns: tuple[str, ...]  # alternatives, matched against the lower-cased comment
    exclude_before: re.Pattern[str] | None = None  # tested on the 40 chars before the match
    exclude_after: re.Pattern[str] | None = None  # tested on the 40 chars after the match
    exclude_sentence: re.Pattern[str] | None = None  # tested on the whole sentence
    hypothetical: bool = True  # "if …", "signs of …" cancel a match
    future: bool = True  # "will I …", "worried I'll …" cancel a match
    requires: tuple[str, ...] = field(default_factory=tuple)  # helper concepts also present now
    past: bool = True  # a finished story ("last year …", "… all fine now") cancels a match
    validate: Callable[[re.Match[str]], bool] | None = None  # extra check on the match
    category: str = PHYSICAL  # which advice the person needs (see CATEGORIES)
    raises: bool = True  # False: a safeguarding flag that goes with any urgency


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str
