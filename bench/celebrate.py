"""/victories on a long history, and Kindred's own work for /celebrate alone under a burst.

    python -m bench.celebrate            # /victories on 10,000 entries
    python -m bench.celebrate --quick    # on 2,000 entries
    python -m bench.celebrate --burst    # and 1,000 /celebrate in 1 s first (200 with --quick)

`python -m bench` runs the /victories part: the burst of /celebrate is part of the mixed
burst in bench/interactions.py; run it alone here to tell /celebrate's share apart.

Interactions go through the real command tree (tests/kit builds them as the gateway would)
with Discord's HTTP captured in-process, so what is timed is the bot's own work: discord.py
parsing and dispatch, our code, SQLite, and the capture's bookkeeping. Each interaction is
timed by bench/interactions.py's Probe: from its arrival until the tasks discord.py started
for it have finished; under the burst that includes waiting for the others, which is the
latency a member would see.
The member is answered as soon as the victory is saved; public cards then go out through
the bot's shared send queue at Discord's pace (40/s, under its 50 requests/s limit), so the
burst's cards are posted over the following seconds: the run waits for all of them and
checks every one landed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import pytest

from bench.common import Row, percentile, table
from bench.interactions import Probe, click, slash
from bot.clock import to_epoch
from tests.kit import Kit

HISTORY_TARGET_MS = 5.0
BURST_TARGET_MS = 50.0


def report(benchmark: str, name: str, values_ms: list[float], target: float | None) -> list[Row]:
    """p50 (informative) and p99 (against the target) rows."""
    p50, p99 = percentile(values_ms, 0.5), percentile(values_ms, 0.99)
    return [
        Row(benchmark, f"{name} p50", p50, "ms"),
        Row(benchmark, f"{name} p99", p99, "ms", "" if target is None else f"<= {target:g}",
            None if target is None else p99 <= target),
    ]  # fmt: skip


async def one(probe: Probe, payload: dict) -> float:
    """Dispatch one interaction and wait for it: the bot's own work, in ms."""
    probe.reset(1)
    probe.dispatch(payload)
    await asyncio.wait_for(probe.all_done.wait(), 30)
    return probe.work_ms(int(payload["id"]))


async def celebrate_burst(kit: Kit, probe: Probe, count: int) -> list[Row]:
    people = [kit.member(f"member{n}") for n in range(200)]
    values = [v.key for v in kit.bot.library.values]
    payloads = []
    for n in range(count):
        options = {"victory": f"Victory number {n}: I showed up for myself today"}
        if n % 3:
            options["value"] = values[n % len(values)]
        if n % 5 == 0:
            options["visibility"] = "just me"
        payloads.append(slash(kit, people[n % len(people)], "celebrate", **options))
    # warm up (first queries, caches) outside the measurement
    await one(probe, slash(kit, people[0], "celebrate", victory="warm up"))
    await kit.bot.on_ready()  # as after connecting: the bot freezes its long-lived heap

    background = set(asyncio.all_tasks())
    probe.reset(count)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    for n, payload in enumerate(payloads):  # evenly spread over one second
        loop.call_at(start + n / count, probe.dispatch, payload)
    await asyncio.wait_for(probe.all_done.wait(), 120)
    work = [probe.work_ms(int(p["id"])) for p in payloads]
    answer = [probe.answer_ms(p) for p in payloads]
    cards_started = time.perf_counter()
    await kit.settle(background, timeout=600)
    cards_took = time.perf_counter() - cards_started
    stored = (await kit.store.fetchone("SELECT COUNT(*) FROM victories"))[0]
    assert stored == count + 1, f"expected {count + 1} victories, found {stored}"
    unposted = (
        await kit.store.fetchone(
            "SELECT COUNT(*) FROM victories WHERE public = 1 AND message_id IS NULL"
        )
    )[0]
    cards = count - count // 5
    assert unposted == 0, f"{unposted} public victories have no card"
    name = f"{count:,} /celebrate in 1 s"
    return [
        *report("celebrate", f"{name}: answer to the member", answer, None),
        *report("celebrate", f"{name}: bot's own work", work, BURST_TARGET_MS),
        Row("celebrate", f"then {cards:,} public cards posted through the send queue over",
            cards_took, "s"),
    ]  # fmt: skip


async def history_runs(kit: Kit, probe: Probe, entries: int, runs: int) -> list[Row]:
    alice, bob = kit.member("alice"), kit.member("bob")
    at = to_epoch(kit.clock())
    rows = [
        (kit.guild.id, alice.id, "Alice", f"A victory, number {n}", "hope", n % 4 != 0, at + n)
        for n in range(entries)
    ]
    await kit.store.execute(
        "INSERT INTO guilds (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (kit.guild.id,)
    )
    await kit.store.executemany(
        "INSERT INTO victories (guild_id, member_id, author_name, text, value_key, public, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    rows = []
    for label, person, options in (
        (f"/victories, own history of {entries:,} entries", alice, {}),
        (f"/victories member:, {entries:,} entries (public only)", bob, {"member": alice}),
    ):
        times = []
        for n in range(runs + 5):
            took = await one(probe, slash(kit, person, "victories", **options))
            if n >= 5:  # the first few warm caches
                times.append(took)
        rows += report("victories", label, times, HISTORY_TARGET_MS)

    # a deep page turn (a button: DynamicItem dispatch, OFFSET near the end)
    oldest = (
        await kit.store.fetchone(
            "SELECT MIN(victory_id) FROM victories WHERE member_id = ?", (alice.id,)
        )
    )[0]
    custom_id = f"kindred:victories:page:{alice.id}:b{oldest + 5}:{entries // 5}"  # the last
    message = {
        "id": "1", "channel_id": str(kit.channel("general").id), "author": kit.bot_user,
        "content": "", "embeds": [], "attachments": [], "flags": 64, "type": 0,
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 2, "label": "Next", "custom_id": custom_id}]}],
        "timestamp": "2026-03-02T09:00:00+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "pinned": False,
    }  # fmt: skip
    times = [await one(probe, click(alice, custom_id, message)) for _ in range(runs)]
    rows += report(
        "victories", f"/victories Older to page {entries // 5:,} (the last; button)", times[5:],
        HISTORY_TARGET_MS,
    )  # fmt: skip
    return rows


async def measure(quick: bool = False, *, burst: bool = False) -> list[Row]:
    count, entries, runs = (200, 2_000, 50) if quick else (1_000, 10_000, 200)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        kit = await Kit.start(Path(tmp), patch)
        try:
            kit.discord.dedupe_nonces = False  # the fake's O(messages) scan is not our work
            probe = Probe(kit)
            try:
                if burst:
                    rows += await celebrate_burst(kit, probe, count)
                    kit.clock.advance(seconds=1)
                rows += await history_runs(kit, probe, entries, runs)
            finally:
                probe.close()
        finally:
            await kit.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.celebrate", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (for CI)")
    parser.add_argument("--burst", action="store_true", help="also a burst of /celebrate alone")
    args = parser.parse_args()
    print(table(asyncio.run(measure(args.quick, burst=args.burst))))


if __name__ == "__main__":
    main()
