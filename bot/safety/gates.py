"""Which sentences hold which sets of substrings, for the crisis rules. Pure, no network.

A rule is searched only in the sentences holding one of its gates (substrings: a word,
part of one, or a few words) and one string of each set its pattern requires
(`prefilter`). Searching a long text for each of hundreds of substrings costs a scan
each, so instead each word is read once and what it holds is remembered: the one-word
strings inside it, the first words of several-word ones it ends with and their last
words it starts with. A sentence holds a one-word string exactly when one of its words
does; a several-word one is checked in the sentence when some word ends with its first
word and some word starts with its last. So the answer is the substring test's, at the
cost of a dict lookup per word.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from itertools import repeat
from operator import and_, or_, rshift

from bot.safety.features import forget_older_half

REMEMBERED = 20_000  # words whose findings are remembered
_SHORT_WORD = 24  # a longer word is searched for each string, not sliced


class _Remembered(dict):
    """Word -> what it holds (bits), learnt on first sight, bounded."""

    def __init__(self, learn) -> None:
        super().__init__()
        self._learn = learn

    def __missing__(self, word: str) -> int:
        if len(self) >= REMEMBERED:
            forget_older_half(self)  # bounded: members' words never pile up in memory
        bits = self[word] = self._learn(word)
        return bits


class Gates:
    """Sets of substrings; bit i of an answer says a sentence holds a string of set i.

    A word's bits: one per set it holds a one-word string of, then one per several-word
    string whose first word it ends with (a "tail"), then one per such string whose last
    word it starts with (a "head")."""

    def __init__(self, sets: Iterable[Iterable[str]]) -> None:
        one_word: dict[str, int] = {}
        several: dict[str, int] = {}
        count = 0
        for count, strings in enumerate(sets, 1):
            for string in sorted(strings):
                words = string.split(" ")
                assert all(words) and " ".join(string.split()) == string, string
                table = several if len(words) > 1 else one_word
                table[string] = table.get(string, 0) | 1 << (count - 1)
        self._one_word = one_word
        self._sizes = sorted({len(string) for string in one_word})
        self._several = list(several.items())
        self._sets = (1 << count) - 1
        self._tail_shift = count
        self._head_shift = count + len(several)
        self._several_mask = (1 << len(several)) - 1
        self._tails: dict[str, int] = {}
        self._heads: dict[str, int] = {}
        for k, string in enumerate(several):
            first, *_, last = string.split(" ")
            self._tails[first] = self._tails.get(first, 0) | 1 << (self._tail_shift + k)
            self._heads[last] = self._heads.get(last, 0) | 1 << (self._head_shift + k)
        self._tail_sizes = sorted({len(w) for w in self._tails})
        self._head_sizes = sorted({len(w) for w in self._heads})
        self._words = _Remembered(self._learn)

    def forget(self) -> None:
        """Empty the per-word cache."""
        self._words.clear()

    def _learn(self, word: str) -> int:
        """What one word holds: its one-word strings' sets, and tail and head bits."""
        bits = 0
        if len(word) <= _SHORT_WORD:
            for size in self._sizes:
                for start in range(len(word) - size + 1):
                    bits |= self._one_word.get(word[start : start + size], 0)
        else:
            for string, sets in self._one_word.items():
                if string in word:
                    bits |= sets
        for size in self._tail_sizes:
            bits |= self._tails.get(word[-size:], 0)
        for size in self._head_sizes:
            bits |= self._heads.get(word[:size], 0)
        return bits

    def of_sentences(self, sentences: list[str], words: list[str], ends: list[int]) -> list[int]:
        """Each sentence's sets with a string in it, as bits.

        `words` are the sentences' words in order (split on whitespace, or by
        `features.scan`: a string's letters never straddle two) and `ends` where each
        sentence's end. The per-word work is C-speed `map`s and `reduce`s: this runs on
        every message."""
        per_word = list(map(self._words.__getitem__, words))
        slices = map(slice, [0, *ends[:-1]], ends)
        held = list(map(reduce, repeat(or_), map(per_word.__getitem__, slices), repeat(0)))
        found = list(map(and_, held, repeat(self._sets)))
        tails = map(rshift, held, repeat(self._tail_shift))
        heads = map(rshift, held, repeat(self._head_shift))
        for at, maybe in enumerate(map(and_, map(and_, tails, heads), repeat(self._several_mask))):
            if maybe:
                found[at] |= self._several_in(maybe, sentences[at])
        return found

    def _several_in(self, maybe: int, sentence: str) -> int:
        """The sets of the several-word strings (of those marked in `maybe`) in the sentence."""
        sets = 0
        while maybe:
            low = maybe & -maybe
            string, string_sets = self._several[low.bit_length() - 1]
            if string in sentence:
                sets |= string_sets
            maybe ^= low
        return sets
