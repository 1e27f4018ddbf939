"""What the crisis model reads of a text: its words, word pairs and letter groups.

The trainer (`bot.safety.train`) and the scorer (`bot.safety.model`) both call these
functions, so a text is seen the same way when the model learns and when it answers.
Input is the rules' normalised text (`rules.normalise`): lowercase, slang and leetspeak
mapped, clauses joined by one newline and sentences by two.

A word is also read in its clause's scope, so that a linear model can tell "i want to
die" from "i don't want to die", "back then i wanted to die" and "she wants to die":
after a negation it is marked N, in a clause with a past or recovery marker P, and in a
clause about someone else O.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache
from operator import add
from typing import NamedTuple

_WORD = re.compile(r"[a-z0-9']+")
LETTER_GROUPS = (3, 4, 5)  # letter n-gram sizes, inside " word " (so a misspelling shares most)

NEGATIONS = frozenset(
    "not never don't won't no isn't wasn't didn't can't cannot nothing nobody without "
    "wouldn't doesn't aren't haven't hasn't stop stopped".split()
)
PAST = frozenset(
    "ago used back then was were had years yrs months last survived once anniversary since "
    "clean sober recovered remember when".split()
)
OTHERS = frozenset(
    "he she they his her their him them friend friend's mom dad mum brother sister son "
    "daughter someone you your character article people husband wife partner kid kids "
    "student".split()
)


def forget_older_half(cache: dict) -> None:
    """Bound a per-word cache without a cliff: drop the half learnt first (a dict keeps
    insertion order), so a full cache costs half a relearning burst, not a whole one."""
    for word in list(itertools.islice(cache, len(cache) // 2)):
        del cache[word]


@lru_cache(maxsize=50_000)
def letter_groups(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(
        "c:" + padded[i : i + n] for n in LETTER_GROUPS for i in range(len(padded) - n + 1)
    )


class Reading(NamedTuple):
    words: list[str]
    unigrams: list[str]  # each word's key in its clause's scope
    pairs: list[str]  # each word's pair with the word before it in its clause ("^" first)
    closers: list[str]  # each clause's last word's pair with its end ("$")
    ends: list[int]  # where each clause ends (an index into words)


# A word's key is its scope's prefix and the word; `scan` gives each word's scope as an
# index into this: 1 past, 2 someone else, 4 after a negation (added up).
SCOPE_KEYS = ("w:", "w:P_", "w:O_", "w:PO_", "w:N_", "w:PN_", "w:ON_", "w:PON_")
_SCOPING = NEGATIONS | PAST | OTHERS
_NOT_SPLIT = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz0123456789' \n")  # what's left


class Scan(NamedTuple):
    words: list[str]
    scopes: list[int]  # each word's scope, an index into SCOPE_KEYS
    ends: list[int]  # where each clause ends (an index into words)
    sentence_ends: list[int]  # where each sentence ends (norm.split("\n\n"), empty ones too)


@lru_cache(maxsize=1)
def scan(norm: str) -> Scan:
    """The words, each word's scope and where each clause and sentence ends.

    The last text's reading is kept, as the model and then the rules read the same text;
    the lists are shared, so callers never change them.

    A text of nothing but the regex's characters, spaces and newlines (normalised text,
    unless NFKD made uppercase) splits on whitespace exactly as the regex reads it; only
    clauses holding a scope word need more than C-speed calls: this runs on every word
    members type."""
    words: list[str] = []
    ends: list[int] = []
    scoped: list[tuple[int, int]] = []
    sentence_ends: list[int] = []
    plain = norm.isascii() and not norm.translate(_NOT_SPLIT)
    split = str.split if plain else _WORD.findall
    for sentence in norm.split("\n\n"):
        for clause in sentence.split("\n"):
            found = split(clause)
            if not found:
                continue
            if not _SCOPING.isdisjoint(found):
                scoped.append((len(words), len(words) + len(found)))
            words += found
            ends.append(len(words))
        sentence_ends.append(len(words))
    scopes = [0] * len(words)
    for start, end in scoped:
        scopes[start:end] = _clause_scopes(words[start:end])
    return Scan(words, scopes, ends, sentence_ends)


def _clause_scopes(found: list[str]) -> list[int]:
    """One clause's scopes: past (1) and someone else (2) for all, negated (4) after the
    first negation."""
    held = _SCOPING.intersection(found)
    scope = (not PAST.isdisjoint(held)) + 2 * (not OTHERS.isdisjoint(held))
    negations = NEGATIONS.intersection(held)
    if not negations:
        return [scope] * len(found)
    cut = min(map(found.index, negations)) + 1
    return [scope] * cut + [scope + 4] * (len(found) - cut)


def previous(words: list[str], ends: list[int]) -> list[str]:
    """Each word's predecessor in its clause ("^" for a clause's first word)."""
    before = ["^", *words[:-1]]
    for end in ends[:-1]:
        before[end] = "^"
    return before


def read(norm: str) -> Reading:
    """The text as the model reads it, as strings: the trainer's view (the scorer looks
    the same keys up as tuples). Its own lists: the scan's are shared."""
    words, scopes, ends, _ = scan(norm)
    unigrams = list(map(add, map(SCOPE_KEYS.__getitem__, scopes), words))
    pairs = list(map("b:{} {}".format, previous(words, ends), words))
    closers = [f"b:{words[end - 1]} $" for end in ends]
    return Reading(words.copy(), unigrams, pairs, closers, ends.copy())


def features(norm: str) -> Counter[str]:
    """The features of a stretch of normalised text, as the trainer sees them.

    Each distinct word, word key and pair counts once, however often it is repeated (so
    "@everyone" pasted a hundred times weighs what it weighs once); letter groups come
    from each distinct word, so two words that share a group count it twice."""
    words, unigrams, pairs, closers, _ = read(norm)
    found: Counter[str] = Counter(set(unigrams) | set(pairs) | set(closers))
    for word in set(words):
        found.update(letter_groups(word))
    return found
