"""The weekly digest, driven by the scheduler's tick with the kit's clock moved."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from PIL import Image

from cogs.victories import digest_rules as digest
from cogs.victories.digest_post import CHART_FILE, DIGESTS_AT_ONCE

SUNDAY_1800 = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # the first digest after the kit's start
NEXT_SUNDAY_1800 = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)


def cog(kit):
    return kit.bot.get_cog("Victories")


async def tick(kit):
    return await kit.run(cog(kit).tick())


async def digests(kit) -> list[tuple]:
    rows = await kit.store.fetchall(
        "SELECT week_start, status, attempts FROM victory_digests ORDER BY digest_id"
    )
    return [tuple(r) for r in rows]


def digest_posts(out, channel) -> list:
    return [p for p in out.posts if p.path == f"/channels/{channel.id}/messages"]


async def with_channel(kit):
    kit.add_channel("celebrations")
    await kit.moderator("mo").slash("celebrations channel", channel="celebrations")
    return kit.channel("celebrations")


async def test_the_digest_counts_values_quotes_those_who_allow_it_and_draws_a_chart(kit):
    channel = await with_channel(kit)
    alice, bob, carol, dave = (kit.member(n) for n in ("alice", "bob", "carol", "dave"))
    await bob.slash("celebrate-quotes", allow="no")
    await alice.slash("celebrate", victory="Walked to the shop on my own", value="hope")
    await bob.slash("celebrate", victory="Bob's words stay his", value="hope")
    await carol.slash("celebrate", victory="Spoke up at the *meeting*", value="courage")
    await dave.slash("celebrate", victory="A private thing", value="hope", visibility="just me")
    out = await tick(kit)  # the first tick schedules the server's digest
    assert digest_posts(out, channel) == []
    assert (await kit.store.victories.settings(kit.guild.id)).next_at == SUNDAY_1800

    kit.clock.set(SUNDAY_1800.replace(second=30))
    out = await tick(kit)
    [post] = digest_posts(out, channel)
    [embed] = post.embeds
    assert embed["title"] == "This week we lived our values"
    text = embed["description"]
    assert "**3** victories" in text  # public ones only
    assert "🌱 Hope: **2**" in text and "🦁 Courage: **1**" in text
    assert text.index("Hope") < text.index("Courage")  # library order, never a ranking
    assert "Walked to the shop on my own” — Alice" in text
    assert "Spoke up at the \\*meeting\\*” — Carol" in text  # members' words shown as typed
    assert "Bob's words" not in text and "— Bob" not in text  # opted out of quotes
    assert "private thing" not in text
    assert "week of 2026-03-02" in embed["footer"]["text"]
    assert post.allowed_mentions == {"parse": []}
    assert post.body["nonce"] and post.body["enforce_nonce"] is True

    [(name, png)] = post.files
    assert name == CHART_FILE and embed["image"]["url"] == f"attachment://{CHART_FILE}"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 450)

    assert await digests(kit) == [("2026-03-02", "sent", 1)]
    assert digest_posts(await tick(kit), channel) == []  # once per week


async def test_an_empty_week_gets_a_warm_short_message_not_a_zero_chart(kit):
    channel = await with_channel(kit)
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    out = await tick(kit)
    [post] = digest_posts(out, channel)
    assert post.embeds[0]["title"] == "A quiet week"
    assert "that's okay" in post.embeds[0]["description"]
    assert post.files == [] and "image" not in post.embeds[0]


async def test_victories_after_the_digest_count_for_the_next_week(kit):
    channel = await with_channel(kit)
    alice = kit.member("alice")
    await tick(kit)
    kit.clock.set(SUNDAY_1800.replace(minute=1))
    await alice.slash("celebrate", victory="Late on Sunday", value="hope")
    [post] = digest_posts(await tick(kit), channel)
    assert post.embeds[0]["title"] == "A quiet week"
    kit.clock.set(NEXT_SUNDAY_1800)
    [post] = digest_posts(await tick(kit), channel)
    assert "Late on Sunday" in post.embeds[0]["description"]


async def test_exactly_once_across_a_restart(kit):
    channel = await with_channel(kit)
    await kit.member("alice").slash("celebrate", victory="Held on", value="hope")
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    assert len(digest_posts(await tick(kit), channel)) == 1
    await kit.restart()
    assert digest_posts(await tick(kit), channel) == []
    kit.clock.advance(hours=1)
    assert digest_posts(await tick(kit), channel) == []
    assert await digests(kit) == [("2026-03-02", "sent", 1)]


async def crash_after_sending(kit, monkeypatch, channel):
    """Post the digest but die before recording it; return the post that reached Discord."""
    await kit.member("alice").slash("celebrate", victory="Held on", value="hope")
    await tick(kit)
    kit.clock.set(SUNDAY_1800)

    async def crash(*args, **kwargs):
        raise RuntimeError("the process died before recording the message")

    monkeypatch.setattr(kit.store.victories, "finish_digest", crash)
    [first] = digest_posts(await tick(kit), channel)
    assert await digests(kit) == [("2026-03-02", "claimed", 1)]
    await kit.restart()  # a fresh process finds the open claim
    kit.clock.advance(minutes=1)
    return first


async def test_a_crash_after_sending_finds_the_post_instead_of_posting_twice(kit, monkeypatch):
    channel = await with_channel(kit)
    await crash_after_sending(kit, monkeypatch, channel)
    out = await tick(kit)
    assert out.to("/channels/{channel_id}/messages", "GET")  # looked in the channel first
    assert digest_posts(out, channel) == []
    assert await digests(kit) == [("2026-03-02", "sent", 1)]
    kit.clock.advance(minutes=1)
    assert digest_posts(await tick(kit), channel) == []


async def test_a_crash_with_the_post_not_found_resends_with_the_same_nonce(kit, monkeypatch):
    channel = await with_channel(kit)
    first = await crash_after_sending(kit, monkeypatch, channel)
    kit.discord.messages.clear()  # scrolled away (or never landed)
    [again] = digest_posts(await tick(kit), channel)
    assert again.body["nonce"] == first.body["nonce"]  # Discord hands back the first message
    assert await digests(kit) == [("2026-03-02", "sent", 2)]
    kit.clock.advance(minutes=1)
    assert digest_posts(await tick(kit), channel) == []


async def test_discord_trouble_is_retried_on_the_next_tick(kit):
    channel = await with_channel(kit)
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    kit.discord.fail("POST", rf"^/channels/{channel.id}/messages$", 503, 0, times=1)
    await tick(kit)
    assert await digests(kit) == [("2026-03-02", "claimed", 1)]
    kit.clock.advance(minutes=1)
    assert len(digest_posts(await tick(kit), channel)) == 1
    assert await digests(kit) == [("2026-03-02", "sent", 2)]


async def test_catch_up_when_less_than_six_hours_late_else_missed(kit):
    channel = await with_channel(kit)
    await tick(kit)
    kit.clock.set(SUNDAY_1800.replace(hour=23, minute=30))  # the bot was down: 5.5 h late
    assert len(digest_posts(await tick(kit), channel)) == 1

    kit.clock.set(datetime(2026, 3, 16, 0, 1, tzinfo=UTC))  # 6 h 1 min after the next one
    assert digest_posts(await tick(kit), channel) == []
    assert await digests(kit) == [("2026-03-02", "sent", 1), ("2026-03-09", "missed", 0)]
    assert (await kit.store.victories.settings(kit.guild.id)).next_at == datetime(
        2026, 3, 22, 18, tzinfo=UTC
    )


async def test_the_digest_follows_the_servers_time_zone(kit):
    channel = await with_channel(kit)
    await kit.moderator("mo").slash("settings timezone", zone="America/New_York")
    await kit.moderator("mo").slash("celebrations digest", day="Sunday", time="18:00")
    # New York moves to daylight time on 8 March 2026: 18:00 EDT is 22:00 UTC.
    kit.clock.set(datetime(2026, 3, 8, 21, 59, tzinfo=UTC))
    assert digest_posts(await tick(kit), channel) == []
    kit.clock.set(datetime(2026, 3, 8, 22, 0, tzinfo=UTC))
    assert len(digest_posts(await tick(kit), channel)) == 1


async def test_digest_off_means_no_digest(kit):
    channel = await with_channel(kit)
    await tick(kit)
    await kit.moderator("mo").slash("celebrations digest-off")
    kit.clock.set(SUNDAY_1800)
    assert digest_posts(await tick(kit), channel) == []
    assert await digests(kit) == []


async def test_without_a_channel_the_digest_goes_where_victories_were_posted(kit):
    await kit.member("alice").slash("celebrate", victory="Small step", value="hope")
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    assert len(digest_posts(await tick(kit), kit.channel("general"))) == 1


async def test_with_nowhere_to_post_the_week_is_skipped(kit):
    await kit.moderator("mo").slash("celebrations digest-on")
    kit.clock.set(SUNDAY_1800)
    out = await tick(kit)
    assert out.posts == []
    assert await digests(kit) == [("2026-03-02", "skipped", 0)]


async def test_a_lost_permission_fails_the_week_and_tells_the_moderators(kit):
    kit.add_channel("celebrations", deny_bot=("attach_files",))
    kit.add_channel("mods")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await kit.store.victories.update_settings(
        kit.guild.id, channel_id=kit.channel("celebrations").id
    )
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    out = await tick(kit)
    assert digest_posts(out, kit.channel("celebrations")) == []
    [notice] = digest_posts(out, kit.channel("mods"))
    assert "weekly digest wasn't posted" in notice.text and "Attach Files" in notice.text
    assert (await digests(kit))[0][1] == "failed"
    out = await mo.slash("settings show")
    assert "**Last digest:** failed" in out.reply.text
    kit.clock.advance(minutes=1)
    assert (await tick(kit)).posts == []


async def test_the_quotes_are_the_same_on_a_retry(kit):
    await with_channel(kit)
    for n in range(8):
        await kit.member(f"m{n}").slash(
            "celebrate", victory=f"Walked the dog, day {n}", value="hope"
        )
    claim_week = digest.week_start(SUNDAY_1800.date())
    candidates = [
        (v.text, v.author_name, v.member_id)
        for v in await kit.store.victories.quotable(
            kit.guild.id, datetime(2026, 3, 1, tzinfo=UTC), SUNDAY_1800
        )
    ]
    seed = f"{kit.guild.id}:{claim_week}"
    first = digest.choose_quotes(candidates, seed)
    assert len(first) == 3 and digest.choose_quotes(candidates, seed) == first


async def test_a_burst_of_due_servers_draws_and_holds_only_a_few_digests_at_once(kit):
    """Thousands of servers share a digest hour: each digest's chart and embed are held only
    while a few at a time are prepared and sent, not all of them at once (bench/memory.py)."""
    poster = cog(kit).digests
    running, most = 0, 0

    async def one_digest() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001)
        running -= 1

    await asyncio.gather(*(poster._guarded(n, one_digest()) for n in range(20)))
    assert most == DIGESTS_AT_ONCE < 20
    assert running == 0 and not poster._busy
