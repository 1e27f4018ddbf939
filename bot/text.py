"""Text shared by features, free of Discord: its limits, safe clipping, spoilers, paging."""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

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
