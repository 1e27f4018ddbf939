"""/mydata export and erase through the kit, and the janitor that finishes erasures on Discord.

`PostedStories` stands in for a repository whose rows are posted messages (stories): it
honours the contract in bot/store/base.py, so the erase must replace the story with
"This story was removed by its author." and lock its thread, retrying what Discord refuses.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from bot.errors import GUILD_ONLY
from bot.store import Store
from bot.store.base import STORY_REMOVED, CleanupJob, Repository
from cogs.care import mydata
from tests.test_care import CRISIS, add_probe, with_mod_channel


class PostedStories(Repository):
    """An in-memory repository of published stories: thread id and starter message id."""

    def __init__(self):
        self.posts: dict[int, list[tuple[int, int]]] = {}

    async def export_member(self, guild_id, member_id):
        return {
            "probe_stories": [
                {"thread_id": t, "message_id": m, "member_id": member_id}
                for t, m in self.posts.get(member_id, [])
            ]
        }

    async def discord_cleanup_for_member(self, guild_id, member_id):
        jobs = []
        for thread_id, message_id in self.posts.get(member_id, []):
            jobs.append(CleanupJob(thread_id, message_id, "replace", STORY_REMOVED))
            jobs.append(CleanupJob(thread_id, 0, "lock", "Removed by its author"))
        return jobs

    def erase_member_rows(self, db, guild_id, member_id):
        self.posts.pop(member_id, None)


@pytest.fixture
def stories(monkeypatch) -> PostedStories:
    fake = PostedStories()
    real = Store.repositories.fget
    monkeypatch.setattr(Store, "repositories", property(lambda self: (*real(self), fake)))
    return fake


async def publish(kit, stories: PostedStories, person) -> tuple[int, int]:
    """Post a story as a forum post, as /share would, and record it for `person`."""
    if "stories" not in kit.channels:
        kit.add_channel("stories", kind=15)
    forum = kit.channel("stories")
    made = await forum.create_thread(name="My first week sober", content="the story text")
    stories.posts.setdefault(person.id, []).append((made.thread.id, made.message.id))
    return made.thread.id, made.message.id


async def give_data(kit, person) -> None:
    await kit.store.care.claim_notice(kit.guild.id, person.id, kit.clock())
    await kit.store.care.add_reveal(
        kit.guild.id, person.id, "https://discord.com/channels/1/2/3", kit.clock()
    )


def erase_ids(outcome) -> tuple[str, str]:
    ids = outcome.reply.custom_ids
    [erase] = [c for c in ids if c.startswith("kindred:mydata:erase:")]
    [keep] = [c for c in ids if c.startswith("kindred:mydata:keep:")]
    return erase, keep


def patches_to(outcome, path: str) -> list:
    return [r for r in outcome.requests if r.method == "PATCH" and r.path == path]


# ----- export --------------------------------------------------------------------------------
async def test_export_sends_everything_as_a_private_json_file(kit, stories):
    alice, bob = kit.member("alice"), kit.member("bob")
    await give_data(kit, alice)
    await give_data(kit, bob)
    thread_id, message_id = await publish(kit, stories, alice)

    out = await alice.slash("mydata export")
    assert out.callbacks[0].callback_type == 5 and out.callbacks[0].ephemeral  # deferred first
    [reply] = [r for r in out.replies if r.files]
    assert reply.ephemeral
    assert "1 support note" in reply.text and "1 offer to tell moderators" in reply.text
    assert "1 other thing" in reply.text  # the probe's table: no plain words for it yet
    [(name, payload)] = reply.files
    assert re.fullmatch(r"kindred-my-data-\d{4}-\d{2}-\d{2}\.json", name)
    document = json.loads(payload)
    assert document["your account"] == str(alice.id) and document["server"] == str(kit.guild.id)
    sections = document["sections"]
    shown = {"utc": kit.clock().isoformat(), "server time": kit.clock().isoformat()}
    assert sections["Support notes shown to you"]["items"] == [{"when": shown}]
    [offer] = sections["Offers to tell moderators it was you"]["items"]
    assert offer["link to what you wrote"] == "https://discord.com/channels/1/2/3"
    assert offer["offered"] == shown and "you said yes" not in offer  # not yet
    # a table nobody named yet still reaches the member, never dropped
    assert sections["Other things Kindred keeps"]["items"] == [
        {"kind": "probe stories", "thread": str(thread_id), "message": str(message_id),
         "member": "you"}
    ]  # fmt: skip
    assert str(bob.id) not in payload.decode()


async def test_export_with_nothing_stored_says_so(kit):
    out = await kit.member("alice").slash("mydata export")
    assert all(r.ephemeral for r in out.replies)
    assert "keeps nothing about you" in out.replies[-1].text
    assert not any(r.files for r in out.replies)


async def test_mydata_needs_a_server(kit):
    dm = kit.dm_user("dana")
    for command in ("mydata export", "mydata erase"):
        out = await dm.slash(command)
        assert out.reply.ephemeral and out.reply.content == GUILD_ONLY


async def test_a_large_export_is_zipped_and_a_huge_one_refused(kit):
    data = mydata.MemberData(1, 2, kit.clock(), {"notes": [{"text": "a" * 5000}]})
    name, payload = mydata.export_file(data, 10_000_000)
    assert name.endswith(".json")
    name, zipped = mydata.export_file(data, 1000)
    assert name.endswith(".zip") and len(zipped) <= 1000
    assert mydata.export_file(data, 10) is None


# ----- erase: the confirmation ---------------------------------------------------------------
async def test_erase_asks_first_and_changes_nothing_until_confirmed(kit, stories):
    alice = kit.member("alice")
    await give_data(kit, alice)
    out = await alice.slash("mydata erase")
    assert out.reply.ephemeral
    assert "1 support note" in out.reply.text and "can't be undone" in out.reply.text
    erase, keep = erase_ids(out)
    assert erase.startswith(f"kindred:mydata:erase:{alice.id}:")
    assert keep == f"kindred:mydata:keep:{alice.id}"
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 2

    kept = await alice.click(keep)
    assert kept.reply.callback_type == 7 and "Nothing was erased" in kept.reply.text
    assert kept.reply.custom_ids == []
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 2


async def test_confirmed_erase_deletes_everything_and_is_idempotent(kit, stories):
    alice, bob = kit.member("alice"), kit.member("bob")
    await give_data(kit, alice)
    await give_data(kit, bob)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    stale = kit.discord.message_with(erase)  # as a second, quick press would carry it
    done = await alice.click(erase)
    assert done.reply.callback_type == 7 and done.reply.custom_ids == []
    assert "erased everything" in done.reply.text
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 0
    assert (await mydata.collect(kit.store, kit.guild.id, bob.id, kit.clock())).total == 2

    again = await alice.click(erase, message=stale)
    assert "nothing left to erase" in again.reply.text
    asked = await alice.slash("mydata erase")
    assert "nothing to erase" in asked.reply.text and asked.reply.custom_ids == []


async def test_only_the_member_can_confirm_their_erase(kit, stories):
    alice, bob = kit.member("alice"), kit.member("bob")
    await give_data(kit, alice)
    erase, keep = erase_ids(await alice.slash("mydata erase"))
    for custom_id in (erase, keep):
        out = await bob.click(custom_id)
        assert out.reply.ephemeral and "someone else's request" in out.reply.text
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 2


async def test_an_old_confirmation_must_be_asked_for_again(kit, stories):
    alice = kit.member("alice")
    await give_data(kit, alice)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    kit.clock.advance(minutes=16)
    out = await alice.click(erase)
    assert out.reply.ephemeral and "more than 15 minutes old" in out.reply.text
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 2


async def test_the_confirmation_survives_a_restart(kit, stories):
    alice = kit.member("alice")
    await give_data(kit, alice)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    await kit.restart()
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text


async def test_erase_clears_what_the_crisis_flow_stored(kit):
    await add_probe(kit)
    await with_mod_channel(kit)
    alice = kit.member("alice")
    await alice.slash("probe-share", text=CRISIS, anonymous=True)
    before = await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())
    assert before.counts == {"care_reveals": 1, "crisis_notices": 1}
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    await alice.click(erase)
    assert (await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())).total == 0


# ----- erase: published stories on Discord ------------------------------------------------------
async def test_a_published_story_is_replaced_and_its_thread_locked(kit, stories):
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    assert STORY_REMOVED in out.reply.text
    [edit] = patches_to(out, f"/channels/{thread_id}/messages/{message_id}")
    assert edit.body["content"] == STORY_REMOVED
    assert edit.body["embeds"] == [] and edit.body["components"] == []
    [lock] = patches_to(out, f"/channels/{thread_id}")
    assert lock.body == {"locked": True, "archived": True, "name": "Removed by its author"}
    assert out.requests.index(edit) < out.requests.index(lock)
    assert kit.discord.messages[message_id]["content"] == STORY_REMOVED
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0
    assert stories.posts == {}


async def test_refused_cleanup_never_blocks_the_erase_and_is_retried(kit, stories):
    mods = await with_mod_channel(kit)
    cog = kit.bot.get_cog("Care")
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.fail("PATCH", rf"^/channels/{thread_id}/messages/{message_id}$", 403, 50013)

    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text
    assert stories.posts == {}
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 1  # the lock went through
    [notice] = [p for p in out.posts if p.path == f"/channels/{mods}/messages"]
    assert "couldn't yet remove" in notice.text and str(message_id) in notice.text
    assert notice.allowed_mentions == {"parse": []}

    early = await kit.run(cog.cleanup_tick())
    assert patches_to(early, f"/channels/{thread_id}/messages/{message_id}") == []  # not due yet
    kit.clock.advance(minutes=5)
    second = await kit.run(cog.cleanup_tick())
    assert len(patches_to(second, f"/channels/{thread_id}/messages/{message_id}")) == 1
    assert second.posts == []  # moderators heard once
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 1

    kit.discord.failures.clear()
    kit.clock.advance(minutes=10)
    await kit.run(cog.cleanup_tick())
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0
    assert kit.discord.messages[message_id]["content"] == STORY_REMOVED


async def test_cleanup_retries_survive_a_restart(kit, stories):
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.fail("PATCH", rf"^/channels/{thread_id}/messages/{message_id}$", 500, 0)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    await alice.click(erase)
    await kit.restart()
    kit.discord.failures.clear()
    kit.clock.advance(minutes=5)
    await kit.run(kit.bot.get_cog("Care").cleanup_tick())
    assert kit.discord.messages[message_id]["content"] == STORY_REMOVED
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_a_message_already_gone_counts_as_cleaned(kit, stories):
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.messages.pop(message_id)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_an_archived_thread_is_reopened_for_the_edit(kit, stories):
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.fail("PATCH", rf"^/channels/{thread_id}/messages/", 400, 50083, times=1)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    bodies = [r.body for r in patches_to(out, f"/channels/{thread_id}")]
    assert bodies[:2] == [{"archived": False}, {"archived": True}]
    assert kit.discord.messages[message_id]["content"] == STORY_REMOVED
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_a_components_v2_story_is_replaced_with_a_text_block(kit, stories):
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.fail("PATCH", rf"^/channels/{thread_id}/messages/", 400, 50035, times=1)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    [_, edit] = patches_to(out, f"/channels/{thread_id}/messages/{message_id}")
    assert STORY_REMOVED in edit.text and "content" not in edit.body
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_after_a_week_of_refusals_moderators_are_asked_to_finish_by_hand(kit, stories):
    mods = await with_mod_channel(kit)
    cog = kit.bot.get_cog("Care")
    alice = kit.member("alice")
    thread_id, message_id = await publish(kit, stories, alice)
    kit.discord.fail("PATCH", rf"^/channels/{thread_id}/messages/", 403, 50013)
    erase, _ = erase_ids(await alice.slash("mydata erase"))
    await alice.click(erase)
    notes = []
    for _ in range(20):
        kit.clock.advance(hours=12)
        out = await kit.run(cog.cleanup_tick())
        notes += [p.text for p in out.posts if p.path == f"/channels/{mods}/messages"]
    assert len(notes) == 1 and "finish a removal by hand" in notes[0]
    assert f"/{thread_id}/{message_id}" in notes[0]
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_queued_jobs_are_kept_once(kit):
    job = CleanupJob(11, 12, "delete")
    await kit.store.care.queue_cleanup(kit.guild.id, [job, job], kit.clock())
    await kit.store.care.queue_cleanup(kit.guild.id, [job], kit.clock())
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 1
    cog = kit.bot.get_cog("Care")
    out = await kit.run(cog.cleanup_tick())
    assert [r.path for r in out.requests if r.method == "DELETE"] == ["/channels/11/messages/12"]
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0


async def test_confirmation_window_is_fifteen_minutes(clock):
    issued = clock()
    assert not mydata.confirmation_expired(issued, issued + timedelta(minutes=15))
    assert mydata.confirmation_expired(issued, issued + timedelta(minutes=15, seconds=1))
    assert mydata.confirmation_expired(issued, issued - timedelta(hours=1))
