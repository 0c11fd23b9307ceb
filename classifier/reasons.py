"""Reasons a midwife reads in one glance: quoted phrases from the comment, never bare numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from classifier.labels import label_words

# Function words and contraction fragments say nothing to a reader. A model phrase may not
# start or end with one ("do stop", "getting twice" read as noise), and a phrase made only of
# them is never shown. Negations and words like "again", "still" or "back" carry meaning here
# and are kept.
FUNCTION_WORDS = frozenset("""
a an the and or but if so as to of in on at by for with from into about than then up out
is are was were be been being am do does did have has had will would can could should may
might must shall i me my mine myself we us our you your he him his she her it its they them
their this that these those there here what which who whom how when why where just also very
really much many some any all each such own same too only ve re ll im ive id don didn doesn
haven hasn hadn isn aren wasn weren won wouldn couldn shouldn ain get got go going one lot
getting gets goes went twice once thing things bit abit lol anyone anything something ok okay
yes yeah well now know think want said say like every
""".split())

SHORT_REASON_CHARS = 90
# "P(urgent)=0.16", "0.72", "16%": a number a midwife cannot act on without words around it.
_BARE_PROBABILITY = re.compile(r"\bP\([a-z_]+\)\s*=|^\s*[\d.]+%?\s*$", re.IGNORECASE)
_WORD = re.compile(r"(?u)\b\w\w+\b")
_PATTERN_CACHE = 20_000  # compiled term patterns kept (the model has about that many word terms)


def readable(term: str) -> bool:
    """Whether a model n-gram reads as a phrase: content words at both ends, not a number."""
    tokens = term.split()
    if not tokens or tokens[0] in FUNCTION_WORDS or tokens[-1] in FUNCTION_WORDS:
        return False
    return not all(token.isdigit() for token in tokens)


class Words:
    """A comment's words, found once, for quoting several terms in the writer's spelling."""

    def __init__(self, body: str) -> None:
        self.body = body
        self._spans: list[tuple[int, int]] | None = None
        # Lower-casing ASCII keeps every offset, so a term is found by one regex search in C.
        self._lower = body.lower() if body.isascii() else None
        if self._lower is None:
            self.lowered = [body[a:b].lower() for a, b in self.spans]
            # the first index of each word: later (smaller) indices overwrite earlier ones
            last = len(self.lowered) - 1
            self.first = dict(zip(reversed(self.lowered), range(last, -1, -1), strict=True))

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Each word's (start, end) in the body, found when a quote first needs them."""
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.body)]
        return self._spans

    def quote(self, term: str) -> str:
        """The words of `term` as typed (their case and spacing), else the term itself."""
        tokens = term.split()
        if not tokens:
            return term
        if self._lower is not None:
            # str.find jumps to each place the first word's letters occur (C speed); the pattern
            # only checks there. A search with a leading \b gets no such literal-prefix scan.
            lower, pattern = self._lower, _term_pattern(" ".join(tokens))
            at = lower.find(tokens[0])
            while at != -1:
                found = pattern.match(lower, at)
                if found:
                    return self.body[found.start() : found.end()]
                at = lower.find(tokens[0], at + 1)
            return term
        start = self.first.get(tokens[0])
        if start is None:
            return term
        n = len(tokens)
        for i in range(start, len(self.lowered) - n + 1):
            if self.lowered[i : i + n] == tokens:
                spans = self.spans
                return self.body[spans[i][0] : spans[i + n - 1][1]]
        return term


# Between two consecutive words (runs of 2+ word characters) there can only be non-word
# characters and one-letter words, which are not words for the model.
_GAP = r"(?:\W|\b\w\b)+"


@lru_cache(maxsize=_PATTERN_CACHE)
def _term_pattern(term: str) -> re.Pattern[str]:
    """The first place a term's words occur as consecutive words, like `Words.lowered` finds."""
    return re.compile(r"\b" + _GAP.join(re.escape(token) for token in term.split()) + r"\b")


def quote(body: str, term: str) -> str:
    """The words of `term` as the writer typed them in `body` (their case and spacing)."""
    return Words(body).quote(term)


def phrases(body: str | Words, terms: Iterable[str], limit: int = 2) -> list[str]:
    """Up to `limit` quoted phrases for the strongest terms, skipping words already shown."""
    words = body if isinstance(body, Words) else Words(body)
    shown: list[str] = []
    seen: set[str] = set()
    for term in terms:
        tokens = set(term.split())
        if tokens & seen:  # "pad every" adds little after "pad"
            continue
        seen |= tokens
        shown.append(words.quote(term))
        if len(shown) == limit:
            break
    return shown


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"\u201c{item}\u201d" for item in items)


def urgency_reason(label: str, words: Sequence[str], check_soon: bool = False) -> str:
    """The model's urgency in words, with the phrases that pushed towards it."""
    if check_soon:
        head = "check soon: the model sees a possible risk"
        return f"{head} in {_quoted(words)}" if words else head
    if not words:
        return f"model says {label}; no single phrase stood out"
    return f"model says {label} because of {_quoted(words)}"


def topic_reason(label: str, words: Sequence[str]) -> str:
    """The topic in words, with the phrases that pushed towards it."""
    name = label_words(label)
    return f"topic {name}: {_quoted(words)}" if words else f"topic {name}"


def raised_by_rule(model_urgency: str) -> str:
    """Said when a red-flag rule made a comment urgent that the model scored lower."""
    return f"raised by a red-flag rule; the model alone would say {model_urgency}"


def is_bare_probability(reason: str) -> bool:
    """Whether a reason is (or hides) a probability without words, like "P(urgent)=0.01"."""
    return bool(_BARE_PROBABILITY.search(reason))


def short_reason(reasons: Iterable[object] | None, limit: int = SHORT_REASON_CHARS) -> str:
    """The one reason a queue row shows: the first readable one, cut at a word boundary."""
    for reason in reasons or ():
        if not isinstance(reason, str) or not reason.strip() or is_bare_probability(reason):
            continue
        text = " ".join(reason.split())
        if len(text) <= limit:
            return text
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
        return cut + "\u2026"
    return ""
