"""The janitor's "sweep": take down a post whose message id was never saved.

A process killed while Discord was taking a post (a victory card, a story, its review
card) leaves a message on Discord that no row points at. An erase must still remove it,
so the row's feature queues a sweep naming what to look for; this finds Kindred's own
messages in the channel newer than a bound (and, in a forum, its posts) that carry that
marker. Raw HTTP payloads throughout: the janitor may run before any cache is warm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.client import KindredBot

LOOK_BACK = 100  # messages after the bound: a crashed post is among the next few
FORUM = 15  # Discord's channel type for a forum


@dataclass(frozen=True)
class Marker:
    """What a swept post carries: an exact embed footer on a buttonless post (a story, or
    a reply: "reply"), or a button whose custom id is `text` or goes on from it after a
    ":" (a card), so that "kindred:cheer:41" never names victory 410's card."""

    kind: str  # "footer" | "reply" | "button"
    text: str

    @classmethod
    def parse(cls, content: str | None) -> Marker:
        content = content or ""
        kind, _, text = content.partition("=")
        if kind not in ("footer", "reply", "button"):
            kind, text = "button", content
        if not text:
            raise ValueError(f"a sweep needs a marker, got {content!r}")
        return cls(kind, text)

    def matches(self, message: dict[str, Any]) -> bool:
        ids = list(custom_ids(message.get("components") or []))
        if self.kind == "button":
            return any(
                custom_id == self.text or custom_id.startswith(self.text + ":") for custom_id in ids
            )
        footers = [(embed.get("footer") or {}).get("text") for embed in message.get("embeds", [])]
        return self.text in footers and not ids  # a review card in the same channel isn't it


def custom_ids(components: list[dict[str, Any]]):
    for component in components:
        if component.get("custom_id"):
            yield component["custom_id"]
        yield from custom_ids(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield from custom_ids([component["accessory"]])


@dataclass(frozen=True)
class Found:
    channel_id: int  # where the message is (a forum post's thread)
    message_id: int
    thread_id: int | None  # a thread started from it, or the forum post itself


async def find(bot: KindredBot, guild_id: int, channel_id: int, after: int, marker: Marker):
    """Kindred's own messages in `channel_id` newer than `after` that carry `marker`."""
    me = str(bot.user.id) if bot.user else None
    channel = await bot.http.get_channel(channel_id)
    if channel.get("type") == FORUM:
        return [found async for found in _forum_posts(bot, guild_id, channel_id, after, marker)]
    messages = await bot.http.logs_from(channel_id, LOOK_BACK, after=after)
    return [
        Found(channel_id, int(message["id"]), int(message["id"]))
        for message in messages
        if (message.get("author") or {}).get("id") == me and marker.matches(message)
    ]


async def _forum_posts(bot: KindredBot, guild_id: int, forum_id: int, after: int, marker):
    me = str(bot.user.id) if bot.user else None
    threads = (await bot.http.get_active_threads(guild_id)).get("threads", [])
    for thread in threads:
        thread_id = int(thread["id"])
        if thread.get("parent_id") != str(forum_id) or thread.get("owner_id") != me:
            continue
        if thread_id <= after:
            continue
        try:
            starter = await bot.http.get_message(thread_id, thread_id)  # shares the post's id
        except discord.NotFound:
            continue
        if marker.matches(starter):
            yield Found(thread_id, thread_id, thread_id)
