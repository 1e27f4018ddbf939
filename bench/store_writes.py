"""Store writes: sustained throughput and latency of one-statement writes under concurrency,
beside a naive lock + BEGIN/INSERT/COMMIT-per-write baseline.

    python -m bench.store_writes [--quick]
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
    """Writes arrive at a steady `rate`, whatever the store does; latency counts from arrival."""
    latencies: list[float] = []
    total = int(rate * seconds)
    started = time.perf_counter()

    async def one(n: int, arrival: float) -> None:
        await write(n % WRITERS, n)
        latencies.append((time.perf_counter() - arrival) * 1000)

    tasks = []
    for n in range(total):
        arrival = started + n / rate
        delay = arrival - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, arrival)))
    await asyncio.gather(*tasks)
    return total / (time.perf_counter() - started), latencies


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

        async def naive(worker: int, n: int) -> None:
            async with store._lock:  # the baseline: lock, then three awaits per write
                await store._conn.execute("BEGIN")
                await store._conn.execute(INSERT, (1, worker, text, n))
                await store._conn.execute("COMMIT")

        sustained, latencies = await open_loop(2000, seconds * 2, one_statement)
        rate, _ = await run_for(seconds, one_statement)
        naive_rate, naive_latencies = await run_for(seconds, naive)
        assert await store.integrity_check() == "ok"
        await store.close()
    p99 = percentile(latencies, 0.99)
    return [
        Row("store writes", "sustained at 2,000 arriving/s", sustained, "writes/s", ">= 2,000", sustained >= 1990),
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
