"""The red-flag rules about bleeding: how heavy, how fast, with clots, faintness or pregnancy."""

from __future__ import annotations

import re

from .checks import (
    _NUM,
    _pads_per_hour_at_least_one,
    _pregnant_now,
)
from .core import _FLAGS, Rule, _alts
from .fragments import _BLOOD, _PAD_WORDS, _RATE

BLEEDING_RULES: tuple[Rule, ...] = (
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
)
