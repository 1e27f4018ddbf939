"""What did erase miss? A member puts their words everywhere Kindred can keep them, erases,
and every place is walked: every text column of every table, every message and thread name
on Discord, every log line, and the raw bytes of `kindred.db` and `kindred.db-wal`.

Each of the member's texts carries a word nobody else uses, so the walk needs no list of
places: a table, card or thread added by a future feature is walked as soon as it exists.
The README's erase table says what erase does in each place; this test holds it to that.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from cogs.prompts import flow as posting
from tests.test_mydata import erase_ids
from tests.test_share import share, story, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

MARK = "kestrelmoon"  # in everything the member writes, and nowhere else
SUNDAY_1800 = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)


def words(n: int, text: str) -> str:
    return f"{text} {MARK}{n}"


async def database_hits(kit) -> list[str]:
    hits = []
    for table, columns in (await kit.store.tables()).items():
        for column in columns:
            rows = await kit.store.fetchall(
                f"SELECT {column} FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                (f"%{MARK}%",),
            )
            hits += [f"{table}.{column}: {row[0]!r}"[:120] for row in rows]
    return hits


def discord_hits(kit, member_dm: int) -> list[str]:
    """Every message and channel on the fake Discord, but what only the member sees: their
    DMs and Kindred's private (ephemeral) answers to them."""
    hits = []
    for message in kit.discord.messages.values():
        if int(message.get("channel_id", 0)) == member_dm or (message.get("flags") or 0) & 64:
            continue
        if MARK in json.dumps(message, ensure_ascii=False):
            hits.append(
                f"message {message['id']} in {message.get('channel_id')} flags "
                f"{message.get('flags')}: {json.dumps(message, ensure_ascii=False)[:300]}"
            )
    for channel in kit.discord.channels.values():
        if MARK in json.dumps(channel, ensure_ascii=False):
            hits.append(f"channel {channel['id']} named {channel.get('name')!r}")
    return hits


def file_hits(kit) -> list[str]:
    hits = []
    for path in sorted(kit.tmp_path.glob("kindred.db*")):
        if MARK.encode() in path.read_bytes():
            hits.append(path.name)
    return hits


async def everything_of(kit, mo, alice, monkeypatch) -> dict:
    """Alice writes in every place there is; returns what the walk checks beside words."""
    bob = kit.member("bob")
    kit.add_channel("celebrations")
    await mo.slash("celebrations channel", channel="celebrations")

    await alice.slash("celebrate", victory=words(1, "I planted tulips"), value="hope")
    await alice.slash("celebrate", victory=words(2, "A quiet one"), visibility="just me")
    await bob.slash("celebrate", victory="Bob ran a mile", value="courage")
    bobs_card = kit.discord.message_with("kindred:cheer:3")
    await alice.click("kindred:cheer:3", message=bobs_card)

    sid, _ = await share(alice, story=words(3, "The winter I stopped drinking. " * 3),
                         title=words(4, "Winter"))  # fmt: skip
    await alice.click(f"kindred:story:reply:{sid}")
    await alice.submit_modal(reply=words(5, "Thank you all for reading"))
    kit.clock.advance(minutes=11)
    named, _ = await share(alice, story=words(6, "My named story, told plainly. " * 2),
                           title=words(7, "Plainly"), post_as="named")  # fmt: skip
    kit.clock.advance(minutes=11)
    await mo.slash("stories review", mode="on")
    pending = story_id(await write(alice, story=words(8, "A story still waiting. " * 2),
                                   title=words(9, "Waiting")))  # fmt: skip
    await alice.select(f"kindred:story:value:{pending}", ["hope"])
    await alice.click(f"kindred:story:post:{pending}")

    await alice.slash("suggest", text=words(10, "What made you smile?"), value="hope")
    await alice.slash("suggest", text=words(11, "Who helped you this week?"), value="hope")
    suggestions = await kit.store.fetchall(
        "SELECT suggestion_id FROM prompt_suggestions ORDER BY suggestion_id"
    )
    await mo.click(f"kindred:suggest:approve:{suggestions[1][0]}")
    kit.add_channel("prompts")
    await mo.slash("prompts schedule", channel="prompts", time="09:00")
    real_pool = posting.PromptPoster.pool

    async def own_prompts_only(self, guild_id):
        return [c for c in await real_pool(self, guild_id) if c.id.startswith("own-")]

    monkeypatch.setattr(posting.PromptPoster, "pool", own_prompts_only)
    await mo.slash("prompts post-now")
    monkeypatch.setattr(posting.PromptPoster, "pool", real_pool)
    await kit.run(kit.bot.get_cog("Victories").tick())  # schedules the digest
    kit.clock.set(SUNDAY_1800.replace(second=30))
    await kit.run(kit.bot.get_cog("Victories").tick())  # the digest quotes Alice
    return {"bobs_card": int(bobs_card["id"]), "stories": (sid, named, pending)}


async def test_erase_leaves_no_copy_of_the_members_words_anywhere(kit, mo, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    alice = kit.member("alice")
    made = await everything_of(kit, mo, alice, monkeypatch)
    member_dm = alice.id + 7
    # every place was reached before the erase, or the walk would prove nothing
    assert len(discord_hits(kit, member_dm)) >= 9
    assert len(await database_hits(kit)) >= 10
    bobs_card = kit.discord.messages[made["bobs_card"]]
    assert "1" in json.dumps(bobs_card["components"])

    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text  # the ephemeral confirmation, edited
    for _ in range(3):  # the janitor's next rounds finish anything left
        kit.clock.advance(minutes=20)
        await kit.run(kit.bot.get_cog("Care").cleanup_tick())
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0

    assert await database_hits(kit) == []
    assert discord_hits(kit, member_dm) == []
    assert [r.getMessage() for r in caplog.records if MARK in r.getMessage()] == []
    assert file_hits(kit) == []

    # counts shown to others no longer include her: Bob's Cheer button and the digest
    bobs_card = kit.discord.messages[made["bobs_card"]]
    [[button]] = [[c for c in row["components"]] for row in bobs_card["components"]]
    assert button["label"] == "Cheer"
    digest = next(m for m in kit.discord.messages.values()
                  if any("lived our values" in (e.get("title") or "") for e in m.get("embeds", [])))  # fmt: skip
    assert "**1** victories" in digest["embeds"][0]["description"] or (
        "**1** victory" in digest["embeds"][0]["description"]
    )
    # her approved idea left the rotation; the day's post says it was withdrawn
    assert not await kit.store.prompts.own_prompts(kit.guild.id)
    for sid in made["stories"]:
        assert await story(kit, sid) is None
