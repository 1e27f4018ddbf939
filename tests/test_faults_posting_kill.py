"""kill -9 of the bot process at random moments while it posts daily prompts, then restart:
no double post, no lost row, the database intact.

The bot runs in a subprocess as `kindred run` would (KindredBot, `Client.login`, the store,
every cog), minus the gateway: it ticks the prompts scheduler itself on a simulated clock,
with many servers due together, and talks HTTP to a fake Discord on 127.0.0.1 that lives in
this (the parent) process, so every message it ever accepted survives the kills. The parent
SIGKILLs the bot at seeded random moments while it posts, and restarts it on the same
database from the last tick it finished, until every day is posted.

Run by hand: `python -m tests.test_faults_posting_kill child DB BASE START END SERVERS`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.kit import APP_ID, BOT_ID, BOT_PERMISSIONS, EVERYONE_PERMISSIONS, GUILD_DEFAULTS
from tests.kit.fake_discord import FakeDiscord
from tests.kit.fake_server import FakeServer

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
END = START + timedelta(days=2)
STEP = timedelta(minutes=10)  # the simulated clock moves this much per tick
SERVERS = 40
KILLS = 6
# Many servers share a minute: each (zone, time) below is due for several servers at once.
PLACES = [
    ("Europe/Berlin", "19:30"),
    ("America/New_York", "08:00"),
    ("Asia/Kathmandu", "07:15"),
    ("UTC", "12:00"),
    ("Australia/Sydney", "06:45"),
]
BOT_USER = {
    "id": str(BOT_ID),
    "username": "Kindred",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "global_name": "Kindred",
}


def server_ids(index: int) -> tuple[int, int, int]:
    """(guild, channel, bot role) of the index-th server."""
    base = 700_000_000_000_000_000 + index * 16
    return base, base + 1, base + 2


def place(index: int) -> tuple[str, str]:
    return PLACES[index % len(PLACES)]


def expected_days(index: int) -> list[date]:
    """Every local date whose post falls in (START, END] for this server."""
    from bot.schedule import next_occurrence, parse_hhmm

    zone, at = place(index)
    days, after = [], START
    while True:
        instant, day = next_occurrence(after, parse_hhmm(at), ZoneInfo(zone))
        if instant > END:
            return days
        days.append(day)
        after = instant


def guild_payload(index: int) -> dict:
    guild_id, channel_id, role_id = server_ids(index)
    role = {"color": 0, "hoist": False, "managed": False, "mentionable": False}
    return {
        "id": str(guild_id),
        "name": f"Circle {index}",
        "owner_id": "1",
        "roles": [
            {
                **role,
                "id": str(guild_id),
                "name": "@everyone",
                "position": 0,
                "permissions": str(EVERYONE_PERMISSIONS.value),
            },
            {
                **role,
                "id": str(role_id),
                "name": "Kindred",
                "position": 1,
                "managed": True,
                "permissions": str(BOT_PERMISSIONS.value),
            },
        ],
        "channels": [
            {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(guild_id),
                "name": "daily",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "flags": 0,
            },
        ],
        "members": [
            {
                "user": BOT_USER,
                "roles": [str(role_id)],
                "joined_at": START.isoformat(),
                "deaf": False,
                "mute": False,
                "flags": 0,
            },
        ],
        "member_count": 2,
        **GUILD_DEFAULTS,
    }


# ----- the bot process --------------------------------------------------------------------------
class SimClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def child(db: Path, base: str, start: datetime, end: datetime, servers: int) -> None:
    import discord

    from bot.client import KindredBot
    from bot.config import Config, DatabaseConfig

    discord.http.Route.BASE = base
    clock = SimClock(start)
    bot = KindredBot(Config(database=DatabaseConfig(db)), clock=clock)
    await bot.login("test-token")  # GET /users/@me, the application, setup_hook: store + cogs
    for index in range(servers):
        bot._connection._add_guild_from_data(guild_payload(index))
    print("ready", flush=True)
    prompts = bot.get_cog("Prompts")
    while clock.now <= end:
        await prompts.tick(clock.now)
        print("tick", clock.now.isoformat(), flush=True)
        clock.now += STEP
    await bot.close()


def child_main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db, base, start, end, servers = argv
    asyncio.run(
        child(
            Path(db),
            base,
            datetime.fromisoformat(start),
            datetime.fromisoformat(end),
            int(servers),
        )
    )


# ----- the parent -----------------------------------------------------------------------------
async def prepare(db: Path) -> None:
    """Every server's schedule, as `/prompts schedule` leaves it, before the bot starts."""
    from bot.schedule import next_occurrence, parse_hhmm
    from bot.store import Store

    store = await Store.open(db)
    try:
        for index in range(SERVERS):
            guild_id, channel_id, _ = server_ids(index)
            zone, at = place(index)
            instant, day = next_occurrence(START, parse_hhmm(at), ZoneInfo(zone))
            await store.prompts.save_schedule(
                guild_id,
                channel_id=channel_id,
                post_time=at,
                timezone=zone,
                weekdays=frozenset(range(7)),
                next_post_at=instant,
                next_local_date=day,
                now=START,
            )
    finally:
        await store.close()


def prompt_messages(fake: FakeDiscord, lock) -> list[tuple[int, date, dict]]:
    """(channel, local date, message) of every daily prompt Discord accepted."""
    with lock:
        messages = list(fake.messages.values())
    found = []
    for message in messages:
        for embed in message["embeds"]:
            text = embed.get("footer", {}).get("text", "")
            if text.startswith("Daily prompt · "):
                day = date.fromisoformat(text.removeprefix("Daily prompt · "))
                found.append((int(message["channel_id"]), day, message))
    return found


def check_database(db: Path, fake: FakeDiscord, lock) -> list[tuple]:
    """Integrity, and every row agrees with Discord: returns the post rows."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT guild_id, local_date, state, channel_id, message_id, thread_id, attempts "
            "FROM prompt_posts"
        ).fetchall()
    posted = {(channel, day): m for channel, day, m in prompt_messages(fake, lock)}
    claims = {(channel, date.fromisoformat(day)): state for _, day, state, channel, *_ in rows}
    for guild_id, day, state, channel, message_id, _thread, attempts in rows:
        assert state in ("claimed", "sent"), f"{guild_id} {day}: {state}"
        if state == "sent":  # what the database says went out did go out
            message = posted.get((channel, date.fromisoformat(day)))
            assert message is not None and int(message["id"]) == message_id, (guild_id, day)
            assert attempts >= 1
    for key in posted:  # nothing reached Discord without a claim saying it might have
        assert key in claims, f"posted without a claim: {key}"
    return rows


def run_bot(db: Path, base: str, start: datetime) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.test_faults_posting_kill", "child"]
        + [str(db), base, start.isoformat(), END.isoformat(), str(SERVERS)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def last_tick(stdout: str, before: datetime) -> datetime:
    ticks = [line.split()[1] for line in stdout.splitlines() if line.startswith("tick ")]
    return datetime.fromisoformat(ticks[-1]) if ticks else before


@pytest.mark.parametrize("nonce_dedupe", [True, False], ids=["nonce", "history-only"])
def test_kill_9_while_posting_then_restart_posts_every_day_exactly_once(tmp_path, nonce_dedupe):
    db = tmp_path / "kindred.db"
    asyncio.run(prepare(db))
    rng = random.Random(20261125 + nonce_dedupe)
    fake = FakeDiscord(APP_ID, BOT_USER)
    fake.dedupe_nonces = nonce_dedupe  # False: only the history look-back prevents doubles
    kills, start = [], START
    with FakeServer(fake, latency=0.004) as server:
        for _ in range(KILLS):
            posted = len(prompt_messages(fake, server._lock))
            target = posted + rng.randint(1, 12)  # die while posting, at a random point
            process = run_bot(db, server.base, start)
            deadline = time.monotonic() + 20
            while (
                len(prompt_messages(fake, server._lock)) < target
                and process.poll() is None
                and time.monotonic() < deadline
            ):
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.015))
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            out, err = process.communicate(timeout=30)
            kills.append(process.returncode)
            start = last_tick(out, start)
            check_database(db, fake, server._lock)
        process = run_bot(db, server.base, start)  # and once more, to the end
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err[-3000:]
        assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
        rows = check_database(db, fake, server._lock)
        messages = prompt_messages(fake, server._lock)
        threads = [c for c in fake.channels.values() if c.get("type") == 11]

    assert kills.count(-signal.SIGKILL) >= KILLS - 1, kills  # the bot did die mid-run
    expected = Counter()
    for index in range(SERVERS):
        _, channel_id, _ = server_ids(index)
        for day in expected_days(index):
            expected[(channel_id, day)] += 1
    got = Counter((channel, day) for channel, day, _ in messages)
    doubles = {key: n for key, n in got.items() if n > 1}
    assert not doubles, f"posted twice: {doubles}"
    assert got == expected, f"missing: {set(expected) - set(got)}"
    assert len(rows) == len(expected) and {r[2] for r in rows} == {"sent"}
    by_message = {int(m["id"]): m for _, _, m in messages}
    for *_, message_id, thread_id, _ in rows:  # each post has its one reply thread
        assert by_message[message_id].get("thread", {}).get("id") == str(thread_id)
    assert len(threads) == len(expected)


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(sys.argv[2:])
