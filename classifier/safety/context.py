"""Context around a match: negation, hypotheticals, future worries and finished stories.

A red-flag match counts only when it describes something happening now. `current_spans`
keeps the matches that are not negated ("no fever"), hypothetical ("if I get a
temperature…"), or part of a finished story ("last year I collapsed … all fine now").
"""

from __future__ import annotations

import bisect
import re

from .core import _FLAGS, _TRANSLATE, Rule, _rx, _Span

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

