"""`python -m bench [--quick]`: every benchmark, one table (the README quotes it).

Each benchmark module exposes `async def measure(quick: bool) -> list[Row]`.
Run one alone with `python -m bench.<name>`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time

from bench.common import Row, table

BENCHMARKS = (
    "bench.interactions",
    "bench.store_writes",
    "bench.due_check",
    "bench.send_queue",
    "bench.celebrate",
    "bench.memory",
    "bench.safety_corpus",
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    parser.add_argument("only", nargs="*", help="run only these benchmarks (module names without bench.)")
    args = parser.parse_args()
    rows: list[Row] = []
    started = time.perf_counter()
    for name in BENCHMARKS:
        if args.only and name.removeprefix("bench.") not in args.only:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            continue
        rows.extend(asyncio.run(module.measure(args.quick)))
    print(table(rows))
    print(f"\n{'quick' if args.quick else 'full'} run in {time.perf_counter() - started:.0f} s")
    missed = [row for row in rows if row.ok is False]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
