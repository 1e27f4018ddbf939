"""Moderator-only commands: Discord hides them by default permissions, and we check again.

`default_permissions` is only a default that a server can override, so every moderator
command and button also checks Manage Server on our side. The moderator channel is never
one that @everyone can read: crisis notes name members.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import GUILD_ONLY, NOT_MODERATOR, Refusal, permission_names
from bot.sendqueue import SendQueue

if TYPE_CHECKING:
    from bot.client import KindredBot
    from bot.store.guilds import GuildSettings

log = logging.getLogger("kindred.checks")
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


def _may_see_moderator_choices(interaction: discord.Interaction) -> bool:
    return interaction.guild is not None and interaction.permissions.manage_guild


# Autocomplete answers whoever sends the interaction, whatever the command's permissions:
# every autocomplete of a moderator command wears this, so others get no choices at all
# (a test walks the command tree for it).
moderator_choices = app_commands.check(_may_see_moderator_choices)
MODERATOR_CHOICES_CHECK = _may_see_moderator_choices


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
        names = permission_names(missing)
        raise Refusal(
            f"I can't post in {channel.mention}: I'm missing the {names} permission there. "
            "Please grant it in the channel settings and try again. Nothing was changed."
        )


# ----- the moderator channel: never one @everyone can read ------------------------------
def everyone_can_read(channel: discord.abc.GuildChannel | discord.Thread) -> bool:
    """Can the server's @everyone role see `channel` right now (after its overwrites)?

    A thread is judged by its parent, private threads too: anyone who can read the parent
    can be added to a private thread, and sees its public ones. When the answer can't be
    known (no cached parent or @everyone role) this says True, so nothing private is sent.
    """
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        if parent is None:
            return True
        channel = parent
    everyone = channel.guild.default_role
    if everyone is None:
        return True
    return channel.permissions_for(everyone).view_channel


def require_private(channel: discord.abc.GuildChannel | discord.Thread) -> None:
    """Refuse a moderator channel that @everyone can read, saying why and what to do."""
    if not everyone_can_read(channel):
        return
    if isinstance(channel, discord.Thread):
        parent = channel.parent.mention if channel.parent is not None else "its channel"
        where = (
            f"{channel.mention} is a thread in {parent}, which everyone in this server can "
            "read, and anyone there can be added to its threads"
        )
    else:
        where = f"everyone in this server can read {channel.mention}"
    raise Refusal(
        f"I can't send moderator notices there: {where}. Crisis notes name members, so "
        "they need a channel only moderators can see. Please pick one, or create one and "
        "turn off View Channel for @everyone (allow it for your moderators and for Kindred). "
        "Nothing was changed."
    )


def mod_channel(
    bot: discord.Client, guild_id: int, settings: GuildSettings
) -> discord.abc.Messageable | None:
    """The server's moderator channel as Discord has it now, or None: none is configured, it
    is gone, or it belongs to another server. Fine for notices that name no member; anything
    that names one goes through `private_mod_channel`."""
    if settings.mod_channel_id is None:
        return None
    channel = bot.get_channel(settings.mod_channel_id)
    guild = getattr(channel, "guild", None)
    if channel is None or guild is None or guild.id != guild_id:
        return None
    return channel


async def notify_moderators(
    bot: KindredBot, guild_id: int, embed: discord.Embed, *, queue: SendQueue | None = None
) -> bool:
    """One quiet notice (no pings) in the moderator channel, if there is one; never raises.
    True when Discord has it."""
    channel = mod_channel(bot, guild_id, await bot.store.guilds.get(guild_id))
    if channel is None:
        return False
    message = {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}
    try:
        if queue is None:
            await channel.send(**message)
        else:
            await queue.call(channel.send, **message)
    except discord.HTTPException:
        log.warning("guild %s: could not deliver a notice to the moderator channel", guild_id)
        return False
    return True


def private_mod_channel(
    bot: discord.Client, guild_id: int, settings: GuildSettings
) -> discord.abc.Messageable | None:
    """The server's moderator channel, only if it exists and @everyone can't read it now.

    Call this at the moment of sending anything that names members (a crisis note): a
    channel that was private when it was chosen may have been opened since. None means
    "don't send": no channel is configured, it is gone, it belongs to another server, or
    @everyone can read it at this moment. The caller then logs that the note was not sent
    (never the member's words), and `/settings show` tells moderators why.
    """
    channel = mod_channel(bot, guild_id, settings)
    if channel is None or everyone_can_read(channel):
        return None
    return channel
