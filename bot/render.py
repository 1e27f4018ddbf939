"""The embed every feature sends: Kindred's colour, title and description clipped to
Discord's limits."""

from __future__ import annotations

import discord

from bot.text import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, KINDRED_COLOUR, clip


def kind_embed(
    title: str | None = None, description: str | None = None, *, colour: int = KINDRED_COLOUR
) -> discord.Embed:
    return discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT) if title else None,
        description=clip(description, EMBED_DESCRIPTION_LIMIT) if description else None,
        colour=colour,
    )
