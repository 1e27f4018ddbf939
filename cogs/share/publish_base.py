"""What publishing a story rests on: the channels a story can go to, the claim book that tells
a crash's orphan from a story being worked on, where a post is (`Spot`), and taking a post
down again. `publish.py` explains the recorded steps."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import Refusal
from bot.sendqueue import NETWORK_ERRORS
from bot.store.stories import PENDING, PUBLISHING, Story
from cogs.share import story_rules as stories
from cogs.share.messages import (
    byline,
)

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.share")

TEXT_CHANNEL_NEEDS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "create_public_threads",
    "send_messages_in_threads",
    "manage_threads",
)
FORUM_NEEDS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "send_messages_in_threads",
    "manage_threads",
)

DRAFT_KEPT = "Your draft is saved."
LOOKBACK = 50  # newest messages searched for an earlier post of a story
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
WITHDRAWN_MEANWHILE = (
    "That story was withdrawn or removed while it was being posted, so I took the post down "
    "again. Nothing else was changed."
)


class ServerUnavailable(discord.ClientException):
    """The story's server isn't in the cache yet (just after a start): ask again later."""

    def __init__(self, guild_id: int):
        super().__init__(f"guild {guild_id} is not available yet")


class Unconfirmed(Refusal):
    """Discord didn't answer a post: it may have gone through. The next try looks first."""


# What "Discord can't be asked right now" looks like.
DISCORD_TROUBLE = (discord.HTTPException, *NETWORK_ERRORS, ServerUnavailable)


def channel_needs(channel: discord.abc.GuildChannel) -> tuple[str, ...]:
    return FORUM_NEEDS if isinstance(channel, discord.ForumChannel) else TEXT_CHANNEL_NEEDS


def unposted(story: Story) -> bool:
    """Claimed for posting, and not known to be up: being published, or waiting for
    review without a recorded card."""
    return story.status == PUBLISHING or (
        story.status == PENDING and story.review_message_id is None
    )


def thread_link(guild_id: int, thread_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{thread_id}"


def review_link(story: Story) -> str:
    """The jump link to a story's recorded review card."""
    return (
        f"https://discord.com/channels/{story.guild_id}/{story.review_channel_id}/"
        f"{story.review_message_id}"
    )


class ClaimBook:
    """Which stories this process is posting right now, and when it claimed each lately.

    A guild is served by one process, so an unposted story nobody here holds was left by
    a process that stopped: an orphan to finish at once. One this process claimed itself
    and let go unfinished (a full disk kept it from being undone) waits `STUCK_AFTER`
    first, as members were told ("still on its way")."""

    def __init__(self) -> None:
        self.holders: Counter[int] = Counter()
        self.claimed_at: dict[int, datetime] = {}

    def hold(self, story_id: int, now: datetime | None = None) -> None:
        """Someone here works on the story; `now` when that is a claim this process writes."""
        self.holders[story_id] += 1
        if now is not None:
            self.claimed_at[story_id] = now

    def release(self, story_id: int) -> None:
        self.holders[story_id] -= 1
        if self.holders[story_id] <= 0:
            del self.holders[story_id]

    def orphaned(self, story_id: int, now: datetime) -> bool:
        if self.holders[story_id] > 0:
            return False
        stale = stories.stuck_before(now)
        for old in [sid for sid, at in self.claimed_at.items() if at <= stale]:
            del self.claimed_at[old]
        return story_id not in self.claimed_at


def claim_book(bot: Any) -> ClaimBook:
    """The one claim book of this bot, created on first use (it lives as long as the bot)."""
    book = getattr(bot, "story_claims", None)
    if not isinstance(book, ClaimBook):
        book = ClaimBook()
        bot.story_claims = book
    return book


@dataclass(frozen=True)
class Spot:
    """Where a story's post is on Discord: the message, the channel holding it (a forum
    post is its own thread), and its reply thread once known."""

    channel_id: int
    message: discord.Message | discord.PartialMessage
    thread_id: int | None
    found: bool  # an earlier try's post, so its guide may be there already


@dataclass(frozen=True)
class Resumed:
    """What became of an orphan: the story now, and its link when it is up."""

    story: Story | None
    link: str | None


class PublisherBase:
    """The store, the claim book, and the steps every part of publishing uses."""

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.stories = bot.store.stories
        self.book = claim_book(bot)

    async def byline(self, story: Story) -> str:
        if story.anonymous:
            return stories.ANONYMOUS_NAME
        return byline(story, await self.stories.author_of(story.story_id))

    # ----- who is working on what --------------------------------------------------------
    @contextlib.contextmanager
    def holding(self, story_id: int, *, claiming: bool = True) -> Iterator[None]:
        """Mark the story as worked on here, before its claim is written, so nothing in
        this process takes it for an orphan (`claiming`: and for 15 minutes after)."""
        self.book.hold(story_id, self.bot.clock() if claiming else None)
        try:
            yield
        finally:
            self.book.release(story_id)

    def orphaned(self, story: Story) -> bool:
        return unposted(story) and self.book.orphaned(story.story_id, self.bot.clock())

    def in_flight(self, story: Story) -> bool:
        """Being posted by this process right now (or lately, and it may still land)."""
        return unposted(story) and not self.orphaned(story)

    def post_failed(
        self, channel, error: Exception, kept: str, unsure: str = "Please try again in a moment."
    ) -> Refusal:
        """The kind sentence for a post Discord refused; `unsure` follows a timeout (the post
        may have gone through) and says what is safe to do."""
        log.warning("post in channel %s failed (%r)", channel.id, error)
        if isinstance(error, discord.Forbidden):
            return Refusal(
                f"Discord didn't let me post in {channel.mention}; a moderator may need to check "
                f"my permissions there. Nothing was posted. {kept}"
            )
        if isinstance(error, NETWORK_ERRORS):  # it may have gone through, unconfirmed
            return Unconfirmed(
                f"Discord didn't confirm the post in {channel.mention} in time. {kept} {unsure}"
            )
        return Refusal(
            f"Discord didn't accept the post just now, so nothing was posted. {kept} "
            "Please try again in a moment."
        )

    # ----- the moderators' note for a story held for care ----------------------------------
    def note_orphaned(self, story: Story) -> bool:
        """Its card is up and its care note owed, and nobody here is sending it."""
        return (
            story.care_note_due
            and story.review_message_id is not None
            and self.book.orphaned(story.story_id, self.bot.clock())
        )

    def _channel(self, story: Story, channel_id: int | None):
        """The cached channel to look in; None when it is gone (nothing can be there).
        Raises when the server isn't available yet: then nobody can tell."""
        guild = self.bot.get_guild(story.guild_id)
        if guild is None or guild.unavailable:
            raise ServerUnavailable(story.guild_id)
        return guild.get_channel(channel_id) if channel_id else None

    async def _kept(self, write: Awaitable[bool], *, spot: Spot | None = None, message=None):
        """Record what was posted, or take it down again: when the disk fails, and when the
        story stopped being posted meanwhile (its author erased it, a moderator removed it)."""
        try:
            recorded = await write
        except sqlite3.Error:
            await self._take_down_what(spot, message)
            raise
        if not recorded:
            await self._take_down_what(spot, message)
            raise Refusal(WITHDRAWN_MEANWHILE)

    async def _take_down_what(self, spot: Spot | None, message) -> None:
        if spot is not None:
            await self._take_down(spot.channel_id, spot.message.id, spot.thread_id)
        elif message is not None:
            await self._take_down(message.channel.id, message.id, None)

    async def _take_down(self, channel_id: int, message_id: int, thread_id: int | None) -> None:
        """Delete a post and its thread (a forum post is one: deleting it takes both)."""
        if thread_id is not None:
            with contextlib.suppress(*DISCORD_TROUBLE):
                await self.bot.http.delete_channel(thread_id)
        if thread_id != channel_id:
            with contextlib.suppress(*DISCORD_TROUBLE):
                await self.bot.http.delete_message(channel_id, message_id)


def custom_ids(message: discord.Message) -> list[str]:
    found = []
    for row in message.components:
        for child in getattr(row, "children", ()):
            if getattr(child, "custom_id", None):
                found.append(child.custom_id)
    return found
