"""Which prompt a server gets next: pure, deterministic, no Discord and no database.

Two rules, in this order of strength:
1. no prompt repeats in a server until every prompt in its rotation has been posted once
   (a "cycle"); the server's own prompts join the rotation like the library's;
2. consecutive posts use different values, whenever the prompts left allow it.

The choice is seeded by the server and the local date, so `/prompts preview` shows exactly
the prompt the scheduler will post that day (unless the rotation changes in between).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    id: str  # "empathy-03" or "own-12"
    value: str  # value key
    text: str


@dataclass(frozen=True)
class Pick:
    prompt: Candidate
    cycle: int


def build_pool(
    library: Iterable[Candidate],
    own: Iterable[Candidate],
    excluded: frozenset[str],
    known_values: frozenset[str],
) -> list[Candidate]:
    """The server's rotation: library prompts it kept plus its own, for values that exist."""
    pool = [c for c in library if c.id not in excluded and c.value in known_values]
    pool += [c for c in own if c.value in known_values]
    return pool


def pick_prompt(
    pool: Sequence[Candidate],
    used: frozenset[str],
    last_value: str | None,
    cycle: int,
    seed: str,
) -> Pick:
    """The next prompt, and the cycle it belongs to (a new one once all were used)."""
    if not pool:
        raise ValueError("the rotation is empty")
    remaining = [c for c in pool if c.id not in used]
    if not remaining:
        cycle, remaining = cycle + 1, list(pool)
    by_value: dict[str, list[Candidate]] = {}
    for candidate in sorted(remaining, key=lambda c: c.id):
        by_value.setdefault(candidate.value, []).append(candidate)
    rng = random.Random(seed)
    values = sorted(by_value)
    choices = [v for v in values if v != last_value] or values
    total = len(remaining)
    # A value holding more than half of what is left must go now, or it would end up
    # posted on consecutive days at the end of the cycle.
    crowded = [v for v in choices if 2 * len(by_value[v]) > total]
    if crowded:
        value = crowded[0]
    else:
        value = rng.choices(choices, weights=[len(by_value[v]) for v in choices])[0]
    return Pick(rng.choice(by_value[value]), cycle)
