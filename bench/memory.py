"""Peak memory (RSS) of the bot in 10,000 servers with a year of history in its store.

    python -m bench.memory            # 10,000 servers, 365 days of history
    python -m bench.memory --quick    # 500 servers, 30 days

The history is written straight into a fresh database (fast bulk SQL, in this process);
then a separate process starts the real bot on it, as `kindred run` would minus the
gateway (tests/kit, Discord's HTTP captured in-process), and reports its own peak RSS
(VmHWM from /proc/self/status), so nothing this process holds is counted. In that process:
1. import Kindred and discord.py, start the bot (store, cogs, command tree);
2. put every server in discord.py's cache as the gateway's GUILD_CREATE would;
3. run the schedulers every 30 minutes of simulated time over 6 hours: the daily-prompt
   due check and posting, the weekly digest (with its chart) and the unanswered-story nudge;
   the send queue runs on a simulated clock, so the posts go out without waiting 40/s;
4. run a few commands (/celebrate, Cheer, /victories over a long history, /share, /suggest,
   /settings show, /help) and 1,000 gateway messages (Kindred's story-reply listener sees
   each; Kindred turns discord.py's message cache off, so none is kept).
Peak RSS is over the whole process life, imports included. The stand-in for Discord drops
what it captured after each step, so its bookkeeping doesn't grow with the run.

Assumptions (a year of a plausible, mostly small community per server; full run sizes):
- each server: 5 text channels, 5 roles and the bot's own member in discord.py's cache
  (Kindred asks for no members intent); real servers have more channels and roles, a few
  hundred bytes each;
- 70% of servers post a daily prompt: 365 prompt posts each, with their text and link;
- 0.5 victories per server per day (80% public, 120 characters), 1.5 cheers per public
  victory; authors among 200 members per server;
- 2 stories per server per month (600 characters, published, answered), 1 prompt
  suggestion per server per month, and a weekly digest in every server (52 a year);
- one server (where the commands run) also holds 2,000 victories of the member who asks
  for /victories.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, table

TARGET_MB = 120.0
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday morning (UTC)
BASE_ID = 10**15  # seeded servers: BASE_ID + 16 n; its channels and roles follow
CHANNELS = ("general", "prompts", "celebrations", "stories", "mods")  # ids + 1 .. + 5
ZONES = (
    "UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Asia/Kathmandu",
)  # fmt: skip
MEMBERS_PER_SERVER = 200
ASKER_ID = 777_000_000_000_001  # the member whose long history /victories shows
ASKER_VICTORIES = 2_000
REPO = Path(__file__).resolve().parent.parent


def guild_id(n: int) -> int:
    return BASE_ID + 16 * n


def rss_mb() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024
        for key in ("VmRSS", "VmHWM")
    }


# ----- the history ---------------------------------------------------------------------------
def seed(path: Path, servers: int, days: int, kit_guild: int) -> dict[str, int]:
    """Write `days` of history for `servers` servers into a migrated database at `path`."""
    from bot.library import load_library
    from bot.schedule import next_occurrence, parse_hhmm, zone_or_none

    library = load_library(None)
    prompts = library.prompts
    values = [v.key for v in library.values]
    rng = random.Random(servers * 1000 + days)
    start = int((NOW - timedelta(days=days)).timestamp())
    now = int(NOW.timestamp())
    counts: dict[str, int] = {}
    message_ids = itertools.count(BASE_ID * 1000)  # posted messages and threads

    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA synchronous = OFF")
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:  # build them once at the end: much faster than per row
            db.execute(f"DROP INDEX {name}")
        db.execute("BEGIN")

        def insert(table_name: str, columns: str, rows) -> None:
            marks = ", ".join("?" * len(columns.split(",")))
            before = db.total_changes
            db.executemany(f"INSERT INTO {table_name} ({columns}) VALUES ({marks})", rows)
            counts[table_name] = counts.get(table_name, 0) + db.total_changes - before

        zones = [ZONES[n % len(ZONES)] for n in range(servers)]
        insert(
            "guilds", "guild_id, timezone, mod_channel_id, joined_at",
            [(guild_id(n), zones[n], guild_id(n) + 5, start) for n in range(servers)]
            + [(kit_guild, "UTC", None, start)],
        )  # fmt: skip

        # daily prompts in 70% of servers: the schedule and a year of posts
        def schedules():
            for n in range(servers):
                if n % 10 >= 7:
                    continue
                post_time = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
                instant, day = next_occurrence(NOW, parse_hhmm(post_time), zone_or_none(zones[n]))
                yield (
                    guild_id(n), guild_id(n) + 2, post_time, zones[n], 127,
                    int(instant.timestamp()), day.isoformat(), now,
                )  # fmt: skip

        insert(
            "prompt_schedules",
            "guild_id, channel_id, post_time, timezone, weekdays, next_post_at, "
            "next_local_date, updated_at",
            schedules(),
        )

        def posts():
            first = (NOW - timedelta(days=days)).date()
            for n in range(servers):
                if n % 10 >= 7:
                    continue
                gid, offset = guild_id(n), n % len(prompts)
                for day in range(days):
                    prompt = prompts[(offset + day) % len(prompts)]
                    at = start + day * 86400 + 3600 * (n % 24)
                    message = next(message_ids)
                    yield (
                        gid, (first + timedelta(days=day)).isoformat(), "sent", prompt.id,
                        prompt.value, prompt.text, day // len(prompts) + 1, gid + 2, message,
                        message, f"https://discord.com/channels/{gid}/{gid + 2}/{message}",
                        f"{message:016x}", 1, at, at, at,
                    )  # fmt: skip

        insert(
            "prompt_posts",
            "guild_id, local_date, state, prompt_id, value_key, prompt_text, cycle, "
            "channel_id, message_id, thread_id, link, nonce, attempts, scheduled_at, "
            "claimed_at, finished_at",
            posts(),
        )

        # victories (0.5 a day per server), 80% public, and 1.5 cheers per public one
        def victories():
            victory_id = 0
            for n in [*range(servers), -1]:
                gid = kit_guild if n < 0 else guild_id(n)
                count = ASKER_VICTORIES if n < 0 else days // 2
                for k in range(count):
                    victory_id += 1
                    member = ASKER_ID if n < 0 else gid + 1000 + rng.randrange(MEMBERS_PER_SERVER)
                    public = rng.random() < 0.8
                    at = start + (k * days * 86400) // count + rng.randrange(3600)
                    text = f"Victory {k}: I went outside for a walk and called my sister back. " * 2
                    yield (
                        victory_id, gid, member, f"Member {member % 1000}", text[:120],
                        values[k % len(values)] if k % 3 else None, int(public),
                        gid + 3 if public else None, next(message_ids) if public else None, at,
                    )  # fmt: skip

        insert(
            "victories",
            "victory_id, guild_id, member_id, author_name, text, value_key, public, "
            "channel_id, message_id, created_at",
            victories(),
        )
        public = db.execute(
            "SELECT victory_id, guild_id, created_at FROM victories WHERE public = 1"
        ).fetchall()
        insert(
            "cheers", "victory_id, member_id, created_at",
            ((victory_id, gid + 2000 + c, at + 60)
             for victory_id, gid, at in public for c in range(3 if victory_id % 2 else 0)),
        )  # fmt: skip
        del public

        # the weekly digest: settings with the next instant, and a year of sent digests
        def digest_settings():
            for n in range(servers):
                weekday, at = n % 7, parse_hhmm(f"{17 + n % 4}:00")
                instant, day = next_occurrence(
                    NOW, at, zone_or_none(zones[n]), frozenset({weekday})
                )
                yield (
                    guild_id(n), guild_id(n) + 3, weekday, f"{17 + n % 4}:00",
                    int(instant.timestamp()), day.isoformat(), zones[n],
                )  # fmt: skip

        insert(
            "celebration_settings",
            "guild_id, channel_id, digest_weekday, digest_time, next_at, next_date, next_zone",
            digest_settings(),
        )

        def digests():
            first = (NOW - timedelta(days=days)).date()
            for n in range(servers):
                for week in range(days // 7):
                    monday = first + timedelta(days=7 * week - first.weekday())
                    at = start + week * 7 * 86400
                    yield (
                        guild_id(n), monday.isoformat(), at, at - 7 * 86400, at, "sent", 1,
                        f"{n:08x}{week:08x}", at, guild_id(n) + 3, next(message_ids),
                    )  # fmt: skip

        insert(
            "victory_digests",
            "guild_id, week_start, scheduled_at, period_start, period_end, status, attempts, "
            "nonce, claimed_at, channel_id, message_id",
            digests(),
        )

        # stories (2 a month per server, published and answered) and suggestions (1 a month)
        body = (
            "I want to tell you about the winter I stopped answering the phone, and the friend "
            "who kept calling anyway. "
        ) * 6
        per_server = max(1, days * 2 // 30)
        insert(
            "story_settings", "guild_id, channel_id, nudge_hours",
            [(guild_id(n), guild_id(n) + 4, 12) for n in range(servers)],
        )  # fmt: skip

        def stories():
            story_id = 0
            for n in range(servers):
                gid = guild_id(n)
                for k in range(per_server):
                    story_id += 1
                    at = start + (k * days * 86400) // per_server
                    yield (
                        story_id, gid, f"Story {k}", body[:600], int(k % 2 == 0), 1,
                        values[k % len(values)], "published", at, at, at, at, gid + 4,
                        next(message_ids), next(message_ids), 1,
                    )  # fmt: skip

        insert(
            "stories",
            "story_id, guild_id, title, body, anonymous, consent, value_key, status, "
            "created_at, updated_at, submitted_at, published_at, post_channel_id, message_id, "
            "thread_id, replied",
            stories(),
        )
        insert(
            "story_authors", "story_id, guild_id, author_id",
            ((sid, gid, gid + 1000 + sid % MEMBERS_PER_SERVER)
             for sid, gid in db.execute("SELECT story_id, guild_id FROM stories").fetchall()),
        )  # fmt: skip
        insert(
            "prompt_suggestions",
            "guild_id, member_id, value_key, text, state, created_at, decided_by, decided_at",
            (
                (guild_id(n), guild_id(n) + 1000 + k, values[k % len(values)],
                 f"What small thing helped you this month? ({k})", "rejected",
                 start + k * 30 * 86400, guild_id(n) + 999, start + k * 30 * 86400 + 3600)
                for n in range(servers) for k in range(max(1, days // 30))
            ),
        )  # fmt: skip
        db.execute("COMMIT")
        for _, sql in indexes:
            db.execute(sql)
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


# ----- the bot, in its own process -------------------------------------------------------------
class _Patch:
    """The one monkeypatch call the kit makes (no pytest import in the measured process)."""

    def setattr(self, target, name: str, value) -> None:
        setattr(target, name, value)


def guild_payload(n: int, bot_user: dict) -> dict:
    gid = guild_id(n)
    permissions = {0: _everyone_permissions(), 4: _bot_permissions()}  # 4: the bot's role
    roles = [
        {"id": str(gid if k == 0 else gid + 5 + k), "name": "@everyone" if k == 0 else f"role {k}",
         "permissions": str(permissions.get(k, 0)), "position": k, "color": 0,
         "hoist": False, "managed": k == 4, "mentionable": False}
        for k in range(5)
    ]  # fmt: skip
    channels = [
        {"id": str(gid + 1 + k), "type": 0, "guild_id": str(gid), "name": name, "position": k,
         "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
         "rate_limit_per_user": 0, "last_message_id": None, "flags": 0}
        for k, name in enumerate(CHANNELS)
    ]  # fmt: skip
    return {
        "id": str(gid), "name": f"Circle {n}", "owner_id": str(gid + 999), "roles": roles,
        "channels": channels,
        "members": [{"user": bot_user, "roles": [str(gid + 9)], "joined_at": "2025-03-01T00:00:00+00:00",
                     "deaf": False, "mute": False, "flags": 0}],
        "member_count": MEMBERS_PER_SERVER, "features": [], "emojis": [], "stickers": [],
        "threads": [], "preferred_locale": "en-US", "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
        "premium_tier": 0, "nsfw_level": 0, "system_channel_flags": 0, "afk_timeout": 300,
    }  # fmt: skip


def _everyone_permissions() -> int:
    from tests.kit import EVERYONE_PERMISSIONS

    return EVERYONE_PERMISSIONS.value


def _bot_permissions() -> int:
    from tests.kit import BOT_PERMISSIONS

    return BOT_PERMISSIONS.value


async def child(folder: Path, servers: int, hours: int) -> dict:
    marks = {"start": rss_mb()["VmRSS"]}
    from tests.kit import FakeClock, Kit

    marks["imported"] = rss_mb()["VmRSS"]
    kit = await Kit.start(folder, _Patch(), clock=FakeClock(NOW))
    try:
        return await run_bot(kit, servers, hours, marks)
    finally:
        await kit.close()  # the store's thread would keep the process alive


async def watch_stalls(stalls: list[float], every: float = 0.005) -> None:
    """How late a 5 ms sleep wakes: the longest a command would have waited for the loop."""
    while True:
        started = time.perf_counter()
        await asyncio.sleep(every)
        stalls.append(time.perf_counter() - started - every)


async def run_bot(kit, servers: int, hours: int, marks: dict[str, float]) -> dict:
    from bench.send_queue import SimulatedTime
    from bot.sendqueue import SendQueue

    background = set(asyncio.all_tasks())  # the bot's loops, idle in here
    fake = kit.discord
    fake.dedupe_nonces = False
    marks["bot started"] = rss_mb()["VmRSS"]
    state = kit.bot._connection
    for n in range(servers):
        state._add_guild_from_data(guild_payload(n, kit.bot_user))
    marks["servers cached"] = rss_mb()["VmRSS"]

    clock = SimulatedTime()
    queue = SendQueue(clock=clock, sleep=clock.sleep)
    kit.bot.send_queue = kit.bot.get_cog("Prompts").poster.queue = queue
    kept_channels = dict(fake.channels)

    def forget() -> None:
        fake.requests.clear()
        fake.messages.clear()
        fake.interactions.clear()
        fake.channels.clear()
        fake.channels.update(kept_channels)

    done = {"prompt posts": 0, "digests": 0, "nudges": 0}
    ticks = []
    prompts = kit.bot.get_cog("Prompts")
    victories = kit.bot.get_cog("Victories")
    share = kit.bot.get_cog("Share")
    stalls: list[float] = []
    watcher = asyncio.create_task(watch_stalls(stalls))
    for _ in range(hours * 2):
        kit.clock.advance(minutes=30)
        started = time.perf_counter()
        out = await kit.run(prompts.tick())
        out.requests += (await kit.run(victories.tick())).requests
        out.requests += (await kit.run(share.tick())).requests
        ticks.append(time.perf_counter() - started)
        for request in out.posts:
            embeds = request.embeds
            footer = embeds[0].get("footer", {}).get("text", "") if embeds else ""
            if footer.startswith("Daily prompt"):
                done["prompt posts"] += 1
            elif request.files:
                done["digests"] += 1
            elif request.route == "/channels/{channel_id}/messages":
                done["nudges"] += 1
        forget()
    watcher.cancel()
    marks["ticks"] = rss_mb()["VmRSS"]
    marks["ticks peak"] = rss_mb()["VmHWM"]

    # a few commands in the kit's server, by a member with a long history
    mo = kit.moderator("mo")
    kit.add_channel("stories")
    kit.add_channel("mods")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("stories channel", channel="stories")
    asker = kit.member("asker")
    asker.id = ASKER_ID
    for n in range(10):
        await asker.slash("celebrate", victory=f"I cooked a real dinner tonight ({n})")
    await kit.settle(background, timeout=60)
    card = next(m for m in fake.messages.values() if m["components"])
    bob = kit.member("bob")
    await bob.click(card["components"][0]["components"][0]["custom_id"], message=card)
    for _ in range(3):
        await asker.slash("victories")
    await bob.slash("victories", member=asker)
    out = await asker.slash("share")
    await asker.submit_modal(
        out.modal, story="A long winter, and a neighbour who kept knocking.", title="Knocking",
        post_as="anonymous", consent=True,
    )  # fmt: skip
    await bob.slash("suggest", text="What made you smile this week?", value="joy")
    await mo.slash("settings show")
    await bob.slash("help")
    forget()
    marks["commands"] = rss_mb()["VmRSS"]
    general = int(kit.channels["general"]["id"])
    for n in range(1_000):  # would fill discord.py's message cache, were it on
        await kit.dispatch_message(general, bob, "")
        if n % 100 == 99:
            fake.requests.clear()
    marks["after"] = rss_mb()["VmRSS"]
    peak = rss_mb()["VmHWM"]
    return {
        "peak": peak,
        "marks": marks,
        "servers_cached": len(kit.bot.guilds),
        "done": done,
        "tick_max": max(ticks),
        "stall_max": max(stalls, default=0.0),
        "ticks": len(ticks),
    }


async def measure(quick: bool = False) -> list[Row]:
    servers, days = (500, 30) if quick else (10_000, 365)
    from bot.store import Store
    from tests.kit import GUILD_ID

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store = await Store.open(folder / "kindred.db")  # the schema, from the migrations
        await store.close()
        counts = await asyncio.to_thread(seed, folder / "kindred.db", servers, days, GUILD_ID)
        seeded = time.perf_counter() - started
        size = (folder / "kindred.db").stat().st_size / 1e6
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.memory", "--child", str(folder), "--servers",
            str(servers), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        )  # fmt: skip
        try:
            out, err = await asyncio.wait_for(process.communicate(), 1800)
        except TimeoutError:
            process.kill()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"the measured bot failed:\n{err.decode()[-3000:]}")
        result = json.loads(out.decode().strip().splitlines()[-1])
    peak, marks = result["peak"], result["marks"]
    rows_stored = sum(counts.values())
    history = "a year" if days == 365 else f"{days} days"
    name = f"{servers:,} servers, {history} of history ({rows_stored:,} rows, {size:,.0f} MB)"
    done = result["done"]
    return [
        Row("memory", f"peak RSS, {name}", peak, "MB", f"<= {TARGET_MB:g}", peak <= TARGET_MB),
        Row("memory", "  Python, discord.py and Kindred loaded, bot started", marks["bot started"], "MB"),
        Row("memory", f"  + {result['servers_cached']:,} servers in discord.py's cache",
            marks["servers cached"] - marks["bot started"], "MB"),
        Row("memory", f"  + {result['ticks']} scheduler ticks ({done['prompt posts']:,} prompts, "
            f"{done['digests']} digests with charts, {done['nudges']} nudges), at their peak",
            marks["ticks peak"] - marks["servers cached"], "MB"),
        Row("memory", "  + a few commands and 1,000 gateway messages, after the ticks",
            marks["after"] - marks["ticks"], "MB"),
        Row("memory", "  slowest scheduler tick (wall, its awaits included)",
            result["tick_max"] * 1000, "ms"),
        Row("memory", "  longest the event loop was held during the ticks",
            result["stall_max"] * 1000, "ms"),
        Row("memory", "  history written in", seeded, "s"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="500 servers, 30 days (for CI)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--servers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.servers, hours=6))))
        return
    print(table(asyncio.run(measure(args.quick))))


if __name__ == "__main__":
    main()
