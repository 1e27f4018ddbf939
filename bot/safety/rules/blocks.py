"""The building blocks of the crisis rules: the rule record and shared regex pieces.

Each piece is one way of saying a part of a sentence (a wish or intention, an act aimed at
oneself, what may follow hopelessness when it is meant, words of places, of medicines
handled for someone else, of replies to someone else...), kept in one place so the rules in
`wishes` and `acts` read as sentences built of them. Pure, no network.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.prefilter import required

# Words a clause may start with before its verb ("honestly wanna die lol").
_INTERJ = (
    r"(?:honestly|literally|lol|lmao|ok|okay|so|just|really|tbh|idk|maybe|fr|ngl|ugh|sometimes"
    r"|still|now|and|but|like|seriously|srsly|currently|today|tonight|kinda|pretty|haha|anyway"
    r"|anyways|yeah|yea|yes|well|um|uh|omg|god|please|man|bro|bruh|dude|sorry|also|oh|again"
    r"|rn|actually|genuinely|lowkey|highkey|lately|always|constantly|keep|kept|been|probably"
    r"|most|definitely|im|welp|hey|guys|all|days|nights|some|fucking|fuckin|very|more|even)"
)
# Words that may sit between "i" and the verb, but never another subject or a negation.
_BLOCK = (
    r"(?:not|never|no|nobody|don't|didn't|won't|wouldn't|haven't|hasn't|isn't|wasn't|aren't"
    r"|weren't|can't|couldn't|shouldn't|you|you're|your|he|he's|she|she's|they|they're|we"
    r"|we're|someone|somebody|anyone|anybody|people|my|his|her|their|if|when|used|once|wanted"
    r"|was|were|had|told|said|asked|says|thought|knew)"
)
_FW = rf"(?!{_BLOCK}\b)[a-z0-9']+"
_ADV = r"(?:(?:just|really|fucking|actually|finally|go|seriously|literally|completely|definitely|probably|honestly|simply|quietly|gonna|then) )"
# A wish, intention, plan, or thought aimed at an act.
_INT = (
    r"(?:want to|need to|going to|about to|ready to|plan(?:ning)? to|planning on|planning|plotting|preparing for|decided to"
    r"|trying to|try to|tempted to|urges? to|deserve to|wish i could|wish to|intend to|should"
    r"|might|may|will|'ll|thinking (?:of|about)|think (?:of|about)|thought (?:of|about)"
    r"|considering|contemplating|can't stop thinking about|fantasi[sz]ing about"
    r"|dreaming (?:of|about)|obsessing over|feel like|telling me to|it would be to|got to"
    r"|close to|on the verge of|scared i'm going to|afraid i'll|afraid i'm going to|hope to"
    r"|would love to|going to go|want to go|(?:keep )?(?:picturing|imagining|visuali[sz]ing) myself"
    r"|(?:keep |been )?wanting to|(?:it )?(?:would be|'d be|would be so|is so|seems so) (?:so |really |too )?(?:easy|easier|tempting|peaceful) to)"
)
_SELF = (
    r"(?:(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|hang(?:ing)?|burn(?:ing)?"
    r"|starv(?:e|ing)|drown(?:ing)?|shoot(?:ing)?|stab(?:bing)?|poison(?:ing)?|suffocat(?:e|ing)"
    r"|off(?:ing)?|end(?:ing)?|chok(?:e|ing)|strangl(?:e|ing)|electrocut(?:e|ing)|gas(?:sing)?"
    r"|overdos(?:e|ing)|selfharm(?:ing)?|throw(?:ing)?|drink(?:ing)? myself to death|"
    r"let(?:ting)?) myself\b(?! (?:go|be|have|know|feel|off the hook|rest|out|in\b(?! front)))"
    r"|(?:drink|drinking|starve|starving|work|working) myself to death)"
)
_WHERE = r"(?:in|with|at|here|there|near|on|under|out of|paycheck|off|alone|together|by myself|abroad|in this)\b"
# What may follow a phrase of hopelessness when it is meant: the end of the clause, an
# interjection, a time. Not a qualifier that makes it small talk ("...at 7am on mondays",
# "...in this heat", "...without coffee", "life admin").
_END = (
    r"(?= *$| (?:anymore|any longer|any more|honestly|tbh|fr|lol|rn|right now|at this point|already"
    r"|completely|so much|so bad|seriously|man|bro|tonight|today|tomorrow|for real|literally|really"
    r"|truly|ngl|idk|lmao|smh|because|cause|cuz|i|i'm|so|just|it's|like this|like that|this way"
    r"|for me|for myself|to me|in this world|on this earth|anyway|either|too|ever again|again|now"
    r"|some days|sometimes|lately|every day|every single day|all the time|forever|for good|permanently|without (?:her|him|them|you|my \w+)(?: \w+)?)\b)"
)
_END_IT = (
    r"(?! (?:with|on|for(?! good)|early|off|between|there|here|up|at|over|by|in|via|and start))"
)
_ACT = (
    r"(?:commit(?:ting)? suicide|(?:my )?suicide\b(?! (?:prevention|awareness|rates?|hotlines?|lines?"
    r"|statistics|stats|research|squad|notes?|watch|risk|survivors?|loss|attempts? (?:by|of)|is painless))"
    r"|end(?:ing)? (?:it all|it|things|everything|my life|my own life|this life|my suffering|my existence)\b"
    + _END_IT
    + r"|take my (?:own )?life|taking my (?:own )?life"
    r"|selfharm(?:ing)?\b|overdos(?:e|ing)\b(?! on (?!(?:my|all|the|these|those|some|pills|meds|heroin|fentanyl|drugs|opioids|insulin|tylenol|paracetamol|sleeping)\b))|cut(?:ting)?(?= *(?:$|again|tonight|today|right now|rn"
    r"|so bad|deep|deeper|myself|my wrists?|my arms?|my legs?|my thighs?|the pain away))"
    r"|(?:slit|slic(?:e|ing)|slash|slitting|slashing|cut|cutting) (?:open )?(?:my|both) wrists?"
    r"|jump(?:ing)? (?:off|from|in front of) (?:of )?(?:a|the|my|this) (?:\w+ )?(?:bridge|building|roof"
    r"|cliff|ledge|balcony|overpass|tower|train|bus|car|truck|parking garage|window|car park|highway"
    r"|traffic|subway|metro|tracks)"
    r"|(?:take|taking|swallow(?:ing)?|down(?:ing)?) (?:every (?:single )?(?:pill|tablet|capsule)|all the (?:pills|meds|tablets))\b"
    r"|(?:take|taking|swallow(?:ing)?|down(?:ing)?) (?:all|every one|a whole bottle|the whole bottle|all of|the rest of|a bottle|a handful|handfuls) (?:of )?(?:my |the |these |those |his |her )?(?:\w+ )?(?:pills|meds|medication|tablets|antidepressants|painkillers)"
    r"|(?:crash(?:ing)?|wreck(?:ing)?) (?:my car|into)|driv(?:e|ing) (?:my car )?(?:into|off) (?:a|the|on)"
    r"|bleed(?:ing)?(?: out)?(?= *(?:$|out|to death|again))"
    r"|(?:disappear|vanish|go away|go to sleep|sleep|fall asleep|rest) (?:forever|permanently|for good|and never wake up)\b(?! after| until| till| this)"
    rf"|never wake up|not wake up|(?:stop existing|not exist|cease to exist|stop being alive|not be alive|stop living|stop breathing|not be here|not be around|be gone){_END}"
    r"|be gone forever|leave this world|leave this earth|end my pain)"
)
_DIE = r"(?:die|be dead|dead)\b(?! (?:of|from|laughing|for (?!what|how|who|being|existing|everything|all|it|good|weeks|months|days|years|ages|a while|so long|a long time)|than|inside|tired|on|trying|to see|to know|to try|(?:my|the|her|his|your) (?:hair|shirt|clothes|jeans|beard|eyebrows|nails|roots)|in (?:a|the|that) (?:game|match|raid)))"
_INT_DIE = (
    r"(?:want to|wish i could|wish to|ready to|deserve to|should|need to|plan(?:ning)? to"
    r"|trying to|tempted to|would love to|going to let myself|longing to|wanting to|been wanting to|going to go|want myself to"
    r"|i'd like to|rather|just want to|feel like i should|would be better to|better off)"
)
_RECENT = r"\b(?:just|tonight|today|an hour ago|hours? ago|minutes? ago|earlier|last night|this morning|this afternoon|this evening|right now|just now|again|rn)\b"
_HARM_WORDS = r"\b(?:cut|cutting|selfharm\w*|attempt\w*|suicid\w*|kill myself|killing myself|overdos\w*|hurt myself|hurting myself|burn myself|burning myself|tried to)\b"
_PLACE = r"\b(?:job|work|school|class|exams?|finals|semester|shift|college|uni|university|office|company|server|town|city|house|place|country|state|party|meeting|relationship|boss|manager|coworkers?|applying|elsewhere|quit|quitting|leave|leaving|move|moving|group chat|channel|team|family dinner)\b"
# Medicines handled for someone else, or as prescribed.
_CARING = r"\b(?:organi[sz]er|dose|doses|dosage|prescription|pharmacy|refill|vitamins?|dispenser|pill ?box|as prescribed|as directed|supposed to|on time|like (?:the |my )?doc(?:tor)? said|remembered to|forgot to|antibiotics?|infection|the course|a course of|for (?:my )?(?:grandma|grandpa|nan|mom|mum|dad|mother|father|son|daughter|kids?|dog|cat|patient|client|husband|wife|partner)\b)"
# Away for a while, not gone.
_AWAY = r"\b(?:conference|flying|flight|trip|vacation|holiday|travel\w*|camping|visiting|offline|wifi|signal|out of town|airport|festival|retreat|see you|be back|brb)\b"
# A reply to someone else: the hopeless words are quoted back, to answer them.
_SUPPORT = r"\b(?:you matter|you are not alone|you're not alone|reach out|here for you|call 988|text 988|helpline|hotline|crisis line|you deserve|you are loved|you're loved|depression lying|depression lies)\b"
_EX = r"\b(?:ex|bf|gf|boyfriend|girlfriend|ex's|crush|broke up|break up|breakup|dumped|divorc\w*|split up)\b|\b(?:she|he)(?:'s| is) better off without me"


@dataclass(frozen=True)
class _Rule:
    reason: str
    rx: re.Pattern
    gate: tuple[str, ...] = ()  # cheap pre-check: one of these substrings must be in the text
    lead: bool = False  # the match must follow a first-person subject or start its clause
    negatable: bool = False  # a negation (or another subject) just before the match cancels it
    need_clause: re.Pattern | None = None  # must also occur in the clause
    need_text: re.Pattern | None = None  # must also occur somewhere in the text
    need_end: bool = False  # must end its clause, or be followed by an interjection (_END)
    veto_sentence: re.Pattern | None = None  # must not occur in the sentence
    veto_text: re.Pattern | None = None  # must not occur anywhere in the text
    past_ok: bool = False  # past or recovery markers in the clause do not cancel it
    needs: tuple[frozenset[str], ...] = ()  # sets of strings every match holds one of each


def _rule(reason: str, pattern: str, gate: tuple[str, ...] = (), **kwargs) -> _Rule:
    compiled = {k: re.compile(v, re.M) if isinstance(v, str) else v for k, v in kwargs.items()}
    if pattern.startswith("(?:") and not pattern.startswith("(?:^"):
        pattern = r"\b" + pattern  # words start at a word boundary: 2-3x faster on long texts
    return _Rule(
        reason, re.compile(pattern, re.M), gate, needs=tuple(required(pattern)), **compiled
    )
