"""The crisis check on its locked batch: recall and precision overall and per kind, the
ambiguous texts reported apart, time per check (also on 4,000-character texts) and what
the model costs in memory.

    python -m bench.safety_corpus [--quick]

The locked batch (`bot/safety/corpus/MANIFEST.toml`) was written last, by its own helper
session, from the labelling rule alone; nothing was ever tuned on it. `needs_care` (a
strong or a possible signal) is what is scored, as outside checks score it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import tracemalloc

from bench.common import Row, percentile, table
from bot.safety import Grade, assess, forget_words, model
from bot.safety.batches import ambiguous, batches_with_role

NAME = "safety"


def _rate(hits: int, total: int) -> float:
    return 100.0 * hits / total if total else float("nan")


def sealed_rows(role: str) -> list[Row]:
    """The figures on the `locked` batch (the result, with targets) or on a `spent` one
    (once locked, since used to decide something: still scored, no longer clean)."""
    locked = [e for batch in batches_with_role(role).values() for e in batch]
    if not locked:
        return []
    targets = role == "locked"
    graded = [(e, assess(e.text).grade) for e in locked]
    positives = [(e, g) for e, g in graded if e.label]
    negatives = [(e, g) for e, g in graded if not e.label]
    tp = sum(1 for _, g in positives if g)
    fp = sum(1 for _, g in negatives if g)
    strong_tp = sum(1 for _, g in positives if g is Grade.STRONG)
    strong_fp = sum(1 for _, g in negatives if g is Grade.STRONG)
    recall, precision = _rate(tp, len(positives)), _rate(tp, tp + fp)
    where = f"{role} batch ({len(positives)} crisis + {len(negatives)} not)"
    rows = [
        Row(NAME, f"recall, {where}", recall, "%", *((">= 95 %", recall >= 95) if targets else ())),
        Row(NAME, f"precision, {where}", precision, "%",
            *((">= 90 %", precision >= 90) if targets else ())),
        Row(NAME, f"{role}: strong signals alone: recall / precision", _rate(strong_tp, len(positives)),
            f"% / {_rate(strong_tp, strong_tp + strong_fp):.1f} %"),
    ]  # fmt: skip
    for kind in sorted({e.kind for e, _ in positives}):
        of_kind = [g for e, g in positives if e.kind == kind]
        rows.append(
            Row(NAME, f"{role} recall, {kind} ({len(of_kind)})", _rate(sum(map(bool, of_kind)), len(of_kind)), "%")
        )  # fmt: skip
    for kind in sorted({e.kind for e, _ in negatives}):
        of_kind = [g for e, g in negatives if e.kind == kind]
        flagged = sum(map(bool, of_kind))
        rows.append(
            Row(NAME, f"{role}, flagged, not crisis: {kind} ({len(of_kind)})", flagged, "texts")
        )
    return rows


def ambiguous_rows() -> list[Row]:
    texts = ambiguous()
    flagged = sum(1 for t in texts if assess(t).needs_care)
    return [Row(NAME, f"ambiguous texts flagged (reported, not scored; {len(texts)})",
                _rate(flagged, len(texts)), "%")]  # fmt: skip


def long_texts(count: int, seed: int = 7) -> list[str]:
    """4,000-character messages made of the corpus's own texts, so they read like shares
    (a new seed gives texts this process has never seen)."""
    pool = [
        e.text for role in ("train", "dev") for b in batches_with_role(role).values() for e in b
    ]
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        text = ""
        while len(text) < 4000:
            text += rng.choice(pool) + "\n"
        made.append(text[:4000])
    return made


def time_checks(texts: list[str], rounds: int) -> list[float]:
    """Microseconds per assess() call, one sample per call."""
    for text in texts[:20]:
        assess(text)  # the model is read once, on first use
    samples, clock = [], time.perf_counter
    for _ in range(rounds):
        for text in texts:
            started = clock()
            assess(text)
            samples.append((clock() - started) * 1e6)
    return samples


def time_unseen(count: int, seed: int, forget: bool = False) -> list[float]:
    """Microseconds per assess() call on 4,000-character texts this process never checked
    (each once, after the model is loaded); with `forget`, every word cache is emptied
    before each check too, as if each text's every word were new."""
    texts = long_texts(count, seed)
    assert not set(texts) & set(long_texts(100)), "an unseen text was seen"
    samples, clock = [], time.perf_counter
    for text in texts:
        if forget:
            forget_words()
        started = clock()
        assess(text)
        samples.append((clock() - started) * 1e6)
    return samples


def model_megabytes() -> float:
    model.shipped.cache_clear()
    tracemalloc.start()
    model.shipped()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return size / 1e6


async def measure(quick: bool = False) -> list[Row]:
    short = [e.text for b in batches_with_role("dev").values() for e in b]
    samples = time_checks(short, 2 if quick else 10)
    # Seen: the same texts checked again and again; unseen: each text new to the process
    # (the target); unseen words: besides, every word cache emptied before each check.
    long_samples = time_checks(long_texts(20 if quick else 100), 2 if quick else 5)
    unseen = time_unseen(100 if quick else 1000, seed=8)
    new_words = time_unseen(20 if quick else 200, seed=9, forget=True)
    p99_unseen = percentile(unseen, 0.99)
    megabytes = model_megabytes()
    return [
        *sealed_rows("locked"),
        *sealed_rows("spent"),
        *ambiguous_rows(),
        Row(NAME, "time per check, corpus texts: mean / p99", sum(samples) / len(samples),
            f"/ {percentile(samples, 0.99):.0f} µs"),
        Row(NAME, "time per check, 4,000-character texts seen before: mean / p99",
            sum(long_samples) / len(long_samples), f"/ {percentile(long_samples, 0.99):,.0f} µs"),
        Row(NAME, f"time per check, 4,000-character texts never seen ({len(unseen)}): mean",
            sum(unseen) / len(unseen), "µs"),
        Row(NAME, "time per check, 4,000-character texts never seen: p99", p99_unseen, "µs",
            "<= 1,000 µs", p99_unseen <= 1000),
        Row(NAME, "... and with every word new (word caches emptied): mean / p99",
            sum(new_words) / len(new_words), f"/ {percentile(new_words, 0.99):,.0f} µs"),
        Row(NAME, "memory of the loaded model", megabytes, "MB", "<= 10 MB", megabytes <= 10),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="rows as JSON lines")
    args = parser.parse_args()
    rows = asyncio.run(measure(args.quick))
    print("\n".join(json.dumps(r.__dict__) for r in rows) if args.json else table(rows))


if __name__ == "__main__":
    main()
