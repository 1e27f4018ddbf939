"""What every step of the /share flow shares: the store, the publisher, the lookups and the
kind sentences.

Stateless (everything lives in the store), so a button pressed tomorrow, after a restart,
lands here just as well. Author checks always go through the store's author table; the
moderator paths never read it, except to deliver a note to the author.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import private_mod_channel, require_can_post
from bot.errors import GUILD_ONLY, Refusal
from bot.library import Value
from bot.store.stories import (
    Story,
)
from cogs.share.publish import StoryPublisher
from cogs.share.publish_base import channel_needs

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.share")

NOT_SET_UP = (
    "Stories aren't set up in this server yet: a moderator can choose a channel for them "
    "with `/stories channel`."
)
GONE = (
    "That story isn't waiting for you any more: it may have been posted, removed or "
    "discarded. `/mystories` shows everything you've shared here."
)
CONSENT = (
    "Your story can't be posted yet, because **Ready to share?** isn't ticked. Only you "
    "decide when it's ready: press **Edit** and tick it when you are. Your draft is saved."
)
CHOOSE_VALUE = (
    "Please choose which value your story speaks to (the menu above Post) first. "
    "Your draft is saved."
)
QUEUE_KEPT = "The story stays in the review queue."
FOR_THE_AUTHOR = (
    "This button is for the person who shared the story, so they can answer without their "
    "name showing. You're welcome to reply in the thread: your words may mean a lot to them."
)
HANDLED = "Another moderator already handled this story, or it was withdrawn. Nothing was changed."
BEING_POSTED = "Story #{story_id} is being posted right now; please try again shortly."
HALF_APPROVED = (
    "Story #{story_id} was being approved when Kindred stopped. Press **Approve** to finish "
    "sharing it (it won't be posted twice), or use `/stories remove` to take it down."
)


def couldnt_check(error: BaseException) -> str:
    """Why an earlier post couldn't be looked for, in a moderator's or member's words."""
    if isinstance(error, discord.Forbidden):
        return (
            "Discord didn't let me look in the channel (a moderator may need to give me "
            "the Read Message History permission there)"
        )
    return "Discord didn't answer just now"


class StoryFlowBase:
    """The store, the publisher and the lookups every step uses."""

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.stories = bot.store.stories
        self.publisher = StoryPublisher(bot)

    # ----- helpers ---------------------------------------------------------------------------
    def _value(self, story: Story) -> Value | None:
        return self.bot.library.value(story.value_key) if story.value_key else None

    async def _byline(self, story: Story) -> str:
        return await self.publisher.byline(story)

    async def _mine(self, interaction: discord.Interaction, story_id: int, *statuses) -> Story:
        """The member's own story in one of `statuses`, or a kind refusal."""
        if interaction.guild_id is None:
            raise Refusal(GUILD_ONLY)
        story = await self.stories.own(interaction.guild_id, story_id, interaction.user.id)
        if story is None or story.status not in statuses:
            raise Refusal(GONE)
        return story

    async def _author_pressed(self, interaction: discord.Interaction, story_id: int) -> Story:
        """The anonymous story when its author pressed; anyone else is told, privately and
        kindly, that the button is the author's (everyone who isn't hears the same words, so
        the answer says nothing about who wrote it)."""
        story = (
            await self.stories.own(interaction.guild_id, story_id, interaction.user.id)
            if interaction.guild_id
            else None
        )
        if story is None or not story.anonymous:
            raise Refusal(FOR_THE_AUTHOR)
        return story

    def _stories_channel(self, guild: discord.Guild, channel_id: int | None, kept: str):
        """The channel stories go to, usable by the bot; `kept` says what stays safe if not."""
        channel = guild.get_channel(channel_id) if channel_id else None
        if channel is None:
            raise Refusal(f"{NOT_SET_UP} {kept}")
        require_can_post(channel, channel_needs(channel))
        return channel

    async def _mod_channel(self, guild: discord.Guild) -> discord.TextChannel | None:
        """Where stories wait for review: never a channel @everyone can read (they hold
        unpublished words, and held ones a crisis)."""
        settings = await self.bot.store.guilds.get(guild.id)
        channel = private_mod_channel(self.bot, guild.id, settings)
        if channel is not None:
            require_can_post(channel)
        return channel

    async def _thread(self, thread_id: int):
        channel = self.bot.get_channel(thread_id)
        return channel if channel is not None else await self.bot.fetch_channel(thread_id)

    async def _edit_message(self, channel_id: int | None, message_id: int | None, **fields) -> None:
        if not channel_id or not message_id:
            return
        channel = self.bot.get_partial_messageable(channel_id)
        with contextlib.suppress(discord.NotFound):
            await channel.get_partial_message(message_id).edit(**fields)

    async def _tell_author(self, story_id: int, **message: Any) -> bool:
        """A private note to the author; False when their DMs are closed."""
        author_id = await self.stories.author_of(story_id)
        if author_id is None:
            return False
        try:
            channel = await self.bot.create_dm(discord.Object(author_id))
            await channel.send(**message)
        except discord.HTTPException:
            return False
        return True
