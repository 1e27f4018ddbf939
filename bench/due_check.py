"""Due check: finding the servers whose daily prompt is due, indexed vs a naive scan.

    python -m bench.due_check            # 1,000 / 10,000 / 100,000 servers
    python -m bench.due_check --quick    # 1,000 / 10,000

Every server gets a random local time, time zone and weekdays; its next post instant is
what the scheduler would have stored (a steady state: what was due has been posted and
moved on), so one 30-second tick finds about N / 2880 servers due. The indexed check is the
scheduler's own query, `store.prompts.due(now)`: a range scan on `prompt_schedules_due`,
whose cost follows what is due. The naive scan reads every schedule and does each
server's time-zone math to ask whether its post time fell in the last tick, as a scheduler
without a stored UTC instant would have to. Both must find the same servers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, median, percentile
from bot.schedule import next_occurrence, parse_hhmm, zone_or_none
from bot.store import Store
from bot.store.prompts import weekday_mask, weekdays_of

NOW = datetime(2026, 3, 2, 12, 0, 15, tzinfo=UTC)
TICK = timedelta(seconds=30)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "UTC",
)
DAY_SETS = (range(7), range(5), (0, 2, 4), (5, 6))
TARGET_MS = 5.0


async def fill(store: Store, servers: int, rng: random.Random) -> None:
    """`servers` schedules, each stored with its true next post instant after the last tick."""
    schedules = []
    for guild_id in range(1, servers + 1):
        post_time = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        zone = rng.choice(ZONES)
        days = frozenset(rng.choice(DAY_SETS))
        instant, day = next_occurrence(NOW - TICK, parse_hhmm(post_time), zone_or_none(zone), days)
        schedules.append(
            (guild_id, guild_id * 10, post_time, zone, weekday_mask(days), int(instant.timestamp()),
             day.isoformat(), 0)
        )  # fmt: skip
    await store.executemany(
        "INSERT INTO guilds (guild_id) VALUES (?)", [(s[0],) for s in schedules]
    )
    await store.executemany(
        "INSERT INTO prompt_schedules (guild_id, channel_id, post_time, timezone, weekdays, "
        "next_post_at, next_local_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        schedules,
    )
    await store.execute("ANALYZE")


async def indexed(store: Store, runs: int) -> tuple[list[float], set[int]]:
    timings, due = [], set()
    for _ in range(runs):
        started = time.perf_counter()
        due = {schedule.guild_id for schedule in await store.prompts.due(NOW)}
        timings.append((time.perf_counter() - started) * 1000)
    return timings, due


async def naive(store: Store, runs: int) -> tuple[list[float], set[int]]:
    """Every server, every tick: read its settings and do its time-zone math."""
    timings, due = [], set()
    for _ in range(runs):
        started = time.perf_counter()
        rows = await store.fetchall(
            "SELECT guild_id, post_time, timezone, weekdays FROM prompt_schedules WHERE paused = 0"
        )
        due = set()
        for guild_id, post_time, zone, mask in rows:
            instant, _ = next_occurrence(
                NOW - TICK, parse_hhmm(post_time), zone_or_none(zone), weekdays_of(mask)
            )
            if instant <= NOW:
                due.add(guild_id)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, due


async def one_size(servers: int, runs: int, naive_runs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.db")
        try:
            await fill(store, servers, random.Random(servers))
            gc.collect()
            await indexed(store, 20)  # warm the page cache
            fast, due = await indexed(store, runs)
            slow, naive_due = await naive(store, naive_runs)
        finally:
            await store.close()
    assert due == naive_due, "the indexed query and the naive scan disagree"
    return {
        "servers": servers,
        "due": len(due),
        "median": median(fast),
        "p99": percentile(fast, 0.99),
        "naive": median(slow),
    }


async def run_sizes(quick: bool) -> list[dict]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    return [await one_size(n, 1000, 3 if n >= 100_000 else 10) for n in sizes]


async def measure(quick: bool = False) -> list[Row]:
    """Rows for `python -m bench`."""
    rows = []
    for r in await run_sizes(quick):
        name = f"{r['servers']:,} servers ({r['due']} due)"
        rows += [
            Row("due check", f"indexed, {name}, median", r["median"], "ms", "<= 5", r["median"] <= TARGET_MS),
            Row("due check", f"indexed, {name}, p99", r["p99"], "ms", "<= 5", r["p99"] <= TARGET_MS),
            Row("due check", f"naive per-server scan, {name}", r["naive"], "ms"),
        ]  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.due_check", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only 1,000 and 10,000 servers")
    args = parser.parse_args(argv)
    results = asyncio.run(run_sizes(args.quick))
    print(
        f"{'servers':>9} {'due':>4} {'indexed due-check ms':>22} {'naive scan ms':>14} {'ratio':>8}"
    )
    print(f"{'':>9} {'':>4} {'median':>10} {'p99':>11} {'median':>14}")
    for r in results:
        print(
            f"{r['servers']:>9,} {r['due']:>4} {r['median']:>10.3f} {r['p99']:>11.3f} "
            f"{r['naive']:>14.1f} {r['naive'] / r['median']:>7,.0f}x"
        )


if __name__ == "__main__":
    main()
