"""kill -9 of the bot process at every step boundary of /share's Post and a moderator's
Approve, then restart: exactly one post per story, and every story finished (its thread
recorded) or given back with nothing of it on Discord.

The bot runs in a subprocess as `kindred run` would (KindredBot, `Client.login`, the store,
every cog), minus the gateway: it is handed its servers and the button presses to answer,
and talks HTTP to a fake Discord on 127.0.0.1 in this (the parent) process, which survives
the kills. Each story lives in a server of its own, and the server lets that story's
request at its chosen step land (or not) and never answers it; once every story hangs at
its step, the parent SIGKILLs the bot. Three runs:

1. Post is pressed for every story (text channel, forum, review queue, a story held for
   care, killed between its card and the moderators' note): killed at each step;
2. a new bot recovers on start, then moderators press Approve: killed at each step;
3. a new bot recovers on start, then what was given back is pressed once more (and every
   review card again, as a moderator might).

Run by hand: `python -m tests.test_faults_story_kill child DB BASE PLAN.json`.
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
from datetime import UTC, datetime
from pathlib import Path

import discord

from tests.kit import APP_ID, BOT_PERMISSIONS, EVERYONE_PERMISSIONS, GUILD_DEFAULTS
from tests.kit.fake_discord import FakeDiscord, walk_components
from tests.kit.fake_server import FakeServer, Rule
from tests.test_faults_posting_kill import BOT_USER

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "The first winter after my diagnosis I stopped going out. A neighbour kept knocking."
GUIDE = "Answering with care"
CARE_NOTE = "A member may need care"
VIEW = str(discord.Permissions(view_channel=True).value)
MODERATOR = discord.Permissions(
    EVERYONE_PERMISSIONS.value | discord.Permissions(manage_guild=True).value
)


@dataclass(frozen=True)
class Scenario:
    """One story in a server of its own, and the step its bot is killed at."""

    index: int
    kind: str  # "post" (text channel), "forum", "review" (to the queue), "approve", "held"
    step: str | None  # post | thread | guide | answer | card | note; None: done cleanly first
    landed: bool = False

    @property
    def name(self) -> str:
        return f"{self.kind}: {self.step or 'clean'}{' (landed)' if self.landed else ''}"

    def ids(self) -> dict[str, int]:
        base = 710_000_000_000_000_000 + self.index * 16
        names = "guild stories mods general role author moderator".split()
        return {name: base + offset for offset, name in enumerate(names)}

    @property
    def reviewed(self) -> bool:
        return self.kind in ("review", "approve")


PUBLISH_STEPS = [
    ("post", False),
    ("post", True),
    ("thread", False),
    ("thread", True),
    ("guide", False),
    ("guide", True),
    ("answer", False),
]
FORUM_STEPS = [("post", False), ("post", True), ("guide", False), ("guide", True)]


def scenarios() -> list[Scenario]:
    found: list[Scenario] = []
    for kind, steps in (
        ("post", PUBLISH_STEPS),
        ("forum", FORUM_STEPS),
        ("review", [("card", False), ("card", True)]),
        ("held", [("note", False), ("note", True)]),  # held for care: card, then its note
        ("approve", PUBLISH_STEPS),
    ):
        for step, landed in steps:
            found.append(Scenario(len(found), kind, step, landed))
    return found


def nothing_landed(scenario: Scenario) -> bool:
    """Killed before the story's first message reached Discord."""
    return scenario.step in ("post", "card") and not scenario.landed


# ----- the servers, as Discord describes them -------------------------------------------------
def channel(ids: dict, name: str, kind: int = 0, overwrites: list | None = None) -> dict:
    data = {
        "id": str(ids[name]),
        "type": kind,
        "guild_id": str(ids["guild"]),
        "name": name,
        "position": 0,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }
    if kind == 15:
        tag = {"id": str(ids["guild"] + 9), "name": "Hope", "moderated": False}
        data.update(
            available_tags=[{**tag, "emoji_id": None, "emoji_name": None}],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
        )
    return data


def server_payload(
    ids: dict, index: int, channels: list[dict], joined: datetime, members: int
) -> dict:
    """A server as Discord describes it: @everyone, Kindred's role, the channels, the bot."""
    role = {"color": 0, "hoist": False, "managed": False, "mentionable": False}
    return {
        "id": str(ids["guild"]),
        "name": f"Circle {index}",
        "owner_id": "1",
        "roles": [
            {
                **role,
                "id": str(ids["guild"]),
                "name": "@everyone",
                "position": 0,
                "permissions": str(EVERYONE_PERMISSIONS.value),
            },
            {
                **role,
                "id": str(ids["role"]),
                "name": "Kindred",
                "position": 1,
                "managed": True,
                "permissions": str(BOT_PERMISSIONS.value),
            },
        ],  # fmt: skip
        "channels": channels,
        "members": [
            {
                "user": BOT_USER,
                "roles": [str(ids["role"])],
                "joined_at": joined.isoformat(),
                "deaf": False,
                "mute": False,
                "flags": 0,
            },
        ],  # fmt: skip
        "member_count": members,
        **GUILD_DEFAULTS,
    }


def guild_payload(scenario: Scenario) -> dict:
    ids = scenario.ids()
    private = [
        {"id": str(ids["guild"]), "type": 0, "allow": "0", "deny": VIEW},
        {"id": str(ids["role"]), "type": 0, "allow": VIEW, "deny": "0"},
    ]
    channels = [
        channel(ids, "stories", 15 if scenario.kind == "forum" else 0),
        channel(ids, "mods", overwrites=private),
        channel(ids, "general"),
    ]
    return server_payload(ids, scenario.index, channels, START, 3)


def member(user_id: int, permissions: discord.Permissions) -> dict:
    user = {"id": str(user_id), "username": f"u{user_id}", "global_name": None}
    return {
        "user": {**user, "discriminator": "0", "avatar": None},
        "roles": [],
        "joined_at": START.isoformat(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "permissions": str(permissions.value),
    }


_tokens = iter(range(10**6))


def press(fake: FakeDiscord, scenario: Scenario, custom_id: str, message: dict, who: str) -> dict:
    """A button press as the gateway delivers it, known to the fake Discord (its answers)."""
    ids = scenario.ids()
    where = int(message["channel_id"])
    token = f"token-{scenario.index}-{next(_tokens)}"
    payload = {
        "id": str(ids["guild"] + 10**6 + next(_tokens)),
        "application_id": str(APP_ID),
        "type": 3,
        "token": token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10_000_000,
        "guild_id": str(ids["guild"]),
        "guild": {"id": str(ids["guild"]), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "channel_id": str(where),
        "channel": {"id": str(where), "type": 0, "guild_id": str(ids["guild"]), "name": "x"},
        "member": member(ids[who], MODERATOR if who == "moderator" else EVERYONE_PERMISSIONS),
        "app_permissions": str(BOT_PERMISSIONS.value),
        "context": 0,
        "authorizing_integration_owners": {"0": str(ids["guild"])},
        "message": message,
        "data": {"custom_id": custom_id, "component_type": 2},
    }
    fake.interactions[token] = payload
    return payload


def preview(fake: FakeDiscord, scenario: Scenario, story_id: int) -> dict:
    """The author's private preview with its Post button (as /share left it)."""
    button = {"type": 2, "style": 3, "label": "Post", "custom_id": f"kindred:story:post:{story_id}"}
    body = {"content": "Preview", "components": [{"type": 1, "components": [button]}], "flags": 64}
    return fake.new_message(scenario.ids()["general"], body)


# ----- the fake Discord, dying at each story's step --------------------------------------------
@dataclass
class Armed:
    scenario: Scenario
    token: str | None = None  # the press whose answer is the "answer" step
    hit: bool = False
    to_mods: int = 0  # posts to the moderators seen: a held story's note follows its card

    def matches(self, method: str, path: str, fake: FakeDiscord) -> bool:
        ids, step = self.scenario.ids(), self.scenario.step
        stories, mods = ids["stories"], ids["mods"]
        if step == "post":
            kind = "threads" if self.scenario.kind == "forum" else "messages"
            return method == "POST" and path == f"/channels/{stories}/{kind}"
        if step == "thread":
            return method == "POST" and re.fullmatch(
                rf"/channels/{stories}/messages/\d+/threads", path
            )
        if step in ("card", "note"):
            if method != "POST" or path != f"/channels/{mods}/messages":
                return False
            self.to_mods += 1
            return step == "card" or self.to_mods == 2
        if step == "answer":
            return (
                method == "PATCH" and path == f"/webhooks/{APP_ID}/{self.token}/messages/@original"
            )
        found = re.fullmatch(r"/channels/(\d+)/messages", path)  # the guide: in the thread
        thread = fake.channels.get(int(found[1])) if found and method == "POST" else None
        return thread is not None and thread.get("parent_id") == str(stories)


class StepServer(FakeServer):
    """The fake Discord on 127.0.0.1, hanging each armed story's request at its step."""

    def __init__(self, fake: FakeDiscord):
        super().__init__(fake)
        self.armed: list[Armed] = []

    def _rule_for(self, method: str, path: str) -> Rule | None:
        for armed in self.armed:
            if not armed.hit and armed.matches(method, path, self.discord):
                armed.hit = True
                return Rule(method, re.compile(""), "hang", 1, store=armed.scenario.landed)
        return super()._rule_for(method, path)

    def answered(self, token: str) -> bool:
        return any(h.status == 200 for h in self.hits_to("PATCH", rf"/{re.escape(token)}/messages"))


# ----- the bot process --------------------------------------------------------------------------
class SimClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def child(db: Path, base: str, plan: dict) -> None:
    from bot.client import KindredBot
    from bot.config import Config, DatabaseConfig

    discord.http.Route.BASE = base
    bot = KindredBot(Config(database=DatabaseConfig(db)), clock=SimClock(START))
    await bot.login("test-token")  # GET /users/@me, the application, setup_hook: store + cogs
    for guild in plan["guilds"]:
        bot._connection._add_guild_from_data(guild)
    # What the Share cog's recovery loop does once the gateway says READY.
    left = await bot.get_cog("Share").recover()
    print("recovered", left, flush=True)
    before = set(asyncio.all_tasks())
    for payload in plan["presses"]:
        bot._connection.parse_interaction_create(payload)
    await settle(before)
    print("done", flush=True)
    await bot.close()


async def settle(before: set) -> None:
    """Wait for every task the presses started (and the tasks they start)."""
    current = asyncio.current_task()
    while True:
        await asyncio.sleep(0)
        pending = [t for t in asyncio.all_tasks() if t not in before and t is not current]
        pending = [t for t in pending if not t.done()]
        if not pending:
            return
        await asyncio.wait(pending, timeout=5)


def child_main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    db, base, plan = argv
    asyncio.run(child(Path(db), base, json.loads(Path(plan).read_text())))


# ----- the parent -----------------------------------------------------------------------------
async def prepare(db: Path, all_scenarios: list[Scenario]) -> dict[int, int]:
    """Every server set up and every story a draft ready to post: scenario index -> story id."""
    from bot.store import Store

    store = await Store.open(db)
    story_ids = {}
    try:
        for scenario in all_scenarios:
            ids = scenario.ids()
            await store.guilds.set_mod_channel(ids["guild"], ids["mods"])
            await store.stories.set_channel(ids["guild"], ids["stories"])
            await store.stories.set_review(ids["guild"], scenario.reviewed)
            draft = await store.stories.save_draft(
                ids["guild"], ids["author"], START, title=f"Story {scenario.index}", body=BODY,
                content_warning=None, anonymous=scenario.index % 2 == 0, consent=True,
                held_for_care=scenario.kind == "held",
            )  # fmt: skip
            await store.stories.set_value(draft.story_id, ids["author"], "hope")
            story_ids[scenario.index] = draft.story_id
    finally:
        await store.close()
    return story_ids


def run_bot(db: Path, base: str, plan: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.test_faults_story_kill", "child", str(db), base, str(plan)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_and_kill(db, server, plan: Path, waiting_for: list[str]) -> tuple[int, str, str]:
    """Run the bot until every armed story hangs at its step and the clean presses were
    answered, then SIGKILL it."""
    process = run_bot(db, server.base, plan)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with server._lock:
            hung = all(armed.hit for armed in server.armed)
        if hung and all(server.answered(token) for token in waiting_for):
            break
        time.sleep(0.005)
    time.sleep(0.05)  # the hung requests' sibling work (none should follow) settles
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    missed = [a.scenario.name for a in server.armed if not a.hit]
    assert not missed, f"never reached: {missed}\n{err[-3000:]}"
    return process.returncode, out, err


def write_plan(path: Path, all_scenarios: list[Scenario], presses: list[dict]) -> Path:
    guilds = [guild_payload(s) for s in all_scenarios]
    path.write_text(json.dumps({"guilds": guilds, "presses": presses}))
    return path


def stories_rows(db: Path) -> dict[int, tuple]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT story_id, status, post_channel_id, message_id, thread_id, review_message_id "
            "FROM stories"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def on_discord(fake: FakeDiscord, lock, scenario: Scenario, story_id: int) -> dict:
    """What Discord holds of one story: its posts, threads, guides and review cards."""
    marker = f"Story #{story_id}"
    ids = scenario.ids()
    with lock:
        messages = [dict(m) for m in fake.messages.values() if not int(m.get("flags") or 0) & 64]
        channels = [dict(c) for c in fake.channels.values()]
    threads = [c for c in channels if c.get("parent_id") == str(ids["stories"])]
    posts = [
        m for m in messages
        if any(e.get("footer", {}).get("text") == marker for e in m["embeds"])
        and m["channel_id"] != str(ids["mods"])
    ]  # fmt: skip
    approve = f"kindred:story:approve:{story_id}"
    cards = [
        m for m in messages
        if any(c.get("custom_id") == approve for c in walk_components(m["components"]))
    ]  # fmt: skip
    notes = [
        m for m in messages
        if m["channel_id"] == str(ids["mods"])
        and any(e.get("title") == CARE_NOTE and e.get("description", "").startswith(marker + " ")
                for e in m["embeds"])
    ]  # fmt: skip
    guides = {
        t["id"]: [m for m in messages if m["channel_id"] == t["id"]
                  and any(e.get("title") == GUIDE for e in m["embeds"])]
        for t in threads
    }  # fmt: skip
    return {"posts": posts, "threads": threads, "guides": guides, "cards": cards, "notes": notes}


def assert_shared_once(row: tuple, seen: dict, scenario: Scenario) -> None:
    status, post_channel, message_id, thread_id, _ = row
    assert status == "published", (scenario.name, row)
    assert len(seen["posts"]) == 1, (scenario.name, "posts", len(seen["posts"]))
    [post] = seen["posts"]
    [thread] = seen["threads"]
    assert int(post["id"]) == message_id and int(thread["id"]) == thread_id, scenario.name
    if scenario.kind == "forum":
        assert thread_id == message_id == post_channel, scenario.name
    else:
        assert post["thread"]["id"] == thread["id"], scenario.name
    assert len(seen["guides"][thread["id"]]) == 1, (scenario.name, "guides")


def assert_given_back(row: tuple, seen: dict, scenario: Scenario, status: str) -> None:
    assert row[0] == status, (scenario.name, row)
    assert seen["posts"] == [] and seen["threads"] == [], scenario.name


class Run:
    """The parent's side: the fake Discord, the database, the story of each scenario."""

    def __init__(self, tmp_path: Path, server: StepServer, story_ids: dict[int, int]):
        self.tmp_path, self.server, self.story_ids = tmp_path, server, story_ids
        self.fake = server.discord
        self.db = tmp_path / "kindred.db"
        self.runs = 0

    def press_post(self, scenario: Scenario) -> dict:
        sid = self.story_ids[scenario.index]
        with self.server._lock:
            message = preview(self.fake, scenario, sid)
            return press(self.fake, scenario, f"kindred:story:post:{sid}", message, "author")

    def press_approve(self, scenario: Scenario) -> dict:
        sid = self.story_ids[scenario.index]
        with self.server._lock:
            card = self.fake.message_with(f"kindred:story:approve:{sid}")
            assert card is not None, f"{scenario.name}: no card offers Approve"
            return press(self.fake, scenario, f"kindred:story:approve:{sid}", card, "moderator")

    def plan(self, presses: list[dict]) -> Path:
        self.runs += 1
        return write_plan(self.tmp_path / f"plan{self.runs}.json", scenarios(), presses)

    def seen(self, scenario: Scenario) -> dict:
        return on_discord(self.fake, self.server._lock, scenario, self.story_ids[scenario.index])

    def killed_at_each_step(self, pressed: list[tuple[Scenario, dict]], clean=()) -> int:
        """Deliver `pressed` (each killed at its scenario's step) and `clean` (answered in
        full first), then SIGKILL the bot; its exit code."""
        self.server.armed = [Armed(scenario, payload["token"]) for scenario, payload in pressed]
        presses = [payload for _, payload in pressed] + list(clean)
        tokens = [payload["token"] for payload in clean]
        code, out, err = run_and_kill(self.db, self.server, self.plan(presses), tokens)
        self.server.armed = []
        assert "recovered 0" in out, err[-3000:]
        return code


def check_after_posting(run: Run, rows: dict[int, tuple]) -> None:
    """What the next start made of Post killed at each step: shared once, or given back."""
    for scenario in scenarios():
        row, seen = rows[run.story_ids[scenario.index]], run.seen(scenario)
        if scenario.kind == "approve":
            continue
        if scenario.kind == "held":
            assert_held_and_noted_once(run, row, seen, scenario)
        elif scenario.kind == "review":
            assert row[0] == ("pending" if scenario.landed else "draft"), scenario.name
            assert len(seen["cards"]) == int(scenario.landed), scenario.name
            if scenario.landed:
                assert row[4] == int(seen["cards"][0]["id"]), "the card found and recorded"
        elif nothing_landed(scenario):
            assert_given_back(row, seen, scenario, "draft")
        else:
            assert_shared_once(row, seen, scenario)


def assert_held_and_noted_once(run: Run, row: tuple, seen: dict, scenario: Scenario) -> None:
    """Held for care: its one card recorded, and the moderators' one note (no ping, no
    author for an anonymous story), whether or not the kill came after Discord took it."""
    assert row[0] == "pending" and len(seen["cards"]) == 1, scenario.name
    assert row[4] == int(seen["cards"][0]["id"]), scenario.name
    assert len(seen["notes"]) == 1, (scenario.name, "notes", len(seen["notes"]))
    [note] = seen["notes"]
    author = str(scenario.ids()["author"])
    assert (author in str(note["embeds"])) is (scenario.index % 2 != 0), scenario.name
    mods = f"/channels/{scenario.ids()['mods']}/messages"
    sent = [h.body for h in run.server.hits_to("POST", rf"^{mods}$")]
    notes = [b for b in sent if CARE_NOTE in str(b)]
    assert notes and all(b["allowed_mentions"] == {"parse": []} for b in notes), scenario.name


def check_at_the_end(run: Run, rows: dict[int, tuple]) -> None:
    for scenario in scenarios():
        row, seen = rows[run.story_ids[scenario.index]], run.seen(scenario)
        if scenario.kind == "held":
            assert_held_and_noted_once(run, row, seen, scenario)
            continue
        if scenario.kind == "review":  # queued once: one card, recorded
            assert row[0] == "pending" and len(seen["cards"]) == 1, scenario.name
            assert row[4] == int(seen["cards"][0]["id"]), scenario.name
            continue
        assert_shared_once(row, seen, scenario)
        assert seen["cards"] == [], f"{scenario.name}: a card still offers Approve"


def test_kill_9_at_every_step_of_post_and_approve_then_restart_shares_each_story_once(tmp_path):
    everyone = scenarios()
    story_ids = asyncio.run(prepare(tmp_path / "kindred.db", everyone))
    fake = FakeDiscord(APP_ID, BOT_USER)
    for scenario in everyone:
        for data in guild_payload(scenario)["channels"]:
            fake.channels[int(data["id"])] = data
    approvals = [s for s in everyone if s.kind == "approve"]
    with StepServer(fake) as server:
        run = Run(tmp_path, server, story_ids)
        # 1. Post, for every story: killed at each step (those to approve go to review).
        killed = [(s, run.press_post(s)) for s in everyone if s.kind != "approve"]
        clean = [run.press_post(s) for s in approvals]
        kills = [run.killed_at_each_step(killed, clean)]
        # 2. A new bot recovers on start; then Approve, killed at each step.
        kills.append(run.killed_at_each_step([(s, run.press_approve(s)) for s in approvals]))
        rows = stories_rows(run.db)
        check_after_posting(run, rows)
        # 3. A new bot recovers on start; what came back is pressed once more, and every
        #    card is pressed again (a card a kill kept from saying "shared" is finished).
        presses = [run.press_post(s) for s in everyone if rows[story_ids[s.index]][0] == "draft"]
        presses += [run.press_approve(s) for s in approvals]
        process = run_bot(run.db, server.base, run.plan(presses))
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0 and "recovered 0" in out and "done" in out, err[-3000:]
        assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
        check_at_the_end(run, stories_rows(run.db))
    assert kills == [-signal.SIGKILL, -signal.SIGKILL], kills


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(sys.argv[2:])
