"""The red-flag rules (data), in the order they are checked and reported.

Each rule is a name, a plain description, patterns and exclusions, kept by family in
`rules_bleeding`, `rules_physical` and `rules_crisis`. The patterns run on lower-cased text (see
`context.Doc`); `checks` holds the few validators a pattern cannot express. The labelling guide
and the clinical review decide what is here.
"""

from __future__ import annotations

import re

from .core import _FLAGS, Rule, _alts
from .fragments import _PAIN
from .rules_bleeding import BLEEDING_RULES
from .rules_crisis import CRISIS_RULES
from .rules_physical import PHYSICAL_RULES

# Hits are reported in this order (and a comment's reasons read in it): the most pressing first.
RULE_ORDER = (
    "heavy_bleeding_rate",
    "bleeding_getting_heavier",
    "large_clots_unwell",
    "faint_dizzy_collapse",
    "racing_heart_bleeding",
    "infection_signs",
    "severe_pain",
    "self_harm",
    "being_hurt_at_home",
    "pregnant_bleeding_pain",
    "overdose_taken",
    "suicidal_words",
    "third_party_risk",
    "sepsis_signs",
    "chest_breathing_clot",
    "pregnant_after_12_weeks_bleeding",
    "waters_or_contractions_early",
    "strangulation",
    "sexual_assault",
    "safeguarding_sexual_assault",
    "under_18",
    "coercive_control",
    "risk_to_children",
)

# sorted() is stable: rules sharing a name keep their order within their family.
RULES: tuple[Rule, ...] = tuple(sorted(BLEEDING_RULES + PHYSICAL_RULES + CRISIS_RULES,
                                       key=lambda rule: RULE_ORDER.index(rule.name)))

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
