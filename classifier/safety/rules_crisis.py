"""The red-flag rules about safety: self-harm, suicide, abuse, safeguarding, others at risk."""

from __future__ import annotations

import re

from .checks import (
    _overdose_quantity,
)
from .core import _FLAGS, ABUSE, MENTAL_HEALTH, SAFEGUARDING, THIRD_PARTY, Rule, _alts
from .fragments import _OTHER_PERSON, _PERSON

CRISIS_RULES: tuple[Rule, ...] = (
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
