"""What members read from the care feature: a value explained, and what an erasure did."""

from __future__ import annotations

import discord

from bot.library import Library, Value
from bot.render import kind_embed
from bot.store.base import STORY_REMOVED
from bot.text import EMBED_FIELD_VALUE_LIMIT, clip
from cogs.care import mydata

PEER_SUPPORT_LINE = (
    "Empathy fosters trust, respect opens dialogue, understanding bridges gaps: "
    "these are the values behind peer support."
)


def erased_text(erasure: mydata.Erasure) -> str:
    if not erasure.erased:
        return "There was nothing left to erase: Kindred keeps nothing about you in this server."
    text = (
        "Done. Kindred erased everything it kept about you in this server "
        f"({mydata.describe_counts(erasure.erased)})."
    )
    if erasure.cleanup_jobs:
        text += (
            " Kindred is also taking down what it posted for you: a published story will "
            f'read "{STORY_REMOVED}" If Discord refuses for a moment, Kindred keeps trying '
            "in the background."
        )
    return clip(text + " If you use Kindred again here, it starts fresh.", 2000)


def value_embed(library: Library, value: Value) -> discord.Embed:
    embed = kind_embed(value.badge, value.description, colour=value.colour)
    embed.add_field(
        name="Why it matters", value=clip(value.why, EMBED_FIELD_VALUE_LIMIT), inline=False
    )
    prompts = library.prompts_for(value.key)
    if prompts:
        embed.add_field(
            name="A question to sit with",
            value=clip(prompts[0].text, EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(text=PEER_SUPPORT_LINE)
    return embed
