"""KindredBot's wiring: intents, mentions, command sync only on change, error sentences."""

from __future__ import annotations

import gc
import logging
import platform
import sys

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.client import COMMAND_HASH_KEY, EXTENSIONS, share_one_malloc_arena


async def test_default_intents_only_and_mentions_off(kit):
    intents = kit.bot.intents
    assert intents.guilds
    assert not intents.message_content and not intents.members and not intents.presences
    mentions = kit.bot.allowed_mentions
    assert mentions.to_dict() == {"parse": []}
    assert tuple(kit.bot.extensions) == EXTENSIONS


async def test_commands_sync_only_when_their_shape_changes(kit):
    put = "/applications/{application_id}/commands"
    kit.discord.clear()
    assert await kit.bot.sync_if_changed() is True
    assert len(kit.discord.requests) == 1 and kit.discord.requests[0].route == put
    assert await kit.store.meta.get(COMMAND_HASH_KEY) == kit.bot.command_tree_hash()

    await kit.restart()
    kit.discord.clear()
    assert await kit.bot.sync_if_changed() is False
    assert kit.discord.requests == []

    @app_commands.command(name="brand-new", description="a new command")
    async def brand_new(interaction: discord.Interaction) -> None: ...

    kit.bot.tree.add_command(brand_new)
    assert await kit.bot.sync_if_changed() is True
    synced = kit.discord.requests[-1].body
    assert "brand-new" in {command["name"] for command in synced}


class Broken(commands.Cog):
    @app_commands.command(name="broken", description="fails on purpose")
    async def broken(self, interaction: discord.Interaction) -> None:
        raise KeyError("secret internal detail")

    @app_commands.command(name="slow", description="fails after deferring")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise ValueError("another secret")

    @app_commands.command(name="calm", description="has a cooldown")
    @app_commands.checks.cooldown(1, 60)
    async def calm(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def test_unexpected_errors_become_one_kind_sentence_with_an_id(kit, caplog):
    await kit.bot.add_cog(Broken())
    alice = kit.member("alice")
    with caplog.at_level(logging.ERROR, logger="kindred.errors"):
        out = await alice.slash("broken")
    reply = out.reply
    assert reply.ephemeral
    interaction_id = out.callbacks[0].path.split("/")[2]
    assert f"quote this id: {interaction_id}" in reply.content
    assert "secret" not in reply.content
    assert any(
        interaction_id in record.getMessage() and record.exc_info for record in caplog.records
    )


async def test_errors_after_defer_arrive_as_an_ephemeral_followup(kit):
    await kit.bot.add_cog(Broken())
    out = await kit.member("alice").slash("slow")
    followups = [r for r in out.requests if r.route.startswith("/webhooks/")]
    assert followups and followups[0].ephemeral
    assert "went wrong on our side" in followups[0].content
    assert "secret" not in followups[0].content


async def test_cooldowns_are_told_kindly(kit):
    await kit.bot.add_cog(Broken())
    alice = kit.member("alice")
    assert (await alice.slash("calm")).reply.content == "ok"
    out = await alice.slash("calm")
    assert out.reply.ephemeral
    assert "take a breath" in out.reply.content and "seconds" in out.reply.content


async def test_no_message_cache_kindred_reads_each_message_once(kit):
    """discord.py would keep the last 1,000 messages (~1.5 MB, bench/memory.py); Kindred only
    needs each message as it arrives (the story-reply listener), never a cached copy."""
    assert kit.bot._connection.max_messages is None
    await kit.dispatch_message(int(kit.channels["general"]["id"]), kit.member("alice"))
    assert list(kit.bot.cached_messages) == []


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc's mallopt only",
)
def test_threads_share_one_malloc_arena_on_glibc():
    assert share_one_malloc_arena() is True


def test_the_malloc_arena_setting_is_skipped_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert share_one_malloc_arena() is False


async def test_on_ready_freezes_what_lives_as_long_as_the_bot(kit):
    """Full collections then skip the modules and discord.py's cache (bench/interactions.py)."""
    long_lived = object.__new__(type("LongLived", (), {}))  # a tracked object alive at ready
    gc.unfreeze()
    try:
        await kit.bot.on_ready()
        assert gc.get_freeze_count() > 0
        assert gc.is_tracked(long_lived) and not any(o is long_lived for o in gc.get_objects())
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
