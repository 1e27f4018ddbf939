"""500 servers whose daily prompt is due in the same minute, through the real posting path.

    python -m bench.send_queue                # 500 servers, the queue on a simulated clock
    python -m bench.send_queue --real-clock   # 500 servers in real time (about 25 s)
    python -m bench.send_queue --quick        # 60 servers in real time (about 3 s)

Every server has its own text channel and a schedule at the same UTC minute, written in
its own time zone (12:00 UTC is 13:00 in Berlin, 07:00 in New York, 17:45 in Kathmandu).
One scheduler tick (`PromptPoster.tick`, as the 30-second loop runs it) finds them all due
and posts each server's prompt through cogs/prompts/flow.py: claim, send through the shared
send queue (bot/sendqueue.py, 40 requests/s), open the reply thread, mark sent. Discord's
HTTP is captured in-process (tests/kit) and every request is stamped with the queue's
clock as it reaches "Discord".

Checked: every server got exactly one post (one message carrying the day's marker in its
channel, its reply thread, its row marked sent), and no 1-second window holds more than 50
requests (Discord's global limit for a bot).

500 posts are 1,000 requests (the post and its thread), so at 40/s they take 25 s. The
full run therefore gives the queue a simulated clock (the queue takes `clock` and `sleep`
for this): its waits advance the clock instead of sleeping, so the benchmark measures the
schedule the queue produces without waiting for it. Everything else is real. The quick run
uses the real clock on 60 servers, so CI also exercises the real sleeps.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Row, table
from bot.sendqueue import DISCORD_GLOBAL_LIMIT, SendQueue
from cogs.prompts import admin
from tests.kit import Kit

DUE = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday; the kit's clock starts at 09:00
ZONES = (  # (zone, local time that is 12:00 UTC on 2 March 2026)
    ("UTC", "12:00"),
    ("Europe/Berlin", "13:00"),
    ("America/New_York", "07:00"),
    ("Asia/Kathmandu", "17:45"),
    ("Asia/Tokyo", "21:00"),
    ("Australia/Sydney", "23:00"),
    ("America/Los_Angeles", "04:00"),
)


class SimulatedTime:
    """A monotonic clock for the queue that moves when the queue sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def busiest_second(stamps: list[float]) -> int:
    """The most requests in any window [t, t + 1 s)."""
    stamps = sorted(stamps)
    best, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamp - stamps[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


async def run(servers: int, simulated: bool) -> dict:
    import pytest

    from tests.test_prompts_support import marker_of, other_guild, prompts_cog

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        kit = await Kit.start(Path(tmp), patch)
        try:
            kit.discord.dedupe_nonces = False  # the fake's O(messages) scan is not our work
            poster = prompts_cog(kit).poster
            if simulated:
                clock = SimulatedTime()
                queue = SendQueue(clock=clock, sleep=clock.sleep)
                kit.bot.send_queue = poster.queue = queue
            else:
                queue = poster.queue
                clock = queue._clock
            guilds = []
            for n in range(servers):
                guild = other_guild(kit, {"daily": 0})
                zone, local = ZONES[n % len(ZONES)]
                scheduled = await admin.set_schedule(
                    poster, guild.id, channel=guild.channel(kit, "daily"), time_text=local,
                    days_text=None, zone_text=zone, now=kit.clock(),
                )  # fmt: skip
                assert scheduled.schedule.next_post_at == DUE, (zone, scheduled.schedule)
                guilds.append(guild)

            stamps: list[float] = []
            original = kit.discord.handle

            async def stamped(route, body, files, params, reason):
                stamps.append(clock())
                return await original(route, body, files, params, reason)

            kit.discord.handle = stamped
            kit.clock.set(DUE.replace(second=10))
            started = time.perf_counter()
            out = await kit.run(poster.tick())
            took = time.perf_counter() - started
            kit.discord.handle = original

            channels = {int(g.channels["daily"]["id"]) for g in guilds}
            prompts: dict[int, int] = {}
            for request in out.posts:
                if marker_of(request) is not None:
                    channel_id = int(request.path.split("/")[2])
                    prompts[channel_id] = prompts.get(channel_id, 0) + 1
            threads = len(out.to("/channels/{channel_id}/messages/{message_id}/threads", "POST"))
            sent = (
                await kit.store.fetchone(
                    "SELECT COUNT(*) FROM prompt_posts WHERE state = 'sent' AND local_date = ?",
                    (DUE.date().isoformat(),),
                )
            )[0]
        finally:
            await kit.close()
    assert set(prompts) == channels, "a server got no post, or a post went elsewhere"
    assert all(count == 1 for count in prompts.values()), "a server got two posts"
    assert threads == servers and sent == servers, (threads, sent)
    return {
        "servers": servers,
        "landed": len(prompts),
        "requests": len(stamps),
        "busiest": busiest_second(stamps),
        "span": max(stamps) - min(stamps),
        "took": took,
        "simulated": simulated,
    }


def rows(r: dict) -> list[Row]:
    servers = r["servers"]
    clock = "simulated clock" if r["simulated"] else "real clock"
    name = f"{servers} servers due at once ({clock})"
    out = [
        Row("send queue", f"{name}: posts landed, one each", r["landed"], "posts",
            f"= {servers}", r["landed"] == servers),
        Row("send queue", f"{name}: busiest 1-s window", r["busiest"], "requests",
            f"<= {DISCORD_GLOBAL_LIMIT}", r["busiest"] <= DISCORD_GLOBAL_LIMIT),
        Row("send queue", f"{name}: {r['requests']:,} requests spread over", r["span"], "s"),
    ]  # fmt: skip
    if r["simulated"]:
        out.append(Row("send queue", f"{name}: real time taken", r["took"], "s"))
    return out


async def measure(quick: bool = False) -> list[Row]:
    if quick:
        return rows(await run(60, simulated=False))
    return rows(await run(500, simulated=True))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.send_queue", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="60 servers, real clock (for CI)")
    parser.add_argument("--real-clock", action="store_true", help="500 servers in real time")
    args = parser.parse_args()
    if args.real_clock:
        result = rows(asyncio.run(run(60 if args.quick else 500, simulated=False)))
    else:
        result = asyncio.run(measure(args.quick))
    print(table(result))


if __name__ == "__main__":
    main()
