"""/settings and /help, driven through the kit as members and moderators would."""

from __future__ import annotations

from discord import app_commands

from bot.errors import NOT_MODERATOR


async def test_timezone_is_set_by_a_moderator(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("settings timezone", zone="Europe/Berlin")
    assert out.reply.ephemeral
    assert "Europe/Berlin" in out.reply.text
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Europe/Berlin"


async def test_a_zone_typed_in_any_case_is_kept_by_its_proper_name(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("settings timezone", zone="  america/new_york ")
    assert "**America/New_York**" in out.reply.text
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "America/New_York"


async def test_an_unknown_zone_is_refused_kindly_and_changes_nothing(kit):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Asia/Tokyo")
    out = await mo.slash("settings timezone", zone="Mars/Olympus")
    assert out.reply.ephemeral
    assert "don't know the time zone 'Mars/Olympus'" in out.reply.content
    assert "Nothing was changed" in out.reply.content
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"


async def test_timezone_autocomplete_offers_iana_names(kit):
    mo = kit.moderator("mo")
    choices = await mo.autocomplete("settings timezone", "zone", "berl")
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in choices
    assert len(choices) <= 25


async def test_members_without_manage_server_are_refused_server_side(kit):
    alice = kit.member("alice")
    for command, options in [
        ("settings timezone", {"zone": "Europe/Berlin"}),
        ("settings show", {}),
        ("settings mod-channel", {"channel": "general"}),
    ]:
        out = await alice.slash(command, **options)
        assert out.reply.ephemeral
        assert out.reply.content == NOT_MODERATOR
    settings = await kit.store.guilds.get(kit.guild.id)
    assert settings.timezone == "UTC" and settings.mod_channel_id is None


async def test_settings_commands_are_hidden_from_members_by_default_and_guild_only(kit):
    group = kit.bot.tree.get_command("settings")
    assert group.default_permissions.manage_guild
    assert group.guild_only


async def test_settings_refuse_direct_messages(kit):
    dm = kit.dm_user("dee")
    out = await dm.slash("settings show")
    assert out.reply.ephemeral
    assert "inside a server" in out.reply.content


async def test_mod_channel_checks_the_bot_can_post_there(kit):
    kit.add_channel("mods")
    kit.add_channel("locked", deny_bot=("send_messages",), private=True)
    mo = kit.moderator("mo")
    out = await mo.slash("settings mod-channel", channel="locked")
    assert out.reply.ephemeral
    assert "Send Messages" in out.reply.content and "Nothing was changed" in out.reply.content
    assert (await kit.store.guilds.get(kit.guild.id)).mod_channel_id is None
    out = await mo.slash("settings mod-channel", channel="mods")
    assert out.reply.ephemeral and f"<#{kit.channel('mods').id}>" in out.reply.content
    assert (await kit.store.guilds.get(kit.guild.id)).mod_channel_id == kit.channel("mods").id


async def test_settings_show_lists_this_servers_settings(kit):
    mo = kit.moderator("mo")
    kit.add_channel("mods")
    await mo.slash("settings timezone", zone="America/New_York")
    await mo.slash("settings mod-channel", channel="mods")
    out = await mo.slash("settings show")
    assert out.reply.ephemeral
    assert "America/New_York" in out.reply.text
    assert f"<#{kit.channel('mods').id}>" in out.reply.text


async def test_help_lists_every_registered_command_with_its_description(kit):
    out = await kit.member("alice").slash("help")
    assert out.reply.ephemeral
    text = out.reply.text
    assert "values-based peer support" in text
    commands = [c for c in kit.bot.tree.walk_commands() if not isinstance(c, app_commands.Group)]
    assert len(commands) >= 4
    for command in commands:
        assert command.description and command.description != "…", (
            f"/{command.qualified_name} has no help text"
        )
        assert f"`/{command.qualified_name}` — {command.description}" in text


async def test_every_option_has_help_text(kit):
    for command in kit.bot.tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        for parameter in command.parameters:
            assert parameter.description and parameter.description != "…", (
                f"/{command.qualified_name} option {parameter.display_name} has no description"
            )


async def test_help_fits_discord_embed_limits(kit):
    out = await kit.member("alice").slash("help")
    embed = out.reply.embeds[0]
    assert len(embed["description"]) <= 4096
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])
    assert (
        sum(len(field["name"]) + len(field["value"]) for field in embed["fields"])
        + len(embed["title"])
        + len(embed["description"])
        <= 6000
    )
