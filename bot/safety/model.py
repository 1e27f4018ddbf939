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
from itertools import accumulate
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

        Each word's share (weight sum, feature count; nothing for what the text already
        had) is added to running totals, so every window is two subtractions. A window of a
        long text counts a feature where it first occurs in the text, so only the text's
        first window (and any short text) is read exactly as the trainer read it.
        """
        get, letters = self.weights.get, self._letters
        words, unigrams, pairs, closers, ends = read(norm)
        weights = [0.0] * len(words)  # each word's share of the sum ...
        counts = [0] * len(words)  # ... and of the feature count; repeats add nothing
        seen: set[str] = set()
        last_of = {end - 1: closer for end, closer in zip(ends, closers, strict=True)}
        for i, (word, unigram, pair) in enumerate(zip(words, unigrams, pairs, strict=True)):
            weight, count = 0.0, 0
            if word not in seen:
                share = letters.get(word) or self._learn(word)
                weight, count = share
                seen.add(word)
            for key in (unigram, pair, last_of.get(i)):
                if key is not None and key not in seen:
                    seen.add(key)
                    weight += get(key, 0.0)
                    count += 1
            weights[i], counts[i] = weight, count
        weight_sums = [0.0, *accumulate(weights)]
        counts = [0, *accumulate(counts)]
        words = len(counts) - 1
        if not words:
            return self.bias
        best = -math.inf
        for start in {
            *range(0, max(words - WINDOW_WORDS, 0) + 1, WINDOW_STEP),
            max(words - WINDOW_WORDS, 0),
        }:
            end = min(start + WINDOW_WORDS, words)
            count = counts[end] - counts[start]
            if count and (start == 0 or count >= MIN_WINDOW_FEATURES):
                best = max(best, (weight_sums[end] - weight_sums[start]) / math.sqrt(count))
        return self.bias + best


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
