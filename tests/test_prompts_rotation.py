"""Rotation rules: no repeats until a server's rotation is exhausted, consecutive posts use
different values, and the pick is deterministic (so previews are truthful)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.library import load_library
from cogs.prompts.rotation import Candidate, build_pool, pick_prompt

LIBRARY = load_library()
KNOWN = frozenset(v.key for v in LIBRARY.values)


def library_pool() -> list[Candidate]:
    return [Candidate(p.id, p.value, p.text) for p in LIBRARY.prompts]


def run(pool, days: int, guild: int = 1):
    """Pick `days` prompts in a row, as the scheduler would."""
    used: set[str] = set()
    cycle, last, picks = 1, None, []
    for day in range(days):
        pick = pick_prompt(pool, frozenset(used), last, cycle, seed=f"{guild}:{day}")
        if pick.cycle != cycle:
            cycle, used = pick.cycle, set()
        used.add(pick.prompt.id)
        last = pick.prompt.value
        picks.append(pick)
    return picks


def test_two_full_cycles_never_repeat_within_a_cycle_nor_a_value_on_consecutive_days():
    pool = library_pool()
    picks = run(pool, 2 * len(pool))
    first, second = picks[: len(pool)], picks[len(pool) :]
    assert sorted(p.prompt.id for p in first) == sorted(c.id for c in pool)
    assert sorted(p.prompt.id for p in second) == sorted(c.id for c in pool)
    assert {p.cycle for p in first} == {1} and {p.cycle for p in second} == {2}
    values = [p.prompt.value for p in picks]
    assert all(a != b for a, b in zip(values, values[1:], strict=False))
    assert [p.prompt.id for p in first] != [p.prompt.id for p in second]  # not a fixed order


def test_a_servers_own_prompts_join_and_excluded_ones_leave():
    own = [Candidate("own-1", "hope", "What does hope look like at 3am?")]
    pool = build_pool(library_pool(), own, frozenset({"hope-01", "empathy-02"}), KNOWN)
    ids = {c.id for c in pool}
    assert "own-1" in ids and not {"hope-01", "empathy-02"} & ids
    orphan = [Candidate("own-2", "retired-value", "x")]
    assert "own-2" not in {c.id for c in build_pool([], orphan, frozenset(), KNOWN)}
    assert "own-1" in {p.prompt.id for p in run(pool, len(pool))}


def test_the_same_day_gets_the_same_prompt_and_servers_differ():
    pool = library_pool()
    one = pick_prompt(pool, frozenset(), "hope", 1, seed="7:2026-03-02")
    assert one == pick_prompt(pool, frozenset(), "hope", 1, seed="7:2026-03-02")
    others = {
        pick_prompt(pool, frozenset(), None, 1, seed=f"{g}:2026-03-02").prompt for g in range(20)
    }
    assert len(others) > 1


def test_a_crowded_value_is_spread_out():
    pool = [Candidate(f"a-{n}", "a", "") for n in range(3)] + [
        Candidate(f"b-{n}", "b", "") for n in range(2)
    ]
    assert [p.prompt.value for p in run(pool, 5)] == ["a", "b", "a", "b", "a"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=6), st.integers())
def test_values_never_repeat_back_to_back_when_the_pool_allows_it(counts, seed):
    pool = [Candidate(f"v{v}-{n}", f"v{v}", "") for v, c in enumerate(counts) for n in range(c)]
    if 2 * max(counts) > len(pool) + 1:
        return  # no arrangement without neighbours exists
    picks = run(pool, len(pool), guild=seed)
    assert Counter(p.prompt.id for p in picks) == Counter(c.id for c in pool)
    values = [p.prompt.value for p in picks]
    assert all(a != b for a, b in zip(values, values[1:], strict=False))
