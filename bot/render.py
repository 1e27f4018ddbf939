"""Text and embeds shared by cogs: colours, limits, badges, spoilers, safe clipping."""

from __future__ import annotations

import discord

KINDRED_COLOUR = 0xE8A87C  # a warm apricot that reads on dark and light themes

# Discord's limits, in characters.
MESSAGE_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TITLE_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
MODAL_TITLE_LIMIT = 45
LABEL_LIMIT = 45
TEXT_INPUT_LIMIT = 4000
THREAD_NAME_LIMIT = 100


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to `limit` characters for display only (never for what we store)."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)].rstrip() + ellipsis


def spoiler(text: str) -> str:
    """Hide text behind a spoiler; any '||' inside would end it early, so every pipe is
    followed by a zero-width space (a pipe at the very end would join the closing '||')."""
    return "||" + text.replace("|", "|\u200b") + "||"


def kind_embed(
    title: str | None = None, description: str | None = None, *, colour: int = KINDRED_COLOUR
) -> discord.Embed:
    return discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT) if title else None,
        description=clip(description, EMBED_DESCRIPTION_LIMIT) if description else None,
        colour=colour,
    )


def chunk_lines(lines: list[str], limit: int = EMBED_DESCRIPTION_LIMIT) -> list[str]:
    """Pack lines into pages of at most `limit` characters (a too-long line is clipped)."""
    pages: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pages.append(current)
            current = line
        else:
            current = candidate
    if current or not pages:
        pages.append(current)
    return pages
