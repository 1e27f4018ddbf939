"""Safety corpus: recall and precision of bot.safety.assess() on the labelled crisis corpus,
and how long one call takes.

    python -m bench.safety_corpus [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from pathlib import Path

from bench.common import Row, percentile, table
from bot.safety import assess, corpus_scores, load_corpus

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def time_calls(texts: list[str], rounds: int) -> list[float]:
    """Microseconds per assess() call, one sample per call."""
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for text in texts:
            started = clock()
            assess(text)
            samples.append((clock() - started) * 1e6)
    return samples


# Each later batch of the corpus was written without looking at the rules; its header
# records how the rules did on it before they were tuned: the honest estimate for words
# the rules have never seen (the corpus itself is, by now, learned by heart).
_FIRST_SIGHT = re.compile(
    r"found (\d+) of these (\d+) \(and flagged (\d+) of the\s*#\s*(\d+) phrases", re.S
)


def first_sight() -> tuple[float, float, int, int]:
    """(recall, precision, phrases that must match, must not) over the unseen batches."""
    found = _FIRST_SIGHT.findall((CORPUS / "crisis_must_match.txt").read_text(encoding="utf-8"))
    tp = sum(int(f[0]) for f in found)
    positives = sum(int(f[1]) for f in found)
    fp = sum(int(f[2]) for f in found)
    negatives = sum(int(f[3]) for f in found)
    recall = tp / positives if positives else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return recall, precision, positives, negatives


async def measure(quick: bool = False) -> list[Row]:
    must_match = load_corpus(CORPUS / "crisis_must_match.txt")
    must_not_match = load_corpus(CORPUS / "crisis_must_not_match.txt")
    recall, precision = corpus_scores(must_match, must_not_match)
    samples = time_calls(must_match + must_not_match, 3 if quick else 30)
    mean = sum(samples) / len(samples)
    p99 = percentile(samples, 0.99)
    return [
        Row("safety corpus", "must-match phrases", len(must_match), "phrases"),
        Row("safety corpus", "must-not-match phrases", len(must_not_match), "phrases"),
        Row("safety corpus", "recall", recall * 100, "%", ">= 95 %", recall >= 0.95),
        Row("safety corpus", "precision", precision * 100, "%", ">= 90 %", precision >= 0.90),
        *first_sight_rows(),
        Row("safety corpus", "mean per assess()", mean, "µs"),
        Row("safety corpus", "p99 per assess()", p99, "µs"),
    ]


def first_sight_rows() -> list[Row]:
    recall, precision, positives, negatives = first_sight()
    if not positives:
        return []
    where = f"unseen batches ({positives}+{negatives})"
    return [
        Row("safety corpus", f"recall, {where}", recall * 100, "%"),
        Row("safety corpus", f"precision, {where}", precision * 100, "%"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(table(asyncio.run(measure(parser.parse_args().quick))))


if __name__ == "__main__":
    main()
