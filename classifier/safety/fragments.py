"""Pattern fragments the red-flag rules share: pads, rates, blood, pain, sides, people."""

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
