"""Does this text need the crisis resources? Pure, rule-based, no network (first cut)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Assessment:
    needs_care: bool
    reason: str


_NO = Assessment(False, "")
_ZW = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})

_RULES = [
    ("slang:kms", re.compile(r"\b(kms|kys myself|unalive (my ?self|me))\b")),
    ("suicidal-intent", re.compile(r"\bi('m| am| want to| wanna| will| gonna| going to|'ll)\b[^.!?]{0,30}\b(kill myself|end (it all|my life)|suicide|die)\b")),
    ("suicidal-ideation", re.compile(r"\b(don'?t|do not) want to (be here|live|exist|be alive) ?(anymore|any more)?\b")),
    ("self-harm", re.compile(r"\bi('m| am| want to| wanna|'ll| will)\b[^.!?]{0,20}\b(cut|hurt|harm) (myself|me)\b")),
]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", _ZW.sub("", text)).translate(_QUOTES).lower()
    return re.sub(r"\s+", " ", text)


def assess(text: str) -> Assessment:
    if not isinstance(text, str) or not text:
        return _NO
    norm = _normalise(text)
    for reason, rx in _RULES:
        if rx.search(norm):
            return Assessment(True, reason)
    return _NO


def needs_care(text: str) -> bool:
    return assess(text).needs_care


def load_corpus(path) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]


def corpus_scores(must_match: list[str], must_not_match: list[str]) -> tuple[float, float]:
    tp = sum(needs_care(t) for t in must_match)
    fp = sum(needs_care(t) for t in must_not_match)
    recall = tp / len(must_match) if must_match else 1.0
    precision = tp / (tp + fp) if (tp + fp) else 1.0
    return recall, precision
