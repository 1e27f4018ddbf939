"""What every benchmark shares: percentiles and one table format.

Each benchmark module exposes `async def measure(quick: bool) -> list[Row]`;
`python -m bench` runs them all and prints one table, `--quick` on small sizes.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str
    measure: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: informative only

    def cells(self) -> list[str]:
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        number = f"{self.value:,.0f}" if abs(self.value) >= 100 else f"{self.value:.3g}"
        return [self.benchmark, self.measure, f"{number} {self.unit}".strip(), self.target, verdict]


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def table(rows: list[Row]) -> str:
    header = ["benchmark", "measure", "value", "target", "met"]
    cells = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [
        "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |"
        for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
