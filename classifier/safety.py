"""Safety layer: red-flag patterns that can only raise a comment's urgency to `urgent`.

Each rule is a set of regular expressions for a red flag from the labelling guide. A match
counts only when it describes something happening now: a match is ignored when it is
negated ("no fever", "not dizzy", "I'm not going to do anything stupid"), hypothetical
("if I get a temperature…", "signs of infection") or part of a finished story ("last year I
collapsed", "back in March I haemorrhaged … all fine now"). Every hit keeps the rule name
and the exact text it matched, so a midwife can see why a comment was flagged.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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


# --------------------------------------------------------------------------- context cues

_WORDISH = re.compile(r"[\w']+")
_SENTENCE_END = re.compile(r"(?<!\d)[.!?]+(?!\d)|\n+")

# Negation cues; "n't" words are written with an optional apostrophe ("dont", "havent").
_NEG_CUE = _rx(
    r"\b(?:no|not|never|without|nor|neither|none|nothing|nowhere|denies|deny)\b",
    r"\b(?:do|does|did|is|are|was|were|have|has|had|ca|can|could|wo|would|should|must|ai)"
    r"n'?t\b",
    r"\b(?:dont|doesnt|didnt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|cant|couldnt|wont"
    r"|wouldnt|shouldnt|aint)\b",
    r"\bfree (?:of|from)\b",
    r"\bruled out\b",
    r"\bno longer\b",
    r"\bno sign of\b",
)
# A cue followed by one of these does not negate what comes after it.
_NEG_EXEMPT_AFTER = re.compile(
    r"^\s*(?:(?:seem|seems|seemed)\s+to\s+)?(?:stop|stopping|stopped|slow|slowing|slowed|ease|easi"
    r"ng|"
    r"eased|settle|settling|settled|let up|letting up|calm|calming|improve|improving|improved|"
    r"go away|going away|gone away|get better|getting better|got better|help|helping|helped|"
    r"work|working|worked|touch|touching|touched|sure|only|just|even sure|know|knowing|idea|"
    r"one|doubt|matter|wonder|surprised|change|changing|changed|end|ending|think|reckon|"
    r"stand up|get up|move|walk|sit up|seem to stop|anything stop|anything help|been able)\b",
    _FLAGS,
)
# "I can't stand up without feeling faint": the "without" here affirms the symptom.
_WITHOUT_AFFIRMS = re.compile(
    r"(?:ca|can|could)n'?t\s+(?:\w+\s+){0,3}without\s*$|\bcant\s+(?:\w+\s+){0,3}without\s*$",
    _FLAGS,
)
# Negation does not reach across these.
_NEG_BREAK = _rx(
    r"[;:]",
    r"\b(?:but|however|although|though|except|yet|whereas|apart from|other than|now|until|"
    r"then|instead|because|cos|cause|since|so)\b",
    r"[,(\-\u2013\u2014]\s*(?=(?:i|i'm|im|i've|ive|i'd|id|i'll|she|she's|he|he's|it|it's|its|my|we|"
    r"we're|they|and|which|this|that|there|there's|today|tonight|now)\b)",
    r"\band\s+(?=(?:i|i'm|im|i've|ive|she|she's|he|he's|it's|its|my|we|now|then|today|tonight|"
    r"suddenly|this|there)\b)",
)
_NEG_WINDOW_WORDS = 7
_LIST_OR = re.compile(r"\b(?:or|nor)\b", _FLAGS)
_RECENT = re.compile(
    r"\b(?:earlier|just now|tonight|this (?:morning|afternoon|evening)|today|an hour ago|"
    r"(?:few |couple of )?(?:minutes|mins|hours) ago|in the (?:last|past) (?:\w+ )?(?:hours?|hrs?|"
    r"minutes?|mins?)|last night|since (?:last night|this morning|yesterday))\b",
    _FLAGS,
)

# Hypothetical cues: the symptom is asked about, not reported.
_HYPO_CUE = _rx(
    r"\b(?:if|unless|whether|in case|what if|incase)\b",
    r"\b(?:reading|read|heard|hearing|learning|looking up|googling|googled) (?:up )?(?:about|on)\b",
    r"\bwhat (?:is|are|does|do|causes?)\b",
    r"\b(?:will i|would i|will it make me|do people|does anyone|do you|does everyone)\b",
    r"\b(?:signs?|symptoms?|warning signs?|risks?|chances?|likelihood|danger) (?:of|for|like|such "
    r"as)\b",
    r"\b(?:look|looking|watch|watching|keep an eye|keeping an eye) (?:out )?(?:for|on)\b",
    r"\b(?:told|warned|advised) (?:me|us|her)?\s*(?:to watch|about|to look)\b",
    r"\bhow (?:would|will|do|can|should) (?:i|you|we) (?:know|tell)\b",
    r"\b(?:when|what) (?:should|do|would) (?:i|we|you) (?:worry|go|call|ring|phone)\b",
)
_FUTURE_CUE = _rx(
    r"\b(?:i'?ll|i will|will i|i might|might i|could i|would i|i may|may i|going to be|"
    r"gonna be|is it possible|can you|could you|do you|does anyone|do people|will it|would it)\b",
    r"\b(?:worried|worry|worrying|scared|afraid|frightened|terrified|anxious|nervous|paranoid) "
    r"(?:about|of|that|i'?ll|it'?ll|it will|i will|i might)\b",
    r"\b(?:expect|expecting|prepare|prepared|preparing)\b",
)
_HYPO_BREAK = re.compile(r"[,;:]|\bthen\b|\bbut\b|\bso\b", _FLAGS)

# Past, finished events told as a story.
_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|few|" \
    r"several|couple of|a couple of|many)"
_PAST_CUE = _rx(
    r"\blast (?:year|month|summer|winter|spring|autumn|christmas|easter|pregnancy|time|"
    r"miscarriage|loss|mc|baby|ectopic|one)\b",
    rf"\b{_NUMBER} (?:years?|months?|yrs?) (?:ago|back|before|earlier)\b",
    rf"\b{_NUMBER} weeks? (?:ago|back|before)\b",
    r"\bback in\b",
    rf"\bin {_MONTHS}\b(?! (?:this|now))",
    r"\bin (?:19|20)\d\d\b",
    r"\bwith (?:my|our|her) (?:first|second|third|fourth|last|previous|earlier|other|1st|2nd|3rd|"
    r"4th|older|eldest|son|daughter|boy|girl|ectopic|miscarriage|mc|loss|molar)\b",
    r"\b(?:my|our|her|the) (?:first|previous|last|earlier|1st|2nd|3rd|other|older) "
    r"(?:pregnancy|pregnancies|miscarriage|mc|loss|ectopic|time|baby|one|surgery|erpc|d&c)\b",
    r"\bprevious(?:ly)?\b",
    r"\b(?:at|by) the time\b",
    r"\bback then\b",
    r"\bin the past\b",
    r"\bused to\b",
    r"\bthe first time\b",
    r"\b(?:that|this) time (?:round|around)?\b(?! (?:is|it's|its))",
    r"\bwhen i was (?:\d+|young|younger|a teenager|a teen|at school|at uni|in my)\b",
    r"\b(?:as a|when i was a) (?:teenager|teen|student|child|kid)\b",
    r"\bbefore (?:my|our) (?:son|daughter|rainbow|baby|children|kids|boy|girl) (?:was|were) born\b",
    r"\byears? (?:ago|back)\b",
    r"\bthat (?:night|day|week|evening)\b",
    r"\b(?:my|her) (?:mum|mother|sister|friend|nan|gran|aunt|cousin)(?:'s)? (?:had|was|went)\b",
)
_PRESENT_CUE = _rx(
    r"\b(?:now|right now|currently|at the moment|atm|today|tonight|this (?:morning|afternoon|"
    r"evening|week)|still|again|since (?:yesterday|last night|this morning|this afternoon|"
    r"then)|just now|an hour ago|hours? ago|this time)\b",
    r"\b(?:i am|i'm|im|am|is|are|keep|keeps|keeping|feel|feels|has been|have been|"
    r"i've been|ive been|it's|its|she's|he's)\b",
)
_RESOLVED = _rx(
    r"\b(?:all|i'?m|i am|im|i was|she'?s|she is|he'?s|it'?s|we'?re|everything'?s?|everything is|"
    r"was|all was|been|feel|feeling|doing|totally|completely|perfectly|absolutely|physically)"
    r"\s+(?:fine|ok|okay|well|better|recovered|good|great|safe|alright|all right)(?:\s+\w+){0,2}"
    r"\s+now\b",
    r"\b(?:fine|ok|okay|better|well|safe|recovered|alright) now\b",
    r"\b(?:all|was|everything) (?:fine|ok|okay|good|well)(?: in the end| after(?:wards)?)?\b",
    r"\b(?:since|fully|completely|have|has|had|quickly|thankfully) (?:recovered|healed|stopped|"
    r"settled|cleared(?: up)?|passed|gone|calmed down|eased)\b",
    r"\b(?:recovered|healed) (?:fully|well|completely|fine)\b",
    r"\bfull recovery\b",
    r"\b(?:it|that|this|which|they|those|the \w+) (?:has |had |have |then |soon |quickly )?"
    r"(?:stopped|settled|passed|cleared(?: up)?|went away|gone away|eased(?: off)?|calmed down|"
    r"tailed off|died down|slowed(?: down)?)\b",
    r"\bgone now\b",
    r"\bno longer\b",
    r"\b(?:i'?m|i am|im|she'?s|she is|all|everything'?s|everything is|it was all)\s+(?:totally\s+|"
    r"completely\s+|absolutely\s+|perfectly\s+|physically\s+|now\s+)?(?:fine|ok|okay|well|"
    r"recovered)\b",
    r"\b(?:none|nothing|not|no more|no episodes?|no more episodes?) (?:today|now|at the moment|"
    r"since|any ?more|recently|this week)\b",
    r"\bin a (?:much |far |way )?better place\b",
    r"\b(?:got|get|had|getting) (?:help|treated|treatment|antibiotics|a transfusion|the help)\b",
    r"\b(?:sorted|looked after|in good hands|survived|pulled through|came through|got through)\b",
    r"\bthankfully\b",
)
_RESOLVED_UNDONE = _rx(
    r"\b(?:but|and) (?:now|today|tonight|again|this time)\b",
    r"\b(?:came|coming|is|it's|its) back\b",
    r"\bagain\b",
    r"\b(?:worse|heavier) (?:now|today|tonight|again)\b",
)
_PRESENT_NEAR = re.compile(
    r"\b(?:now|right now|currently|at the moment|atm|today|tonight|this (?:morning|afternoon|"
    r"evening)|still|again|since (?:yesterday|last night|this morning)|just now|keep|keeps|"
    r"i'?m|i am|im|is|are|it'?s|am|feel|feeling|getting)\b",
    _FLAGS,
)


# --------------------------------------------------------------------------- rule machinery


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


def _lower(text: str) -> str:
    """Lower-case without changing length, so offsets stay valid in the original text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class _Doc:
    """A comment prepared for matching: lower-cased, plain quotes and spaces, same offsets."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.text = _lower(text.translate(_TRANSLATE))
        self._bounds: list[int] | None = None

    @property
    def bounds(self) -> list[int]:
        if self._bounds is None:
            bounds = {0, len(self.original)}
            bounds.update(m.end() for m in _SENTENCE_END.finditer(self.original))
            self._bounds = sorted(bounds)
        return self._bounds

    def sentence_index(self, pos: int) -> int:
        bounds = self.bounds
        return max(0, min(bisect.bisect_right(bounds, pos) - 1, len(bounds) - 2))

    def sentence(self, index: int) -> tuple[int, int]:
        bounds = self.bounds
        index = max(0, min(index, len(bounds) - 2))
        return bounds[index], bounds[index + 1]


def _last_break(text: str, pattern: re.Pattern[str]) -> int:
    end = 0
    for m in pattern.finditer(text):
        end = m.end()
    return end


def _negated(doc: _Doc, start: int, end: int) -> bool:
    s_start, _ = doc.sentence(doc.sentence_index(start))
    prefix = doc.text[s_start:start]
    scope = prefix[_last_break(prefix, _NEG_BREAK):]
    comma = scope.rfind(",")
    sentence_end = doc.sentence(doc.sentence_index(start))[1]
    if comma >= 0 and not _LIST_OR.search(doc.text, start, sentence_end):
        scope = scope[comma + 1 :]
    words = list(_WORDISH.finditer(scope))
    window_start = words[-_NEG_WINDOW_WORDS].start() if len(words) >= _NEG_WINDOW_WORDS else 0
    window = scope[window_start:]
    for cue in _NEG_CUE.finditer(window):
        after = window[cue.end():]
        if _NEG_EXEMPT_AFTER.match(after):
            continue
        if cue.group(0).lower() == "without" and _WITHOUT_AFFIRMS.search(window[: cue.end()]):
            continue
        if cue.group(0).lower() == "never" and re.match(
            r"\s*(?:felt|been|had|seen|known)\s+(?:so|this|such|anything like|that)\b", after,
            _FLAGS,
        ):
            continue
        return True
    # "fever? no." / "pain free" / "temperature normal" right after the match
    after = doc.text[end : end + 30]
    return bool(
        re.match(r"\s*[?:\-\u2013\u2014]\s*(?:no|none|nope|not really|negative)\b", after, _FLAGS)
        or re.match(r"\s*[- ]?free\b", after, _FLAGS)
        # "down" only with a verb: "temp is down", but "he pushed me down the stairs" stands
        or re.match(r"\s*(?:(?:is|was|has been|'s)\s*(?:normal|fine|ok|okay|gone|down)|"
                    r"(?:normal|fine|ok|okay|gone))\b", after, _FLAGS)
    )


def _hypothetical(doc: _Doc, start: int, rule: Rule) -> bool:
    s_start, _ = doc.sentence(doc.sentence_index(start))
    prefix = doc.text[s_start:start]
    cues = []
    if rule.hypothetical:
        cues.append(_HYPO_CUE)
    if rule.future:
        cues.append(_FUTURE_CUE)
    for cue_rx in cues:
        for cue in cue_rx.finditer(prefix):
            between = prefix[cue.end():]
            if len(between.split()) <= 10 and not _HYPO_BREAK.search(between):
                return True
    return False


_CLAUSE_BREAK = _rx(
    r"[,;:()\u2013\u2014]|\s-\s",
    r"\b(?:but|however|although|though|except|yet|whereas|until|then|because|cos|so)\b",
)


def _clause(doc: _Doc, start: int, end: int) -> tuple[int, int]:
    s_start, s_end = doc.sentence(doc.sentence_index(start))
    before = doc.text[s_start:start]
    c_start = s_start + _last_break(before, _CLAUSE_BREAK)
    after = doc.text[end:s_end]
    m = _CLAUSE_BREAK.search(after)
    c_end = end + m.start() if m else s_end
    return c_start, c_end


_SUBORDINATE = re.compile(
    r"\b(?:after|since|following|from|when|before|than|because|as|losing|lost|loss|with)\b", _FLAGS
)


def _past_story(doc: _Doc, start: int, end: int) -> bool:
    index = doc.sentence_index(start)
    s_start, s_end = doc.sentence(index)
    c_start, c_end = _clause(doc, start, end)
    present = _PRESENT_CUE.search(doc.text[c_start:c_end]) is not None
    past_marker = False
    for marker in _PAST_CUE.finditer(doc.text, s_start, s_end):
        if marker.end() <= start:
            # a present marker between the past marker and the match ends the story
            if not _PRESENT_NEAR.search(doc.text, marker.end(), start):
                past_marker = True
        elif marker.start() >= end:
            # "pregnant again after losing our first in March": the date is the other event's
            between = doc.text[end : marker.start()]
            if not _SUBORDINATE.search(between) and not _NEG_BREAK.search(between):
                past_marker = True
    if past_marker and not present:
        return True
    # A resolution after the match ("… all fine now", "it settled") in this or the next sentence.
    _, next_end = doc.sentence(index + 1)
    tail = doc.text[end:next_end]
    resolved = _RESOLVED.search(tail)
    if resolved and _RECENT.search(doc.text, c_start, c_end):
        return False  # "I fainted earlier, I'm ok now": it happened just now, still counts
    if resolved and (past_marker or not present):
        return not _RESOLVED_UNDONE.search(tail[resolved.end():])
    return False


def _current_spans(doc: _Doc, rule: Rule, matches: list[re.Match[str]]) -> list[_Span]:
    spans = []
    for m in matches:
        start, end = m.span()
        if start == end:
            continue
        if rule.exclude_before and rule.exclude_before.search(doc.text[max(0, start - 40) : start]):
            continue
        if rule.exclude_after and rule.exclude_after.match(doc.text[end : end + 40]):
            continue
        if rule.exclude_sentence:
            s_start, s_end = doc.sentence(doc.sentence_index(start))
            if rule.exclude_sentence.search(doc.text[s_start:s_end]):
                continue
        if rule.validate and not rule.validate(m):
            continue
        if _negated(doc, start, end) or _hypothetical(doc, start, rule):
            continue
        if rule.past and _past_story(doc, start, end):
            continue
        spans.append(_Span(start, end, doc.original[start:end]))
    return spans


# --------------------------------------------------------------------------- the rules

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


_PAD_WORDS = (
    r"(?:pads?|maxi ?pads?|maternity pads?|night ?pads?|sanitary towels?|towels?|tampons?|"
    r"nappies|nappy|incontinence pads?)"
)
_RATE = (
    r"(?:in|every|each|within|an|per|under|in under|in less than|in about|in just|in around|"
    r"in only|in half|in way under|in well under|in not even|in barely|in less then|"
    r"less than|under|inside)\s+(?:an?\s+|one\s+|1\s+|half\s+an?\s+|the\s+(?:last\s+|past\s+)?|"
    r"(?:10|15|20|30|40|45|ten|fifteen|twenty|thirty|forty|forty[- ]five)\s+|few\s+|"
    r"couple of\s+|single\s+)?(?:hour|hr|half[- ]hour|half an hour|min(?:ute)?s?)\b"
)
_BLOOD = r"(?:bleeding|blood|bleed|bled|flow|losses|loss)"
_PAIN = r"(?:pain|pains|cramps?|cramping|ache|aching|stabbing|twinges?|agony)"
_SIDE = (
    r"(?:on|down|in|at|low on|low down on|low down in|across)\s+(?:(?:my|the|her)\s+)?"
    r"(?:left|right|one|lower left|lower right|bottom left|bottom right)"
    r"(?:\s+(?:hand\s+)?side|\s+hip|\s+ovary|\s+groin|\b(?!\s+(?:hand|arm|leg|knee|foot|ankle|"
    r"wrist|ear|eye|thumb|finger|breast|boob|now|away|after|before|time|thing|way|person|"
    r"decision|answer)\b))"
)
_OTHER_PERSON = (
    r"(?:son|daughter|husband|partner|boyfriend|wife|girlfriend|baby|toddler|little one|kids?|"
    r"children|child|boy|girl|mum|mother|dad|father|sister|brother|friend|nan|gran|dog|cat|"
    r"eldest|youngest|oldest|twins?)"
)
_PERSON = (
    r"(?:he|she|hes|he's|shes|she's|they|my (?:partner|husband|boyfriend|bf|fiance|fiancé|ex|"
    r"wife|girlfriend|dad|father|mum|mother|brother|step ?dad|mother[- ]in[- ]law|father[- ]in[- ]"
    r"law|"
    r"in[- ]laws?)|partner|husband|boyfriend|ex)"
)

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


RULES: tuple[Rule, ...] = (
    Rule(
        name="heavy_bleeding_rate",
        description="heavy bleeding now",
        patterns=_alts(
            rf"\b{_PAD_WORDS}(?:\s+[\w']+){{0,4}}?\s+{_RATE}",
            r"\b(?:soak(?:s|ed|ing)?|bled|bleeding|leak(?:ed|ing)|flood(?:ed|ing))\s+(?:straight\s"
            r"+|"
            r"right\s+|all\s+the\s+way\s+)?(?:through|thru)\s+(?:\w+\s+){0,3}?(?:pads?|towels?|"
            r"clothes|jeans|trousers|pyjamas|pjs|knickers|underwear|pants|sheets?|bed|mattress|"
            r"leggings|skirt|dress|nightie|duvet|sofa|seat)\b",
            r"\bsoak(?:ing|ed)\s+(?:\w+\s+){0,2}?(?:pads?|towels?|the bed|sheets)\b",
            r"\bhaemorrhag(?:e|ed|es|ing)\b|\bhemorrhag(?:e|ed|es|ing)\b|\bhaemorhag\w*",
            r"\b(?:blood|it'?s|its|bleeding|been|is|keeps|kept|just|started|it|still)\s+(?:\w+\s+)?"
            r"(?:gushing|pouring|pumping|streaming|running down my legs?|dripping (?:on|onto) the "
            r"floor)\b",
            r"\b(?:gushing|pouring|pumping) (?:out )?(?:blood|bright red)\b",
            r"\b(?:huge|big|massive|enormous|sudden) gush\b|\bgush(?:es|ed|ing)? of (?:blood|brigh"
            r"t red)"
            r"\b|\blike a tap\b|\blike a tap'?s been turned on\b",
            r"\bblood (?:everywhere|all over the (?:floor|bathroom|bed))\b",
            r"\b(?:puddle|pool)s? of blood\b",
            r"\bsitting on (?:a |the )?towels?\b",
            # heavy bleeding told in words rather than as a rate
            r"\b(?:i'?m|im|i am|i'?ve been|ive been|been|still|started|now|she'?s|keep)\s+bleeding "
            r"(?:really |very |so |extremely |quite |a lot |more )?heavily\b",
            r"\b(?:the )?bleeding (?:is|has been|'s|got|has got|has become) (?:really |very |so |"
            r"extremely |incredibly )heavy\b",
            r"\b(?:very|really|extremely|incredibly) heavy (?:bleeding|blood loss)\s+(?:now|tonigh"
            r"t|"
            r"today|since|this|all)\b",
        ),
        exclude_before=re.compile(
            r"(?:check|checking|checked|look at|looking at)\s+(?:my\s+|the\s+|a\s+)?$", _FLAGS
        ),
        exclude_sentence=re.compile(
            r"\b(?:every|each)\s+(?:[2-9]|two|three|four|five|six|couple of|few)\s+(?:hours?|hrs?)"
            r"\b",
            _FLAGS,
        ),
        exclude_after=re.compile(
            r"\s*(?:every|each|in|a|per)\s+(?:[2-9]|two|three|four|five|six|seven|eight|couple|few|"
            r"several)\b|\s*(?:at night|overnight)\b|\s*(?:with|down with|of) rain\b", _FLAGS
        ),
    ),
    Rule(
        name="heavy_bleeding_rate",
        description="heavy bleeding now",
        patterns=(
            rf"\b(?P<pads>{_NUM})\s+(?:\w+\s+)?(?:pads|towels|times)\s+(?:\w+\s+){{0,3}}?in\s+"
            rf"(?:the\s+(?:last|past)\s+|about\s+|under\s+|less than\s+)?(?P<hours>{_NUM})\s+"
            r"(?:hours?|hrs?)\b",
        ),
        validate=_pads_per_hour_at_least_one,
    ),
    Rule(
        name="bleeding_getting_heavier",
        description="bleeding getting heavier",
        patterns=_alts(
            rf"\b{_BLOOD}\s+(?:is\s+|has\s+|'s\s+|keeps\s+|seems\s+to\s+be\s+|just\s+|actually\s+)?"
            r"(?:getting|got|gotten|becoming|become|gone|going|grown|growing)\s+(?:much\s+|a lot\s"
            r"+|"
            r"really\s+|even\s+|so\s+|way\s+|loads\s+|noticeably\s+)?(?:heavier|worse|more heavy)"
            r"\b",
            r"\bheavier and heavier\b|\bmore and more blood\b|\bheavier by the (?:hour|minute)\b",
            rf"\b{_BLOOD}\s+(?:has\s+|had\s+)?(?:increased|picked up|ramped up|doubled|"
            r"intensified)\b",
            r"\b(?:it'?s|it\s+is|its|it\s+has|it)\s+(?:getting|got|gotten|become|becoming)\s+"
            r"(?:much\s+|a lot\s+|really\s+|even\s+|so\s+|way\s+)?heavier\b",
        ),
        exclude_sentence=re.compile(r"\bperiods?\b", _FLAGS),
    ),
    Rule(
        name="large_clots_unwell",
        description="very large clots and feeling unwell",
        patterns=_alts(
            r"\b(?:huge|massive|large|big|enormous|giant|really big|very big|very large|"
            r"golf[- ]?ball|tennis[- ]?ball|fist|palm|lemon|orange|plum|egg|satsuma|hand|"
            r"liver[- ]like)[- ]?(?:sized?\s+|size\s+)?clots?\b",
            r"\bclots?\s+(?:\w+\s+){0,2}?(?:the size of|as big as|bigger than|size of|like)\s+"
            r"(?:a|an|my|the|two|2)?\s*(?:palm|fist|golf ?ball|tennis ball|lemon|orange|"
            r"plum|egg|satsuma|hand|apple|grapefruit|mango|tangerine|clementine|saucer|"
            r"liver|small (?:fist|orange|hand))s?\b",
        ),
        requires=("unwell",),
    ),
    Rule(
        name="faint_dizzy_collapse",
        description="feeling faint, dizzy or collapsing",
        patterns=_alts(
            r"\bfaint(?:ed|ing|ness|y)?\b",
            r"\b(?:dizzy|dizzyness|dizziness|light[- ]?headed(?:ness)?|woozy|giddy|vertigo)\b",
            r"\b(?:pass(?:ed|ing|es)?|pased|blacked|blacking|black|conked)\s+out\b",
            r"\bcollaps(?:e|ed|es|ing)\b",
            r"\b(?:very|really|so|deathly|ghostly|gone|going|went|looks|looking|look|ghost|grey an"
            r"d)"
            r"\s+(?:pale|white|grey|gray)\b",
            r"\bwhite as a sheet\b|\bclammy\b",
            r"\b(?:room|world|everything|ceiling)\s+(?:is\s+|keeps\s+|was\s+|started\s+)?(?:spinni"
            r"ng|"
            r"tilting|swaying|going black)\b|\b(?:everything|it all|my vision) went (?:black|dark|"
            r"fuzzy|grey)\b|\bcame (?:round|to) on the floor\b|\bwoke up on the (?:floor|bathroom)"
            r"\b",
            r"\b(?:shaking|shaky|shivering|trembling) and (?:cold|clammy|pale)\b|\b(?:cold|clammy|"
            r"pale)"
            r" and (?:shaking|shaky|sweaty|trembling)\b",
        ),
        exclude_before=re.compile(
            r"(?:\b(?:world|life|everything|marriage|relationship|plans?|dreams?|lung|"
            r"cervix|sac|gestational sac|walls|house)\s+(?:\w+\s+)?$)|(?:\bbaby'?s?\s+(?:\w+\s+)?$)"
            r"|(?:\b(?:test|tests|line|lines|positive|result|results|strip|hpt|frer|digital)\s+"
            r"(?:(?:is|was|still|getting|very|so|really|quite|much|more|even|looks|looked|a bit)\s"
            r"+)*$)",
            _FLAGS,
        ),
        exclude_after=re.compile(
            r"\s*(?:positive|negative|positives|negatives|line|lines|test|pink|brown|red|shadow|bf"
            r"p|"
            r"result|second|squinter|hcg|trace|smell|streak|spotting|bleed|blood|cramp|cramps|"
            r"twinge|ache|pain|memory|hope|heartbeat|mark|discharge|yellow|colour|color|bleeding|"
            r"glimmer|flicker|one|ones)\b"
            r"|\s*(?:on|onto|into|in)\s+(?:a\s+)?(?:tears|the sofa|the couch|my bed|bed|a heap "
            r"crying|sobs)\b|\s+(?:in|into)\s+tears\b",
            _FLAGS,
        ),
        exclude_sentence=re.compile(
            r"^(?!.*\b(?:bleed|bleeding|blood|clots?|faint|collaps|dizzy)).*\b(?:panic|anxiety|"
            r"anxious|panicky)\b",
            _FLAGS | re.DOTALL,
        ),
        future=False,
    ),
    Rule(
        name="racing_heart_bleeding",
        description="racing heart while bleeding",
        patterns=_alts(
            r"\b(?:heart|pulse|heartbeat|heart ?rate)\s+(?:is\s+|keeps\s+|'s\s+|was\s+|just\s+)?"
            r"(?:racing|pounding|thumping|hammering|going (?:really |so |very |super )?fast|"
            r"beating (?:really |so |very |super )?fast|through the roof)\b",
            r"\b(?:racing|pounding|thumping) (?:heart|pulse|heartbeat)\b",
            r"\bpalpitations\b",
        ),
        exclude_before=re.compile(r"\bbaby'?s?\s+(?:\w+\s+)?$", _FLAGS),
        exclude_sentence=re.compile(r"\b(?:panic|anxiety|anxious|panicky)\b", _FLAGS),
        requires=("bleeding_now",),
        future=False,
    ),
    Rule(
        name="infection_signs",
        description="signs of infection (fever, shivering, smelly discharge)",
        patterns=_alts(
            r"\b(?:fever|feverish|fevers|febrile|high temp(?:erature)?|raised temp(?:erature)?|"
            r"sepsis|septic|rigou?rs)\b",
            r"\b(?:a|running a|got a|have a|had a|with a) temp(?:erature)?\b(?! (?:check|of 3[0-7]"
            r"|of 36|normal))",
            r"\btemp(?:erature)?\s+(?:is\s+|was\s+|of\s+|at\s+|reading\s+|keeps\s+going\s+up\s+to"
            r"\s+|hit\s+|up\s+to\s+)?(?:3[89]|4[01])(?:[.,]\d+)?\s*(?:c|°c?|degrees)?\b",
            r"\b(?:3[89]|4[01])(?:[.,]\d+)?\s*(?:°c?|degrees|c\b)",
            # a temperature written as a bare number: "temp's been 38.2", "thermometer says 39"
            r"\b(?:thermometer|temp|temperature)(?:'s|s)?\s+(?:[\w']+\s+){0,3}?(?:3[89]|4[01])"
            r"(?:[.,]\d+)?\b(?!\s*(?:weeks?|wks?|kg|cm|%|days?|years?))",
            r"\b(?:10[0-4])(?:[.,]\d)?\s*(?:°\s?f|degrees f|fahrenheit|f\b)",
            r"\b(?:shivering|shivers|shivery|chills|the shakes|teeth chattering|shaking "
            r"uncontrollably|burning up|hot (?:and|n|&) cold|hot then cold|night sweats)\b",
            r"\bhot (?:and|n|&) (?:achy|achey|shivery|sweaty|shaky)\b|\bgreen (?:discharge|loss)\b",
            r"\bflu[- ]?(?:like|ish)\b|\bflu symptoms\b|\bfeel(?:s|ing)? like i(?:'ve| have)? "
            r"(?:got )?(?:the )?flu\b",
            r"\b(?:smelly|foul|offensive|bad[- ]smelling|foul[- ]smelling|stinky|stinking|"
            r"rotten[- ]smelling|fishy|smelling)\s+(?:\w+\s+)?(?:discharge|bleeding|blood|loss|"
            r"losses|pad)\b",
            r"\b(?:discharge|bleeding|blood|loss|losses|pad|down there)\s+(?:\w+\s+){0,4}?"
            r"(?:smells|smelling|stinks|reeks)\b(?!\s+(?:normal|fine|ok|okay|like (?:a )?"
            r"period|metallic|of iron))",
            r"\b(?:horrible|awful|bad|foul|strong|funny|weird|strange|rotten|fishy|disgusting|"
            r"unpleasant|offensive) (?:smell|odour|odor|whiff)\b",
        ),
        exclude_before=re.compile(
            r"\b(?:cabin|hay|room|body)\s+$|\bblow(?:s|ing|in'?|n)?\s+$"
            # another person's illness: "my son has a fever", "my husband's got the flu"
            rf"|\b(?:my|our|his|her|the)\s+{_OTHER_PERSON}(?:'s|s)?\s+(?:\w+\s+){{0,3}}$",
            _FLAGS,
        ),
        exclude_after=re.compile(r"\s*(?:down my spine|of excitement)\b", _FLAGS),
        exclude_sentence=re.compile(r"\b(?:gives? me (?:the )?chills|sends? chills)\b", _FLAGS),
    ),
    Rule(
        name="severe_pain",
        description="severe or worsening, one-sided or shoulder-tip pain",
        patterns=_alts(
            r"\bshoulder[- ]?tip\b",
            rf"\b{_PAIN}\s+(?:[\w']+\s+){{0,4}}?(?:in|into|to|up to|through)\s+(?:the tip of\s+)?"
            r"(?:my|her|the|both)\s+(?:\w+\s+and\s+)?shoulders?\b",
            r"\b(?:into|up to|up into|through to) (?:my|her|the|both) shoulders?\b",
            r"\bshoulders? (?:pain|hurts?|aches?|is killing|are killing|is agony)\b",
            rf"\b{_PAIN}\s+(?:[\w']+\s+){{0,4}}?{_SIDE}",
            r"\b(?:left|right|one)[- ]sided?\s+(?:\w+\s+)?(?:pain|cramps?|cramping|ache|stabbing)"
            r"\b",
            r"\b(?:left|right) side (?:pain|hurts|is killing|is agony|cramps?)\b",
            r"\b(?:severe|agonising|agonizing|excruciating|unbearable|horrendous|horrific|"
            r"crippling|extreme|worst|intense|blinding|debilitating|stabbing|sharp)\s+(?:\w+\s+)?"
            r"(?:pain|pains|cramps|cramping|tummy pain|stomach pain|abdominal pain|period pain)\b",
            rf"\b(?:{_PAIN}|tummy|stomach)\s+(?:that\s+|which\s+)?(?:is\s+|are\s+|has\s+|have\s+|"
            r"keeps\s+|just\s+|'s\s+)?(?:getting|got|gotten|becoming|become|gone|going)\s+(?:much"
            r"\s+|"
            r"a lot\s+|really\s+|even\s+|so\s+|way\s+)?(?:worse|stronger|unbearable|more severe|"
            r"more intense|sharper)\b",
            r"\bworsening (?:pain|cramps?|cramping)\b",
            r"\bin (?:agony|absolute agony|so much pain|a lot of pain|severe pain)\b",
            r"\b(?:doubled over|writhing|screaming in pain|crying in pain|curled up in pain)\b",
            r"\bpain (?:is |it'?s |its )?(?:so|too) (?:bad|severe|strong|intense) (?:that |i |im |"
            r"i'm |i can|i have|i've|i cant|i can't)",
            r"\b(?:painkillers?|paracetamol|ibuprofen|codeine|co-codamol|tablets)\s+(?:are\s+|is\s"
            r"+)?"
            r"(?:not|n't|aren'?t|isn'?t|doesn'?t|don'?t)\s+(?:even\s+)?(?:touching|touch|helping|h"
            r"elp|"
            r"working|work|doing anything)\b",
            r"\bpain (?:\w+\s+)?(?:is|it's|its) (?:unbearable|agony|excruciating)\b",
        ),
        exclude_sentence=re.compile(
            r"\bovulat|\bov pain\b|\bmittelschmerz\b|\bemotional pain\b|\bfrom (?:carrying|lifting|"
            r"sleeping|the gym|running|work|exercise)\b|\bbecause of (?:carrying|lifting|the gym)"
            r"\b|\bpain of (?:losing|loss|"
            r"grief)|\bheart ?(?:ache|break)|\bpain in the (?:arse|neck)\b", _FLAGS
        ),
    ),
    Rule(
        name="severe_pain",
        description="severe or worsening, one-sided or shoulder-tip pain",
        patterns=_alts(
            r"\b(?:can'?t|cant|cannot|can barely|barely|hardly|can hardly|couldn'?t|unable to) "
            r"(?:walk|stand|move|sit up|stand up|stand up straight|straighten up)\b",
            r"\b(?:it'?s|its|it is|it has|they'?re|they are)\s+(?:getting|got|gotten)\s+(?:much\s+|"
            r"a lot\s+|really\s+|even\s+)?(?:worse|stronger)(?:\s+and\s+worse)?\b",
            r"\bone[- ]sided\b",
            r"\b(?:sick|vomiting|throwing up|sweating)\s+(?:\w+\s+){0,2}?(?:from|with|because of) "
            r"the pain\b|\bpain (?:\w+\s+){0,2}?making me (?:sick|sweat|vomit|throw up)\b",
            r"\blike a knife\b|\bknife[- ]like\b",
            r"\b(?:can'?t|cannot|barely|hardly) breathe (?:with|for|because of|from) (?:the )?pain"
            r"\b",
            r"\b(?:it'?s|its|it is|only|just|all|mostly)\s+(?:only\s+|just\s+)?on (?:the|my|her) "
            r"(?:left|right)(?: hand)? side\b",
        ),
        exclude_sentence=re.compile(
            r"\bovulat|\bemotional|\bgrief\b|\bheart ?(?:ache|break)", _FLAGS
        ),
        requires=("pain_now",),
    ),
    Rule(
        name="self_harm",
        description="thoughts of suicide or self-harm",
        category=MENTAL_HEALTH,
        patterns=_alts(
            r"\bsuicid(?:e|al)\b",
            # not "the wait is killing me" / "my back is killing me": only killing oneself
            r"\bkill(?:ing)? (?:myself|herself|himself)\b(?! off)",
            r"\b(?:want|wants|wanted|wish|wishing) (?:someone|somebody|something|it) (?:would|to|"
            r"could) kill me\b",
            r"\bend(?:ing|ed)? (?:my|her|his) (?:own )?life\b",
            r"\bend(?:ing)? it all\b|\bjust end it\b(?! with| between| there)|\b(?:i'?ll|i will|i "
            r"could|i should|gonna|going to) (?:just )?end it\b(?! with| between| there)",
            r"\b(?:thinking|thought|thoughts|think|thinkin|considering|considered|idea) (?:about|o"
            r"f) "
            r"(?:ending|end) (?:it|things|everything|my life)\b",
            r"\b(?:want|wanted|wanting|going|planning|plan|tempted|ready|try|trying) to end "
            r"(?:it|things|everything|my life)\b(?! with| between| there| off)",
            r"\btak(?:e|ing) (?:my|her|his) (?:own )?life\b",
            r"\b(?:hurt|hurting|harm|harming|cut|cutting|punish|punishing) (?:myself|herself|himse"
            r"lf)"
            r"\b",
            r"\bself[- ]?harm(?:ing|ed)?\b",
            # "been cutting out caffeine" / "been burning up" are not self-harm: need a self object
            r"\b(?:started|start|been|keep|kept|began)\s+(?:cutting|burning|scratching)\s+(?:again|"
            r"myself|my (?:arms?|legs?|wrists?|skin|thighs?|stomach|body))\b",
            r"\b(?:cutting|burning|scratching|hitting) (?:my )?(?:arms?|legs?|wrists?|skin|thighs?"
            r")\b",
            r"\boverdos(?:e|ed|ing)\b|\bod'd\b",
            r"\bbetter off (?:without me|dead|if i (?:wasn'?t|was not|weren'?t|were not|didn'?t ex"
            r"ist)"
            r"|if i (?:was|were) gone|with me gone|without her|without him)\b",
            r"\b(?:lighter|easier|better|happier) (?:\w+\s+)?without me\b",
            r"\b(?:easier|better) for (?:everyone|everybody|them|him|all) if i\b",
            r"\bif i (?:was|were|wasn'?t|weren'?t) (?:gone|here|around)(?: any ?more| for good)?\b",
            r"\b(?:after|when|once) i'?m gone\b",
            r"\b(?:won'?t|will not|wont|not|don'?t think i'?ll|not sure i'?ll|might not)\s+(?:stil"
            r"l\s+)?"
            r"be (?:around|here) (?:much |for much |for )?(?:longer|long|by|after|to see|any ?more"
            r")\b",
            r"\bwon'?t need to worry about me\b|\bwon'?t matter (?:soon|much longer)\b",
            r"\b(?:don'?t|do not|dont|no longer|doesn'?t|does not|didn'?t)\s+(?:really\s+|even\s+)?"
            r"(?:want|wish|feel like i want) to (?:be here|be alive|live|exist|go on|carry on|"
            r"wake up|be around|be on this earth|be in this world|keep going|keep living)\b",
            r"\b(?:hope|hoping|wish|wishing|pray|praying) (?:that )?i (?:just )?(?:don'?t|dont|won"
            r"'?t|"
            r"wouldn'?t|"
            r"never|didn'?t|do not) wake up\b",
            r"\bif i (?:just )?(?:didn'?t|didnt|did not|don'?t|dont|never) wake up\b",
            r"\b(?:go to sleep|fall asleep|sleep|close my eyes) and (?:never|not) wake up\b",
            r"\bnot (?:to )?wake up\b",
            r"\bnever wake up\b",
            r"\bwish (?:i (?:was|were|had|'d)|i'd) (?:dead|died|never been born|not been born|gone"
            r")\b",
            r"\b(?:want|wanted|wanting|wish) to (?:die|be dead|disappear forever|not exist)\b",
            r"\bready to die\b|\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on|being "
            r"alive|being here|carrying on|carry on)\b",
            r"\bcan'?t go on living\b|\bnot (?:be|being) here any ?more\b",
            r"\b(?:want|wants|wanting|long|longs|longing|need|needs|going|just want) to (?:go and "
            r")?"
            r"be with (?:my|our|"
            r"her|him|them) (?:baby|angel|babies|son|daughter|little one|boy|girl|twins)\b(?! when"
            r")",
            r"\b(?:going|want|wants|wanting|ready|need) to (?:go and )?be with (?:her|him|them)\b"
            r"(?!\s+(?:at|"
            r"in|when|for|while|during|on|tonight|today|tomorrow|through|and)\b)",
            r"\b(?:take|taking|took|taken|swallow|swallowing|swallowed|down|downing|downed|necking|"
            r"necked) (?:all|the "
            r"whole|a whole|every one of|a load of|loads of|handfuls? of|a handful of|a bunch of|"
            r"them all|too many|extra)(?: of)?(?: my| the| these| those| her)?(?: \w+)? (?:tablets|"
            r"pills|paracetamol|painkillers|meds|medication|sleeping pills|antidepressants)\b",
            r"\b(?:take|taking|swallow) (?:everything|the lot|all of it) (?:in|from) the (?:\w+ )?"
            r"(?:box|cabinet|cupboard|drawer)\b",
            r"\b(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting|stashing|counti"
            r"ng|"
            r"staring at|looking at|lined up|lining up)\s+(?:up\s+)?(?:\w+\s+){0,2}?(?:tablets|pil"
            r"ls|"
            r"paracetamol|painkillers|meds)\b",
            r"\b(?:taken|took|swallowed) something\b",
            r"\b(?:tablets|pills|paracetamol|painkillers|meds)\s+(?:are\s+|all\s+)?(?:out\s+)?(?:i"
            r"n front of "
            r"me|next to me|lined up|ready|counted out|on the (?:table|bed|side))\b",
            r"\b(?:searching|googling|looked up|looking up|researching|search(?:ed)?) (?:\w+ )?"
            r"(?:how many|ways to|ways of|how to (?:die|end|overdose|kill))\b|\blooking up ways\b",
            r"\bdo (?:something|anything) (?:stupid|silly|drastic|daft)\b",
            r"\b(?:suicide|goodbye) (?:note|letter|letters|notes)\b",
            r"\b(?:letters|notes) (?:to|for) (?:everyone|each of|all of|my family|my (?:mum|mother"
            r"|dad|"
            r"sister|brother|husband|partner|kids|children|boys|girls))\b",
            r"\bwants? to say goodbye\b(?! to (?:our|my|the|her|his) (?:baby|angel|son|daughter|li"
            r"ttle))",
            r"\b(?:jump(?:ing)?|throw(?:ing)? myself) (?:off|from|in front of)\b",
            r"\b(?:step|stepping|walk|walking) in front of (?:a|the) (?:train|car|bus|lorry|truck)"
            r"\b",
            r"\b(?:walk|walking|drive|driving|steer|steering|swerve|swerving|crash|crashing)\s+"
            r"(?:the car\s+|my car\s+|off\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:sea|river|water|"
            r"reservoir|lake|something|a wall|wall|tree|bridge|lorry|traffic|oncoming|canal|cliff)"
            r"\b",
            r"\bhow easy it would be\b|\bhow i (?:would|could|might|'d) do it\b",
            r"\b(?:not|don'?t|can'?t|cannot|cant) see (?:the|any) point in (?:living|being alive|"
            r"being here|going on|carrying on)\b",
            r"\bno point (?:living|being alive|being here)\b",
            r"\bthoughts of (?:death|dying)\b",
            r"\b(?:scared|afraid|frightened|terrified) of (?:myself|what i (?:might|could|would) d"
            r"o)\b"
            r"|\bdon'?t trust myself\b",
            r"\bwant (?:it all|everything|all of it|this all) to (?:stop|end)\b(?! hurting| bleedi"
            r"ng)",
            r"\bvoices? (?:telling|saying|in my head telling)\b",
            r"\bif (?:something|anything) (?:happens|happened) to me\b",
            # "razor blade(s)" but not "shoulder blade"
            r"\b(?:razor|razors)(?: blades?)?\b(?! burn)",
        ),
        exclude_sentence=re.compile(r"\bshav(?:e|ing)\b", _FLAGS),
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="being_hurt_at_home",
        description="being hurt or threatened at home",
        category=ABUSE,
        patterns=_alts(
            rf"\b{_PERSON}\s+(?:has\s+|had\s+|keeps\s+|is\s+|'s\s+|s\s+|just\s+|then\s+|also\s+|"
            r"sometimes\s+|often\s+|always\s+|been\s+|has been\s+|'s been\s+|s been\s+|started\s+)?"
            r"(?:hit|hits|hitting|beat|beats|beating|kick|kicked|kicks|kicking|punch|punched|punch"
            r"es|"
            r"punching|slap|slapped|slaps|slapping|strangled|strangles|strangling|choked|chokes|"
            r"choking|pushed|pushing|shoved|shoving|shoves|threw|throws|throwing|hurts|hurting|hur"
            r"t|"
            r"threatened|threatens|threatening|attacked|attacks|grabbed|grabbing|dragged|locked|"
            r"locks)\s+(?:me|my|at me|us|something at me)\b(?!\s+(?:feelings|heart))",
            r"\b(?:threw|thrown|throwing|throws) (?:\w+\s+){0,2}at me\b",
            r"\b(?:scared|afraid|frightened|terrified) (?:of|to go home to|to be at home with|to g"
            r"o "
            r"home) (?:him|her|my (?:partner|husband|boyfriend|ex)|home)\b",
            r"\b(?:not|don'?t feel|never feel|isn'?t) safe (?:at home|in my (?:own )?home|with him|"
            r"with my (?:partner|husband|boyfriend)|in the house|going home)\b",
            r"\bthreaten(?:ed|s|ing)? to (?:kill|hurt|hit|beat|stab) (?:me|us|the kids)\b",
            r"\b(?:he|she|they)(?:'?ll| will|'d| would|'s going to| is going to| was going to|'s g"
            r"onna)"
            r" (?:hurt|kill|hit|beat|finish|stab) me\b|\bfinish me off\b",
            r"\bi'?m next\b(?!\s+(?:on|in|for) (?:the |a |their |his |her )?(?:\w+ )?(?:list|"
            r"queue|waiting list|rota|scan|appointment|line|turn|one|week|month|year|time))",
            r"\bpunched (?:the|a) (?:wall|door) (?:\w+\s+){0,3}(?:my head|my face|me)\b",
            r"\bdomestic (?:abuse|violence)\b",
            r"\b(?:he|partner|husband|boyfriend) (?:won'?t|doesn'?t|will not) let me (?:leave|go o"
            r"ut|"
            r"see anyone|call|phone)\b",
            r"\blocked (?:myself )?in the (?:bedroom|bathroom|toilet)\b",
        ),
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="pregnant_bleeding_pain",
        description="pregnant now with bleeding and pain",
        patterns=_alts(
            r"\b\d{1,2}\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|w)?\s+(?:\w+\s+)?pregnant\b",
            r"\b(?:got|am|i'?m|is|she'?s) pregnant again\b",
            r"\bbfp\b|\b(?:got|get|had|have|a) (?:a |my )?positive(?: pregnancy| hpt)?(?: test)? "
            r"(?:on|yesterday|today|last|this|\d|a few|few|two|three)\b",
            r"\b(?:\d{1,2}|five|six|seven|eight|nine|ten|eleven|twelve)\s*(?:\+\s*\d\s*)?(?:weeks?"
            r"|wks?)"
            r" with (?:my|our) rainbow\b",
            r"\b(?:i'?m|im|i am)\s+(?:\d{1,2}|five|six|seven|eight|nine|ten|eleven|twelve)\s*"
            r"(?:\+\s*\d\s*)?(?:weeks?|wks)\b(?! (?:post|after|since|out|pp|postpartum|on|of|from)"
            r")",
        ),
        exclude_before=re.compile(
            r"\b(?:was|were|when|get|getting|fall|falling|become|becoming|be|being|trying|try|trie"
            r"d|"
            r"ttc|hope|hoping|chance|chances|plan|planning|want|wanted|wanting|before|scared of|"
            r"afraid of)\s+(?:\w+\s+){0,2}$",
            _FLAGS,
        ),
        exclude_after=re.compile(r"\s+(?:with (?:him|her) (?:when|before)|when)\b", _FLAGS),
        requires=("bleeding_now", "pain_now"),
        past=False,
    ),
    Rule(
        name="pregnant_bleeding_pain",
        description="pregnant now with bleeding and pain",
        patterns=_alts(
            r"\b(?:i'?m|im|i am|am|she'?s|she is|is|currently|now|just found out i'?m|found out "
            r"(?:i|she) (?:was|am|is|'m))\s+(?:\w+\s+){0,4}?pregnant\b",
        ),
        validate=_pregnant_now,
        exclude_before=re.compile(
            r"\b(?:was|were|when|before|scared of|afraid of)\s+(?:\w+\s+){0,2}$"
        ),
        requires=("bleeding_now", "pain_now"),
        past=False,
    ),
    Rule(
        name="pregnant_bleeding_pain",
        description="pregnant now with bleeding and pain",
        patterns=_alts(r"\bpregnant (?:again|after|with)\b"),
        exclude_before=re.compile(r"[^.!?\s]\s*$"),  # only at the start of a sentence
        requires=("bleeding_now", "pain_now"),
        past=False,
    ),
    Rule(
        name="overdose_taken",
        description="an overdose already taken",
        patterns=(
            r"\b(?:taken|took|swallowed|downed|necked|had|taking|swallowing)\s+(?:about\s+|around"
            r"\s+|"
            r"like\s+|over\s+|nearly\s+|at least\s+|maybe\s+)?(?P<qty>\d{1,3}|a (?:load|lot|bunch|"
            r"handful|box|packet|pack|strip|whole (?:box|packet|pack|strip))|loads|lots|handfuls|"
            r"twenty|thirty|forty|fifty|a hundred|ten|twelve|fifteen|sixteen|all)\s+(?:of\s+)?(?:m"
            r"y\s+|"
            r"the\s+|her\s+|his\s+)?(?:\w+\s+)?(?:paracetamol|co-?codamol|codeine|ibuprofen|tablet"
            r"s|"
            r"pills|painkillers|antidepressants|sertraline|citalopram|fluoxetine|mirtazapine|"
            r"tramadol|diazepam|zopiclone|amitriptyline|meds|medication)\b",
        ),
        validate=_overdose_quantity,
        category=MENTAL_HEALTH,
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="suicidal_words",
        description="thoughts of suicide or self-harm",
        patterns=_alts(
            r"\bnothing (?:left )?(?:to live for|worth living for)\b",
            r"\b(?:life|it|living)\s+(?:is\s+|'s\s+|s\s+)?(?:not|isn'?t|isnt|is not|no longer) "
            r"worth (?:living|it any ?more|going on)\b",
            r"\bnot worth living\b",
            r"\bshould (?:have|'ve) been me (?:that|who|instead)\b",
            r"\bno (?:will|reason|desire) to (?:live|go on|carry on)\b",
            r"\b(?:i'?m|im|i am) (?:done with|finished with|tired of) (?:life|living|being alive)"
            r"\b",
            r"\b(?:made|making|got|have) a plan to (?:end|kill|die)\b",
        ),
        category=MENTAL_HEALTH,
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="third_party_risk",
        description="someone else at risk right now",
        patterns=_alts(
            rf"\b(?:my|our)\s+{_OTHER_PERSON}(?:'s|s)?\s+(?:has\s+|had\s+|just\s+)?(?:made|got|"
            r"making) a plan\b",
            r"\b(?:sent|texted|messaged|left) (?:me |us )?(?:a |an )?(?:goodbye|farewell|suicide) "
            r"(?:message|text|note|letter|voicemail)\b",
            r"\b(?:goodbye|farewell) (?:message|text|note|letter) from (?:my|our|her|his)\b",
            r"\b(?:sent|texted|messaged|left) (?:me |us )?(?:a |an )?(?:voice ?note|voicemail|"
            r"message|text)\s+(?:\w+\s+){0,8}?(?:saying goodbye|sorry for everything|thanks for "
            r"everything|look after (?:the kids|my|everyone))\b",
            rf"\b(?:she|he|they|my {_OTHER_PERSON})(?:'s| is|'re| are| has| keeps| keeps on| kept)?"
            r"\s+(?:\w+\s+)?"
            r"(?:talking|talk|saying|said|says|threatening|threatened|going|gonna|planning|wants?|"
            r"wanted)\s+(?:about\s+|to\s+|that\s+(?:she|he|they)\s+(?:wants?|will|is going)\s+to\s"
            r"+)?"
            r"(?:kill(?:ing)? (?:herself|himself|themselves)|end(?:ing)? (?:it|her life|his life|"
            r"their life|things)|tak(?:e|ing) (?:her|his|their) (?:own )?life|die)\b",
            r"\b(?:she|he|they)(?:'s| has| have|'ve)? (?:taken|took|swallowed) (?:an overdose|a "
            r"load of|all (?:her|his|their))\b",
            r"\bkill(?:ing)? (?:herself|himself|themselves)\b",
            r"\b(?:can'?t|cannot) (?:get hold of|reach|find) (?:her|him|my \w+) (?:and|since|after)"
            r" (?:she|he)\b",
        ),
        exclude_before=re.compile(r"\b(?:never|not|didn'?t|won'?t)\s+(?:\w+\s+)?$", _FLAGS),
        category=THIRD_PARTY,
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="sepsis_signs",
        description="signs of sepsis",
        patterns=_alts(
            r"\b(?:feel|feels|feeling|felt)\s+(?:like\s+)?(?:i'?m|im|i am|she'?s|i)\s+(?:going to|"
            r"gonna|about to) die\b(?! (?:of|from) (?:grief|embarrass|shame|sad|heart|laugh|bored)"
            r")",
            r"\bmottled\b|\bblue[- ]tinged\b|\bskin (?:has gone|is|looks|went) (?:blotchy|"
            r"purple|blue|grey|gray)\b",
            r"\b(?:haven'?t|havent|have not|not|hasn'?t|has not|no)\s+(?:had a |been for a |"
            r"passed (?:any )?|done a )?(?:wee|wee'd|weed|peed|pee|urine|urinated)\s+"
            r"(?:\w+\s+)?(?:all day|since (?:this morning|yesterday|last night)|in (?:\w+ )?hours|"
            r"for (?:\w+ )?hours|today)\b",
            r"\bslurr(?:ed|ing) (?:speech|my words|her words)\b",
        ),
        hypothetical=False,
    ),
    Rule(
        name="sepsis_signs",
        description="signs of sepsis",
        patterns=_alts(
            r"\b(?:i'?m|im|i am|feel|feeling|she'?s|she is|he'?s|getting|gone|going|really|very)\s+"
            r"(?:so\s+|really\s+|very\s+|a bit\s+|quite\s+)?(?:confused|muddled|disorientated|"
            r"disoriented|not making sense|not with it)\b"
            r"(?!\s+(?:about|by|why|as to|with|over|whether|what|how|because|at|that|if|and upset)"
            r")",
        ),
        requires=("unwell",),
        hypothetical=False,
    ),
    Rule(
        name="chest_breathing_clot",
        description="chest pain, breathlessness, blue lips or a swollen calf",
        patterns=_alts(
            r"\bchest (?:pain|pains|tightness|hurts|is (?:tight|hurting|painful|sore))\b|\b(?:pain|"
            r"tightness|pressure) (?:in|across) my chest\b|\btight chest\b",
            r"\b(?:blue|bluish|purple) lips\b|\blips? (?:are |is |look |looks |have |has |went |"
            r"gone |going |turned |turning )?(?:gone |turned )?(?:a bit |slightly |quite |a little"
            r" )?"
            r"(?:blue|bluish|purple)\b",
            r"\b(?:swollen|painful|hot|red|tender|throbbing)\s+(?:and\s+(?:swollen|painful|hot|red|"
            r"tender|throbbing)\s+)?(?:calf|calves|leg)\b",
            r"\b(?:calf|calves)\s+(?:is |are |has |feels |has gone |looks )?(?:really |very |so |"
            r"all )?(?:swollen|puffy|hot|red|tender|painful)\b",
            r"\bcoughing (?:up )?blood\b",
        ),
        # chest pain told as anxiety ("so anxious I get chest pains"), unless a harder sign is there
        exclude_sentence=re.compile(
            r"^(?!.*\b(?:lips?|calf|calves|leg|blood)\b).*\b(?:anxious|anxiety|panic|panicky|"
            r"whenever|checked my heart|heart is fine)\b", _FLAGS | re.DOTALL
        ),
    ),
    Rule(
        name="chest_breathing_clot",
        description="chest pain, breathlessness, blue lips or a swollen calf",
        patterns=_alts(
            r"\b(?:can'?t|cannot|cant|struggling to|hard to|can barely|can hardly|couldn'?t|unable"
            r" to)"
            r" (?:catch my breath|get my breath|breathe properly|breathe)\b(?! (?:with|for|because"
            r" of"
            r"|from) (?:the )?pain)",
            r"\b(?:so |really |very |quite )?(?:breathless|short of breath|out of breath)\b",
            r"\bgasping for (?:air|breath)\b",
        ),
        exclude_sentence=re.compile(
            r"\b(?:panic|anxiety|anxious|panicky|crying|sobbing|stairs|running|walk|walking|hills?|"
            r"climbing|gym|anaemic|anemic|whenever|asthma (?:is|was) fine)\b", _FLAGS
        ),
    ),
    Rule(
        name="pregnant_after_12_weeks_bleeding",
        description="pregnant beyond 12 weeks and bleeding",
        patterns=(
            r"\b(?P<weeks>1[3-9]|2\d|3\d|4[0-2])\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|w)\s+(?:\w+\s+)?"
            r"pregnant\b",
            r"\b(?:i'?m|im|i am|she'?s|she is)\s+(?P<weeks>1[3-9]|2\d|3\d|4[0-2])\s*(?:\+\s*\d\s*)?"
            r"(?:weeks?|wks)\b(?! (?:post|after|since|out|pp|postpartum|on|of|from))",
        ),
        exclude_before=re.compile(
            r"\b(?:was|were|when|at|before|scared of|afraid of|lost|losing|loss)\s+(?:\w+\s+){0,2}"
            r"$",
            _FLAGS,
        ),
        requires=("bleeding_or_spotting",),
        past=False,
    ),
    Rule(
        name="waters_or_contractions_early",
        description="waters breaking or contractions before 24 weeks",
        patterns=_alts(
            r"\b(?:my\s+)?waters?\s+(?:have\s+|has\s+|just\s+|might\s+have\s+|may\s+have\s+|think"
            r"\s+"
            r"(?:my\s+)?waters?\s+)?(?:broke|broken|gone|went|breaking|burst|are leaking|leaking|"
            r"are going)\b",
        ),
        exclude_sentence=re.compile(r"\b(?:2[4-9]|3\d|4[0-2])\s*(?:weeks?|wks?)\b", _FLAGS),
    ),
    Rule(
        name="waters_or_contractions_early",
        description="waters breaking or contractions before 24 weeks",
        patterns=_alts(
            r"\b(?:having|getting|got|started|start|i'?m having|feel|feeling|i think i'?m having)"
            r"\s+"
            r"(?:\w+\s+)?contractions\b",
            r"\bcontractions (?:every|are|have started|started|coming|about)\b",
        ),
        exclude_before=re.compile(r"\blike\s+(?:\w+\s+)?$", _FLAGS),
        validate=_pregnancy_under_24_weeks,
    ),
    Rule(
        name="strangulation",
        description="strangled or choked by a partner (at any time)",
        patterns=_alts(
            r"\bstrangl(?:ed|es|ing|e)\b",
            r"\bchok(?:ed|es|ing) me\b",
            r"\b(?:hands?|arm|arms|belt|cord|rope) (?:round|around) my (?:neck|throat)\b",
            r"\b(?:squeez\w*|grabbed|grabs|pressed on|held) (?:me by )?(?:my|the) (?:neck|throat)"
            r"\b",
            r"\bby (?:my|the) (?:neck|throat)\b",
        ),
        exclude_sentence=re.compile(r"\b(?:cord|umbilical)\b.*\bbaby\b|\bbaby\b.*\bcord\b", _FLAGS),
        category=ABUSE,
        past=False,
        hypothetical=False,
    ),
    Rule(
        name="sexual_assault",
        description="sexual assault",
        patterns=_alts(
            r"\b(?:raped|rape|sexually assaulted|sexual assault|assaulted me sexually)\b",
            r"\b(?:forced|forces|forcing|made|makes|pressured|pressures)\s+me\s+(?:to\s+)?(?:have|"
            r"into)\s+(?:sex|having sex)\b",
            r"\bforced himself on me\b|\bwithout my consent\b|\bdidn'?t (?:want|consent) to (?:hav"
            r"e )?"
            r"sex\b",
        ),
        category=ABUSE,
        hypothetical=False,
    ),
    # Safeguarding flags go with any urgency: they never raise it on their own (labelling guide).
    Rule(
        name="safeguarding_sexual_assault",
        description="safeguarding: sexual assault",
        patterns=_alts(
            r"\b(?:raped|rape|sexually assaulted|sexual assault)\b",
            r"\b(?:forced|made|pressured)\s+me\s+(?:to\s+)?(?:have|into)\s+(?:sex|having sex)\b",
        ),
        category=SAFEGUARDING,
        raises=False,
        past=False,
        hypothetical=False,
    ),
    Rule(
        name="under_18",
        description="safeguarding: the writer may be under 18",
        patterns=(
            r"\b(?:i'?m|im|i am|i'?m only|im only|i am only|i just turned|aged?)\s+(?:only\s+)?"
            r"(?:1[0-7]|thirteen|fourteen|fifteen|sixteen|seventeen)\b(?!\s*(?:\+|weeks?|wks?|w\b|"
            r"days?|months?|hours?|hrs?|mins?|minutes?|times?|pads?|%|st\b|nd\b|rd\b|th\b|cm|kg|"
            r"stone|lbs?|dpo|miles|\.\d|,\d))",
            r"\b(?:1[0-7]|thirteen|fourteen|fifteen|sixteen|seventeen)\s*(?:years? old|yrs? old|yo|"
            r"y/o)\b",
            r"\b(?:i'?m|im|i am) (?:still )?(?:at|in) (?:secondary |high )?school\b|\bmy gcses\b|"
            r"\bin year (?:7|8|9|10|11)\b|\bi'?m a (?:teenager|teen|schoolgirl)\b",
        ),
        category=SAFEGUARDING,
        raises=False,
        past=False,
        hypothetical=False,
        future=False,
    ),
    Rule(
        name="coercive_control",
        description="safeguarding: coercive control",
        patterns=_alts(
            rf"\b{_PERSON}\s+(?:won'?t|doesn'?t|didn'?t|will not|does not|wouldn'?t|never) let(?:s"
            r")? "
            r"me (?:see|go to|ring|call|phone|contact|have|keep|talk to|tell)\b",
            rf"\b{_PERSON}\s+(?:takes?|took|has taken|keeps?|controls?|checks?|tracks?|reads?|"
            r"goes through|hides?|hid)\s+(?:away\s+)?(?:all\s+)?(?:my|our)\s+(?:phone|money|bank "
            r"card|cards|wages|benefits|passport|car keys|keys|messages|texts|location|"
            r"medication|tablets)\b",
            r"\b(?:i'?m|im|i am) not allowed (?:to|out)\b",
            r"\b(?:watches|monitors|tracks) (?:everything i do|where i go|my every move|me)\b",
            r"\b(?:stops?|stopped|stopping) me (?:from )?(?:seeing|going to|getting|calling|"
            r"ringing|leaving)\b",
        ),
        category=SAFEGUARDING,
        raises=False,
        hypothetical=False,
    ),
    Rule(
        name="risk_to_children",
        description="safeguarding: a risk to children",
        patterns=_alts(
            rf"\b{_PERSON}\s+(?:has\s+|keeps\s+|also\s+)?(?:hit|hits|hitting|hurt|hurts|hurting|"
            r"beat|beats|kicked|kicks|threatened|threatens|shakes|shook|smacks|slapped|slaps|"
            r"punched)\s+(?:the|my|our)\s+(?:kids|children|son|daughter|baby|toddler|little one|bo"
            r"y|"
            r"girl|boys|girls)\b",
            r"\b(?:scared|afraid|frightened|worried) (?:for|about) (?:the safety of )?(?:my|the|ou"
            r"r) "
            r"(?:kids|children|son|daughter|baby|little ones?)(?:'s)? safety\b|\bscared for my "
            r"(?:kids|children)\b",
            r"\bsocial services\b",
        ),
        category=SAFEGUARDING,
        raises=False,
        hypothetical=False,
    ),
)

_HELPERS: dict[str, Rule] = {
    "unwell": Rule(
        "unwell", "feeling unwell",
        _alts(
            r"\b(?:unwell|poorly|shaky|shaking|weak|wobbly|clammy|spaced out|out of it|woozy|"
            r"breathless|short of breath|ill|grey|pale|dizzy|faint|lightheaded|light[- ]headed)\b",
            r"\b(?:feel|feeling|felt|feels)\s+(?:\w+\s+){0,2}?(?:awful|terrible|rough|sick|grim|"
            r"dreadful|horrendous|off|not right|strange|wrong|spacey|drained)\b",
            r"\b(?:being sick|throwing up|vomiting|sick)\b",
        ),
    ),
    "bleeding_now": Rule(
        "bleeding_now", "bleeding",
        _alts(r"\b(?:bleeding|bleed|bled|blood|red blood|bright red|losing a lot)\b"),
    ),
    "bleeding_or_spotting": Rule(
        "bleeding_or_spotting", "bleeding or spotting",
        _alts(r"\b(?:bleeding|bleed|bled|blood|red blood|bright red|losing a lot|spotting|"
              r"spotted)\b"),
    ),
    "pain_now": Rule(
        "pain_now", "pain",
        _alts(rf"\b(?:{_PAIN}|painful|crampy|hurts|hurting|sore)\b"),
        exclude_before=re.compile(r"\bemotional\s+$", _FLAGS),
        exclude_after=re.compile(r"\s+of (?:losing|loss|grief|it all)\b", _FLAGS),
    ),
}


# --------------------------------------------------------------------------- fast matching
#
# Trying ~150 alternatives at every position of every comment is slow in Python's `re`. Each
# alternative that starts at a word boundary has a set of literal prefixes, derived from its
# parsed form. One trie-shaped scan finds where any prefix occurs, and only the alternatives
# owning that prefix are tried, only there. Alternatives without such prefixes run in full.

try:  # Python 3.11+
    from re import _constants as _sre_c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MAX_PREFIXES = 400
_LONG_ENOUGH = 7  # prefixes this long are selective enough; stop expanding
_WORD = re.compile(r"\w+")


def _prefixes(items: list) -> set[tuple[str, bool]]:
    """(literal prefix, still extendable) pairs; every match of `items` starts with one."""
    results = {("", True)}
    for op, av in items:
        if op is _sre_c.AT:
            continue
        open_ = {p for p, extendable in results if extendable}
        if not open_:
            break
        if op is _sre_c.LITERAL:
            sub = {(chr(av), True)}
        elif op is _sre_c.SUBPATTERN:
            sub = _prefixes(list(av[-1]))
        elif op is _sre_c.BRANCH:
            sub = set().union(*(_prefixes(list(branch)) for branch in av[1]))
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            sub = _prefixes(list(av[2])) | {("", True)}
        elif op is _sre_c.IN and len(av) <= 4 and all(o is _sre_c.LITERAL for o, _ in av):
            sub = {(chr(v), True) for _, v in av}
        elif op is _sre_c.IN and list(av) == [(_sre_c.CATEGORY, _sre_c.CATEGORY_DIGIT)]:
            sub = {(d, True) for d in "0123456789"}
        elif op is _sre_c.IN and list(av) == [(_sre_c.CATEGORY, _sre_c.CATEGORY_SPACE)]:
            sub = {(" ", True)}  # the matched text has every whitespace turned into a space
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[0] >= 1:
            sub = {(x, False) for x, _ in _prefixes(list(av[2]))}
        else:
            sub = {("", False)}
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
    for r, rule in enumerate(RULES):
        if r not in matches or any(hit.rule == rule.name for hit in hits):
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

