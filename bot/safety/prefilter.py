"""What any match of a rule's regex must contain: sets of strings, one of each in a match.

A rule's gates are hand-picked; these come from the pattern itself, so they are always
right, and often tighter: "(?:take|taking) (?:them|it) all" can't match a sentence
without one of "take them all", "taking it all", ..., whatever its gates say. A sentence
holding no string of a set can't hold a match, so the (slow) search is skipped; the rule
answers exactly as it would have.

The pattern is read with Python's own regex parser (`re._parser`); anything it can't
reason about (classes, backreferences, flags) simply requires nothing, so a set is only
ever left out, never wrong.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789' ")  # what normalised words hold
_MOST = 64  # strings a set may grow to while it is being worked out

Strings = frozenset[str]


def required(pattern: str, most: int = 3) -> list[Strings]:
    """Up to `most` sets of strings (best first): every match holds one of each set."""
    try:
        parsed = _parser.parse(pattern, re.M)
    except Exception:  # pragma: no cover - a parser this can't read requires nothing
        return []
    found: list[Strings] = []
    for strings in sorted(_sequence(parsed, top=True), key=_worth):
        if strings not in found:
            found.append(strings)
    return found[:most]


def _worth(strings: Strings) -> tuple[int, int]:
    """Longer shortest strings first (rarer in text), then fewer of them."""
    return -min(map(len, strings)), len(strings)


def _cross(left: set[str] | None, right: set[str] | None) -> set[str] | None:
    if left is None or right is None or len(left) * len(right) > _MOST:
        return None
    return {a + b for a in left for b in right}


def _usable(strings: set[str] | None) -> Strings | None:
    """A set as a requirement: no empty string (it would always be there), no string a
    longer one holds (it says the same), spaces trimmed (a part of a required string is
    required)."""
    if strings is None:
        return None
    trimmed = {s.strip() for s in strings}
    if not all(trimmed) or any("  " in s for s in trimmed):
        return None
    return frozenset(s for s in trimmed if not any(t != s and t in s for t in trimmed))


def _node(op, av) -> tuple[set[str] | None, Strings | None]:
    """(every string the node can match, if few; a set one of which it always holds)."""
    if op is c.LITERAL:
        char = chr(av)
        return ({char}, None) if char in _CHARS else (None, None)
    if op is c.IN:
        return _chars(av)
    if op is c.SUBPATTERN:
        _, add_flags, _, sub = av
        return (None, None) if add_flags & re.I else _sequence(sub)
    if op is c.BRANCH:
        return _branch(av[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        return _repeat(*av)
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return {""}, None  # zero-width: matches no characters
    return None, None


def _chars(items) -> tuple[set[str] | None, Strings | None]:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 8:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None, None
    if len(chars) > 8 or not chars <= _CHARS:
        return None, None
    return chars, None


def _branch(alternatives) -> tuple[set[str] | None, Strings | None]:
    exact: set[str] | None = set()
    needs: set[str] | None = set()
    for alternative in alternatives:
        strings, need = _sequence(alternative)
        exact = None if exact is None or strings is None else exact | strings
        needs = None if needs is None or need is None else needs | need
    if exact is not None and len(exact) > _MOST:
        exact = None
    return exact, _usable(needs)


def _repeat(least: int, most: int, item) -> tuple[set[str] | None, Strings | None]:
    strings, need = _sequence(item)
    exact: set[str] | None = None
    if strings is not None and most <= 2:
        exact = set()
        for times in range(least, most + 1):
            part: set[str] | None = {""}
            for _ in range(times):
                part = _cross(part, strings)
            exact = None if part is None or exact is None else exact | part
        if exact is not None and len(exact) > _MOST:
            exact = None
    return exact, need if least >= 1 else None


def _sequence(items, top: bool = False):
    """A concatenation: each item's requirement, and each run of items with few strings
    (their cross product) are requirements of the whole."""
    candidates: list[Strings] = []
    run: set[str] | None = {""}
    exact = True
    for op, av in items:
        strings, need = _node(op, av)
        if need is not None:
            candidates.append(need)
        joined = _cross(run, strings)
        if joined is None:
            exact = False
            candidates.append(_usable(run))
            run = strings if strings is not None else {""}
        else:
            run = joined
    candidates.append(_usable(run))
    usable = [s for s in candidates if s]
    if top:
        return usable
    return (run if exact else None), (min(usable, key=_worth) if usable else None)
