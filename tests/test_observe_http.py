"""/healthz and /metrics, asked over HTTP on 127.0.0.1 as an orchestrator and Prometheus do.

The bot runs with `[observe] listen = "127.0.0.1:0"` (any free port); the gateway's ups and
downs are the events discord.py dispatches for them; interactions go through the kit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import ObserveConfig
from bot.store.stories import PUBLISHED
from tests.kit import Kit
from tests.kit.disk import failing_disk
from tests.kit.fake_server import FakeServer


@pytest.fixture
async def observed(tmp_path, monkeypatch, clock):
    """The kit's bot with /healthz and /metrics served on a free port of 127.0.0.1."""
    kit = Kit(tmp_path, monkeypatch, clock)
    kit.config = dataclasses.replace(kit.config, observe=ObserveConfig(("127.0.0.1", 0)))
    await kit.boot()
    assert kit.bot.observer is not None and kit.bot.observer.port != 0
    yield kit
    if kit.bot is not None and kit.bot.observer is not None:
        await kit.bot.observer.stop()
    await kit.close()


async def get(kit: Kit, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(kit.bot.observer.url + path) as response:
            return response.status, response.headers["Content-Type"], await response.text()


async def health(kit: Kit) -> tuple[int, dict]:
    status, kind, text = await get(kit, "/healthz")
    assert kind.startswith("application/json") and text.count("\n") == 1, text
    import json

    return status, json.loads(text)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(kit: Kit) -> Samples:
    status, kind, text = await get(kit, "/metrics")
    assert status == 200 and kind.startswith("text/plain"), (status, kind)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def moved(before: Samples, after: Samples, prefix: str) -> dict:
    """The samples named `prefix...` whose value changed, with how much."""
    return {
        key: after[key] - before.get(key, 0.0)
        for key in after
        if key[0].startswith(prefix) and after[key] != before.get(key, 0.0)
    }


def interaction(kind: str, command: str, outcome: str) -> tuple:
    labels = (("command", command), ("kind", kind), ("outcome", outcome))
    return ("kindred_interactions_total", labels)


def work_count(kind: str, command: str) -> tuple:
    return ("kindred_interaction_work_seconds_count", (("command", command), ("kind", kind)))


def connect(kit: Kit) -> None:
    kit.bot.dispatch("connect")  # what discord.py dispatches on READY


# ----- /healthz ---------------------------------------------------------------------------------
async def test_healthz_follows_the_gateway_down_and_back(observed):
    status, body = await health(observed)
    assert status == 503 and body["reason"] == "gateway: shard 0 not connected", body
    connect(observed)
    assert await health(observed) == (200, {"status": "ok", "shards": {"0": "connected"}})
    observed.bot.dispatch("disconnect")  # the connection dropped
    status, body = await health(observed)
    assert status == 503 and "gateway: shard 0 not connected" in body["reason"]
    assert body["shards"] == {"0": "down"}
    observed.bot._connection.parse_resumed({})  # RESUMED, through discord.py's own parser
    assert (await health(observed))[0] == 200


async def test_healthz_is_503_when_the_database_does_not_answer(observed):
    connect(observed)
    observed.bot.observer.db_timeout = 0.2
    stuck = asyncio.ensure_future(observed.store._conn._execute(time.sleep, 0.6))
    await asyncio.sleep(0.01)
    status, body = await health(observed)
    assert status == 503 and body["reason"] == "database: no answer within 0.2 s", body
    await stuck
    assert (await health(observed))[0] == 200


async def test_healthz_is_503_when_the_database_is_gone(observed):
    connect(observed)
    await observed.store._conn.close()
    status, body = await health(observed)
    assert status == 503 and body["reason"].startswith("database: "), body
    assert body["shards"] == {"0": "connected"}


# ----- /metrics -----------------------------------------------------------------------------------
async def test_interaction_counters_move_by_exactly_what_members_did(observed):
    alice, bob, mo = observed.member("alice"), observed.member("bob"), observed.moderator("mo")
    observed.add_channel("wins")
    await mo.slash("celebrations channel", channel="wins")
    before = await scrape(observed)

    await alice.slash("celebrate", victory="I went for a walk today")
    await alice.slash("celebrate", victory="I called my sister")
    await bob.slash("celebrate", victory="   ")  # nothing to keep: a kind refusal
    await bob.slash("celebrations digest-off")  # not a moderator: refused
    [(victory_id,)] = await observed.store.fetchall(
        "SELECT victory_id FROM victories WHERE text = 'I went for a walk today'"
    )
    await bob.click(f"kindred:cheer:{victory_id}")
    with failing_disk(observed.store) as disk:
        disk.fail_from = disk.writes + 1
        await bob.slash("celebrate", victory="This one hits a full disk")
    after = await scrape(observed)

    assert moved(before, after, "kindred_interactions_total") == {
        interaction("command", "celebrate", "answered"): 2,
        interaction("command", "celebrate", "refused"): 1,
        interaction("command", "celebrations digest-off", "refused"): 1,
        interaction("component", "kindred:cheer", "answered"): 1,
        interaction("command", "celebrate", "failed"): 1,
    }
    assert moved(before, after, "kindred_interaction_work_seconds_count") == {
        work_count("command", "celebrate"): 4,
        work_count("command", "celebrations digest-off"): 1,
        work_count("component", "kindred:cheer"): 1,
    }
    db = moved(before, after, "kindred_db_transaction_seconds_count")
    assert db and all(delta > 0 for delta in db.values())
    errors = moved(before, after, "kindred_db_errors_total")
    assert sum(errors.values()) >= 1 and all("OperationalError" in str(k) for k in errors)
    assert after[("process_resident_memory_bytes", ())] > 10_000_000


async def test_the_daily_prompt_is_counted_once_posted(observed):
    from tests.test_prompts_support import tick

    mo = observed.moderator("mo")
    observed.add_channel("daily")
    await mo.slash("prompts schedule", channel="daily", time="09:30")
    before = await scrape(observed)
    observed.clock.advance(hours=1)
    await tick(observed)
    after = await scrape(observed)
    posted = ("kindred_scheduled_posts_total", (("kind", "prompt"), ("outcome", "posted")))
    assert moved(before, after, "kindred_scheduled_posts_total") == {posted: 1}
    assert (
        before[("kindred_scheduled_posts_total", (("kind", "digest"), ("outcome", "posted")))] == 0
    )


async def test_the_weekly_digest_is_counted_once_posted(observed):
    from tests.test_digest import SUNDAY_1800, digest_posts, with_channel
    from tests.test_digest import tick as digest_tick

    channel = await with_channel(observed)
    await digest_tick(observed)  # schedules the server's digest
    before = await scrape(observed)
    observed.clock.set(SUNDAY_1800)
    assert len(digest_posts(await digest_tick(observed), channel)) == 1
    after = await scrape(observed)
    posted = ("kindred_scheduled_posts_total", (("kind", "digest"), ("outcome", "posted")))
    assert moved(before, after, "kindred_scheduled_posts_total") == {posted: 1}


async def test_crisis_checks_are_counted_by_grade_only(observed):
    alice = observed.member("alice")
    before = await scrape(observed)
    await alice.slash("celebrate", victory="Walked the dog twice today", visibility="private")
    await alice.slash(
        "celebrate", victory="I made my bed but I want to die tonight", visibility="private"
    )
    after = await scrape(observed)
    grades = moved(before, after, "kindred_crisis_checks_total")
    assert grades == {
        ("kindred_crisis_checks_total", (("grade", "none"),)): 1,
        ("kindred_crisis_checks_total", (("grade", "strong"),)): 1,
    }


async def test_discord_statuses_are_counted_by_route_group(observed, monkeypatch):
    """Through discord.py's real HTTP client: a 500 it retries, then the 200."""
    with FakeServer(observed.discord) as server:
        await server.connect(observed.bot, monkeypatch, timeout=2)
        observed.add_channel("wins")
        mo = observed.moderator("mo")
        await mo.slash("celebrations channel", channel="wins")
        before = await scrape(observed)
        server.fail("POST", r"^/channels/\d+/messages$", 500, times=1)
        await observed.member("alice").slash("celebrate", victory="I asked for help")
        after = await scrape(observed)
    card = {
        "method": "POST", "route": "/channels/{id}/messages",
    }  # fmt: skip
    statuses = {
        dict(labels)["status"]: delta
        for (name, labels), delta in moved(
            before, after, "kindred_discord_http_responses_total"
        ).items()
        if {k: v for k, v in labels if k != "status"} == card
    }
    assert statuses == {"500": 1, "200": 1}
    callbacks = [
        labels
        for (name, labels) in moved(before, after, "kindred_discord_http_responses_total")
        if dict(labels)["route"] == "/interactions/{id}/{token}/callback"
    ]
    assert callbacks, "the interaction's answer was not counted"


async def test_send_queue_and_gateway_gauges(observed):
    connect(observed)
    samples = await scrape(observed)
    assert samples[("kindred_gateway_connected", (("shard", "0"),))] == 1
    assert samples[("kindred_send_queue_budget_requests_per_second", ())] == 40
    assert samples[("kindred_send_queue_waiting", ())] == 0
    observed.bot.dispatch("disconnect")
    samples = await scrape(observed)
    assert samples[("kindred_gateway_connected", (("shard", "0"),))] == 0


# ----- nothing of members in the metrics --------------------------------------------------------------
MARK = "Quokka7731"
HOSTILE = f"{MARK} @everyone <@123> ||spoiler|| 漢字 مرحبا 👨‍👩‍👧 \u202e{MARK.lower()}"
ALLOWED_DIGITS = {"le", "quantile", "shard", "status"}


async def hostile_flows(kit: Kit) -> list[int]:
    """Members and a moderator type hostile text into every kind of field and press forged
    buttons; returns every id that went by (members, messages, stories, victories)."""
    kit.add_channel("mods")
    kit.add_channel("stories")
    kit.add_channel("wins")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("stories channel", channel="stories")
    await mo.slash("celebrations channel", channel="wins")
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory=HOSTILE)
    await alice.slash("celebrate", victory=HOSTILE, visibility="just me")
    await alice.slash("celebrate", victory=f"{MARK} I want to kill myself tonight")
    await bob.slash("suggest", text=f"{HOSTILE} what helped?", value="hope")
    await mo.slash("prompts add", text=f"{HOSTILE} prompt", value="hope")
    await mo.slash("settings timezone", zone=HOSTILE)
    await mo.slash("care resources add", name=f"{MARK} line", contact=HOSTILE)
    await mo.autocomplete("settings timezone", "zone", HOSTILE)
    await bob.slash("share")
    await bob.submit_modal(story=f"{HOSTILE} " * 5, title=MARK, consent=True, post_as="anonymous")
    [(story_id,)] = await kit.store.fetchall("SELECT MAX(story_id) FROM stories")
    await bob.select(f"kindred:story:value:{story_id}", ["hope"])
    await bob.click(f"kindred:story:post:{story_id}")
    [(status,)] = await kit.store.fetchall(
        "SELECT status FROM stories WHERE story_id = ?", (story_id,)
    )
    if status == PUBLISHED:
        await bob.click(f"kindred:story:reply:{story_id}")
        await bob.submit_modal(reply=HOSTILE)
    victory_ids = [v for (v,) in await kit.store.fetchall("SELECT victory_id FROM victories")]
    message = kit.discord.message_with(f"kindred:cheer:{victory_ids[0]}")
    for forged in (f"kindred:cheer:{10**30}", f"kindred:{MARK}:1", f"kindred:cheer:{alice.id}"):
        await bob.click(forged, message=message)
    await mo.slash("celebrations remove", victory_id=victory_ids[0], reason=HOSTILE)
    return [alice.id, bob.id, mo.id, story_id, *victory_ids, *kit.discord.messages]


async def test_metrics_hold_no_member_text_and_no_ids_after_hostile_flows(observed):
    connect(observed)
    ids = await hostile_flows(observed)
    status, _, text = await get(observed, "/metrics")
    assert status == 200
    for piece in (MARK, MARK.lower(), "漢字", "مرحبا", "@everyone", "spoiler", "\u202e"):
        assert piece not in text, piece
    for number in ids:
        assert f'"{number}"' not in text and f"{number}:" not in text and f"/{number}" not in text
    labels = [
        (key, value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for key, value in sample.labels.items()
        if key not in ALLOWED_DIGITS
    ]
    assert labels
    with_digits = [(k, v) for k, v in labels if any(c.isdigit() for c in v)]
    assert with_digits == [], with_digits  # no id of any kind, however short
    commands = {v for k, v in labels if k == "command"}
    assert {"celebrate", "share", "kindred:story:post", "kindred:cheer"} <= commands


# ----- nothing of members, and never the token, in JSON logs -----------------------------------------
@pytest.fixture
def json_log():
    """Everything logged at DEBUG and up, as `[logging] format = "json"` writes it."""
    import io
    import logging

    from bot.observe.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(secret=TOKEN))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


DASHBOARD = Path(__file__).resolve().parent.parent / "deploy" / "grafana-dashboard.json"
TOKEN = "MTA5OTk5.Gx-kindred.secret-token-for-tests"


async def test_json_logs_hold_no_member_text_and_never_the_token(observed, json_log):
    import json

    observed.bot.http.token = TOKEN
    connect(observed)
    await hostile_flows(observed)
    alice = observed.member("carol")
    with failing_disk(observed.store) as disk:  # an error with its traceback
        disk.fail_from = disk.writes + 1
        await alice.slash("celebrate", victory=HOSTILE)
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) > 10
    for piece in (MARK, MARK.lower(), "漢字", "مرحبا", "spoiler", "\u202e", TOKEN, "secret-token"):
        assert piece not in text, piece
    failed = [line for line in lines if line["message"].endswith(" failed")]
    assert failed and "OperationalError" in failed[-1]["exception"]
    assert failed[-1]["command"] == "celebrate"
    assert failed[-1]["guild_id"] == str(observed.guild.id) and failed[-1]["shard"] == 0
    assert failed[-1]["message"] == f"interaction {failed[-1]['interaction_id']} failed"
    refused = [line for line in lines if "refused" in line["message"]]
    assert refused and all(line["interaction_id"] for line in refused)


async def test_debug_logs_of_discord_requests_hold_no_member_text(observed, json_log, monkeypatch):
    """discord.py's real HTTP path logs request bodies at DEBUG; those loggers stay at INFO."""
    with FakeServer(observed.discord) as server:
        await server.connect(observed.bot, monkeypatch, timeout=2)
        observed.add_channel("wins")
        await observed.moderator("mo").slash("celebrations channel", channel="wins")
        out = await observed.member("alice").slash("celebrate", victory=HOSTILE)
    assert out.posts and MARK in out.posts[0].text  # it did go to Discord
    assert MARK not in json_log.getvalue()


async def test_the_example_dashboard_graphs_only_metrics_the_bot_serves(observed):
    import json
    import re

    connect(observed)
    _, _, text = await get(observed, "/metrics")
    families = {family.name for family in text_string_to_metric_families(text)}
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    named = {m for expr in exprs for m in re.findall(r"\b(?:kindred|process)_[a-z_]+", expr)}
    base = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in named}
    assert len(base) >= 12 and base <= families, base - families


async def test_a_taken_port_is_one_line_naming_the_key(tmp_path, monkeypatch, clock, observed):
    from bot.config import ConfigError

    other = Kit(tmp_path / "other", monkeypatch, clock)
    port = observed.bot.observer.port
    other.config = dataclasses.replace(other.config, observe=ObserveConfig(("127.0.0.1", port)))
    with pytest.raises(ConfigError) as caught:
        await other.boot()
    assert str(caught.value).startswith(f"[observe] listen: cannot listen on 127.0.0.1:{port} (")
    assert other.bot is None  # nothing was left open
