"""kill -9 of the bot process at every step boundary of a victory's card and of the weekly
digest, then restart: exactly one card and one digest on Discord, each recorded, and nothing
ever posted for a victory kept private for care.

As in tests/test_faults_story_kill.py (whose machinery this reuses), the bot runs in a
subprocess as `kindred run` would, minus the gateway, against a fake Discord on 127.0.0.1
in this process, which survives the kills. Each scenario lives in a server of its own; the
server hangs that scenario's request at its step (letting it land, or not) and the parent
SIGKILLs the bot once every scenario hangs. Three runs, on a simulated clock:

1. Sunday 12:00: /celebrate in each victory server (killed at the answer, or at the card
   not landed / landed); the 12:00 digests are claimed and killed at their post;
2. Sunday 18:00, 6 h later: the start recovers the cards; the 12:00 digests are past their
   catch-up window (found and recorded, or given up); "Share it publicly anyway" is pressed
   and killed at its card; the 18:00 digests are killed at their post;
3. a minute later: the start recovers the shared cards, and the 18:00 digests finish.

Run by hand: `python -m tests.test_faults_victory_kill child DB BASE PLAN.json`.
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

from tests.kit import APP_ID, BOT_PERMISSIONS, EVERYONE_PERMISSIONS
from tests.kit.fake_discord import FakeDiscord, walk_components
from tests.kit.fake_server import FakeServer, Rule
from tests.test_care import CRISIS
from tests.test_faults_posting_kill import BOT_USER, SimClock
from tests.test_faults_story_kill import channel, member, server_payload, settle

ROOT = Path(__file__).resolve().parent.parent
NOON = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # a Sunday
EVENING = NOON + timedelta(hours=6)
WEEK = date(2026, 3, 2)
TEXT = "Walked to the shop on my own"
HEAVY = f"Got out of bed, though {CRISIS}"


@dataclass(frozen=True)
class Scenario:
    """One card or digest in a server of its own, and the step its bot is killed at."""

    index: int
    kind: str  # "celebrate" | "care" | "share" (anyway, a care-kept one) | "digest"
    step: str  # answer | card | digest
    landed: bool = False
    late: bool = False  # a digest found again only after its catch-up window

    @property
    def name(self) -> str:
        late = " late" if self.late else ""
        return f"{self.kind}{late}: {self.step}{' (landed)' if self.landed else ''}"

    def ids(self) -> dict[str, int]:
        base = 720_000_000_000_000_000 + self.index * 16
        names = "guild celebrations general role author".split()
        return {name: base + offset for offset, name in enumerate(names)}

    @property
    def run(self) -> int:
        """The run whose bot is killed at this scenario's step."""
        return 2 if self.kind == "share" or (self.kind == "digest" and not self.late) else 1


def scenarios() -> list[Scenario]:
    found = [
        ("celebrate", "answer", False, False),
        ("celebrate", "card", False, False),
        ("celebrate", "card", True, False),
        ("care", "answer", False, False),
        ("share", "card", False, False),
        ("share", "card", True, False),
        ("digest", "digest", False, True),
        ("digest", "digest", True, True),
        ("digest", "digest", False, False),
        ("digest", "digest", True, False),
    ]
    return [Scenario(index, *rest) for index, rest in enumerate(found)]


def guild_payload(scenario: Scenario) -> dict:
    ids = scenario.ids()
    channels = [channel(ids, "celebrations"), channel(ids, "general")]
    return server_payload(ids, scenario.index, channels, NOON, 2)


_serial = iter(range(10**6))


def interaction(fake: FakeDiscord, scenario: Scenario, kind: int, data: dict, **extra) -> dict:
    """An interaction from the scenario's member, as the gateway delivers it."""
    ids = scenario.ids()
    token = f"token-v{scenario.index}-{next(_serial)}"
    general = str(ids["general"])
    payload = {
        "id": str(ids["guild"] + 10**6 + next(_serial)),
        "application_id": str(APP_ID),
        "type": kind,
        "token": token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10_000_000,
        "guild_id": str(ids["guild"]),
        "guild": {"id": str(ids["guild"]), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "channel_id": general,
        "channel": {"id": general, "type": 0, "guild_id": str(ids["guild"]), "name": "general"},
        "member": member(ids["author"], EVERYONE_PERMISSIONS),
        "app_permissions": str(BOT_PERMISSIONS.value),
        "context": 0,
        "authorizing_integration_owners": {"0": str(ids["guild"])},
        "data": data,
        **extra,
    }
    fake.interactions[token] = payload
    return payload


def celebrate(fake: FakeDiscord, scenario: Scenario) -> dict:
    words = HEAVY if scenario.kind == "care" else TEXT
    option = {"type": 3, "name": "victory", "value": words}
    data = {"id": str(APP_ID + 5), "name": "celebrate", "type": 1, "options": [option]}
    return interaction(fake, scenario, 2, data)


def share_anyway(fake: FakeDiscord, scenario: Scenario, victory_id: int) -> dict:
    """ "Share it publicly anyway" on the private reply that kept the victory for care."""
    custom_id = f"kindred:victories:publish:{victory_id}"
    button = {"type": 2, "style": 2, "label": "Share", "custom_id": custom_id}
    body = {"content": "Kept", "components": [{"type": 1, "components": [button]}], "flags": 64}
    message = fake.new_message(scenario.ids()["general"], body)
    data = {"custom_id": custom_id, "component_type": 2}
    return interaction(fake, scenario, 3, data, message=message)


# ----- the fake Discord, dying at each scenario's step ------------------------------------------
@dataclass
class Armed:
    scenario: Scenario
    token: str | None = None
    hit: bool = False

    def matches(self, method: str, path: str) -> bool:
        if method != "POST":
            return False
        if self.scenario.step == "answer":
            return path.endswith(f"/{self.token}/callback")
        return path == f"/channels/{self.scenario.ids()['celebrations']}/messages"


class StepServer(FakeServer):
    """Hangs each armed scenario's request at its step (stored when it `landed`)."""

    def __init__(self, fake: FakeDiscord):
        super().__init__(fake)
        self.armed: list[Armed] = []

    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for armed in self.armed:
                if not armed.hit and armed.matches(method, path):
                    armed.hit = True
                    return Rule(method, re.compile(""), "hang", 1, store=armed.scenario.landed)
        return super()._rule_for(method, path)


# ----- the bot process --------------------------------------------------------------------------
async def child(db: Path, base: str, plan: dict) -> None:
    from bot.client import KindredBot
    from bot.config import Config, DatabaseConfig

    discord.http.Route.BASE = base
    clock = SimClock(datetime.fromisoformat(plan["now"]))
    bot = KindredBot(Config(database=DatabaseConfig(db)), clock=clock)
    await bot.login("test-token")  # GET /users/@me, the application, setup_hook: store + cogs
    for guild in plan["guilds"]:
        bot._connection._add_guild_from_data(guild)
    victories = bot.get_cog("Victories")
    # What the Victories cog's loops do once the gateway says READY.
    print("recovered", await victories.recover(), flush=True)
    before = set(asyncio.all_tasks())
    for payload in plan["presses"]:
        bot._connection.parse_interaction_create(payload)
    ticking = asyncio.create_task(victories.tick(clock.now))  # a digest may hang: not the presses
    await settle(before)
    await ticking
    print("done", flush=True)
    await bot.close()


def child_main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db, base, plan = argv
    asyncio.run(child(Path(db), base, json.loads(Path(plan).read_text())))


# ----- the parent -----------------------------------------------------------------------------
async def prepare(db: Path, everyone: list[Scenario]) -> dict[int, int]:
    """Celebrations channels, digest schedules, and the care-kept victories to share anyway
    (scenario index -> victory id)."""
    from bot.store import Store

    store = await Store.open(db)
    kept = {}
    try:
        for scenario in everyone:
            ids = scenario.ids()
            at = NOON if scenario.late else EVENING
            enabled = scenario.kind == "digest"
            await store.victories.update_settings(
                ids["guild"], channel_id=ids["celebrations"], digest_enabled=enabled,
                next_at=at, next_date=at.date(), next_zone="UTC",
            )  # fmt: skip
            if scenario.kind == "share":
                saved = await store.victories.add(
                    ids["guild"], ids["author"], "Sam", HEAVY, None, False, NOON
                )
                kept[scenario.index] = saved.victory_id
    finally:
        await store.close()
    return kept


class Run:
    def __init__(self, tmp_path: Path, server: StepServer):
        self.tmp_path, self.server = tmp_path, server
        self.db = tmp_path / "kindred.db"
        self.runs = 0

    def start(self, now: datetime, presses: list[dict]) -> subprocess.Popen:
        self.runs += 1
        plan = self.tmp_path / f"plan{self.runs}.json"
        guilds = [guild_payload(s) for s in scenarios()]
        plan.write_text(json.dumps({"now": now.isoformat(), "guilds": guilds, "presses": presses}))
        return subprocess.Popen(
            [sys.executable, "-m", "tests.test_faults_victory_kill", "child"]
            + [str(self.db), self.server.base, str(plan)],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def killed_at_each_step(self, now: datetime, armed: list[Armed], presses: list[dict]) -> int:
        """Run the bot until every armed scenario hangs at its step, then SIGKILL it."""
        self.server.armed = armed
        process = self.start(now, presses)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            with self.server._lock:
                if all(a.hit for a in armed):
                    break
            time.sleep(0.005)
        time.sleep(0.05)  # the hung requests' sibling work (none should follow) settles
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        out, err = process.communicate(timeout=30)
        self.server.armed = []
        missed = [a.scenario.name for a in armed if not a.hit]
        assert not missed, f"never reached: {missed}\n{err[-3000:]}"
        assert "recovered 0" in out, err[-3000:]
        return process.returncode


def on_discord(fake: FakeDiscord, lock, scenario: Scenario) -> dict:
    """What Discord holds of one scenario: victory cards and weekly digests, public ones."""
    channel_id = str(scenario.ids()["celebrations"])
    with lock:
        messages = [dict(m) for m in fake.messages.values() if m["channel_id"] == channel_id]
    cards = [
        m for m in messages
        if any(c.get("custom_id", "").startswith("kindred:cheer:")
               for c in walk_components(m["components"]))
    ]  # fmt: skip
    digests = [
        m for m in messages
        if any(e.get("footer", {}).get("text", "").startswith(f"Weekly digest · week of {WEEK}")
               for e in m["embeds"])
    ]  # fmt: skip
    return {"cards": cards, "digests": digests}


def database(db: Path) -> tuple[dict, dict]:
    """guild -> its victories (public, channel, message) and its digests (status, message)."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        victories, digests = {}, {}
        for guild, *row in conn.execute(
            "SELECT guild_id, victory_id, public, channel_id, message_id FROM victories"
        ):
            victories.setdefault(guild, []).append(tuple(row))
        for guild, *row in conn.execute("SELECT guild_id, status, message_id FROM victory_digests"):
            digests.setdefault(guild, []).append(tuple(row))
    return victories, digests


def check_victory(scenario: Scenario, seen: dict, rows: list[tuple]) -> None:
    [(victory_id, public, channel_id, message_id)] = rows
    if scenario.kind == "care":  # kept private for care: never posted, by anyone
        assert seen["cards"] == [] and not public and message_id is None, scenario.name
        return
    assert len(seen["cards"]) == 1, (scenario.name, "cards", len(seen["cards"]))
    [card] = seen["cards"]
    assert public and channel_id == int(card["channel_id"]), (scenario.name, rows)
    assert message_id == int(card["id"]), (scenario.name, "the card recorded")
    ids = [c["custom_id"] for c in walk_components(card["components"]) if "custom_id" in c]
    assert ids == [f"kindred:cheer:{victory_id}"], scenario.name


def check_digest(scenario: Scenario, seen: dict, rows: list[tuple]) -> None:
    [(status, message_id)] = rows
    if scenario.late and not scenario.landed:  # never reached Discord, too late to send
        assert status == "failed" and seen["digests"] == [], (scenario.name, rows)
        return
    assert len(seen["digests"]) == 1, (scenario.name, "digests", len(seen["digests"]))
    assert status == "sent" and message_id == int(seen["digests"][0]["id"]), scenario.name
    assert seen["cards"] == [], scenario.name


def test_kill_9_at_every_step_of_a_victory_card_and_the_digest_leaves_one_of_each(tmp_path):
    everyone = scenarios()
    kept = asyncio.run(prepare(tmp_path / "kindred.db", everyone))
    fake = FakeDiscord(APP_ID, BOT_USER)
    fake.dedupe_nonces = False  # hours pass between runs: only the look-back can prevent doubles
    for scenario in everyone:
        for data in guild_payload(scenario)["channels"]:
            fake.channels[int(data["id"])] = data
    with StepServer(fake) as server:
        run = Run(tmp_path, server)
        # 1. /celebrate, killed at each step; the noon digests killed at their post.
        pressed = [(s, celebrate(fake, s)) for s in everyone if s.kind in ("celebrate", "care")]
        armed = [Armed(s, payload["token"]) for s, payload in pressed]
        armed += [Armed(s) for s in everyone if s.kind == "digest" and s.run == 1]
        kills = [run.killed_at_each_step(NOON, armed, [p for _, p in pressed])]
        # 2. Six hours on: a new bot recovers; Share anyway and the evening digests, killed.
        shared = [(s, share_anyway(fake, s, kept[s.index])) for s in everyone if s.kind == "share"]
        armed = [Armed(s) for s in everyone if s.run == 2]
        kills.append(run.killed_at_each_step(EVENING, armed, [p for _, p in shared]))
        # 3. A minute later, a clean run: it recovers, and the open claims finish.
        process = run.start(EVENING + timedelta(minutes=1), [])
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0 and "recovered 0" in out and "done" in out, err[-3000:]
        assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
        victories, digests = database(run.db)
        for scenario in everyone:
            seen = on_discord(fake, server._lock, scenario)
            guild = scenario.ids()["guild"]
            if scenario.kind == "digest":
                check_digest(scenario, seen, digests.get(guild, []))
                assert guild not in victories, scenario.name
            else:
                check_victory(scenario, seen, victories.get(guild, []))
                assert seen["digests"] == [] and guild not in digests, scenario.name
    assert kills == [-signal.SIGKILL, -signal.SIGKILL], kills


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(sys.argv[2:])
