"""The moderator channel is never one that @everyone can read: crisis notes name members.

`/settings mod-channel` refuses such a channel, `/settings show` says when the chosen one
has been opened since, and `private_mod_channel` (what `alert_moderators` sends through)
gives nothing for it at the moment of sending. `everyone_can_read` is checked on real
discord.py channels and threads built by the kit, with real permission overwrites.
"""

from __future__ import annotations

import logging

import discord
import pytest

from bot.care import alert_moderators
from bot.checks import everyone_can_read, private_mod_channel, require_private
from bot.errors import Refusal
from tests.kit import GUILD_ID, MOD_CHANNEL


async def settings(kit):
    return await kit.store.guilds.get(kit.guild.id)


def mod_posts(outcome, kit, name=MOD_CHANNEL) -> list:
    path = f"/channels/{kit.channels[name]['id']}/messages"
    return [p for p in outcome.posts if p.path == path]


# ----- /settings mod-channel ------------------------------------------------------------------
async def test_a_channel_everyone_can_read_is_refused_kindly_and_nothing_is_stored(kit):
    kit.add_channel("lounge")
    mo = kit.moderator("mo")
    out = await mo.slash("settings mod-channel", channel="lounge")
    reply = out.reply
    assert reply.callback_type == 4 and reply.flags & 64
    text = reply.content
    assert f"everyone in this server can read <#{kit.channel('lounge').id}>" in text
    assert "Crisis notes name members" in text
    assert "only moderators can see" in text
    assert "turn off View Channel for @everyone" in text
    assert text.endswith("Nothing was changed.")
    assert (await settings(kit)).mod_channel_id is None
    assert out.posts == []


async def test_a_refusal_keeps_the_private_channel_chosen_before(kit):
    mo = kit.moderator("mo")
    kit.add_channel(MOD_CHANNEL)
    await mo.slash("settings mod-channel", channel=MOD_CHANNEL)
    out = await mo.slash("settings mod-channel", channel="general")
    assert out.reply.ephemeral and "Crisis notes name members" in out.reply.content
    assert (await settings(kit)).mod_channel_id == kit.channel(MOD_CHANNEL).id


async def test_a_private_channel_is_accepted(kit):
    kit.add_channel("team", private=True)
    mo = kit.moderator("mo")
    out = await mo.slash("settings mod-channel", channel="team")
    assert out.reply.ephemeral
    assert out.reply.content == f"Moderator notices will go to <#{kit.channel('team').id}>."
    assert (await settings(kit)).mod_channel_id == kit.channel("team").id


async def test_the_kits_moderator_channel_is_private_and_others_are_not(kit):
    kit.add_channel(MOD_CHANNEL)
    assert not everyone_can_read(kit.channel(MOD_CHANNEL))
    assert everyone_can_read(kit.channel("general"))
    # Kindred itself can still post in it, as a moderator would set it up.
    me = kit.guild.me
    assert kit.channel(MOD_CHANNEL).permissions_for(me).send_messages


# ----- /settings show -------------------------------------------------------------------------
async def test_show_says_plainly_when_the_moderator_channel_became_public(kit):
    mo = kit.moderator("mo")
    kit.add_channel(MOD_CHANNEL)
    await mo.slash("settings mod-channel", channel=MOD_CHANNEL)
    mods = kit.channel(MOD_CHANNEL).id

    quiet = await mo.slash("settings show")
    assert f"**Moderator channel:** <#{mods}>" in quiet.reply.text
    assert "⚠️" not in quiet.reply.text and "logged" not in quiet.reply.text

    kit.set_private(MOD_CHANNEL, False)  # someone opened it to @everyone
    out = await mo.slash("settings show")
    assert out.reply.ephemeral
    text = out.reply.text
    assert f"**Moderator channel:** <#{mods}>" in text
    assert f"Everyone in this server can read <#{mods}> now" in text
    assert "Crisis notes name members" in text
    assert "logged instead of sent there until that is fixed" in text
    assert "/settings mod-channel" in text

    kit.set_private(MOD_CHANNEL, True)
    again = await mo.slash("settings show")
    assert "logged" not in again.reply.text


async def test_show_says_when_the_moderator_channel_is_gone(kit):
    mo = kit.moderator("mo")
    await kit.store.guilds.set_mod_channel(kit.guild.id, 1234)
    out = await mo.slash("settings show")
    assert "I can't find <#1234> any more" in out.reply.text
    assert "logged instead of sent" in out.reply.text


# ----- a crisis note is never sent to a channel @everyone can read at the time of sending ------
async def test_a_crisis_note_goes_only_to_a_channel_that_is_private_when_it_is_sent(kit, caplog):
    mo = kit.moderator("mo")
    kit.add_channel(MOD_CHANNEL)
    await mo.slash("settings mod-channel", channel=MOD_CHANNEL)
    note = "<@42>'s story may need care"

    sent = await kit.run(alert_moderators(kit.bot, kit.guild.id, note))
    [post] = mod_posts(sent, kit)
    assert note in post.text

    kit.set_private(MOD_CHANNEL, False)
    with caplog.at_level(logging.WARNING, logger="kindred.care"):
        held = await kit.run(alert_moderators(kit.bot, kit.guild.id, note))
    assert held.requests == []
    assert any(r.name == "kindred.care" and str(kit.guild.id) in r.message for r in caplog.records)
    assert all(note not in r.getMessage() for r in caplog.records)


async def test_private_mod_channel_gives_the_channel_only_while_it_is_private(kit):
    kit.add_channel(MOD_CHANNEL)
    mods = kit.channel(MOD_CHANNEL)
    await kit.store.guilds.set_mod_channel(kit.guild.id, mods.id)
    assert private_mod_channel(kit.bot, kit.guild.id, await settings(kit)).id == mods.id
    assert private_mod_channel(kit.bot, kit.guild.id + 1, await settings(kit)) is None
    kit.set_private(MOD_CHANNEL, False)
    assert private_mod_channel(kit.bot, kit.guild.id, await settings(kit)) is None
    kit.set_private(MOD_CHANNEL, True)
    assert private_mod_channel(kit.bot, kit.guild.id, await settings(kit)).id == mods.id


async def test_private_mod_channel_is_none_when_unset_or_gone(kit):
    assert private_mod_channel(kit.bot, kit.guild.id, await settings(kit)) is None
    await kit.store.guilds.set_mod_channel(kit.guild.id, 1234)
    assert private_mod_channel(kit.bot, kit.guild.id, await settings(kit)) is None


# ----- everyone_can_read on real discord.py objects -------------------------------------------
async def test_everyone_can_read_follows_the_everyone_overwrite(kit):
    kit.add_channel("open")
    kit.add_channel("closed", private=True)
    assert everyone_can_read(kit.channel("open"))
    assert not everyone_can_read(kit.channel("closed"))
    kit.set_private("open", True)
    kit.set_private("closed", False)
    assert not everyone_can_read(kit.channel("open"))
    assert everyone_can_read(kit.channel("closed"))


async def test_other_roles_and_members_do_not_change_what_everyone_reads(kit):
    helpers = kit.add_role("helpers")
    kit.add_channel("helpers-only", private=True)
    kit.add_overwrite("helpers-only", helpers, kind=0, allow=("view_channel",))
    assert not everyone_can_read(kit.channel("helpers-only"))
    kit.add_channel("open")
    kit.add_overwrite("open", helpers, kind=0, deny=("view_channel",))
    kit.add_overwrite("open", 12345, kind=1, deny=("view_channel",))  # one member
    assert everyone_can_read(kit.channel("open"))


async def test_a_server_whose_everyone_role_cannot_view_channels(kit):
    everyone = kit.roles[0]
    assert everyone["id"] == str(GUILD_ID)
    everyone["permissions"] = str(discord.Permissions(send_messages=True).value)
    kit.add_channel("lounge")
    assert not everyone_can_read(kit.channel("lounge"))
    kit.add_overwrite("lounge", GUILD_ID, kind=0, allow=("view_channel",))  # per channel
    assert everyone_can_read(kit.channel("lounge"))


@pytest.mark.parametrize("private_thread", [False, True])
async def test_a_thread_is_judged_by_its_parent(kit, private_thread):
    kit.add_channel("lounge")
    kit.add_channel(MOD_CHANNEL)
    in_public = kit.add_thread("talk", "lounge", private=private_thread)
    in_private = kit.add_thread("cases", MOD_CHANNEL, private=private_thread)
    assert isinstance(in_public, discord.Thread) and isinstance(in_private, discord.Thread)
    assert in_public.is_private() == private_thread
    assert everyone_can_read(in_public)  # anyone in #lounge can be added, even to a private one
    assert not everyone_can_read(in_private)
    kit.set_private("lounge", True)
    assert not everyone_can_read(kit.guild.get_thread(in_public.id))


async def test_a_thread_in_a_readable_channel_is_refused_saying_why(kit):
    kit.add_channel("lounge")
    thread = kit.add_thread("mods-only", "lounge", private=True)
    with pytest.raises(Refusal) as refused:
        require_private(thread)
    text = refused.value.message
    assert f"{thread.mention} is a thread in {kit.channel('lounge').mention}" in text
    assert "everyone in this server can read" in text and "Crisis notes name members" in text
    kit.add_channel(MOD_CHANNEL)
    require_private(kit.add_thread("cases", MOD_CHANNEL, private=True))  # no refusal


async def test_a_thread_whose_parent_is_unknown_counts_as_readable(kit):
    kit.add_channel(MOD_CHANNEL)
    kit.add_thread("cases", MOD_CHANNEL, private=True)
    orphan = discord.Thread(
        guild=kit.guild, state=kit.bot._connection, data={**kit.threads["cases"], "parent_id": "1"}
    )
    assert orphan.parent is None
    assert everyone_can_read(orphan)  # can't tell, so nothing private is sent there
