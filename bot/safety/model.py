"""The crisis model: a linear text classifier, scored in pure Python from `model.json`.

`model.json` is written by `python -m bot.safety.train` from the labelled corpus beside
it (scikit-learn at training time only; the bot imports no numpy). A long text is scored
in overlapping windows and counts by its heaviest, so a heavy sentence in the middle of
a long, ordinary share still counts. Scores are log-odds; the two thresholds beside the
weights were chosen on the dev batch, never on the locked one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path

from bot.safety.features import letter_groups, read

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

    def _learn(self, word: str) -> tuple[float, int]:
        """A word's letter groups' weight and count, remembered."""
        if len(self._letters) >= LETTER_CACHE:
            self._letters.clear()  # bounded: members' words never pile up in memory
        groups = letter_groups(word)
        share = self._letters[word] = (sum(self.weights.get(g, 0.0) for g in groups), len(groups))
        return share

    def score(self, norm: str) -> float:
        """The text's log-odds of needing care: of its heaviest window (most texts are one).

        Every feature counts once, where it first occurs (so a text of up to WINDOW_WORDS
        words is read exactly as the trainer read it). Each word's share (weight sum,
        feature count) goes into running totals, so every window of a long text is two
        subtractions; a later window is scored only if it brings enough that is new.
        Dicts and `map` do the per-word work at C speed: this runs on everything members
        type.
        """
        words, unigrams, pairs, closers, ends = read(norm)
        count = len(words)
        if not count:
            return self.bias
        backwards = range(count - 1, -1, -1)
        first = dict(
            zip(reversed(unigrams), backwards, strict=True)
        )  # key -> where it first occurs
        first.update(zip(reversed(pairs), backwards, strict=True))
        first.update(zip(reversed(closers), [end - 1 for end in reversed(ends)], strict=True))
        first_word = dict(zip(reversed(words), backwards, strict=True))
        shares = [self._letters.get(word) or self._learn(word) for word in first_word]
        key_weights = list(map(self.weights.get, first, repeat(0.0)))
        if count <= WINDOW_WORDS:
            total = sum(key_weights) + sum(map(itemgetter(0), shares))
            return self.bias + total / math.sqrt(len(first) + sum(map(itemgetter(1), shares)))
        weights, counts = [0.0] * count, [0] * count
        for at, weight in zip(first.values(), key_weights, strict=True):
            weights[at] += weight
            counts[at] += 1
        for at, (weight, groups) in zip(first_word.values(), shares, strict=True):
            weights[at] += weight
            counts[at] += groups
        return self.bias + self._heaviest_window(
            [0.0, *accumulate(weights)], [0, *accumulate(counts)]
        )

    @staticmethod
    def _heaviest_window(weight_sums: list[float], counts: list[int]) -> float:
        words = len(counts) - 1
        last = max(words - WINDOW_WORDS, 0)
        best = -math.inf
        for start in {*range(0, last + 1, WINDOW_STEP), last}:
            end = min(start + WINDOW_WORDS, words)
            count = counts[end] - counts[start]
            if count and (start == 0 or count >= MIN_WINDOW_FEATURES):
                best = max(best, (weight_sums[end] - weight_sums[start]) / math.sqrt(count))
        return best


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
