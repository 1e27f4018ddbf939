"""Care that every flow taking members' words shares: crisis resources, privately.

Cogs call `offer_care` after they answered the member, with every text the member
submitted; it answers by the crisis check's grade (`bot.safety`) and never blocks or
changes what the member was doing. Only a strong signal holds a story or tells moderators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.checks import private_mod_channel
from bot.errors import GUILD_ONLY, Refusal
from bot.render import kind_embed
from bot.safety import NOTHING, Assessment, assess
from bot.sendqueue import send_once
from bot.store.care import Resource
from bot.text import EMBED_DESCRIPTION_LIMIT, clip
from bot.ui import IdButton, KindDynamicItem, dynamic_view
from bot.visible import shown_line

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.care")

CARE_COLOUR = 0x7FB3D5
EMERGENCY_LINE = (
    "**If you are in danger right now**, call your local emergency number "
    "(911 in the US and Canada, 999 in the UK, 112 in the EU, 000 in Australia)."
)
DEFAULT_RESOURCES = (
    ("Find a helpline", "findahelpline.com lists free, confidential helplines in your country."),
    ("988 Suicide & Crisis Lifeline (US)", "Call or text 988."),
    ("Samaritans (UK and Ireland)", "Call 116 123, free, day or night."),
)
AUTOMATIC = (
    "This message is automatic: Kindred is a bot, not a counsellor. Only you can see it, "
    "and what you were doing carries on as normal."
)
CARE_OPENING = (
    "Something you wrote sounded really heavy. If you're struggling right now, "
    "please reach out to someone who can help:\n\n"
)
# What a member reads for a possible signal, or a strong one after today's card.
POSSIBLE_LINE = (
    "If any of this is weighing on you, you don't have to carry it alone. Support "
    "resources are one press away, whenever you want them. (Only you can see this.)"
)
AGAIN_LINE = (
    "You're not alone; the resources are here whenever you want them. (Only you can see this.)"
)


def care_text(resources: Sequence[Resource]) -> str:
    """What a member in crisis reads: the emergency line first, then every resource in full
    (adding a resource refuses one that won't fit)."""
    return CARE_OPENING + "\n".join([EMERGENCY_LINE, *resource_lines(resources)])


async def resources_embed(bot: KindredBot, guild_id: int) -> discord.Embed:
    """The server's own resources, or the defaults until moderators set some."""
    text = care_text(await bot.store.care.resources(guild_id))
    embed = kind_embed("You don't have to carry this alone", text, colour=CARE_COLOUR)
    embed.set_footer(text=AUTOMATIC)
    return embed


def assess_texts(*texts: str | None) -> Assessment:
    """The strongest signal among these texts (empty ones skipped)."""
    found = [assess(text) for text in texts if text]
    return max(found, key=lambda a: (a.grade, a.score), default=NOTHING)


class ShowResources(
    KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:care:resources"
):
    """Anyone who presses it gets the server's resources, privately, every time."""

    def __init__(self):
        super().__init__(
            discord.ui.Button(
                label="Show support resources",
                emoji="🤍",
                style=discord.ButtonStyle.secondary,
                custom_id="kindred:care:resources",
            )
        )

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls()

    async def handle(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise Refusal(GUILD_ONLY)
        embed = await resources_embed(interaction.client, interaction.guild_id)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def _tell(interaction: discord.Interaction, **message) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(**message, ephemeral=True)
        else:
            await interaction.response.send_message(**message, ephemeral=True)
    except discord.HTTPException:
        log.warning("interaction %s: could not deliver care", interaction.id)


async def answer_care(
    bot: KindredBot, interaction: discord.Interaction, assessment: Assessment
) -> None:
    """Answer a signal privately, by its grade; never silent for a strong one.

    Strong: the resources card, at most once in 24 hours per member, and after that a short
    line with a button. Possible: only the gentle line with the button.
    """
    bot.metrics.crisis_grade(assessment.grade)
    guild_id = interaction.guild_id
    if guild_id is None or not assessment.needs_care:
        return
    if assessment.strong and await bot.store.care.claim_notice(
        guild_id, interaction.user.id, bot.clock()
    ):
        await _tell(interaction, embed=await resources_embed(bot, guild_id))
        return
    line = AGAIN_LINE if assessment.strong else POSSIBLE_LINE
    await _tell(interaction, content=line, view=dynamic_view(ShowResources()))


async def offer_care(bot: KindredBot, interaction: discord.Interaction, *texts: str) -> Assessment:
    """Assess what the member submitted and answer it privately by grade.

    Callers hold a story or tell moderators only when the returned signal is `strong`.
    """
    assessment = assess_texts(*texts)
    await answer_care(bot, interaction, assessment)
    return assessment


CARE_NOTE_TITLE = "A member may need care"


async def alert_moderators(bot: KindredBot, guild_id: int, message: str) -> None:
    """A quiet note in the moderator channel (never a ping); `message` must hold no anonymous text.

    Crisis notes name members, so a channel @everyone can read gets nothing: the note is
    logged (without the member's words) and `/settings show` tells moderators why.
    """
    try:
        await post_care_note(bot, guild_id, message)
    except discord.HTTPException:
        log.warning("guild %s: could not deliver a care alert to the moderator channel", guild_id)


async def post_care_note(
    bot: KindredBot, guild_id: int, message: str, *, nonce: str | None = None
) -> discord.Message | None:
    """`alert_moderators` for a caller that records the note's delivery: None when there is
    no private moderator channel to send it to; Discord's errors are raised. `nonce` makes
    a retry (after a timeout or a restart) land once."""
    channel = private_mod_channel(bot, guild_id, await bot.store.guilds.get(guild_id))
    if channel is None:
        log.warning("guild %s: a care note was not sent: no private moderator channel", guild_id)
        return None
    note = {
        "embed": kind_embed(CARE_NOTE_TITLE, message, colour=CARE_COLOUR),
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if nonce is None:
        return await channel.send(**note)
    return await send_once(channel.send, **note, nonce=nonce)


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
    cleaned = shown_line(text)
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
    if private_mod_channel(bot, guild_id, await bot.store.guilds.get(guild_id)) is None:
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
    channel = private_mod_channel(bot, reveal.guild_id, await bot.store.guilds.get(reveal.guild_id))
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
