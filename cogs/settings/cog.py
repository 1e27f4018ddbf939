"""/settings (moderators) and /help (everyone)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import (
    ModeratorGroup,
    everyone_can_read,
    moderator_choices,
    require_can_post,
    require_private,
)
from bot.client import KindredBot
from bot.errors import Refusal
from bot.render import kind_embed
from bot.schedule import read_zone, search_zones
from bot.text import EMBED_FIELD_VALUE_LIMIT, chunk_lines
from bot.ui import answer, think

ABOUT = (
    "Kindred helps this community lift each other up through values-based peer support: "
    "empathy, respect, understanding, honesty, hope and the weight of lived experience. "
    "It isn't a therapist and gives no advice; it makes room for peers to listen and share."
)


class Settings(commands.Cog):
    help_title = "Server settings"

    def __init__(self, bot: KindredBot):
        self.bot = bot

    settings = ModeratorGroup(
        name="settings", description="See and change Kindred's settings for this server"
    )

    @settings.command(name="show", description="Show this server's Kindred settings")
    async def show(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        guild_settings = await self.bot.store.guilds.get(interaction.guild_id)
        lines = [
            f"**Time zone:** {guild_settings.timezone}",
            *mod_channel_lines(self.bot, guild_settings.mod_channel_id),
        ]
        for cog in self.bot.cogs.values():
            describe = getattr(cog, "settings_lines", None)
            if describe is not None:
                lines.extend(await describe(interaction.guild_id))
        embed = kind_embed("Kindred settings", "\n".join(lines))
        await answer(interaction, embed=embed)

    @settings.command(
        name="timezone", description="Set this server's time zone (used for schedules)"
    )
    @app_commands.describe(
        zone="A city, country or IANA time zone, like Berlin, Japan or America/New_York"
    )
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        try:
            known = read_zone(zone)  # a city, country or IANA name; EST gets a suggestion
        except ValueError as error:
            raise Refusal(f"{error} Nothing was changed.") from None
        await self.bot.store.guilds.set_timezone(interaction.guild_id, known.key)
        await interaction.response.send_message(
            f"This server's time zone is now **{known.key}**.", ephemeral=True
        )

    @timezone.autocomplete("zone")
    @moderator_choices
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=name, value=name) for name in search_zones(current, limit=25)
        ]

    @settings.command(
        name="mod-channel", description="Choose where Kindred sends notices for moderators"
    )
    @app_commands.describe(channel="A channel only moderators can read")
    async def mod_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        require_private(channel)
        require_can_post(channel)
        await self.bot.store.guilds.set_mod_channel(interaction.guild_id, channel.id)
        await interaction.response.send_message(
            f"Moderator notices will go to {channel.mention}.", ephemeral=True
        )

    @app_commands.command(name="help", description="What Kindred is for, and every command")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = kind_embed("Kindred", ABOUT)
        for title, lines in help_sections(self.bot):
            for number, chunk in enumerate(chunk_lines(lines, EMBED_FIELD_VALUE_LIMIT)):
                embed.add_field(
                    name=title if number == 0 else f"{title} (more)", value=chunk, inline=False
                )
        await interaction.response.send_message(embed=embed, ephemeral=True)


def mod_channel_lines(bot: KindredBot, channel_id: int | None) -> list[str]:
    """The moderator channel as `/settings show` tells it, with a plain warning whenever
    crisis notes can't go there (they are logged instead, see `private_mod_channel`)."""
    if channel_id is None:
        return ["**Moderator channel:** not set"]
    line = f"**Moderator channel:** <#{channel_id}>"
    channel = bot.get_channel(channel_id)
    if channel is None:
        return [
            line,
            f"⚠️ I can't find <#{channel_id}> any more, so crisis notes are being logged "
            "instead of sent until you choose another with `/settings mod-channel`.",
        ]
    if everyone_can_read(channel):
        return [
            line,
            f"⚠️ Everyone in this server can read <#{channel_id}> now. Crisis notes name "
            "members, so they are being logged instead of sent there until that is fixed: "
            "turn off View Channel for @everyone in its settings, or choose a channel only "
            "moderators can see with `/settings mod-channel`.",
        ]
    return [line]


def help_sections(bot: KindredBot) -> list[tuple[str, list[str]]]:
    """Every slash command with its one-line description, grouped by feature."""
    sections: dict[str, list[str]] = {}
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        root = command.root_parent or command
        moderators = root.default_permissions is not None and root.default_permissions.manage_guild
        cog = command.binding
        title = getattr(cog, "help_title", None) or "More"
        line = f"`/{command.qualified_name}` — {command.description}"
        sections.setdefault(title + (" (moderators)" if moderators else ""), []).append(line)
    return list(sections.items())
