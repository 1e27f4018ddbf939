"""The rules of a victory, free of Discord: its text's limits, the value a member picked,
history page sizes and keyset pages, and who may see what."""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from dataclasses import dataclass

from bot.library import Library, Value
from bot.store.victories import Victory
from bot.text import clip
from bot.visible import shown

TEXT_LIMIT = 1000
REASON_LIMIT = 300  # a moderator's reason for removing a victory
PAGE_SIZE = 5  # one row of Remove buttons on your own pages
OTHERS_PAGE_SIZE = 10
LINE_TEXT_LIMIT = 300
PUBLIC, JUST_ME = "public", "just me"
CARD_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
THREAD_CARD_PERMISSIONS = ("view_channel", "send_messages_in_threads", "embed_links")


def clean_text(text: str) -> str:
    """The victory as stored: trimmed, 1 to 1000 characters; ValueError says what to fix."""
    text = shown(text)
    if not text:
        raise ValueError("Your victory needs a few words; even one is enough. Nothing was saved.")
    if len(text) > TEXT_LIMIT:
        raise ValueError(
            f"A victory can be up to {TEXT_LIMIT} characters and yours has {len(text)}. "
            "Please shorten it a little. Nothing was saved."
        )
    if "\x00" in text:  # no keyboard types it, and SQLite's length() stops at it
        raise ValueError(
            "Your victory holds a null character, which Discord can't show. Please type it "
            "again without it. Nothing was saved."
        )
    return text


def resolve_value(library: Library, typed: str | None) -> Value | None:
    """The value a member picked (key or name); ValueError when it isn't in the library."""
    if typed is None or not typed.strip():
        return None
    value = library.value(typed)
    if value is None:
        raise ValueError(
            f"I don't know the value “{clip(typed.strip(), 60)}”. Please pick one from the "
            "list, or leave it empty. Nothing was saved."
        )
    return value


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    if not channel_id or not message_id:
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@dataclass(frozen=True)
class HistoryPage:
    """One page of a member's history, as the viewer may see it.

    Pages are keyset ranges: `before` is the exclusive upper victory id of this page (0 for
    the newest page), so a page costs one indexed read however deep it is.
    """

    member_id: int
    own: bool
    number: int  # 1-based, for display
    before: int
    entries: tuple[Victory, ...]
    has_newer: bool
    has_older: bool


def page_size(own: bool) -> int:
    return PAGE_SIZE if own else OTHERS_PAGE_SIZE
