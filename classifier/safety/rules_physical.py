"""The red-flag rules about other bodily emergencies: infection, sepsis, pain, chest, labour."""

from __future__ import annotations

import re

from .checks import (
    _pregnancy_under_24_weeks,
)
from .core import _FLAGS, Rule, _alts
from .fragments import _OTHER_PERSON, _PAIN, _SIDE

PHYSICAL_RULES: tuple[Rule, ...] = (
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
)
