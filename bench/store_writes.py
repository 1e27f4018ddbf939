"""Store writes: sustained throughput and latency of one-statement writes under concurrency,
beside a naive lock + BEGIN/INSERT/COMMIT-per-write baseline.

    python -m bench.store_writes [--quick]

Open loop: writes arrive at 2,000/s for 10 s (2 s with --quick) whatever the store does,
and each write's latency counts from its arrival, so a store that falls behind shows it.
"Sustained" counts the writes completed per second in the steady middle 80% of the run.
Then 50 writers write as fast as they can, through the store and through the naive
baseline (three awaits under the lock per write).

What sets the p99 here is SQLite's WAL checkpoint: the commit that takes the WAL past
`wal_autocheckpoint` pages copies it back into the database file with two fsyncs, and every
write queued on the one connection waits. At SQLite's default of 1,000 pages that stall was
~15 ms and the p99 at 2,000 writes/s 14-20 ms on this machine (30 ms and more with other
processes busy); the store now checkpoints every 256 pages (~5 ms stalls, p99 ~5 ms).
A checkpoint from a second connection in the background was tried and was worse (p99
80-400 ms): its fsyncs stalled the writer's WAL appends. Under CPU contention from other
processes the figures grow, since every write is two thread hand-offs.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import Row, percentile, table
from bot.store import Store

WRITERS = 50
RATE = 2_000  # writes arriving per second
INSERT = "INSERT INTO bench_rows (guild_id, member_id, text, at) VALUES (?, ?, ?, ?)"


async def run_for(seconds: float, write) -> tuple[float, list[float]]:
    """Writers loop until time is up; returns (writes per second, latencies in ms)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def writer(number: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            await write(number, n)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def open_loop(rate: float, seconds: float, write) -> tuple[float, list[float]]:
    """Writes arrive at a steady `rate`, whatever the store does; latency counts from arrival.

    Returns (writes completed per second in the steady part of the run, the middle 80%,
    and every write's latency in ms). A store that keeps up completes `rate` writes/s.
    """
    latencies: list[float] = []
    completed: list[float] = []
    total = int(rate * seconds)
    started = time.perf_counter()

    async def one(n: int, arrival: float) -> None:
        await write(n % WRITERS, n)
        now = time.perf_counter()
        latencies.append((now - arrival) * 1000)
        completed.append(now - started)

    tasks = []
    for n in range(total):
        arrival = started + n / rate
        delay = arrival - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, arrival)))
    await asyncio.gather(*tasks)
    low, high = 0.1 * seconds, 0.9 * seconds
    steady = sum(1 for t in completed if low <= t < high) / (high - low)
    return steady, latencies


async def measure(quick: bool = False) -> list[Row]:
    seconds = 1.0 if quick else 5.0
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.db")
        await store.execute(
            "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, guild_id INTEGER, member_id INTEGER, text TEXT, at INTEGER)"
        )
        text = "I went for a walk today even though it was hard." * 2

        async def one_statement(worker: int, n: int) -> None:
            await store.execute(INSERT, (1, worker, text, n))

        naive_lock = asyncio.Lock()

        async def naive(worker: int, n: int) -> None:
            async with naive_lock:  # the baseline: lock, then three awaits per write
                await store._conn.execute("BEGIN")
                await store._conn.execute(INSERT, (1, worker, text, n))
                await store._conn.execute("COMMIT")

        sustained, latencies = await open_loop(RATE, seconds * 2, one_statement)
        rate, _ = await run_for(seconds, one_statement)
        naive_rate, naive_latencies = await run_for(seconds, naive)
        assert await store.integrity_check() == "ok"
        await store.close()
    p99 = percentile(latencies, 0.99)
    return [
        Row(
            "store writes",
            "sustained, 2,000 writes arriving/s",
            sustained,
            "writes/s",
            ">= 2,000 (±1%)",
            sustained >= 0.99 * RATE,
        ),
        Row("store writes", "p99 latency at 2,000/s", p99, "ms", "<= 20", p99 <= 20),
        Row("store writes", f"saturated, {WRITERS} writers", rate, "writes/s"),
        Row("store writes", "naive lock+BEGIN/INSERT/COMMIT, saturated", naive_rate, "writes/s"),
        Row("store writes", "speed-up over naive", rate / naive_rate, "x"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(table(asyncio.run(measure(parser.parse_args().quick))))


if __name__ == "__main__":
    main()
