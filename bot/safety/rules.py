"""The crisis check's rules: the clear cases, each with a reason. Pure, no network.

`rule_reason(normalise(text))` says whether a message expresses a risk of suicide or self-harm, or an
immediate crisis, in the first person, now or soon. It must not fire on recovery stories
about the past, on third persons and news, on supportive replies, on awareness talk, or on
figures of speech ("this traffic is killing me").

How it works:

1. Normalise: Unicode compatibility forms, look-alike letters, zero-width characters,
   curly quotes, case, double-quoted spans (song titles, reported speech), leetspeak
   inside words ("su1cide", "k*ll"), spelled-out letters ("s u i c i d e"), stretched
   letters ("diiie"), missing apostrophes ("dont", "im"), slang ("kms", "unalive", "sh",
   "od", "sewerslide"), common misspellings.
2. Cut the text into clauses: one newline between clauses ("," "and" "but"), two
   between sentences (". ! ? ; :"), so every rule is one regex search over the whole
   text and `^` / `$` (multiline) mean the start and end of a clause.
3. Rules: each a precompiled regex for one way of saying it (a wish or plan aimed at
   oneself, hopelessness, being a burden, an act just done, means at hand, goodbyes...),
   behind a cheap substring gate. Most need a first-person lead: "i ..." a few harmless
   words before, or a clause that starts with the verb ("wanna die lol").
4. Suppressors, checked for the clause a match sits in: past and recovery markers
   ("used to", "two years ago", "back then", "once"), a negation or another subject
   after the last "i" ("i'm not going to...", "if you..."), and rule-specific vetoes:
   hopelessness must end its clause or be followed by an interjection ("tired of living
   honestly", not "tired of living in this town"), jobs and places ("i don't want to be
   here anymore, this job..."), breakups ("my ex is better off without me"), travel,
   medicines handled for someone else, supportive replies quoting the words back.

It is a screen, not a diagnosis: it errs towards showing the resources.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, repeat
from operator import add, or_

from bot.safety.features import scan
from bot.safety.gates import Gates
from bot.safety.prefilter import required

_MAX_CHARS = 100_000

# --- normalisation -------------------------------------------------------------------

_ZW = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2026": ".",
        "\u2014": ".",
        "\u2013": ",",
        # Cyrillic and Greek letters that look like Latin ones
        **dict(
            zip(
                "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04cf\u03bf\u03b9",
                "aeopcyxijsloi",
                strict=True,
            )
        ),
    }
)
_QUOTED = re.compile(r'"[^"\n]{0,80}"')
# Letters spelled out one by one: "s u i c i d e", "s.u.i.c.i.d.e", "k-i-l-l".
_SPELLED = re.compile(r"([^a-z0-9'])([a-z](?:(?: |[.\-_*] ?)[a-z]){3,})(?![a-z0-9'])")
_LEET = re.compile(r"[013457@$!*](?<=[a-z].)(?=[a-z])")
_LEET_MAP = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "*": "i",
}
_TRIPLE = re.compile(r"(.)\1\1(?<=[a-z]..)")  # three of one letter ("." scans faster than [a-z])
_REPEATS = re.compile(r"([a-z])\1{2,}")
# "self harm", "un-alive": the word boundary is checked after the first word (the same
# test), so the scan skips ahead on its letters: twice as fast as a leading \b.
_JOINS = re.compile(r"(self(?<!\wself)|un(?<!\wun))[\s\-]*(harm|aliv)")
# One pass over ASCII text (one character to one, so CPython's fast path applies):
# sentence ends become "\n", commas "\r", any other character but letters, digits,
# apostrophes and spaces a space.
_ASCII = str.maketrans(
    {
        **{chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "'")},
        **{c: "\n" for c in ".!?;:\n"},
        ",": "\r",
        "\r": "\r",
    }
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f]+)")
_FEW_RUNS = 64  # up to this many non-ASCII runs (emoji, quotes) are mapped one by one
_SHAPE = str.maketrans(
    {
        **{chr(c): "x" for c in range(128)},
        **{c: "a" for c in "abcdefghijklmnopqrstuvwxyz"},
        **{c: "." for c in ".-_*"},
        " ": " ",
    }
)
_SHAPES = ("a a a a", "a.a.a.a", "a. a. a. a")
_LOOSE_APOSTROPHE = re.compile(r"'(?![a-z])|'(?<![a-z]')")
_SENTENCE_BREAKS = re.compile(r" (?:\r )*\n(?: [\r\n])* ")  # a run of breaks with a "\n"
_CLAUSE_BREAKS = re.compile(r" \r(?: \r)* ")
_LONG_CLAUSE = 40  # words: longer clauses are cut, to bound the work per clause
_LONG_CHARS = 240
_KM = re.compile(r"\b(\d+(?:\.\d+)?|a few|few|several|many|couple|some|more) ?kms?\b")
_UNALIVE = re.compile(r"\bunaliv(e|ing|ed)\b(?: (?:myself|me|my self))?")
_SUICIDE = re.compile(r"s(?<![a-z]s)(?:[uo]+[iey]*[cs]+[iy]*de?|ewer ?slide|ooicide)\b")
_SUICIDAL = re.compile(r"s(?<![a-z]s)[uo]+[iey]*[cs]+[iy]*d(?:al|le|el|ial)\b")
_WORDS = {
    "dont": "don't",
    "cant": "can't",
    "cannot": "can't",
    "wont": "won't",
    "im": "i'm",
    "ive": "i've",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "arent": "aren't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "shouldnt": "shouldn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "whats": "what's",
    "thats": "that's",
    "theres": "there's",
    "youre": "you're",
    "theyd": "they'd",
    "theyre": "they're",
    "i'ma": "i'm going to",
    "imma": "i'm going to",
    "ima": "i'm going to",
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gunna": "going to",
    "finna": "going to",
    "tryna": "trying to",
    "gotta": "got to",
    "u": "you",
    "ur": "your",
    "rly": "really",
    "tonite": "tonight",
    "myslef": "myself",
    "mysefl": "myself",
    "mysef": "myself",
    "meself": "myself",
    "mself": "myself",
    "kil": "kill",
    "kll": "kill",
    "killin": "killing",
    "dieing": "dying",
    "dyin": "dying",
    "ded": "dead",
    "pils": "pills",
    "kms": "kill myself",
    "sh": "selfharm",
    "shing": "selfharming",
    "selfharms": "selfharm",
    "od": "overdose",
    "oding": "overdosing",
    "od'ing": "overdosing",
    "oded": "overdosed",
    "od'd": "overdosed",
    "od'ed": "overdosed",
}
# Several words: replaced in the word-mapped text, each padded with spaces.
_PHRASES = tuple(
    (f" {w} ", f" {r} ")
    for w, r in {
        "i am": "i'm",
        "i will": "i'll",
        "i would": "i'd",
        "i have been": "i've been",
        "do not": "don't",
        "can not": "can't",
        "will not": "won't",
        "any more": "anymore",
        "my self": "myself",
        "kys myself": "kill myself",
        "k m s": "kill myself",
        "d i e": "die",
        "once and for all": "for good",
        "and": "\r",
        "but": "\r",
        "plus": "\r",
        "while": "\r",
    }.items()
)


def _unalive(m: re.Match) -> str:
    return {"e": "kill", "ing": "killing", "ed": "killed"}[m.group(1)] + " myself"


def _cut_long(clause: str) -> str:
    words = clause.split(" ")
    return "\n".join(
        " ".join(words[i : i + _LONG_CLAUSE]) for i in range(0, len(words), _LONG_CLAUSE)
    )


def _clauses(text: str) -> str:
    """Map words, then join clauses with "\\n" and sentences with "\\n\\n".

    On entry sentence ends are "\\n" and commas "\\r"; "and", "but", ... also end a clause.
    """
    words = list(filter(None, text.replace("\n", " \n ").replace("\r", " \r ").split(" ")))
    text = " " + " ".join(map(_WORDS.get, words, words)) + " "
    for phrase, canonical in _PHRASES:
        if phrase in text:
            text = text.replace(phrase, canonical)
    return _joined(text)


def _joined(text: str) -> str:
    """Single-spaced words and break tokens (" \\r " ends a clause, " \\n " a sentence) as
    clauses joined by "\\n" and sentences by "\\n\\n", with no empty ones.

    Two regex passes, not a loop over clauses: a run of breaks becomes "\\n\\n" if it
    holds a sentence end, else "\\n"."""
    text = _CLAUSE_BREAKS.sub("\n", _SENTENCE_BREAKS.sub("\n\n", text)).strip(" \n")
    if len(text) >= _LONG_CHARS and max(map(len, text.split("\n"))) >= _LONG_CHARS:
        text = "\n".join(c if len(c) < _LONG_CHARS else _cut_long(c) for c in text.split("\n"))
    return text


def _to_ascii(text: str) -> str:
    """Look-alike letters and curly quotes mapped, any other run of non-ASCII a space.

    Run by run when there are few (emoji and quotes in English: a translate of the whole
    text costs a dict lookup per character), the whole text at once when there are many."""
    parts = _NON_ASCII_RUN.split(text)
    if len(parts) > 2 * _FEW_RUNS + 1:
        return _NON_ASCII.sub(" ", text.translate(_QUOTES))
    parts[1::2] = [_NON_ASCII.sub(" ", run.translate(_QUOTES)) for run in parts[1::2]]
    return "".join(parts).replace("`", "'")  # the one ASCII character _QUOTES maps


def _sub_lines(rx: re.Pattern, repl, text: str, needle: str) -> str:
    """`rx.sub(repl, text)` for a pattern that never crosses a newline and always holds
    `needle`: only the lines holding it are searched."""
    out, done = [], 0
    at = text.find(needle)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        out += (text[done:start], rx.sub(repl, text[start:end]))
        done = end
        at = text.find(needle, end)
    return "".join(out) + text[done:] if out else text


def _normalise(text: str) -> str:
    """Lowercase canonical text: clauses separated by "\\n", sentences by "\\n\\n"."""
    text = text[:_MAX_CHARS].lower()
    if not text.isascii():
        text = _ZW.sub("", text)
        if not unicodedata.is_normalized("NFKD", text):  # emoji and curly quotes already are
            text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = _to_ascii(text)
    elif "`" in text:
        text = text.replace("`", "'")
    if '"' in text:
        text = _QUOTED.sub(" ", text)
    shape = text.translate(_SHAPE)
    if any(s in shape for s in _SHAPES):
        text = _SPELLED.sub(lambda m: m.group(1) + re.sub(r"[^a-z]", "", m.group(2)), " " + text)
    if "x" in shape or "*" in text:
        text = _LEET.sub(lambda m: _LEET_MAP[m.group()], text)
    if _TRIPLE.search(text):
        text = _REPEATS.sub(r"\1", text)
    if "harm" in text or "aliv" in text:
        text = _JOINS.sub(r"\1\2", text)
    text = text.translate(_ASCII)
    if "'" in text:
        text = _LOOSE_APOSTROPHE.sub(" ", text)
    if "km" in text:
        text = _sub_lines(_KM, r"\1 km", text, "km")  # after _ASCII, lines are sentences
    if "unaliv" in text:
        text = _UNALIVE.sub(_unalive, text)
    text = _SUICIDAL.sub("suicidal", text)
    text = _SUICIDE.sub("suicide", text)
    return _clauses(text)


# --- building blocks -----------------------------------------------------------------

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
_PAST = re.compile(
    r"\bused to\b|\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|few|several|many|couple(?: of)?) (?:years?|yrs?|months?|weeks?) ago\b"
    r"|\blast (?:year|month|summer|winter|spring|fall|autumn)\b|\bin (?:19|20)\d\d\b"
    r"|\bwhen i was\b|\bback then\b|\bback in (?:the day|high school|school|college|uni|19|20)"
    r"|\b(?:years?|months?|days?|weeks?) (?:clean|sober|free)\b|\b(?:clean|sober|free) (?:for|since)\b"
    r"|\bsurvived\b|\banniversary\b|\bin the past\b|\bremember when\b|\blesson learned\b"
    r"|\bonce\b(?! (?:i|i'm|you|again|more|it's|this|that|everyone|they|he|she|it))"
    r"|\bat (?:my|the) lowest\b|\bi was (?:a|in) (?:kid|teen|teenager|child)\b|\bas a (?:kid|teen|teenager|child)\b"
    r"|\bhad (?:been|wanted)\b|\bthat night\b|\bthose days\b|\bthat time\b|\bback when\b"
)
_END_RX = re.compile(_END, re.M)
_LAST_I = re.compile(r".*\bi(?:'m|'ve|'ll|'d)?\b", re.S)
_NEG = re.compile(
    r"\b(?:not|never|no|don't|didn't|won't|wouldn't|isn't|wasn't|aren't|haven't|hasn't|nothing"
    r"|stop|stopped|quit|without|against|avoid|instead|rather than|no longer|nobody|refuse|refused"
    r"|if you|you|he|she|they|someone|somebody|anyone|anybody|people)\b[^\n]*$"
)


# First-person lead, checked on the clause text before a match: the clause starts there
# (an implied "i": "wanna die lol"), or "i ..." comes at most four harmless words before.
_LEAD = re.compile(rf"(?:^(?:{_INTERJ} )*|\bi(?:'m|'ve|'ll|'d)? (?:{_FW} ){{0,4}}|\bi)\Z")


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


_RULES: tuple[_Rule, ...] = (
    # "i want to kill myself", "thinking of unaliving myself", "voices telling me to kill myself"
    _rule(
        "intent-self",
        rf"{_INT} {_ADV}{{0,2}}(?:(?:how|ways?|when) to )?{_SELF}",
        ("myself",),
        negatable=True,
    ),
    # a bare fragment: "kms", "kill myself fr this time"
    _rule(
        "intent-self",
        rf"^(?:{_INTERJ} )*(?:kill|killing|end|off|offing) myself\b(?! (?:with|by|over|at|for|doing|laughing|lol$))",
        ("myself",),
    ),
    _rule(
        "intent-self",
        r"\b(?:drink|drinking|use|using) (?:until|till|til) i (?:die|'m dead|am dead|pass out and die)\b",
        ("until", "till", "til"),
        lead=True,
        negatable=True,
    ),
    # "i want to die", "wanna die lol", "i'd rather be dead", "i'm ready to die"
    _rule(
        "wish-to-die",
        rf"{_INT_DIE} {_ADV}{{0,2}}{_DIE}",
        ("die", "dead"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:feel like (?:i want to )?|can't stop thinking about |keep thinking about |obsessed with )(?:dying|dieing|being dead)\b(?! (?:my|the|her|his|your|some) (?:hair|shirt|clothes|jeans|beard|eyebrows|nails|roots|fabric)\b)",
        ("dying", "dieing", "being dead"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\bwish(?:ing)? (?:i|i'd|i had) (?:(?:was|were|could be|'m|am|had|could|would) )?(?:just )?(?:dead(?! asleep| tired| serious| on my feet| inside)|die|never (?:been )?born|gone|not alive|not here|not born|disappear forever|never existed)"
        rf"|\bhope to (?:just )?die{_END}|\bhope i (?:just )?(?:die(?! before i (?:get|grow) old)|(?:don't|never|won't) wake up(?! (?:late|early|too|in time|on time|before|after|at|until|with)\b)|get hit by|get killed|don't make it|drop dead)"
        r"|\brather be dead\b(?! than)|\brather die\b(?! than)"
        r"|\brather (?:die|be dead) than (?:keep |go on |continue |carry on )?(?:living|live|being alive|be alive|wake up|waking up|face another day|go on|feel this way)",
        (
            "dead",
            "die",
            "born",
            "gone",
            "wake",
            "hit by",
            "killed",
            "not here",
            "not alive",
            "make it",
        ),
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:dying|death|being dead|not existing|not waking up|never waking up) (?:sounds|seems|feels|would be|would feel|is) (?:so |really |kind of |kinda |pretty |more and more )?(?:peaceful|nice|good|better|easier|tempting|appealing|comforting|like (?:a )?relief|like the answer|like freedom)\b",
        ("dying", "death", "dead", "existing", "waking"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:disappear|vanish|go away|be gone)\n+(?:[^\n]{0,30}\n+)?(?:\w+ )?(?:permanently|forever|for good)\b"
        r"|\b(?:disappear|vanish)\n+never (?:come|coming) back\b"
        r"|\b(?:go to sleep|fall asleep|sleep|close my eyes)\n+(?:just )?(?:never|not) wake up\b",
        ("permanently", "forever", "for good", "wake up"),
        past_ok=True,
    ),
    # "thinking of ending it", "i'm going to take all my pills tonight", "considering suicide"
    _rule(
        "intent-act",
        rf"{_INT} {_ADV}{{0,2}}(?:(?:how|ways?|when) to )?{_ACT}",
        (
            "suicide",
            "end",
            "selfharm",
            "overdos",
            "cut",
            "wrist",
            "jump",
            "pill",
            "med",
            "tablet",
            "crash",
            "wreck",
            "driv",
            "bleed",
            "forever",
            "permanently",
            "for good",
            "wake",
            "exist",
            "alive",
            "be here",
            "be around",
            "gone",
            "leave this",
            "life",
            "pain",
            "living",
            "breathing",
        ),
        lead=True,
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"\b(?:telling|tells|told|urging|pushing|begging) me to {_ADV}{{0,2}}(?:{_ACT}|die\b)",
        ("me to",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"\bmy plan is to {_ADV}{{0,2}}(?:{_ACT}|{_SELF}|die\b)",
        ("plan",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"(?:{_INT} {_ADV}{{0,2}})?\b(?:take|taking|swallow|swallowing|down|downing) (?:them|these|those|it) all\b|\b(?:take|taking|swallow|swallowing) all of (?:them|these|those)\b",
        ("all",),
        lead=True,
        negatable=True,
        need_text=r"\b(?:pills|meds|medication|tablets|antidepressants|painkillers|sleeping pills)\b",
    ),
    _rule(
        "intent-act",
        rf"(?:i'm |am |are )?\bending (?:it|it all|things|everything|my life)\b{_END_IT}",
        ("ending",),
        lead=True,
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"{_INT} (?:jump|jumping)(?= *$)",
        ("jump",),
        lead=True,
        negatable=True,
        need_text=r"\b(?:roof|rooftop|bridge|ledge|edge|balcony|cliff|building|window|overpass|tower|tracks)\b",
    ),
    # "i used to cut and now i want to do it again tonight"
    _rule(
        "relapse-intent",
        rf"(?:{_INT}|i'm) {_ADV}{{0,2}}(?:do it|doing it|try it|trying it|try|trying|attempt|attempting|cut|cutting|selfharm|selfharming|relapse|relapsing) again\b",
        ("again",),
        lead=True,
        negatable=True,
        need_text=_HARM_WORDS,
    ),
    # "i don't want to live anymore", "dont wanna be here anymore", "cant go on"
    _rule(
        "no-will-to-live",
        r"\b(?:don't|no longer|never) (?:(?:really|even|honestly|just|actually|truly) )?(?:want to|wish to|feel like|care to) (?:\w+ )?(?:live\b(?! forever| with| in(?! this world| this life)| like (?!this|that)| there| here| near| together| alone| at| on)"
        r"|be alive|exist|be here|wake up|go on(?= *(?:$|anymore|like this|living|any longer|with life))|keep going|keep living|continue living|be around|be in this world|see tomorrow|be on this earth|survive)",
        ("don't", "no longer", "never"),
        lead=True,
        need_end=True,
        veto_sentence=_PLACE,
    ),
    _rule(
        "no-will-to-live",
        r"\bcan't (?:go on|keep going|keep living|live like this|do life|continue living|keep doing this|do this life)(?= *(?:$|like this|anymore|any longer|living|no more|with life|with this life|this way))",
        ("can't",),
        lead=True,
        veto_sentence=_PLACE,
    ),
    _rule(
        "hopeless",
        rf"\b(?:no|any|a single) (?:reason|will) (?:left )?(?:for me )?to (?:live\b(?! {_WHERE})|go on|keep going|stay alive|be alive|be here|keep living|wake up|exist)\b"
        r"|\bnothing (?:left )?(?:to live for|worth living for)\b"
        r"|\b(?:losing|lost|lose) (?:the |my |all )?(?:will|reason) to (?:live|go on|keep going|keep living)\b"
        r"|\bno (?:point|purpose|use|sense) (?:(?:in|to|of) )?(?:living|life|going on|being alive|keep living|staying alive|being here|me being here|my existence|existing)\b"
        r"|\bwhat's the point (?:of|in) (?:living|life|being alive|going on|existing|me being here|staying alive)\b"
        r"|\bsee (?:the|any) point (?:in|of) (?:living|life|going on|being alive|existing)\b"
        r"|\b(?:life|living|my life|life's|my life's) (?:isn't|is not|ain't|not|no longer|is no longer|isn't even|not even|no) ?worth (?:living|it anymore)"
        r"|\b(?:want|need) (?:it|it all|everything|all of it|this all|my life|this life|all of this) (?:all )?to (?:end|be over|stop)(?= *(?:$|forever|for good|permanently|now|already|please|so bad|tonight))"
        r"|\bwant out of (?:this|my) (?:life|world|existence)\b"
        r"|\bwant the pain to (?:stop|end) (?:forever|for good|permanently)"
        r"|\bwhy am i (?:still |even )?(?:alive|breathing)\b|\bwhy am i still here\b",
        ("reason", "will to", "nothing", "point", "worth", "want", "need", "why am i"),
        need_end=True,
        veto_sentence=_PLACE,
        veto_text=_SUPPORT,
    ),
    _rule(
        "hopeless",
        rf"(?:(?:so|really|just|honestly) )*(?:\btired of (?:living\b(?! {_WHERE})|being alive|life|existing|being here)|\bsick of (?:living\b(?! {_WHERE})|being alive|existing|life)"
        rf"|\bhate being alive|\bdone with (?:life|living\b(?! {_WHERE})|everything(?! (?:today|tonight|for (?:today|tonight|now|the day|the week)))|being alive|this life|it all)\b|\bdone living\b(?! {_WHERE})"
        r"|\bnot going to be (?:here|around|alive) (?:tomorrow|after tonight|much longer|by morning|for long)"
        r"|\bbetter off dead\b"
        r"|\b(?:tired of|sick of|done) (?:fighting|trying|struggling) to (?:stay alive|live|keep going|keep living|survive|be alive|be here|exist)\b"
        r"|\bgive up on (?:life|living)|\bgiving up on (?:life|living)|\bshouldn't (?:be alive|be here|exist|have been born|still be here)"
        r"|\bdon't deserve to (?:live|be alive|exist|be here)|\bcan't see (?:a|any) future|\b(?:have|see) no future"
        r"|\bdeserve to (?:hurt|suffer|be hurt|bleed|be in pain|feel pain|be punished))",
        (
            "tired of",
            "sick of",
            "alive",
            "done",
            "give up",
            "giving up",
            "shouldn't",
            "deserve",
            "future",
            "be here",
            "be around",
        ),
        lead=True,
        need_end=True,
        veto_sentence=_PLACE,
    ),
    # "everyone would be better off without me"
    _rule(
        "burden",
        r"\b(?:better off|happier|better|easier|fine) (?:without me|if i (?:just |simply |finally )?(?:was|were|wasn't|weren't|died|disappeared|left this world|never existed|killed myself)\b(?: (?:dead|gone|here|around|alive|anymore))?|with me gone|when i'm gone|if i'm gone|once i'm gone)"
        r"|\b(?:relieved|glad|happy|happier|thankful|grateful) (?:if|when) i(?:'m| am| was| were)? (?:just )?(?:gone|dead|died|not here|not around|disappeared|killed myself)\b"
        r"|\b(?:nobody|no one|noone|no1) (?:cares|would care|will care|gives a \w+|would give a \w+) (?:if|whether) i (?:live or die|live|die|lived or died|exist)\b"
        r"|\b(?:nobody|no one|noone|no1) (?:would|will|'d|even|would even|will even) ?(?:care|notice|miss me|cry|come|mind)(?: \w+){0,2} (?:if|when) i (?:died|was gone|disappeared|killed myself|was dead|wasn't here|left(?= *$| forever| for good| this world)|die|'m gone|'m dead)",
        ("without me", "if i", "gone", "when i"),
        veto_sentence=_EX,
    ),
    # "i'm scared of what i'll do to myself tonight", "about to do something stupid to myself"
    _rule(
        "not-safe",
        r"\b(?:scared|afraid|terrified|worried|frightened) (?:of )?what i(?:'ll| will| might| could| may)? (?:do|might do) to myself"
        r"|\bdon't trust myself (?:tonight|right now|rn|alone|anymore|to stay safe|not to)"
        rf"|\b(?:{_INT}|i'm) {_ADV}{{0,2}}do something (?:stupid|bad|drastic|dangerous|terrible|dumb|permanent|irreversible) to myself",
        ("myself",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        r"\b(?:take|taking|swallow|swallowing|down|downing) (?:them|these|those|it)(?: all)?(?= *(?:$|tonight|now|right now|rn|soon))",
        ("take", "taking", "swallow", "down"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:bottles?|handful|stash|all (?:my|the|of my)|every|whole|enough)\b[^\n]{0,20}\b(?:pills|meds|tablets|medication|antidepressants|painkillers)\b",
        veto_sentence=_CARING,
    ),
    # "i'm suicidal af", "feeling really suicidal tonight", "suicidal thoughts are back"
    _rule(
        "suicidal",
        r"(?:\bi'm|\bi feel|\bi've been|\bi've been feeling|\bi'm feeling|\bi get|\bi'm getting|\bi've felt|\bi'm still|^(?:\w+ )?(?:feeling|been feeling|getting|still|been|feel)|^)"
        r" ?(?:(?:so|really|very|pretty|kinda|kind of|super|extremely|a bit|a little|quite|fucking|more|incredibly|actively|passively|mildly|lowkey|highkey|literally|hella|again|still|increasingly) )*suicidal\b",
        ("suicidal",),
        negatable=True,
    ),
    _rule(
        "suicidal",
        r"(?:(?:having|have|i've had|get|getting|got|my|these|constant|more|bad|the) )*(?:\bsuicidal (?:thoughts|ideation|urges|feelings)|\bthoughts (?:of|about) (?:suicide|killing myself|ending it|ending my life|selfharm|hurting myself|dying))",
        ("thoughts", "ideation", "urges", "feelings"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "suicidal",
        r"\bsuicide (?:is|feels like|seems like|seems|looks like|feels) (?:the|my) (?:only|best|last) (?:way|option|answer|choice|solution|way out|escape)"
        r"|\b(?:suicide|dying|killing myself|ending it) is all i (?:can )?think about|\ball i (?:can )?think about is (?:suicide|dying|killing myself|ending it)"
        r"|\bonly way out is (?:suicide|death|dying)"
        r"|\bway out (?:except|but|other than|besides|apart from) (?:killing myself|suicide|dying|death|ending it|to die|to end it)"
        r"|\bonly way (?:to (?:make (?:it|this|the pain) stop|end (?:this|the pain|it)|escape|stop (?:the|this) pain|be free)|out) is (?:to )?(?:die|suicide|death|dying|kill myself|killing myself|end it|end my life)\b",
        ("suicide", "think about", "only way", "way out"),
    ),
    # "how many pills does it take to die", "googling painless ways to kill myself"
    _rule(
        "method",
        r"\bhow (?:many|much) (?:\w+ ){0,2}(?:does it take|would it take|do i need|would i need|to take|is enough|until) to (?:die|kill myself|overdose|be fatal|be lethal|kill (?:you|someone|a person))"
        r"|\b(?:painless|easiest|quickest|fastest|easy|quick|best|surest|least painful|most painless|simplest|sure|certain) (?:way|ways|method|methods) to (?:die|kill myself|end it|end my life|commit suicide)"
        r"|\b(?:googling|searching|looked up|looking up|researching|searched|google) (?:\w+ ){0,2}?(?:ways|how|methods) to (?:die|kill myself|end my life|commit suicide|overdose)"
        r"|\blethal dose\b",
        ("how", "way", "method", "lethal"),
        negatable=True,
    ),
    # an act just done: "took too many pills just now", "i just tried to kill myself"
    _rule(
        "act-done",
        r"\b(?:took|swallowed|taken|downed|drank|popped) (?:a |the )?(?:whole|entire|all|\d{2,}|too many|a handful|handful|a bunch|a bunch of|a lot|a lot of|a ton of|a bottle|bottle|every|twenty|thirty|forty|fifty|hundred|lots of|loads of|so many)\b(?: (?:of|my|the|a|bottle|pack|box|packet|these|those|them|\w+)){0,3}? ?(?:pills|meds|medication|tablets|capsules|tylenol|paracetamol|acetaminophen|ibuprofen|advil|aspirin|xanax|antidepressants|painkillers|sleeping pills|benzos|insulin|oxys?|opioids|lithium|seroquel|zoloft|prozac|melatonin|of (?:them|it))\b",
        ("took", "swallowed", "taken", "downed", "drank", "popped"),
        negatable=True,
        veto_sentence=_CARING,
    ),
    _rule(
        "act-done",
        r"\b(?:tried|attempted|tryed|trying) (?:to )?(?:kill myself|end my life|end it|hang myself|overdose|suicide|take my (?:own )?life|jump|cut my wrists|slit my wrists|drown myself)"
        r"|\bi (?:just )?(?:attempted|overdosed|made an attempt)\b",
        ("tried", "attempt", "tryed", "trying", "overdosed"),
        negatable=True,
        need_clause=_RECENT,
    ),
    _rule(
        "act-done",
        r"\b(?:cut|burned|burnt|hurt|harmed|hit|scratched|stabbed|strangled|choked|starved) myself (?:\w+ )?(?:again|on purpose|deliberately|intentionally)\b"
        r"|^(?:\w+ )?(?:selfharmed|cut|overdosed|burned myself) again\b(?: \w+)?(?= *(?:$|tonight|today|last night|this week|just now|this morning))"
        r"|\bcut (?:myself )?(?:way |so |too |really )*(?:too deep|too deeply|deep tonight)",
        ("again", "on purpose", "deliberately", "intentionally", "deep"),
        negatable=True,
    ),
    _rule(
        "act-ongoing",
        r"(?:been |keep |kept )?\b(?:selfharming|cutting (?:again|myself)|burning myself|hurting myself again|(?<=keep )hurting myself|(?<=kept )hurting myself|(?<=been )hurting myself|starving myself|relaps(?:ing|ed) (?:on|with|into) selfharm|selfharm relapse)",
        ("selfharm", "cutting", "burning myself", "hurting myself", "starving myself"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "urge",
        r"\burges? to (?:cut|selfharm|kill myself|die|hurt myself|overdose|burn myself|end it) (?:is|are|'s|keeps?|getting) (?:\w+ )?(?:strong|bad|loud|intense|overwhelming|unbearable|worse|stronger|back)"
        r"|\b(?:strong|bad|overwhelming|intense) urges? to (?:cut|selfharm|kill myself|die|hurt myself|overdose)",
        ("urge",),
        negatable=True,
    ),
    # means at hand, a plan
    _rule(
        "means",
        r"\b(?:have|got|holding|hold|bought|buying|tied|tying|made|ordered|'ve got) (?:a |the |my )?(?:rope|noose)\b",
        ("rope", "noose"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "means",
        r"\b(?:pills|meds|tablets|knife|knives|blade|blades|razor|razors|gun|rope|noose)\b (?:\w+ ){0,2}?(?:in front of me|lined up|ready\b|in my hand|next to me|right here|counted out|loaded)"
        r"|\b(?:holding|have|got|grabbed) (?:a |the |my )?(?:knife|blade|razor|gun|pills) (?:right now|in my hand|to my|against my)"
        r"|\b(?:gun|rope|noose|pills|razor|blade|knife)s? (?:\w+ ){0,2}?to (?:end it|end my life|do it with|die with|kill myself|hang myself)\b"
        r"|\bto (?:end it all|end my life|kill myself|take my (?:own )?life|hang myself)\b"
        r"|\bstockpil\w* (?:my |up )?(?:meds|pills|medication|tablets)|\b(?:saving|hoarding|collecting) (?:up )?(?:my )?(?:pills|meds|medication|tablets)",
        (
            "pills",
            "meds",
            "tablets",
            "knife",
            "knives",
            "blade",
            "razor",
            "gun",
            "rope",
            "noose",
            "stockpil",
        ),
        negatable=True,
        veto_sentence=_CARING,
    ),
    _rule(
        "means",
        r"\b(?:sitting|standing|lying|laying|i'm|here) (?:here |alone |in (?:the|my) \w+ )?with (?:a |the |my )?(?:razor|blade|razor blade|knife|gun|rope|noose|(?:bottle of )?pills)\b(?= *(?:$|right now|rn|now|tonight|again|in my hand))",
        ("razor", "blade", "knife", "gun", "rope", "noose", "pills"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "act-done",
        r"\bcut (?:myself )?(?:(?:way|so|too|really|very|pretty) )+deep(?:ly|er)?\b"
        r"|\b(?:won't|can't|doesn't|isn't|will not|cannot) stop(?:ping)? bleeding|\bcan't stop the bleeding",
        ("deep", "bleeding"),
        negatable=True,
        need_text=_HARM_WORDS,
    ),
    _rule(
        "means",
        rf"{_INT} {_ADV}{{0,2}}use (?:it|them)(?: on myself)?(?= *$| tonight| now| right now| rn| soon)",
        ("use it", "use them"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:gun|knife|blade|razor|pills|rope|noose)\b",
    ),
    _rule(
        "plan",
        r"\b(?:have|got|made|'ve got|know|set|picked|chose|chosen) (?:a |the |my )?(?:plan|date)(?= *(?:$|and a date|and the means|for tonight|for it|ready))",
        ("plan", "date"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:date|die|dying|dead|kill\w*|suicid\w*|end it|end my life|pills|rope|noose|gun|goodbye|overdose|jump\w*|bridge|means)\b",
    ),
    _rule(
        "plan",
        r"\bdecided (?:how|when|where) (?:i'm going to|i'll|to) (?:do it|die|end it)|\bknow (?:how|when) i'm going to do it\b"
        r"|\b(?:wrote|writing|written|write|left|leaving) (?:my |a |the )?(?:goodbye|suicide|final) (?:letters?|notes?|messages?)(?! to (?:my|the|our) (?:old|former) )|\bsuicide (?:note|letter)"
        r"|(?:standing|sitting|i'm|up) (?:on|at) (?:the |a |top of (?:the|a) )?(?:edge of (?:the|a) )?(?:bridge|ledge|roof|rooftop|cliff|tracks|railway|edge)\b(?: \w+)? (?:right now|now|rn|tonight)",
        (
            "decided",
            "know how",
            "know when",
            "goodbye",
            "suicide",
            "final",
            "bridge",
            "ledge",
            "roof",
            "cliff",
            "tracks",
            "railway",
            "edge",
        ),
        negatable=True,
    ),
    # goodbyes and "not safe"
    _rule(
        "goodbye",
        r"\bthis is (?:my )?(?:final |last )?goodbye(?! to (?:my|the|our|this|that|a) )|\bmy (?:final|last) goodbye(?! to (?:my|the|our|this|that|a) )"
        r"|\b(?:won't|will not) be (?:around|here|alive) (?:after|past|by|much longer|tomorrow|for long|anymore)"
        r"|\b(?:won't|will not) be (?:a problem|a burden|your problem|anyone's problem|bothering anyone)(?: \w+)? (?:after|anymore|for much longer|much longer)"
        r"|\blast time (?:you'll|you will|anyone will|anybody will|you) (?:ever )?(?:hear from|see|talk to) me"
        r"|\bnot going to make it (?:through|past|to) (?:tonight|the night|tomorrow|morning)"
        r"|\b(?:tonight|today|tomorrow) is the (?:night|day) i (?:end it|die|kill myself|do it|end my life|go)\b"
        r"|\b(?:not sure|don't think|doubt|don't know if) (?:if |that )?i'll (?:make it|survive|last|get) (?:through |past |until |till |to )?(?:tonight|the night|this night|morning|tomorrow)\b(?! shift)"
        r"|\bcan't keep myself safe|\b(?:don't think|not sure|doubt|don't know if) i can (?:keep myself safe|stay safe)"
        r"|\b(?:scared|afraid|terrified|worried|frightened) (?:of )?what i (?:might|will|could|'ll|'m going to|may) do(?: to myself)?\b|\bdon't feel safe (?:with|around|by) myself|\bnot safe (?:with|around|from) myself"
        r"|\bi'm not safe(?= *(?:$|right now|rn|tonight|anymore|at home))",
        ("goodbye", "won't be", "last time", "make it", "safe", "is the", "what i"),
        veto_sentence=_AWAY,
    ),
    _rule(
        "goodbye",
        r"^(?:\w+ )?(?:goodbye|bye|farewell) (?:everyone|everybody|all|world|guys|friends)\b",
        ("goodbye", "bye", "farewell"),
        need_text=r"\b(?:i'm sorry|forgive me|i love you all|love you all|please don't blame|take care of)\b",
        veto_sentence=r"\b(?:see you|moving|server|weekend|vacation|trip|back (?:in|soon|on|tomorrow)|brb|later|leaving for|new)\b",
    ),
    _rule(
        "goodbye",
        r"\b(?:i've |i have )?made (?:my )?peace with (?:it|dying|death|my decision|everything|leaving)",
        ("peace",),
        need_text=r"\bready to go(?= *(?:$|now))|\bgoodbye\b",
    ),
    # a message that is only the word: "su1cide", "kms"
    _rule(
        "keyword",
        r"\A(?:suicide|suicidal|kill myself|selfharm|want to die|end it all|killing myself)\Z",
    ),
)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right < 0 else right


def _sentence(text: str, start: int, end: int) -> str:
    left = text.rfind("\n\n", 0, start)
    right = text.find("\n\n", end)
    return text[0 if left < 0 else left : len(text) if right < 0 else right]


def _negated(before: str) -> bool:
    """A negation or another subject between the last "i" and the match: "i'm not going to"."""
    last_i = _LAST_I.match(before)
    return bool(_NEG.search(before, last_i.end() if last_i else 0))


_SCAN_WHOLE = 600  # a shorter text is searched whole; a longer one sentence by sentence
_FEW_NEEDS = 12  # a set of strings this small is checked whole before a search


def _conditions() -> tuple[Gates, list[int], list[int], list[tuple[frozenset[str], ...]]]:
    """What `Gates` tests for the rules, and per rule: its gate's bit (0 for none), all
    the bits it needs, and the sets of several-word strings checked whole before a search.

    A required set's strings go in as their longest words (a part of a required string is
    required too): one dict lookup per word decides, never a search per string."""
    sets: list[frozenset[str] | tuple[str, ...]] = []
    gate_bits, needed, whole = [], [], []
    for rule in _RULES:
        bits = gate_bit = 0
        if rule.gate:
            gate_bit = 1 << len(sets)
            sets.append(rule.gate)
        for strings in rule.needs:
            words = frozenset(max(s.split(" "), key=len) for s in strings)
            if min(map(len, words)) >= 3 and len(words) <= 80:
                if words not in sets:
                    sets.append(words)
                bits |= 1 << sets.index(words)
        gate_bits.append(gate_bit)
        needed.append(bits | gate_bit)
        whole.append(
            tuple(n for n in rule.needs if len(n) <= _FEW_NEEDS and any(" " in s for s in n))
        )
    return Gates(sets), gate_bits, needed, whole


_GATES, _GATE_BIT, _NEEDED, _WHOLE_NEEDS = _conditions()
_RULE_OF_GATE = {bit: at for at, bit in enumerate(_GATE_BIT) if bit}
_ANY_GATE = sum(_GATE_BIT)

# Where a long text's search goes: sentence starts and ends, and the sentences to search.
_Where = tuple[list[int], list[int], list[int]]


def _sentence_spans(sentences: list[str]) -> tuple[list[int], list[int]]:
    """Where each sentence starts and ends (sentences are joined by a blank line)."""
    lengths = list(map(len, sentences))
    starts = [0, *accumulate(map(add, lengths[:-1], repeat(2)))]
    return starts, list(map(add, starts, lengths))


def _holds(at: int, text: str) -> bool:
    """Whether `text` holds one string of each of rule `at`'s small several-word sets."""
    return all(any(map(text.__contains__, strings)) for strings in _WHOLE_NEEDS[at])


def _searched(held: list[int], sentences: list[str]) -> list[list[int]]:
    """For each rule with a gate, the sentences (in order) to search: those holding its
    gate and everything its pattern needs."""
    per_rule: list[list[int]] = [[] for _ in _RULES]
    rule_of, needed, whole = _RULE_OF_GATE, _NEEDED, _WHOLE_NEEDS
    for at, bits in enumerate(held):
        gates = bits & _ANY_GATE
        while gates:
            low = gates & -gates
            gates ^= low
            rule = rule_of[low]
            if bits & needed[rule] == needed[rule] and (
                not whole[rule] or _holds(rule, sentences[at])
            ):
                per_rule[rule].append(at)
    return per_rule


def _matches(rule: _Rule, text: str, where: _Where | None):
    """The rule's matches: in the whole text, or only in the sentences given.

    A search bounded by pos/endpos still sees the real text around it (^, $, \\b), so this
    finds what a search of the whole text would, at a fraction of the cost on long texts.
    """
    if where is None:
        yield from rule.rx.finditer(text)
        return
    starts, ends, sentences = where
    for at in sentences:
        yield from rule.rx.finditer(text, starts[at], ends[at])


def _hit(rule: _Rule, text: str, where: _Where | None = None) -> bool:
    for m in _matches(rule, text, where):
        start = m.start()
        left, right = _clause_bounds(text, start, m.end())
        if rule.lead and not _LEAD.search(text[left:start]):
            continue
        clause = text[left:right]
        if not rule.past_ok and _PAST.search(clause):
            continue
        if rule.negatable and _negated(text[max(left, start - 40) : start]):
            continue
        if rule.need_end and not _END_RX.match(text, m.end()):
            continue
        if rule.need_clause is not None and not rule.need_clause.search(clause):
            continue
        if rule.need_text is not None and not rule.need_text.search(text):
            continue
        if rule.veto_text is not None and rule.veto_text.search(text):
            continue
        if rule.veto_sentence is not None and rule.veto_sentence.search(
            _sentence(text, start, m.end())
        ):
            continue
        return True
    return False


def only_negated(norm: str) -> bool:
    """True when the text's crisis phrases are all negated ("i don't want to die"): then
    the text's own words say no, and a model score alone must not overrule them into a
    strong signal. Asked only when the model alone would give one, so rarely; only of a
    short text (a long one has more than its one negated phrase to be read by)."""
    if len(norm) > _SCAN_WHOLE:
        return False
    reading = scan(norm)  # cached: the same reading rule_reason just made
    held = _GATES.of_sentences(norm.split("\n\n"), reading.words, reading.sentence_ends)
    in_text = reduce(or_, held, 0)
    negated = False
    for at, rule in enumerate(_RULES):
        needed = _NEEDED[at]  # the strings its pattern needs, as rule_reason gates them
        if not rule.negatable or in_text & needed != needed or not _holds(at, norm):
            continue
        for m in rule.rx.finditer(norm):
            left, _ = _clause_bounds(norm, m.start(), m.end())
            if not _negated(norm[max(left, m.start() - 40) : m.start()]):
                return False
            negated = True
    return negated


def forget_words() -> None:
    """Empty the gates' per-word cache."""
    _GATES.forget()


def normalise(text: str) -> str:
    """The canonical text both the rules and the model read ("" when it can't be read)."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        return _normalise(text)
    except Exception:  # pragma: no cover - defensive: a safety check must never crash a handler
        return ""


def rule_reason(norm: str) -> str:
    """The first rule that matches the normalised text, by its reason, or "" for none."""
    if not norm:
        return ""
    sentences = norm.split("\n\n")
    reading = scan(norm)  # the model's reading of the same text, kept: split once
    held = _GATES.of_sentences(sentences, reading.words, reading.sentence_ends)
    in_text = reduce(or_, held, 0)
    if len(norm) <= _SCAN_WHOLE:
        for at, rule in enumerate(_RULES):
            if in_text & _NEEDED[at] == _NEEDED[at] and _holds(at, norm) and _hit(rule, norm):
                return rule.reason
        return ""
    starts, ends = _sentence_spans(sentences)
    for at, (rule, where) in enumerate(zip(_RULES, _searched(held, sentences), strict=True)):
        if _GATE_BIT[at]:
            if where and _hit(rule, norm, (starts, ends, where)):
                return rule.reason
        elif in_text & _NEEDED[at] == _NEEDED[at] and _holds(at, norm) and _hit(rule, norm):
            return rule.reason
    return ""
