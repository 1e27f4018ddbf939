"""Care that every flow taking members' words shares: crisis resources, privately.

Cogs call `offer_care` after they answered the member, with every text the member
submitted; it never blocks or changes what the member was doing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.render import kind_embed
from bot.safety import needs_care

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.care")

CARE_COLOUR = 0x7FB3D5
DEFAULT_RESOURCES = (
    ("Immediate danger", "If you are in immediate danger, call your local emergency number."),
    ("Find a helpline", "findahelpline.com lists free, confidential helplines in your country."),
    ("988 Suicide & Crisis Lifeline (US)", "Call or text 988."),
    ("Samaritans (UK and Ireland)", "Call 116 123, free, day or night."),
)


async def resources_embed(bot: KindredBot, guild_id: int) -> discord.Embed:
    """The server's own resources, or the defaults until moderators set some."""
    custom = await bot.store.care.resources(guild_id)
    lines = [
        f"**{r.name}**{f' ({r.region})' if r.region else ''}: {r.contact}" for r in custom
    ] or [f"**{name}**: {text}" for name, text in DEFAULT_RESOURCES]
    embed = kind_embed(
        "You don't have to carry this alone",
        "Something you wrote sounded really heavy. If you're struggling right now, "
        "please reach out to someone who can help:\n\n" + "\n".join(lines),
        colour=CARE_COLOUR,
    )
    embed.set_footer(text="Only you can see this. What you were doing carries on as normal.")
    return embed


async def offer_care(bot: KindredBot, interaction: discord.Interaction, *texts: str) -> bool:
    """If any text needs care, privately show the resources (at most once a day per member).

    Returns whether the words matched, so callers can hold a story for review.
    """
    if not any(needs_care(text) for text in texts if text):
        return False
    guild_id = interaction.guild_id
    if guild_id is None:
        return True
    if not await bot.store.care.claim_notice(guild_id, interaction.user.id, bot.clock()):
        return True
    embed = await resources_embed(bot, guild_id)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except discord.HTTPException:
        log.warning("interaction %s: could not deliver crisis resources", interaction.id)
    return True


async def alert_moderators(bot: KindredBot, guild_id: int, message: str) -> None:
    """A quiet note in the moderator channel (never a ping); `message` must hold no anonymous text."""
    settings = await bot.store.guilds.get(guild_id)
    channel = bot.get_channel(settings.mod_channel_id) if settings.mod_channel_id else None
    if channel is None:
        return
    try:
        await channel.send(
            embed=kind_embed("A member may need care", message, colour=CARE_COLOUR),
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException:
        log.warning("guild %s: could not deliver a care alert to the moderator channel", guild_id)
