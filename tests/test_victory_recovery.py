"""No orphan after a crash: a victory's card and the weekly digest, each step recorded.

A crash is played in the kit by stopping the work at a step boundary (the card's task
never runs, or the process "dies" before recording what Discord took), then restarting
the bot on the same database. The real process killed with SIGKILL is in
tests/test_faults_victory_kill.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import discord

from bot.store.victories import sweep_job
from tests.kit import FakeClock, Kit
from tests.test_care import CRISIS
from tests.test_digest import SUNDAY_1800, digest_posts, digests, tick, with_channel
from tests.test_mydata import erase_ids

CHEER = "kindred:cheer:1"


def cog(kit):
    return kit.bot.get_cog("Victories")


def cards(kit, victory_id: int = 1) -> list[dict]:
    """Kindred's cards for a victory on Discord (its Cheer button names it)."""
    wanted = f"kindred:cheer:{victory_id}"
    return [
        m
        for m in kit.discord.messages.values()
        if any(c.get("custom_id") == wanted for row in m["components"] for c in row["components"])
    ]


async def recover(kit):
    out = await kit.run(cog(kit).recover())
    return out


async def celebrate_and_die_before_the_card(kit, monkeypatch, member, **options):
    """/celebrate is answered, then the process stops before the card's task runs."""
    with monkeypatch.context() as patched:
        patched.setattr(type(cog(kit).flow), "_spawn", lambda self, work: work.close())
        return await member.slash("celebrate", **options)


async def celebrate_and_die_before_recording(kit, monkeypatch, member, text="Walked the dog"):
    """The card reaches Discord, then the process stops before its id is saved."""

    async def died(*args, **kwargs):
        raise RuntimeError("the process died before recording the card")

    monkeypatch.setattr(kit.store.victories, "set_message", died)
    await member.slash("celebrate", victory=text)
    [card] = cards(kit)
    await kit.restart()
    victory = await kit.store.victories.get(1)
    assert victory.public and victory.message_id is None  # the hole: a card nobody knows
    return card


# ----- the card ------------------------------------------------------------------------------
async def test_the_recovery_runs_by_itself_once_the_restarted_bot_is_connected(kit, monkeypatch):
    alice = kit.member("alice")
    await celebrate_and_die_before_the_card(kit, monkeypatch, alice, victory="Slept well")
    await kit.restart()
    kit.bot._ready.set()  # what the gateway's READY does
    for _ in range(200):
        if cards(kit):
            break
        await asyncio.sleep(0.01)
    assert len(cards(kit)) == 1
    for _ in range(100):  # nothing is left, so the loop stops asking
        if not cog(kit).recovery_loop.is_running():
            break
        await asyncio.sleep(0.01)
    assert not cog(kit).recovery_loop.is_running()
    assert cog(kit).recovery_loop is not kit.bot.get_cog("Share").recovery_loop


async def test_a_victory_saved_public_before_its_card_gets_one_card_on_the_next_start(
    kit, monkeypatch
):
    alice = kit.member("alice")
    out = await celebrate_and_die_before_the_card(kit, monkeypatch, alice, victory="Slept well")
    assert "on its way" in out.reply.text and cards(kit) == []
    assert (await kit.store.victories.get(1)).channel_id == kit.channel("general").id

    await kit.restart()
    out = await recover(kit)
    assert out.to("/channels/{channel_id}/messages", "GET")  # looked before posting
    [card] = cards(kit)
    assert card["embeds"][0]["description"] == "Slept well"
    assert card["channel_id"] == str(kit.channel("general").id)
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])
    assert await cog(kit).recover() == 0
    assert len(cards(kit)) == 1


async def test_a_card_posted_but_not_recorded_is_found_and_recorded_not_posted_again(
    kit, monkeypatch
):
    card = await celebrate_and_die_before_recording(kit, monkeypatch, kit.member("alice"))
    out = await recover(kit)
    assert out.posts == []  # found, so nothing was sent again
    assert [m["id"] for m in cards(kit)] == [card["id"]]
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])


async def test_a_double_left_by_an_earlier_try_is_taken_down(kit, monkeypatch):
    card = await celebrate_and_die_before_recording(kit, monkeypatch, kit.member("alice"))
    double = kit.discord.new_message(int(card["channel_id"]), card)
    await recover(kit)
    assert [m["id"] for m in cards(kit)] == [card["id"]]  # the first one stays
    assert int(double["id"]) not in kit.discord.messages
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])


async def test_when_the_channel_cant_be_read_recovery_waits_and_finishes_later(kit, monkeypatch):
    card = await celebrate_and_die_before_recording(kit, monkeypatch, kit.member("alice"))
    kit.discord.fail("GET", r"/messages$", 503, 0, times=1)
    out = await recover(kit)
    assert out.posts == [] and await kit.store.victories.get(1) is not None
    assert (await kit.store.victories.get(1)).message_id is None  # unknown: nothing guessed
    assert await cog(kit).recover() == 0
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])
    assert len(cards(kit)) == 1


async def test_a_press_on_an_unrecorded_card_records_it(kit, monkeypatch):
    card = await celebrate_and_die_before_recording(kit, monkeypatch, kit.member("alice"))
    out = await kit.member("bob").click(CHEER, message=card)
    assert out.replies == [] and out.callbacks  # the cheer counts; nothing else is sent
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])
    assert cards(kit)[0]["components"][0]["components"][0]["label"] == "Cheer · 1"


async def test_a_moderator_removes_a_victory_whose_card_was_never_recorded(kit, monkeypatch):
    card = await celebrate_and_die_before_recording(kit, monkeypatch, kit.member("alice"))
    out = await kit.moderator("mo").slash("celebrations remove", victory_id=1)
    assert "Removed victory #1" in out.replies[-1].text
    assert "couldn't delete" not in out.replies[-1].text
    assert int(card["id"]) not in kit.discord.messages and cards(kit) == []
    assert await kit.store.victories.get(1) is None


async def test_its_author_removes_a_victory_whose_card_was_never_recorded(kit, monkeypatch):
    alice = kit.member("alice")
    card = await celebrate_and_die_before_recording(kit, monkeypatch, alice)
    await alice.slash("victories")
    await alice.click("kindred:victories:remove:1:0:1")
    out = await alice.click("kindred:victories:confirm:1:0:1")
    assert "Removed victory #1" in out.reply.text and len(out.replies) == 1
    assert int(card["id"]) not in kit.discord.messages


async def test_a_card_whose_victory_was_removed_while_it_was_posted_comes_down(kit, monkeypatch):
    repo = kit.store.victories
    record = repo.set_message

    async def removed_first(victory_id, channel_id, message_id):
        await repo.remove(victory_id, kit.guild.id)  # a moderator was quicker
        return await record(victory_id, channel_id, message_id)

    monkeypatch.setattr(repo, "set_message", removed_first)
    out = await kit.member("alice").slash("celebrate", victory="Ran a mile")
    [posted] = out.posts
    assert out.to("/channels/{channel_id}/messages/{message_id}", "DELETE")
    assert cards(kit) == [] and await repo.get(1) is None


async def test_a_victory_kept_private_for_care_is_never_posted_by_recovery(kit):
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory=f"Got up today, but {CRISIS}")
    assert "kept victory #1 in your private history" in out.replies[0].text
    await kit.restart()
    out = await recover(kit)
    assert out.posts == [] and out.requests == []
    assert cards(kit) == [] and not (await kit.store.victories.get(1)).public


async def test_shared_anyway_then_a_crash_before_the_card_posts_it_on_the_next_start(
    kit, monkeypatch
):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory=f"Got up today, but {CRISIS}")
    with monkeypatch.context() as patched:
        patched.setattr(type(cog(kit).flow), "_spawn", lambda self, work: work.close())
        out = await alice.click("kindred:victories:publish:1")
    assert "on its way" in out.reply.text and cards(kit) == []
    await kit.restart()
    await recover(kit)
    [card] = cards(kit)  # the author chose to share it
    assert (await kit.store.victories.get(1)).message_id == int(card["id"])


async def test_a_refused_card_is_kept_private_on_recovery(kit, monkeypatch):
    alice = kit.member("alice")
    await celebrate_and_die_before_the_card(kit, monkeypatch, alice, victory="Slept well")
    await kit.restart()
    kit.discord.fail("POST", r"/channels/\d+/messages$", 403, 50013)
    assert await cog(kit).recover() == 0
    victory = await kit.store.victories.get(1)
    assert not victory.public and victory.channel_id is None and cards(kit) == []


# ----- erase -------------------------------------------------------------------------------
async def test_erase_sweeps_a_card_whose_id_is_unknown(kit, monkeypatch):
    alice = kit.member("alice")
    await celebrate_and_die_before_recording(kit, monkeypatch, alice)
    victory = await kit.store.victories.get(1)
    jobs = await kit.store.victories.discord_cleanup_for_member(kit.guild.id, alice.id)
    [job] = [j for j in jobs if j.action == "sweep"]
    assert job.channel_id == kit.channel("general").id
    assert job.content == CHEER  # the exact custom id of its Cheer button
    # A lower bound for the card's id: a minute before the victory was saved.
    bound = discord.utils.snowflake_time(job.message_id)
    assert victory.created_at - timedelta(seconds=61) < bound <= victory.created_at
    assert job.message_id >> 22 == discord.utils.time_snowflake(bound) >> 22


async def test_erase_takes_down_a_card_whose_id_was_never_recorded(tmp_path, monkeypatch):
    # The fake Discord's ids count from 1 January 2026: a clock just before keeps its ids
    # after the sweep's bound, as Discord's real ids are after a victory's real instant.
    kit = await Kit.start(
        tmp_path, monkeypatch, clock=FakeClock(datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    )
    try:
        alice, bob = kit.member("alice"), kit.member("bob")
        card = await celebrate_and_die_before_recording(kit, monkeypatch, alice)
        for n in range(9):  # bob's victories #2 to #10: "kindred:cheer:1" must not name #10
            await bob.slash("celebrate", victory=f"Bob's own win {n}")
        bobs = [card for victory_id in range(2, 11) for card in cards(kit, victory_id)]
        assert len(bobs) == 9
        erase, _ = erase_ids(await alice.slash("mydata erase"))
        done = await alice.click(erase)
        assert "erased everything" in done.reply.text
        for _ in range(3):  # the janitor's rounds finish what is left
            await kit.run(kit.bot.get_cog("Care").cleanup_tick())
        assert await kit.store.care.pending_cleanup(kit.guild.id) == 0
        assert int(card["id"]) not in kit.discord.messages  # swept: found by its button
        assert all(int(c["id"]) in kit.discord.messages for c in bobs)  # others' cards stay
    finally:
        await kit.close()


def test_sweep_bounds_of_victories_saved_together_differ_and_match_discords_ids():
    at = int(datetime(2026, 12, 7, 11, 0, tzinfo=UTC).timestamp())
    first, second = sweep_job(41, 5, at), sweep_job(42, 5, at)
    assert first.message_id != second.message_id  # one job each (unique per channel+bound)
    expected = discord.utils.time_snowflake(datetime.fromtimestamp(at - 60, UTC))
    assert first.message_id >> 22 == expected >> 22
    assert first.message_id < discord.utils.time_snowflake(datetime.fromtimestamp(at, UTC))


async def test_a_recorded_card_gets_no_sweep(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Walked the dog")
    jobs = await kit.store.victories.discord_cleanup_for_member(kit.guild.id, alice.id)
    assert [j.action for j in jobs] == ["delete"]


# ----- the weekly digest -------------------------------------------------------------------------
async def crash_after_the_digest(kit, monkeypatch, *, who=None):
    """The digest reaches Discord, then the process stops before recording it."""
    channel = await with_channel(kit)
    await (who or kit.member("alice")).slash("celebrate", victory="Held on", value="hope")
    await tick(kit)
    kit.clock.set(SUNDAY_1800)

    async def died(*args, **kwargs):
        raise RuntimeError("the process died before recording the digest")

    monkeypatch.setattr(kit.store.victories, "finish_digest", died)
    [post] = digest_posts(await tick(kit), channel)
    assert await digests(kit) == [("2026-03-02", "claimed", 1)]
    await kit.restart()
    return channel, post


async def message_id_of_digest(kit) -> int | None:
    row = await kit.store.fetchone("SELECT message_id FROM victory_digests")
    return row[0]


async def test_a_digest_found_after_the_catch_up_window_is_recorded_not_failed(kit, monkeypatch):
    channel, post = await crash_after_the_digest(kit, monkeypatch)
    [message] = [m for m in kit.discord.messages.values() if m["embeds"] == post.embeds]
    kit.clock.set(SUNDAY_1800 + timedelta(hours=7))  # offline longer than the window
    out = await tick(kit)
    assert out.to("/channels/{channel_id}/messages", "GET")  # looked first
    assert digest_posts(out, channel) == []
    assert await digests(kit) == [("2026-03-02", "sent", 1)]
    assert await message_id_of_digest(kit) == int(message["id"])


async def test_a_digest_not_found_after_the_window_gives_the_week_up_without_posting(
    kit, monkeypatch
):
    channel, _ = await crash_after_the_digest(kit, monkeypatch)
    kit.discord.messages.clear()  # it never reached Discord
    kit.clock.set(SUNDAY_1800 + timedelta(hours=7))
    out = await tick(kit)
    assert digest_posts(out, channel) == []
    assert await digests(kit) == [("2026-03-02", "failed", 1)]


async def test_a_late_digest_waits_while_discord_cant_be_asked(kit, monkeypatch):
    channel, post = await crash_after_the_digest(kit, monkeypatch)
    kit.clock.set(SUNDAY_1800 + timedelta(hours=7))
    kit.discord.fail("GET", rf"^/channels/{channel.id}/messages$", 503, 0, times=1)
    assert digest_posts(await tick(kit), channel) == []
    assert await digests(kit) == [("2026-03-02", "claimed", 1)]  # not given up unseen
    kit.clock.advance(minutes=1)
    assert digest_posts(await tick(kit), channel) == []
    assert await digests(kit) == [("2026-03-02", "sent", 1)]


async def test_a_claim_never_sent_expires_without_looking(kit):
    channel = await with_channel(kit)
    await tick(kit)
    kit.clock.set(SUNDAY_1800)
    kit.discord.fail("POST", rf"^/channels/{channel.id}/messages$", 503, 0, times=1)
    await tick(kit)
    await kit.store.execute("UPDATE victory_digests SET attempts = 0")  # died before sending
    kit.clock.set(SUNDAY_1800 + timedelta(hours=7))
    out = await tick(kit)
    assert out.to("/channels/{channel_id}/messages", "GET") == []
    assert digest_posts(out, channel) == []
    assert await digests(kit) == [("2026-03-02", "failed", 0)]


async def test_a_found_digest_is_drawn_again_when_an_erase_came_in_between(kit, monkeypatch):
    alice, bob = kit.member("alice"), kit.member("bob")
    await bob.slash("celebrate", victory="Bob kept going", value="courage")
    channel, post = await crash_after_the_digest(kit, monkeypatch, who=alice)
    assert "Held on" in post.embeds[0]["description"]
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    await alice.click(erase)  # the digest's claim is open: no job could reach it
    kit.clock.advance(minutes=2)
    out = await tick(kit)
    assert digest_posts(out, channel) == []
    [edit] = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")
    assert "Held on" not in edit.embeds[0]["description"]
    assert "Bob kept going" in edit.embeds[0]["description"]
    assert await digests(kit) == [("2026-03-02", "sent", 1)]


async def test_a_found_digest_that_is_still_right_is_not_edited(kit, monkeypatch):
    await crash_after_the_digest(kit, monkeypatch)
    kit.clock.advance(minutes=2)
    out = await tick(kit)
    assert out.to("/channels/{channel_id}/messages/{message_id}", "PATCH") == []
    assert await digests(kit) == [("2026-03-02", "sent", 1)]


async def test_a_card_discord_took_while_answering_errors_is_found_not_hidden(kit, monkeypatch):
    from bot import sendqueue
    from tests.kit.fake_discord import http_error

    monkeypatch.setattr(sendqueue, "RETRY_PAUSES", (0.0, 0.0))
    answer = kit.discord.answer

    def took_it_then_failed(request, route):
        result = answer(request, route)
        if request.method == "POST" and request.route == "/channels/{channel_id}/messages":
            raise http_error(503)  # Discord kept the card, then answered with an error
        return result

    monkeypatch.setattr(kit.discord, "answer", took_it_then_failed)
    out = await kit.member("alice").slash("celebrate", victory="Walked the dog")
    [card] = cards(kit)  # every try carried the same nonce: one card
    victory = await kit.store.victories.get(1)
    assert victory.public and victory.message_id == int(card["id"])
    assert len(out.replies) == 1, "not told it was kept private while it is up"
