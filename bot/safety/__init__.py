"""The crisis check: does what a member wrote need care, and how surely? Pure, offline.

Two parts, each good at what the other misses:
- `rules`: hand-written patterns for the clear cases ("i want to kms tonight"), each with
  a reason; they were tuned on the old phrase corpus, now a training batch.
- `model`: a linear classifier over words, word pairs and letter groups, trained by
  `python -m bot.safety.train` on the corpus's train batches, thresholds chosen on its
  dev batch, scored in pure Python from `model.json` (no numpy at run time).

`assess(text)` grades a text: STRONG (a rule, or a high score: the resources card, a held
story, a quiet moderator note), POSSIBLE (a middling score: only a gentle private line with
a button) or NONE. Where every crisis phrase in the text is negated ("i don't want to
die"), the model's score alone gives at most POSSIBLE: negation counts unless something
else in the text contradicts it, and a rule is what says so. `needs_care(text)` is true for either signal; it is the public entry
point outside checks score.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bot.safety import features, model, rules


class Grade(IntEnum):
    NONE = 0
    POSSIBLE = 1
    STRONG = 2


@dataclass(frozen=True)
class Assessment:
    grade: Grade
    reason: str  # the rule that matched, "model" for a score, "" for none
    score: float  # the model's log-odds (-inf when the text was empty)

    @property
    def needs_care(self) -> bool:
        return self.grade is not Grade.NONE

    @property
    def strong(self) -> bool:
        return self.grade is Grade.STRONG


NOTHING = Assessment(Grade.NONE, "", float("-inf"))


def assess(text: str) -> Assessment:
    """How surely `text` needs the crisis resources, and why. Never raises."""
    norm = rules.normalise(text)
    if not norm:
        return NOTHING
    shipped = model.shipped()
    score = shipped.score(norm)
    reason = rules.rule_reason(norm)
    if reason:
        return Assessment(Grade.STRONG, reason, score)
    if not _enough_words(norm):
        return Assessment(Grade.NONE, "", score)
    if score >= shipped.strong and not rules.only_negated(norm):
        return Assessment(Grade.STRONG, "model", score)
    if score >= shipped.possible:
        return Assessment(Grade.POSSIBLE, "model", score)
    return Assessment(Grade.NONE, "", score)


MODEL_WORDS = 2  # a model score alone needs this many words behind it
WORD_LETTERS = range(2, 31)  # ... each a word a person types, not "w" or a pasted run


def _enough_words(norm: str) -> bool:
    """A score from one letter ("w") or one giant run ("@everyone" pasted 600 times) rests
    on a feature or two and can be anything: only a rule may grade such a text. No text
    of the train or dev batches a rule misses is that short."""
    found = 0
    for word in norm.split():
        if len(word) in WORD_LETTERS:
            found += 1
            if found >= MODEL_WORDS:
                return True
    return False


def forget_words() -> None:
    """Empty every per-word cache (for benchmarks: a text whose every word is new)."""
    features.letter_groups.cache_clear()
    features.scan.cache_clear()
    model.shipped()._letters.clear()
    rules.forget_words()


def needs_care(text: str) -> bool:
    """True for a strong or a possible signal."""
    return assess(text).needs_care
