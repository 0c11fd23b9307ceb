"""Safety layer: red-flag patterns that can only raise a comment's urgency to `urgent`.

Each rule is a set of regular expressions for a red flag from the labelling guide. A match
counts only when it describes something happening now: a match is ignored when it is
negated ("no fever", "not dizzy", "I'm not going to do anything stupid"), hypothetical
("if I get a temperature…", "signs of infection") or part of a finished story ("last year I
collapsed", "back in March I haemorrhaged … all fine now"). Every hit keeps the rule name
and the exact text it matched, so a midwife can see why a comment was flagged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .context import _current_spans, _Doc
from .core import (
    ABUSE,
    CATEGORIES,
    MENTAL_HEALTH,
    PHYSICAL,
    SAFEGUARDING,
    THIRD_PARTY,
    Rule,
    SafetyHit,
    _Span,
)
from .matcher import _Matcher
from .rules import _HELPERS, RULES

__all__ = [
    "ABUSE", "CATEGORIES", "MENTAL_HEALTH", "PHYSICAL", "RULES", "SAFEGUARDING", "THIRD_PARTY",
    "Rule", "SafetyHit", "categories", "check", "raise_urgency", "urgent_hits",
]

_RULES_MATCHER = _Matcher(RULES)
_HELPER_MATCHER = _Matcher(tuple(_HELPERS.values()))
_HELPER_INDEX = {name: i for i, name in enumerate(_HELPERS)}


def _with_helpers(
    doc: _Doc, rule: Rule, spans: list[_Span], helper_matches: dict[int, list[re.Match[str]]]
) -> SafetyHit | None:
    """The hit for the first span whose required helper concepts are also present now."""
    helper_spans = {
        name: _current_spans(doc, _HELPERS[name], helper_matches.get(_HELPER_INDEX[name], []))
        for name in rule.requires
    }
    for span in spans:
        also: list[str] = []
        for name in rule.requires:
            found = [
                h for h in helper_spans[name] if not (h.start < span.end and span.start < h.end)
            ]
            if not found:
                break
            also.append(found[0].text)
        else:
            return SafetyHit(rule.name, rule.description, span.text, span.start, span.end,
                             tuple(also), rule.category, rule.raises)
    return None


def _merge(doc: _Doc, spans: list[_Span]) -> list[_Span]:
    """Join overlapping matches, so a reason quotes the whole phrase that fired."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            end = max(last.end, span.end)
            merged[-1] = _Span(last.start, end, doc.original[last.start : end])
        else:
            merged.append(span)
    return merged


def check(text: str) -> list[SafetyHit]:
    """Return the safety rules that fire on a comment (empty when nothing current matches)."""
    if not text:
        return []
    doc = _Doc(text)
    matches = _RULES_MATCHER.matches(doc.text)
    if not matches:
        return []
    helper_matches: dict[int, list[re.Match[str]]] | None = None
    hits: list[SafetyHit] = []
    for r in sorted(matches):  # in RULES order, only the rules that matched somewhere
        rule = RULES[r]
        if any(hit.rule == rule.name for hit in hits):
            continue
        spans = _merge(doc, _current_spans(doc, rule, matches[r]))
        if not spans:
            continue
        if rule.requires and helper_matches is None:
            helper_matches = _HELPER_MATCHER.matches(doc.text)
        hit = _with_helpers(doc, rule, spans, helper_matches or {})
        if hit is not None:
            hits.append(_about_someone_else(hit))
    return hits


_OTHER_SELF = re.compile(r"\b(?:herself|himself|themselves|her (?:own )?life|his (?:own )?life)\b")


def _about_someone_else(hit: SafetyHit) -> SafetyHit:
    """'My sister wants to kill herself': the writer needs the advice for a third party."""
    if hit.category == MENTAL_HEALTH and _OTHER_SELF.search(hit.matched.lower()):
        return replace(hit, category=THIRD_PARTY)
    return hit


def categories(hits: list[SafetyHit]) -> list[str]:
    """The categories of these hits, in CATEGORIES order, each once."""
    found = {hit.category for hit in hits}
    if ABUSE in found:  # abuse by a partner or family member is also a safeguarding matter
        found.add(SAFEGUARDING)
    return [name for name in CATEGORIES if name in found]


def urgent_hits(hits: list[SafetyHit]) -> list[SafetyHit]:
    """The hits that make a comment urgent (safeguarding-only flags do not)."""
    return [hit for hit in hits if hit.raises]


def raise_urgency(urgency: str, hits: list[SafetyHit]) -> tuple[str, bool]:
    """Return (final urgency, raised?): hits lift any urgency to urgent and never lower one."""
    if urgent_hits(hits) and urgency != "urgent":
        return "urgent", True
    return urgency, False

