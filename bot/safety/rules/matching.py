"""Steps 3 and 4 of the crisis rules: which rule matches a normalised text, if any.

Each rule is searched only where its gates and required strings are (`gates`,
`prefilter`): the whole of a short text, only the sentences that hold them in a long one.
A match then counts only if nothing in its clause or sentence cancels it (`suppressors`
and the rule's own vetoes). Also `only_negated`, which the model's grade defers to.
Pure, no network.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from functools import reduce
from itertools import accumulate, repeat
from operator import add, or_

from bot.safety.features import scan
from bot.safety.gates import Gates
from bot.safety.rules.acts import ACTS
from bot.safety.rules.blocks import _Rule
from bot.safety.rules.suppressors import _END_RX, _LEAD, _PAST, _negated
from bot.safety.rules.wishes import WISHES

_RULES: tuple[_Rule, ...] = WISHES + ACTS  # the order they are tried in: the first match counts


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right < 0 else right


def _sentence(text: str, start: int, end: int) -> str:
    left = text.rfind("\n\n", 0, start)
    right = text.find("\n\n", end)
    return text[0 if left < 0 else left : len(text) if right < 0 else right]


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
