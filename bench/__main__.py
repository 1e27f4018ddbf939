"""`python -m bench [--quick]`: every benchmark, one table (the README quotes it).

Each benchmark module exposes `async def measure(quick: bool) -> list[Row]`.
Run one alone with `python -m bench.<name>`, or a few with `python -m bench <name> ...`.

Each benchmark runs in a fresh Python process, so none inherits another's leftovers: a
store benchmark run after the 1,000-interaction burst in the same process met the burst's
~140,000 leftover objects in every full garbage collection (100+ ms pauses), and measured
the garbage collector instead of the store.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, table

BENCHMARKS = (
    "bench.interactions",  # 1,000 mixed member interactions within 1 s
    "bench.answer_first",  # each hot path's acknowledgement beside the floor's
    "bench.store_writes",  # 2,000 writes/s, beside a naive baseline
    "bench.due_check",  # the scheduler at 1,000 / 10,000 / 100,000 servers
    "bench.send_queue",  # 500 servers due in the same minute
    "bench.memory",  # 10,000 servers and a year of history
    "bench.celebrate",  # /victories on a long history
    "bench.stories",  # the store's share of /share, reply checks, the nudge scan
    "bench.safety_corpus",
)
REPO = Path(__file__).resolve().parent.parent
ROWS_MARK = "ROWS "


def run_one(name: str, quick: bool) -> None:
    """In the child process: run one benchmark and print its rows as one JSON line."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        print(f"{name}: not written yet, skipped", file=sys.stderr)
        rows: list[Row] = []
    else:
        rows = asyncio.run(module.measure(quick))
    print(ROWS_MARK + json.dumps([dataclasses.asdict(row) for row in rows]), flush=True)


def run_isolated(name: str, quick: bool) -> list[Row]:
    """Run one benchmark in its own process; its progress and errors go to our stderr."""
    command = [sys.executable, "-m", "bench", "--one", name] + (["--quick"] if quick else [])
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(ROWS_MARK)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed (exit status {done.returncode})")
    return [Row(**row) for row in json.loads(lines[-1].removeprefix(ROWS_MARK))]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process's benchmark
    parser.add_argument(
        "only", nargs="*", help="run only these benchmarks (module names without bench.)"
    )
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.quick)
        return 0
    rows: list[Row] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in BENCHMARKS:
        if args.only and name.removeprefix("bench.") not in args.only:
            continue
        began = time.perf_counter()
        try:
            rows.extend(run_isolated(name, args.quick))
        except RuntimeError as error:
            failed.append(name)
            print(error, file=sys.stderr, flush=True)
            continue
        print(f"{name}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))
    print(f"\n{'quick' if args.quick else 'full'} run in {time.perf_counter() - started:.0f} s")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    missed = [row for row in rows if row.ok is False]
    if missed and not args.quick:
        print(f"{len(missed)} target(s) missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
