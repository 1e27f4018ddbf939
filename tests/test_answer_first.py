"""Answer first: every interaction is answered (or deferred) after at most one store call.

The kit puts every store call on one timeline with Discord's requests as they start
(`Outcome.store_calls_before_answer`), so these tests count the trips to the database a
member waits through before Discord hears back. Settings and the values library are held
in memory, so they cost none.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.test_share import STORY, share, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

MOST = 1


def answered_after_one_hop(out, what: str) -> None:
    calls = out.store_calls_before_answer
    assert calls is not None, f"{what}: never answered; requests were {out.requests}"
    assert calls <= MOST, f"{what}: {calls} store calls before the answer (at most {MOST})"


@pytest.fixture
async def wins(kit, mo):
    kit.add_channel("wins")
    await mo.slash("celebrations channel", channel="wins")


# ----- /share ---------------------------------------------------------------------------------
async def test_share_open_form_value_and_post_each_answer_after_one_hop(kit, mo):
    alice = kit.member("alice")
    out = await alice.slash("share")
    assert out.modal is not None
    answered_after_one_hop(out, "/share (empty form)")
    out = await alice.submit_modal(story=STORY, title="Knocking", post_as="anonymous", consent=True)
    answered_after_one_hop(out, "the form submit")
    sid = story_id(out)
    out = await alice.select(f"kindred:story:value:{sid}", ["hope"])
    answered_after_one_hop(out, "the value pick")
    out = await alice.click(f"kindred:story:post:{sid}")
    answered_after_one_hop(out, "Post")
    assert "Your story is shared" in out.replies[-1].text  # the work after the answer landed


async def test_share_open_on_a_saved_draft_answers_after_one_hop(kit, mo):
    alice = kit.member("alice")
    await write(alice)
    out = await alice.slash("share")
    answered_after_one_hop(out, "/share (a draft waiting)")
    assert "kindred:story:edit:" in " ".join(out.reply.custom_ids)


async def test_reply_as_author_answers_after_one_hop(kit, mo):
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice)
    answered_after_one_hop(await bob.click(f"kindred:story:reply:{sid}"), "Reply (not author)")
    out = await alice.click(f"kindred:story:reply:{sid}")
    assert out.modal is not None
    answered_after_one_hop(out, "Reply as author")
    out = await alice.submit_modal(reply="Thank you all. Reading these helped more than I can say.")
    answered_after_one_hop(out, "the reply submit")


async def test_mystories_and_its_buttons_answer_after_one_hop(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    answered_after_one_hop(await alice.slash("mystories"), "/mystories")
    answered_after_one_hop(await alice.click(f"kindred:story:lock:{sid}"), "Lock replies")
    answered_after_one_hop(await alice.click(f"kindred:story:delete:{sid}"), "Delete")


# ----- victories ------------------------------------------------------------------------------
async def test_celebrate_cheer_and_victories_answer_after_one_hop(kit, wins):
    alice, bob = kit.member("alice"), kit.member("bob")
    out = await alice.slash("celebrate", victory="Slept through the night")
    answered_after_one_hop(out, "/celebrate")
    [card] = out.posts
    [cheer] = [c for c in card.custom_ids if c.startswith("kindred:cheer:")]
    answered_after_one_hop(await bob.click(cheer), "Cheer")
    answered_after_one_hop(await alice.slash("victories"), "/victories")
    answered_after_one_hop(await bob.slash("victories", member=alice), "/victories member:")
    answered_after_one_hop(
        await alice.slash("celebrate", victory="Only for me", visibility="just me"),
        "/celebrate just me",
    )
    answered_after_one_hop(await alice.slash("celebrate-quotes"), "/celebrate-quotes")


# ----- prompts and the rest -------------------------------------------------------------------
async def test_suggest_answers_after_one_hop(kit, mo):
    alice = kit.member("alice")
    out = await alice.slash("suggest", text="What helped you through today?", value="hope")
    answered_after_one_hop(out, "/suggest")
    assert "moderators" in out.replies[-1].text


MEMBER_COMMANDS = [
    ("help", {}),
    ("values", {}),
    ("privacy", {}),
    ("mydata export", {}),
    ("mydata erase", {}),
]
MODERATOR_COMMANDS = [
    ("settings show", {}),
    ("settings timezone", {"zone": "Europe/Berlin"}),
    ("settings mod-channel", {"channel": "mods"}),
    ("prompts schedule", {"channel": "general", "time": "19:30"}),
    ("prompts preview", {}),
    ("prompts pause", {}),
    ("prompts resume", {}),
    ("prompts skip", {}),
    ("prompts post-now", {}),
    ("prompts add", {"text": "What small thing steadied you this week?", "value": "hope"}),
    ("prompts list", {}),
    ("prompts values", {}),
    ("prompts history", {}),
    ("stories channel", {"channel": "stories"}),
    ("stories review", {"mode": "on"}),
    ("stories nudge", {"hours": 12}),
    ("celebrations channel", {"channel": "general"}),
    ("celebrations digest", {"day": "Monday", "time": "18:00"}),
    ("celebrations digest-off", {}),
    ("celebrations digest-on", {}),
    ("care resources add", {"name": "Samaritans", "contact": "116 123"}),
    ("care resources list", {}),
]


@pytest.mark.parametrize("command, options", MEMBER_COMMANDS + MODERATOR_COMMANDS)
async def test_every_other_command_answers_after_one_hop(kit, mo, command, options):
    """With a schedule set first, so the prompt commands have something to act on."""
    await mo.slash("prompts schedule", channel="general", time="19:30")
    moderator = (command, options) in MODERATOR_COMMANDS
    person = mo if moderator else kit.member("alice")
    if not moderator:
        await person.slash("celebrate", victory="Walked to the shop", visibility="just me")
    out = await person.slash(command, **options)
    answered_after_one_hop(out, f"/{command}")


# ----- the settings held in memory --------------------------------------------------------------
async def test_held_settings_cost_no_hop_and_a_write_is_seen_at_once(kit, mo):
    guilds, stories = kit.store.guilds, kit.store.stories
    first = await guilds.get(kit.guild.id)
    started = len(kit.discord.timeline)
    assert await guilds.get(kit.guild.id) == first
    assert await stories.settings(kit.guild.id) == await stories.settings(kit.guild.id)
    assert kit.discord.timeline[started:] == [], "held settings went to the database"
    changed = await guilds.set_timezone(kit.guild.id, "Asia/Tokyo")
    assert changed.timezone == "Asia/Tokyo"
    assert (await guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"
    await stories.set_review(kit.guild.id, True)
    assert (await stories.settings(kit.guild.id)).review is True
    await kit.restart()  # a new process reads what the last one wrote
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"
    assert (await kit.store.stories.settings(kit.guild.id)).review is True


async def test_a_read_that_started_before_a_write_never_keeps_the_old_settings(kit, mo):
    """Both queued at once: the read's old answer must not outlive the write."""
    guilds = kit.store.guilds
    guilds.held.forget()
    reading = asyncio.ensure_future(guilds.get(kit.guild.id))
    writing = asyncio.ensure_future(guilds.set_timezone(kit.guild.id, "America/Chicago"))
    await asyncio.gather(reading, writing)
    assert (await guilds.get(kit.guild.id)).timezone == "America/Chicago"


async def test_a_purged_server_is_forgotten_by_every_held_setting(kit, mo):
    assert (await kit.store.stories.settings(kit.guild.id)).channel_id is not None
    await kit.store.guilds.purge(kit.guild.id)
    assert (await kit.store.stories.settings(kit.guild.id)).channel_id is None
    assert (await kit.store.guilds.get(kit.guild.id)).mod_channel_id is None
