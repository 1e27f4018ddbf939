"""kill -9 of the bot process at every step boundary of the daily prompt post, then restart:
exactly one prompt per server for the day, its one reply thread, both recorded, nothing
left half done, no ping.

The daily post has two requests (cogs/prompts/flow.py): in a text channel the prompt message,
then its reply thread opened on it; in a forum channel one request makes both (the post
is a thread). Each scenario lives in a server of its own, and the fake Discord on
127.0.0.1 (in this, the parent, process, so it survives the kills) lets that server's
request at its step land or not and never answers it; once every server hangs at its
step, the parent SIGKILLs the bot. A new bot on the same database then ticks the
scheduler, as the posting loop would after a start, and must finish every day: find what
landed (the message, or the forum post) and record it, open a missing thread, re-send
what never landed. Servers whose day was already 5 hours late when the bot died are
restarted past the 6-hour catch-up window: what landed is still found and recorded, what
never did is recorded as missed with nothing of it on Discord.

The machinery is that of tests/test_faults_posting_kill.py (the bot process, its servers)
and tests/test_faults_victory_kill.py (the server hanging each scenario's step).

Run by hand: `python -m tests.test_faults_prompt_kill child DB BASE PLAN.json`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import discord
import pytest

from tests import test_faults_posting_kill as posting_kill
from tests.kit import APP_ID
from tests.kit.fake_discord import FakeDiscord
from tests.test_faults_posting_kill import BOT_USER, SimClock, prompt_messages, server_ids
from tests.test_faults_story_kill import channel
from tests.test_faults_victory_kill import StepServer

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 3, 2)  # a Monday, in UTC
KILLED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the on-time servers' post time
RESTART = KILLED_AT + timedelta(minutes=90)  # late servers are 6.5 h late by then
MISSED_NOTE = "Discord could not be reached for more than 6 hours"  # cogs.prompts.flow's


@dataclass(frozen=True)
class Scenario:
    """One server's daily post, and the step its bot is killed at."""

    index: int
    kind: str  # "text" | "forum"
    step: str  # "post" (the prompt, or the forum post) | "thread" (opened on the prompt)
    landed: bool
    late: bool = False  # due at 04:00: 5 h late when killed, past the 6 h window at restart

    @property
    def name(self) -> str:
        late = " late" if self.late else ""
        return f"{self.kind}{late}: {self.step}{' (landed)' if self.landed else ''}"

    @property
    def guild_id(self) -> int:
        return server_ids(self.index)[0]

    @property
    def channel_id(self) -> int:
        return server_ids(self.index)[1]

    @property
    def post_time(self) -> str:
        return "04:00" if self.late else "09:00"

    @property
    def given_up(self) -> bool:
        """Nothing reached Discord and the day is past its catch-up window at the restart."""
        return self.late and self.step == "post" and not self.landed


def scenarios() -> list[Scenario]:
    found = [
        ("text", "post", False, False),
        ("text", "post", True, False),
        ("text", "thread", False, False),
        ("text", "thread", True, False),
        ("forum", "post", False, False),
        ("forum", "post", True, False),
        ("text", "post", False, True),
        ("text", "post", True, True),
        ("text", "thread", False, True),
        ("text", "thread", True, True),
        ("forum", "post", False, True),
        ("forum", "post", True, True),
    ]
    return [Scenario(index, *rest) for index, rest in enumerate(found)]


def guild_payload(scenario: Scenario) -> dict:
    payload = posting_kill.guild_payload(scenario.index)  # a text channel "daily"
    if scenario.kind == "forum":
        ids = {"guild": scenario.guild_id, "daily": scenario.channel_id}
        payload["channels"] = [channel(ids, "daily", 15)]
    return payload


@dataclass
class Armed:
    """The request a scenario's bot dies in (the victory kill test's StepServer reads
    `matches`, `hit` and `scenario.landed`)."""

    scenario: Scenario
    hit: bool = False

    def matches(self, method: str, path: str) -> bool:
        where = self.scenario.channel_id
        if method != "POST":
            return False
        if self.scenario.step == "thread":
            return re.fullmatch(rf"/channels/{where}/messages/\d+/threads", path) is not None
        kind = "threads" if self.scenario.kind == "forum" else "messages"
        return path == f"/channels/{where}/{kind}"


# ----- the bot process --------------------------------------------------------------------------
async def child(db: Path, base: str, plan: dict) -> None:
    from bot.client import KindredBot
    from bot.config import Config, DatabaseConfig

    discord.http.Route.BASE = base
    ticks = [datetime.fromisoformat(t) for t in plan["ticks"]]
    clock = SimClock(ticks[0])
    bot = KindredBot(Config(database=DatabaseConfig(db)), clock=clock)
    await bot.login("test-token")  # GET /users/@me, the application, setup_hook: store + cogs
    for guild in plan["guilds"]:
        bot._connection._add_guild_from_data(guild)
    prompts = bot.get_cog("Prompts")
    for now in ticks:  # what the posting loop does after a start
        clock.now = now
        await prompts.tick(now)
        print("tick", now.isoformat(), flush=True)
    await bot.close()


def child_main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db, base, plan = argv
    asyncio.run(child(Path(db), base, json.loads(Path(plan).read_text())))


# ----- the parent -----------------------------------------------------------------------------
async def prepare(db: Path, everyone: list[Scenario]) -> None:
    """Every server's schedule, as `/prompts schedule` leaves it, due on DAY."""
    from bot.schedule import parse_hhmm
    from bot.store import Store

    store = await Store.open(db)
    try:
        for scenario in everyone:
            at = datetime.combine(DAY, parse_hhmm(scenario.post_time), tzinfo=UTC)
            await store.prompts.save_schedule(
                scenario.guild_id, channel_id=scenario.channel_id, post_time=scenario.post_time,
                timezone="UTC", weekdays=frozenset(range(7)), next_post_at=at,
                next_local_date=DAY, now=at - timedelta(days=1),
            )  # fmt: skip
    finally:
        await store.close()


def start_bot(tmp_path: Path, base: str, ticks: list[datetime], name: str) -> subprocess.Popen:
    plan = tmp_path / f"{name}.json"
    guilds = [guild_payload(s) for s in scenarios()]
    plan.write_text(json.dumps({"guilds": guilds, "ticks": [t.isoformat() for t in ticks]}))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.test_faults_prompt_kill", "child"]
        + [str(tmp_path / "kindred.db"), base, str(plan)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def killed_at_each_step(tmp_path: Path, server: StepServer) -> int:
    """Tick once at KILLED_AT until every server hangs at its step, then SIGKILL the bot."""
    server.armed = [Armed(s) for s in scenarios()]
    process = start_bot(tmp_path, server.base, [KILLED_AT], "killed")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        with server._lock:
            if all(a.hit for a in server.armed):
                break
        time.sleep(0.005)
    time.sleep(0.05)  # the hung requests' sibling work (none should follow) settles
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    _, err = process.communicate(timeout=30)
    missed = [a.scenario.name for a in server.armed if not a.hit]
    server.armed = []
    assert not missed, f"never reached: {missed}\n{err[-3000:]}"
    return process.returncode


def rows(db: Path) -> tuple[dict[int, list[tuple]], dict[int, tuple]]:
    """guild -> its post rows; guild -> its schedule."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        posts: dict[int, list] = {}
        for guild, *row in conn.execute(
            "SELECT guild_id, local_date, state, channel_id, message_id, thread_id, link, "
            "attempts, note FROM prompt_posts"
        ):
            posts.setdefault(guild, []).append(tuple(row))
        schedules = {
            guild: tuple(row)
            for guild, *row in conn.execute(
                "SELECT guild_id, next_local_date, paused FROM prompt_schedules"
            )
        }
    return posts, schedules


def on_discord(fake: FakeDiscord, lock, scenario: Scenario) -> dict:
    """What Discord holds of one server: its prompts for DAY, threads, other messages."""
    with lock:
        threads = [
            dict(c)
            for c in fake.channels.values()
            if c.get("parent_id") == str(scenario.channel_id)
        ]
        places = {str(scenario.channel_id)} | {t["id"] for t in threads}
        messages = [dict(m) for m in fake.messages.values() if m["channel_id"] in places]
    found = [(day, m) for where, day, m in prompt_messages(fake, lock) if str(where) in places]
    assert all(day == DAY for day, _ in found), (scenario.name, "a prompt for another day")
    prompts = [m for _, m in found]
    return {"prompts": prompts, "threads": threads, "messages": messages}


def check_killed(db: Path) -> None:
    """Right after the kill, each server's day is claimed with one send started, no more."""
    posts, _ = rows(db)
    for scenario in scenarios():
        [(day, state, _, message_id, thread_id, _, attempts, _)] = posts[scenario.guild_id]
        assert (day, state, attempts) == (DAY.isoformat(), "claimed", 1), scenario.name
        assert message_id is None and thread_id is None, scenario.name


def check_finished(scenario: Scenario, seen: dict, posts: list[tuple], schedule: tuple) -> None:
    [(day, state, channel_id, message_id, thread_id, link, attempts, note)] = posts
    assert day == DAY.isoformat() and channel_id == scenario.channel_id, scenario.name
    assert schedule == ((DAY + timedelta(days=1)).isoformat(), 0), (scenario.name, schedule)
    if scenario.given_up:  # never reached Discord, too late to send: recorded as missed
        assert state == "missed" and note == MISSED_NOTE, (scenario.name, posts)
        assert seen == {"prompts": [], "threads": [], "messages": []}, scenario.name
        return
    assert state == "sent", (scenario.name, posts)
    assert len(seen["prompts"]) == 1, (scenario.name, "prompts", len(seen["prompts"]))
    assert len(seen["threads"]) == 1, (scenario.name, "threads", len(seen["threads"]))
    assert len(seen["messages"]) == 1, (scenario.name, "messages", seen["messages"])
    [prompt], [thread] = seen["prompts"], seen["threads"]
    assert int(prompt["id"]) == message_id and int(thread["id"]) == thread_id, scenario.name
    assert link and link.endswith(f"/{message_id}"), (scenario.name, link)
    assert thread["name"].endswith(f"· {DAY.day} March {DAY.year}"), thread["name"]
    if scenario.kind == "forum":  # the post is the thread: its starter shares the id
        assert thread_id == message_id and prompt["channel_id"] == thread["id"], scenario.name
    else:  # the reply thread hangs from the prompt itself
        assert prompt["channel_id"] == str(scenario.channel_id), scenario.name
        assert prompt["thread"]["id"] == thread["id"], scenario.name
    sent_once = scenario.landed or scenario.step == "thread"  # found, not sent again
    assert attempts == (1 if sent_once else 2), (scenario.name, "attempts", attempts)


def check_no_ping(server: StepServer) -> None:
    """Every message the bot sent, in every attempt, had mentions off."""
    sent = server.hits_to("POST", r"^/channels/\d+/(messages|threads)$")
    assert sent, "nothing was sent"
    for hit in sent:
        body = hit.body.get("message", hit.body) if hit.path.endswith("/threads") else hit.body
        assert body.get("allowed_mentions") == {"parse": []}, (hit.path, body)


@pytest.mark.parametrize("nonce_dedupe", [True, False], ids=["nonce", "history-only"])
def test_kill_9_at_every_step_of_the_daily_prompt_then_restart_posts_it_once(
    tmp_path, nonce_dedupe
):
    everyone = scenarios()
    asyncio.run(prepare(tmp_path / "kindred.db", everyone))
    fake = FakeDiscord(APP_ID, BOT_USER)
    fake.dedupe_nonces = nonce_dedupe  # False: only the look-back can prevent a double
    for scenario in everyone:
        for data in guild_payload(scenario)["channels"]:
            fake.channels[int(data["id"])] = data
    with StepServer(fake) as server:
        # 1. The day's tick, killed at each server's step.
        kill = killed_at_each_step(tmp_path, server)
        check_killed(tmp_path / "kindred.db")
        # 2. A new bot ticks after its start, and once more later (nothing is posted again).
        ticks = [RESTART, RESTART + timedelta(minutes=1), RESTART + timedelta(hours=3)]
        process = start_bot(tmp_path, server.base, ticks, "restarted")
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0 and out.count("tick ") == len(ticks), err[-3000:]
        assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
        posts, schedules = rows(tmp_path / "kindred.db")
        for scenario in everyone:
            seen = on_discord(fake, server._lock, scenario)
            check_finished(scenario, seen, posts[scenario.guild_id], schedules[scenario.guild_id])
        check_no_ping(server)
    assert kill == -signal.SIGKILL, kill


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(sys.argv[2:])
