"""Step 1 of the crisis rules: the canonical text both the rules and the model read.

Lowercase, Unicode look-alikes and zero-width characters gone, quoted spans dropped,
leetspeak, spelled-out and stretched letters undone, slang and missing apostrophes mapped,
then cut into clauses ("\\n") and sentences ("\\n\\n"), so that each rule is one regex
search and `^` / `$` mean a clause's ends. Kept apart from the rules: it is the one part
the model shares with them. Pure, no network.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import re
import unicodedata

_MAX_CHARS = 100_000

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


def normalise(text: str) -> str:
    """The canonical text both the rules and the model read ("" when it can't be read)."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        return _normalise(text)
    except Exception:  # pragma: no cover - defensive: a safety check must never crash a handler
        return ""
