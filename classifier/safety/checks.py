"""Checks run on a rule's match that a regular expression cannot express (counts, weeks)."""

from __future__ import annotations

import re

_NOT_PREGNANT_NOW = re.compile(
    r"\b(?:not|never|hoping|hope|trying|try|want|wanting|wanted|planning|plan|scared|afraid|"
    r"terrified|desperate|ready|going|get|getting|fall|falling|become|becoming|to be|was|were|"
    r"n't|nt)\b"
)

_FOUND_OUT = re.compile(r"^(?:just )?found out (?:i|she) (?:was|am|is|'m)")


def _pregnant_now(m: re.Match[str]) -> bool:
    """'I'm 7 weeks pregnant' but not 'I'm hoping to be pregnant' or 'I was pregnant'."""
    return _NOT_PREGNANT_NOW.search(_FOUND_OUT.sub("", m.group())) is None


_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a": 1, "an": 1,
}
_NUM = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|an?)"


def _as_int(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUM_WORDS.get(word, 0)


def _pads_per_hour_at_least_one(m: re.Match[str]) -> bool:
    pads, hours = _as_int(m.group("pads")), _as_int(m.group("hours"))
    return pads > 0 and hours > 0 and pads >= hours


_PILL_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a hundred": 100,
               "ten": 10, "twelve": 12, "fifteen": 15, "sixteen": 16}


def _overdose_quantity(m: re.Match[str]) -> bool:
    """More than a normal dose: 'took 20 paracetamol', 'a load of co-codamol', not 'took 2'."""
    qty = m.group("qty")
    if qty.isdigit():
        return int(qty) >= 8
    return _PILL_WORDS.get(qty, 100) >= 8


_WEEKS = re.compile(r"\b(\d{1,2})\s*(?:\+\s*\d\s*)?(?:weeks?|wks?)\b")


def _pregnancy_under_24_weeks(m: re.Match[str]) -> bool:
    """Contractions count when the comment puts the pregnancy at 12 to 23 weeks."""
    return any(12 <= int(w) < 24 for w in _WEEKS.findall(m.string))

