"""The red-flag rules (data): each a name, a plain description, patterns and exclusions.

The patterns run on lower-cased text (see `context.Doc`); `checks` holds the few validators
a pattern cannot express. The labelling guide and the clinical review decide what is here.
"""

from __future__ import annotations

import re

from .checks import (
    _NUM,
    _overdose_quantity,
    _pads_per_hour_at_least_one,
    _pregnancy_under_24_weeks,
    _pregnant_now,
)
from .core import _FLAGS, ABUSE, MENTAL_HEALTH, SAFEGUARDING, THIRD_PARTY, Rule, _alts

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
