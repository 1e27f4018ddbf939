"""The crisis model: a linear text classifier, scored in pure Python from `model.json`.

`model.json` is written by `python -m bot.safety.train` from the labelled corpus beside
it (scikit-learn at training time only; the bot imports no numpy). A long text is scored
in overlapping windows and counts by its heaviest, so a heavy sentence in the middle of
a long, ordinary share still counts. Scores are log-odds; the two thresholds beside the
weights were chosen on the dev batch, never on the locked one.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import itertools
import json
import math
import sys
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from bot.safety.features import SCOPE_KEYS, forget_older_half, letter_groups, previous, scan

MODEL_PATH = Path(__file__).with_name("model.json")


WINDOW_WORDS = 200  # a longer text is scored in windows of this many words
WINDOW_STEP = 50  # ... starting every this many words
MIN_WINDOW_FEATURES = 60  # a later window is scored only if it brings this much that is new
LETTER_CACHE = 20_000  # words whose letter-group weights are remembered


@dataclass(frozen=True)
class Model:
    """Log-odds = bias + (sum of weight x count over the features) / sqrt(total count)."""

    bias: float
    weights: dict[str, float]
    possible: float  # log-odds from which a text is a possible signal
    strong: float  # log-odds from which it is a strong one
    _letters: dict[str, tuple[float, int]] = field(default_factory=dict, compare=False, repr=False)
    _keyed: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Word and pair weights are looked up by tuple; only what isn't (the letter groups)
        # stays keyed by string, so no weight is held twice (bench: model memory).
        keyed, by_string = _keyed_weights(self.weights)
        object.__setattr__(self, "_keyed", keyed)
        object.__setattr__(self, "weights", by_string)

    def weight(self, feature: str) -> float:
        """The weight of one feature as the trainer named it ("w:PO_word", "b:a b", ...)."""
        if feature in self.weights:
            return self.weights[feature]
        keyed, _ = _keyed_weights({feature: 0.0})
        return self._keyed.get(next(iter(keyed)), 0.0) if keyed else 0.0

    def _learn(self, word: str) -> tuple[float, int]:
        """A word's letter groups' weight and count, remembered."""
        if len(self._letters) >= LETTER_CACHE:
            forget_older_half(self._letters)  # bounded: members' words never pile up
        groups = letter_groups(word)
        share = self._letters[word] = (sum(self.weights.get(g, 0.0) for g in groups), len(groups))
        return share

    def _shares(self, words) -> list[tuple[float, int]]:
        """Each word's letter-group share, in the order given."""
        shares = list(map(self._letters.get, words))
        if None in shares:
            shares = [share or self._learn(word) for share, word in zip(shares, words, strict=True)]
        return shares

    def score(self, norm: str) -> float:
        """The text's log-odds of needing care: of its heaviest window (most texts are one).

        Every feature counts once, where it first occurs (so a text of up to WINDOW_WORDS
        words is read exactly as the trainer read it). Word keys and pairs are looked up
        as tuples (no strings built per word); dicts and `map` do the per-word work at C
        speed: this runs on everything members type.
        """
        words, scopes, ends, _ = scan(norm)
        if not words:
            return self.bias
        if len(words) <= WINDOW_WORDS:
            return self.bias + self._whole(words, scopes, ends)
        return self.bias + self._heaviest_window(words, scopes, ends)

    def _whole(self, words: list[str], scopes: list[int], ends: list[int]) -> float:
        """A short text's weight over the square root of its feature count.

        Features are summed in the order the trainer-checked scorer always summed them
        (each kind from the text's end), so the score is the same to the last bit."""
        distinct = [
            *dict.fromkeys(zip(reversed(scopes), reversed(words), strict=True)),
            *dict.fromkeys(zip(reversed(previous(words, ends)), reversed(words), strict=True)),
            *dict.fromkeys((words[end - 1], "$") for end in reversed(ends)),
        ]
        shares = self._shares(dict.fromkeys(reversed(words)))
        total = sum(map(self._keyed.get, distinct, repeat(0.0))) + sum(map(itemgetter(0), shares))
        return total / math.sqrt(len(distinct) + sum(map(itemgetter(1), shares)))

    def _heaviest_window(self, words: list[str], scopes: list[int], ends: list[int]) -> float:
        """A long text's heaviest window; a later one counts only if it brings enough new."""
        count = len(words)
        lasts = [end - 1 for end in ends]
        firsts = {}  # word -> where it first occurs
        _consume(map(firsts.setdefault, words, itertools.count()))
        shares = self._shares(firsts)
        running = [
            _Running.of(self._keyed, zip(scopes, words, strict=True), itertools.count()),
            _Running.of(
                self._keyed, zip(previous(words, ends), words, strict=True), itertools.count()
            ),
            _Running.of(self._keyed, zip(map(words.__getitem__, lasts), repeat("$")), lasts),
            _Running(list(firsts.values()), *_sums(shares)),
        ]
        last = max(count - WINDOW_WORDS, 0)
        best = -math.inf
        for start in {*range(0, last + 1, WINDOW_STEP), last}:
            end = min(start + WINDOW_WORDS, count)
            weight = features = 0
            for part in running:
                part_weight, part_features = part.between(start, end)
                weight += part_weight
                features += part_features
            if features and (start == 0 or features >= MIN_WINDOW_FEATURES):
                best = max(best, weight / math.sqrt(features))
        return best


class _Running(NamedTuple):
    """One kind of feature in a long text: where each distinct one first occurs (in
    order), and the running sums of their weights and counts, for any window in O(log n)."""

    at: list[int]
    weights: list[float]  # weights[i]: the sum over the first i features
    counts: list[int] | None  # the same for counts; None when each counts one

    @staticmethod
    def of(keyed: dict, keys, positions) -> _Running:
        first: dict = {}
        _consume(map(first.setdefault, keys, positions))
        return _Running(
            list(first.values()), [0.0, *accumulate(map(keyed.get, first, repeat(0.0)))], None
        )

    def between(self, start: int, end: int) -> tuple[float, int]:
        """The weight and count of the features first occurring in words [start, end)."""
        i, j = bisect_left(self.at, start), bisect_left(self.at, end)
        counts = self.counts
        return self.weights[j] - self.weights[i], (counts[j] - counts[i]) if counts else j - i


def _sums(shares: list[tuple[float, int]]) -> tuple[list[float], list[int]]:
    """Running sums of the words' letter-group weights and counts."""
    weights = [0.0, *accumulate(map(itemgetter(0), shares))]
    return weights, [0, *accumulate(map(itemgetter(1), shares))]


def _consume(iterator) -> None:
    deque(iterator, maxlen=0)


def _keyed_weights(weights: dict[str, float]) -> tuple[dict, dict[str, float]]:
    """The word-key and pair weights by tuple, as the scorer looks them up: (scope, word)
    for "w:PO_word", (word, next) for "b:word next"; and the rest (letter groups, and keys
    the scorer can't make) by string. Words are interned: one word sits in many keys."""
    scope_of = {prefix: scope for scope, prefix in enumerate(SCOPE_KEYS)}
    keyed: dict[tuple, float] = {}
    by_string: dict[str, float] = {}
    for key, weight in weights.items():
        if key.startswith("w:"):
            word = key[2:].rpartition("_")[2]
            scope = scope_of.get(key[: len(key) - len(word)])
            if scope is not None:
                keyed[scope, sys.intern(word)] = weight
                continue
        elif key.startswith("b:"):
            pair = tuple(map(sys.intern, key[2:].split(" ")))
            if len(pair) == 2:
                keyed[pair] = weight
                continue
        by_string[key] = weight
    return keyed, by_string


def from_dict(data: dict) -> Model:
    return Model(
        bias=float(data["bias"]),
        weights={k: float(v) for k, v in data["weights"].items()},
        possible=float(data["thresholds"]["possible"]),
        strong=float(data["thresholds"]["strong"]),
    )


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped with Kindred (read once, on first use)."""
    return from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
