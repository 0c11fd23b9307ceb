"""Fast matching of many alternatives: a trie-shaped scan of literal prefixes.

Trying ~150 alternatives at every position of every comment is slow in Python's `re`. Each
alternative that starts at a word boundary has a set of literal prefixes, derived from its
parsed form. One trie-shaped scan finds where any prefix occurs, and only the alternatives
owning that prefix are tried, only there. Alternatives without such prefixes run in full.
"""

from __future__ import annotations

import re
from re import _constants as _sre_c
from re import _parser as _sre_parse

from .core import Rule

_MAX_PREFIXES = 400
_LONG_ENOUGH = 7  # prefixes this long are selective enough; stop expanding
_WORD = re.compile(r"\w+")


def _step_prefixes(op, av) -> set[tuple[str, bool]]:
    """Prefixes that one parsed regex item can contribute (("", False) when it is not literal)."""
    if op is _sre_c.LITERAL:
        return {(chr(av), True)}
    if op is _sre_c.SUBPATTERN:
        return _prefixes(list(av[-1]))
    if op is _sre_c.BRANCH:
        return set().union(*(_prefixes(list(branch)) for branch in av[1]))
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
        if av[0] == 0 and av[1] == 1:
            return _prefixes(list(av[2])) | {("", True)}
        if av[0] >= 1:
            return {(x, False) for x, _ in _prefixes(list(av[2]))}
        return {("", False)}
    if op is _sre_c.IN:
        return _class_prefixes(list(av))
    return {("", False)}


def _class_prefixes(av: list) -> set[tuple[str, bool]]:
    """Prefixes of a character class: a few literals, a digit, or a space."""
    if len(av) <= 4 and all(o is _sre_c.LITERAL for o, _ in av):
        return {(chr(v), True) for _, v in av}
    if av == [(_sre_c.CATEGORY, _sre_c.CATEGORY_DIGIT)]:
        return {(d, True) for d in "0123456789"}
    if av == [(_sre_c.CATEGORY, _sre_c.CATEGORY_SPACE)]:
        return {(" ", True)}  # the matched text has every whitespace turned into a space
    return {("", False)}


def _prefixes(items: list) -> set[tuple[str, bool]]:
    """(literal prefix, still extendable) pairs; every match of `items` starts with one."""
    results = {("", True)}
    for op, av in items:
        if op is _sre_c.AT:
            continue
        open_ = {p for p, extendable in results if extendable}
        if not open_:
            break
        sub = _step_prefixes(op, av)
        grown = {(p, e) for p, e in results if not e}
        grown |= {(p + x, e) for p in open_ for x, e in sub}
        results = {(p, e and len(p) < _LONG_ENOUGH) for p, e in grown}
        if len(results) > _MAX_PREFIXES:
            break
    return results


def _anchors(pattern: str) -> set[str] | None:
    """Literal prefixes of an alternative that starts at a word boundary, or None if unsure."""
    try:
        parsed = list(_sre_parse.parse(pattern, 0))
    except Exception:  # pragma: no cover - private parser API changed
        return None
    if not parsed or parsed[0] != (_sre_c.AT, _sre_c.AT_BOUNDARY):
        return None
    prefixes = {p for p, _ in _prefixes(parsed)}
    if not prefixes or any(not p or not (p[0].isalnum() or p[0] == "_") for p in prefixes):
        return None
    if len(prefixes) > _MAX_PREFIXES or any(_WORD.match(p) is None for p in prefixes):
        return None
    return prefixes


def _trie_pattern(words: set[str]) -> str:
    """A regex alternation of words shaped as a trie, so `re` never backtracks across them."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        terminal = "" in node
        branches = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if terminal else body

    return walk(trie)


class _Matcher:
    """All alternatives of a set of rules, tried only where one of their prefixes occurs."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        by_prefix: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        self.unanchored: list[tuple[int, re.Pattern[str]]] = []
        for r, rule in enumerate(rules):
            for source in rule.patterns:
                compiled = re.compile(source)
                anchors = _anchors(source)
                if anchors is None:
                    self.unanchored.append((r, compiled))
                    continue
                for prefix in anchors:
                    by_prefix.setdefault(prefix, []).append((r, compiled))
        # A scan finds the longest prefix at each word start; shorter ones are its prefixes.
        self.targets: dict[str, list[tuple[int, re.Pattern[str]]]] = {
            prefix: [t for k in range(1, len(prefix) + 1) for t in by_prefix.get(prefix[:k], [])]
            for prefix in by_prefix
        }
        self.scanner = re.compile(r"\b(?=(" + _trie_pattern(set(by_prefix)) + "))")

    def matches(self, text: str) -> dict[int, list[re.Match[str]]]:
        """Matches per rule index, in text order, without duplicates."""
        found: dict[int, dict[tuple[int, int], re.Match[str]]] = {}
        targets = self.targets
        for hit in self.scanner.finditer(text):
            pos = hit.start()
            for r, compiled in targets[hit.group(1)]:
                m = compiled.match(text, pos)
                if m:
                    found.setdefault(r, {})[m.span()] = m
        for r, compiled in self.unanchored:
            for m in compiled.finditer(text):
                found.setdefault(r, {})[m.span()] = m
        # in text order; of matches starting at the same place, the longest first
        return {
            r: [spans[k] for k in sorted(spans, key=lambda k: (k[0], -k[1]))]
            for r, spans in found.items()
        }

