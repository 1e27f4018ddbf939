"""Victories as members see them: the rules for a victory's text, the public card, the
history pages, and the one-edit-at-a-time updater that keeps a card's cheer count exact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

from bot.library import Library, Value
from bot.render import KINDRED_COLOUR, clip, kind_embed
from bot.store.victories import Victory
from bot.visible import shown

log = logging.getLogger("kindred.victories")

TEXT_LIMIT = 1000
PAGE_SIZE = 5  # one row of Remove buttons on your own pages
OTHERS_PAGE_SIZE = 10
LINE_TEXT_LIMIT = 300
PUBLIC, JUST_ME = "public", "just me"
CARD_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
THREAD_CARD_PERMISSIONS = ("view_channel", "send_messages_in_threads", "embed_links")
CHEER_EMOJI = "👏"


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


def on_its_way_text(victory_id: int, where: str) -> str:
    return (
        f"Thank you for sharing! 🎉 Your victory #{victory_id} is on its way to {where}, "
        "where everyone can cheer it on.\n"
        "Public victories may be quoted, with your name, in the weekly digest; "
        "`/celebrate-quotes` lets you choose."
    )


def kept_for_care_text(victory_id: int) -> str:
    """Why a public victory with heavy words was kept private, said gently."""
    return (
        f"I've kept victory #{victory_id} in your private history for now instead of posting "
        "it: some of your words sounded really heavy, and I'd rather you chose again, with "
        "a moment to think, before the whole server sees them. It is saved, and it still "
        "counts. If you'd like it cheered publicly, press the button below; only you can."
    )


def cheer_label(count: int) -> str:
    return "Cheer" if count <= 0 else f"Cheer · {count}"


def victory_card(victory: Victory, value: Value | None) -> discord.Embed:
    """The public post: the member's name as plain text (never a mention), their words,
    the value they lived. Embeds never ping, whatever the text holds."""
    embed = kind_embed(description=victory.text, colour=value.colour if value else KINDRED_COLOUR)
    embed.set_author(name=clip(f"{victory.author_name} is celebrating a victory", 256))
    if value is not None:
        embed.add_field(name="Value lived", value=value.badge, inline=True)
    embed.set_footer(text=f"Victory #{victory.victory_id} · Cheer them on below")
    embed.timestamp = victory.created_at
    return embed


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


def history_embed(history: HistoryPage, name: str, library: Library) -> discord.Embed:
    if history.own:
        title = "Your victories"
        empty = (
            "You haven't celebrated a victory here yet. Use `/celebrate` to save your first "
            "one: small wins count too. 🌱"
        )
    else:
        title = f"{name}'s public victories"
        empty = f"{name} hasn't shared a public victory yet."
    if not history.entries:
        return kind_embed(title, empty)
    blocks = []
    for victory in history.entries:
        value = library.value(victory.value_key) if victory.value_key else None
        parts = [f"**#{victory.victory_id}**", f"<t:{int(victory.created_at.timestamp())}:D>"]
        if value is not None:
            parts.append(value.badge)
        if not victory.public:
            parts.append("🔒 just you")
        link = jump_url(victory.guild_id, victory.channel_id, victory.message_id)
        if link:
            parts.append(f"[post]({link})")
        quoted = "\n".join(f"> {line}" for line in clip(victory.text, LINE_TEXT_LIMIT).splitlines())
        blocks.append(" · ".join(parts) + "\n" + quoted)
    embed = kind_embed(title, "\n\n".join(blocks))
    several = history.has_newer or history.has_older
    parts = [f"Page {history.number}"] if several else []
    if history.own:
        parts.append("Entries marked 🔒 are seen by you alone")
    else:
        parts.append("Only public victories are shown")
    footer = " · ".join(parts)
    embed.set_footer(text=footer)
    return embed


def removal_embed(victory: Victory) -> discord.Embed:
    where = (
        f" and deletes its post in <#{victory.channel_id}>"
        if victory.public and victory.channel_id
        else ""
    )
    embed = kind_embed(
        f"Remove victory #{victory.victory_id}?",
        f"> {clip(victory.text, LINE_TEXT_LIMIT)}\n\nThis removes it from your history{where}, "
        "with any cheers on it. It can't be undone.",
    )
    return embed
