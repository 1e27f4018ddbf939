"""Moderator-only commands: Discord hides them by default permissions, and we check again.

`default_permissions` is only a default that a server can override, so every moderator
command and button also checks Manage Server on our side.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import GUILD_ONLY, NOT_MODERATOR, Refusal

MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)


def require_moderator(interaction: discord.Interaction) -> None:
    """For buttons and modals, which have no command checks: refuse kindly."""
    if interaction.guild is None:
        raise Refusal(GUILD_ONLY)
    if not interaction.permissions.manage_guild:
        raise Refusal(NOT_MODERATOR)


class ModeratorGroup(app_commands.Group):
    """A slash-command group usable only in servers, by members with Manage Server."""

    def __init__(self, *, name: str, description: str, **kwargs):
        super().__init__(
            name=name,
            description=description,
            guild_only=True,
            default_permissions=MODERATOR_PERMISSIONS,
            **kwargs,
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True


POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


def missing_permissions(
    channel: discord.abc.GuildChannel, needed: tuple[str, ...] = POST_PERMISSIONS
) -> list[str]:
    """Which of `needed` the bot lacks in `channel` (empty when unknown: we can't tell)."""
    me = channel.guild.me
    if me is None:
        return []
    granted = channel.permissions_for(me)
    return [name for name in needed if not getattr(granted, name)]


def require_can_post(
    channel: discord.abc.GuildChannel, needed: tuple[str, ...] = POST_PERMISSIONS
) -> None:
    """Refuse a channel the bot cannot use, saying which permission is missing."""
    missing = missing_permissions(channel, needed)
    if missing:
        names = ", ".join(name.replace("_", " ").title() for name in missing)
        raise Refusal(
            f"I can't post in {channel.mention}: I'm missing the {names} permission there. "
            "Please grant it in the channel settings and try again. Nothing was changed."
        )
