"""Care that every flow taking members' words shares: crisis resources, privately.

Cogs call `offer_care` after they answered the member, with every text the member
submitted; it never blocks or changes what the member was doing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.errors import Refusal
from bot.render import EMBED_DESCRIPTION_LIMIT, clip, kind_embed
from bot.safety import needs_care
from bot.store.care import Resource
from bot.ui import IdButton, dynamic_view

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


CARE_OPENING = (
    "Something you wrote sounded really heavy. If you're struggling right now, "
    "please reach out to someone who can help:\n\n"
)


def care_text(resources: Sequence[Resource]) -> str:
    """What a member in crisis reads: every resource in full (adding refuses what won't fit)."""
    return CARE_OPENING + "\n".join(resource_lines(resources))


async def resources_embed(bot: KindredBot, guild_id: int) -> discord.Embed:
    """The server's own resources, or the defaults until moderators set some."""
    text = care_text(await bot.store.care.resources(guild_id))
    embed = kind_embed("You don't have to carry this alone", text, colour=CARE_COLOUR)
    embed.set_footer(text="Only you can see this. What you were doing carries on as normal.")
    return embed


def any_need_care(*texts: str | None) -> bool:
    """Does any of these texts (empty ones skipped) need the crisis resources?"""
    return any(needs_care(text) for text in texts if text)


async def offer_care(bot: KindredBot, interaction: discord.Interaction, *texts: str) -> bool:
    """If any text needs care, privately show the resources (at most once a day per member).

    Returns whether the words matched, so callers can hold a story for review.
    """
    if not any_need_care(*texts):
        return False
    await show_care(bot, interaction)
    return True


async def show_care(bot: KindredBot, interaction: discord.Interaction) -> None:
    """Privately show the server's crisis resources, unless shown in the last 24 hours."""
    guild_id = interaction.guild_id
    if guild_id is None:
        return
    if not await bot.store.care.claim_notice(guild_id, interaction.user.id, bot.clock()):
        return
    embed = await resources_embed(bot, guild_id)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)
    except discord.HTTPException:
        log.warning("interaction %s: could not deliver crisis resources", interaction.id)


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


# ----- the server's own resources -------------------------------------------------------
MAX_RESOURCES = 20  # a list members can take in at a glance; care_text must also fit one embed
NAME_LIMIT, CONTACT_LIMIT, REGION_LIMIT = 80, 200, 40


def resource_lines(resources: Sequence[Resource]) -> list[str]:
    """One line per resource as members read it; the defaults when the list is empty."""
    if not resources:
        return [f"**{name}**: {text}" for name, text in DEFAULT_RESOURCES]
    escape = discord.utils.escape_markdown
    return [
        f"**{escape(r.name)}**{f' ({escape(r.region)})' if r.region else ''}: {escape(r.contact)}"
        for r in resources
    ]


def _one_line(text: str | None, what: str, limit: int, *, required: bool) -> str | None:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        if required:
            raise Refusal(f"The {what} can't be empty. Nothing was changed.")
        return None
    if len(cleaned) > limit:
        raise Refusal(
            f"The {what} is {len(cleaned)} characters; please keep it to {limit}. "
            "Nothing was changed."
        )
    return cleaned


def clean_resource(name: str, contact: str, region: str | None) -> tuple[str, str, str | None]:
    """Trimmed, single-line name/contact/region, or a Refusal saying what to fix."""
    return (
        _one_line(name, "name", NAME_LIMIT, required=True),
        _one_line(contact, "contact", CONTACT_LIMIT, required=True),
        _one_line(region, "region", REGION_LIMIT, required=False),
    )


async def add_resource(
    bot: KindredBot, guild_id: int, name: str, contact: str, region: str | None
) -> Resource:
    """Add a resource for the server, refusing duplicates and overly long lists."""
    name, contact, region = clean_resource(name, contact, region)
    listed = await bot.store.care.resources(guild_id)
    if len(listed) >= MAX_RESOURCES:
        raise Refusal(
            f"This server already lists {MAX_RESOURCES} resources, the most members can take "
            "in at once. Remove one with `/care resources remove` first. Nothing was changed."
        )
    candidate = Resource(0, guild_id, name, contact, region, bot.clock())
    over = len(care_text([*listed, candidate])) - EMBED_DESCRIPTION_LIMIT
    if over > 0:
        raise Refusal(
            "Members in crisis see every resource in one message, and this one would make it "
            f"{over} characters too long for Discord. Shorten it, or remove one with "
            "`/care resources remove` first. Nothing was changed."
        )
    added = await bot.store.care.add_resource(guild_id, name, contact, region, bot.clock())
    if added is None:
        where = f" for {region}" if region else ""
        raise Refusal(
            f"**{discord.utils.escape_markdown(name)}**{where} is already listed. "
            "Remove it first if you want to change it. Nothing was changed."
        )
    return added


# ----- anonymous authors may let moderators know who they are --------------------------
class RevealButton(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:care:reveal:"
):
    """Pressed by an anonymous author to let moderators see who they are (only they can)."""

    label, emoji = "Let moderators see it's me", "🤝"

    async def handle(self, interaction: discord.Interaction) -> None:
        await reveal_author(interaction.client, interaction, self.item_id)


REVEAL_OFFER = (
    "You wrote anonymously, and it stays that way: the moderators were told someone may "
    "need care, but not who. If you'd like them to be able to check in with you, you can "
    "let them see it's you. Only you can press this, and nothing changes if you don't."
)


async def offer_reveal(bot: KindredBot, interaction: discord.Interaction, link: str) -> bool:
    """Privately offer an anonymous author the button that tells moderators who they are.

    Call it after `alert_moderators` for anonymous words that needed care, with the jump
    link to them. Returns False when the server has no moderator channel to tell.
    """
    guild_id = interaction.guild_id
    if guild_id is None:
        return False
    settings = await bot.store.guilds.get(guild_id)
    if settings.mod_channel_id is None or bot.get_channel(settings.mod_channel_id) is None:
        return False
    reveal_id = await bot.store.care.add_reveal(guild_id, interaction.user.id, link, bot.clock())
    view = dynamic_view(RevealButton(reveal_id))
    try:
        if interaction.response.is_done():
            await interaction.followup.send(REVEAL_OFFER, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(REVEAL_OFFER, view=view, ephemeral=True)
    except discord.HTTPException:
        log.warning("interaction %s: could not offer the reveal button", interaction.id)
        return False
    return True


async def reveal_author(bot: KindredBot, interaction: discord.Interaction, reveal_id: int) -> None:
    """The author said yes: tell the moderators quietly (no ping), once."""
    reveal = await bot.store.care.reveal(reveal_id)
    if reveal is None or reveal.guild_id != interaction.guild_id:
        raise Refusal("This offer is no longer available, so nothing was shared.")
    if reveal.member_id != interaction.user.id:
        raise Refusal("Only the person who wrote this can use this button. Nothing was shared.")
    if reveal.revealed_at is not None:
        await interaction.response.edit_message(
            content="You've already let the moderators know it's you. Nothing more was sent.",
            view=None,
        )
        return
    settings = await bot.store.guilds.get(reveal.guild_id)
    channel = bot.get_channel(settings.mod_channel_id) if settings.mod_channel_id else None
    if channel is None:
        raise Refusal(
            "This server has no moderator channel right now, so I couldn't pass this on. "
            "Nothing was shared; you can always message a moderator yourself."
        )
    if not await bot.store.care.mark_revealed(reveal_id, bot.clock()):
        await interaction.response.edit_message(
            content="You've already let the moderators know it's you.", view=None
        )
        return
    user = interaction.user
    note = kind_embed(
        "An anonymous author chose to be known",
        f"The author of {clip(reveal.link, 300)} chose to let moderators see who they are: "
        f"{user.mention} ({discord.utils.escape_markdown(user.name)}). "
        "Please reach out gently and privately.",
        colour=CARE_COLOUR,
    )
    try:
        await channel.send(embed=note, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException:
        await bot.store.care.unmark_revealed(reveal_id)
        raise Refusal(
            "I couldn't reach the moderator channel just now, so nothing was shared. "
            "Please try again in a little while."
        ) from None
    await interaction.response.edit_message(
        content="Thank you. The moderators can now see it was you, so they can check in "
        "with you. You're not alone in this.",
        view=None,
    )
