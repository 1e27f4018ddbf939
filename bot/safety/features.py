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

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
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


def read(norm: str) -> Reading:
    """The text as the model reads it.

    Whole-text lists, so the scorer looks them up with C-speed `map`s: this runs on every
    word members type."""
    words: list[str] = []
    unigrams: list[str] = []
    pairs: list[str] = []
    closers: list[str] = []
    ends: list[int] = []
    find = _WORD.findall
    for clause in norm.split("\n"):
        found = find(clause)
        if not found:
            continue
        present = set(found)
        scope = ("P" if present & PAST else "") + ("O" if present & OTHERS else "")
        plain = f"w:{scope}_" if scope else "w:"
        cut = len(found)
        if not present.isdisjoint(NEGATIONS):
            cut = next(i for i, word in enumerate(found) if word in NEGATIONS) + 1
        unigrams += map(plain.__add__, found[:cut])
        if cut < len(found):
            unigrams += map(f"w:{scope}N_".__add__, found[cut:])
        pairs += map("b:{} {}".format, ["^", *found[:-1]], found)
        closers.append(f"b:{found[-1]} $")
        words += found
        ends.append(len(words))
    return Reading(words, unigrams, pairs, closers, ends)


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
