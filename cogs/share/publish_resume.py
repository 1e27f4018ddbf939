"""Picking up a story a crash left half-posted: find what landed, finish it, or give the
story back (a draft to its author, a waiting story to the moderators)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import discord

from bot.store.stories import PENDING, Story

if TYPE_CHECKING:
    pass

from cogs.share.publish_base import (
    DISCORD_TROUBLE,
    PublisherBase,
    Resumed,
    Spot,
)

log = logging.getLogger("kindred.share")


class PublishResume(PublisherBase):
    """resume, locate, give back."""

    # ----- after a crash ----------------------------------------------------------------
    @contextlib.contextmanager
    def taking_over(self, story: Story) -> Iterator[bool]:
        """True (and held here until the block ends) when `story` is an orphan."""
        if not self.orphaned(story):
            yield False
            return
        with self.holding(story.story_id, claiming=False):
            yield True

    async def resume(self, story: Story) -> Resumed | None:
        """Finish an orphan, or give it back when nothing of it reached Discord; None when
        it is no orphan (someone here is posting it). Raises Discord's errors when Discord
        can't be asked: nothing is undone that may have landed."""
        with self.taking_over(story) as mine:
            if not mine:
                return None
            if story.status == PENDING:
                link = await self._resume_review(story)
            else:
                link = await self._resume_publishing(story)
        return Resumed(await self.stories.get(story.guild_id, story.story_id), link)

    async def _resume_review(self, story: Story) -> str | None:
        channel = self._channel(story, story.review_channel_id)
        card = None if channel is None else await self._find_review_card(story, channel)
        if card is None:
            await self.stories.unsubmit(story.story_id)
            log.info("story %s never reached review: back to its author", story.story_id)
            return None
        await self._kept(
            self.stories.set_review_message(story.story_id, channel.id, card.id), message=card
        )
        return card.jump_url

    async def _resume_publishing(self, story: Story) -> str | None:
        spot = await self.locate(story)
        if spot is None:
            await self.give_back(story)
            return None
        await self._record(story, spot)
        try:
            spot = await self._with_thread(story, spot)
        except DISCORD_TROUBLE:
            await self.give_back(story)  # the post came down again (see _open_thread)
            raise
        return await self._complete(story, spot)

    async def locate(self, story: Story) -> Spot | None:
        """Where a publishing story's post is: the recorded one if it is still up (a post
        whose record failed came down again), else found by looking."""
        if not story.message_id:
            channel = self._channel(story, story.post_channel_id)
            return None if channel is None else await self._find_post(story, channel)
        forum_post = story.post_channel_id == story.message_id  # its own thread
        if forum_post:
            channel = self.bot.get_partial_messageable(
                story.post_channel_id, guild_id=story.guild_id
            )
        else:
            channel = self._channel(story, story.post_channel_id)
        if channel is None:
            return None
        try:
            message = await channel.fetch_message(story.message_id)
        except discord.NotFound:
            return None
        if forum_post:
            return Spot(channel.id, message, message.id, found=True)
        thread = message.thread  # a thread opened but not recorded shows here
        return Spot(channel.id, message, thread.id if thread else None, found=True)

    async def give_back(self, story: Story) -> None:
        """Nothing reached Discord: an approval waits for a moderator again, a post is its
        author's draft again."""
        if story.review_message_id is not None:
            await self.stories.release_approval(story.story_id)
        else:
            await self.stories.unsubmit(story.story_id)
        log.info("story %s never reached Discord: given back", story.story_id)

    async def take_stock(self, story: Story) -> Story:
        """Record whatever of an orphan is on Discord without finishing it (a moderator is
        taking it down). Raises Discord's errors when Discord can't be asked."""
        with self.taking_over(story) as mine:
            if not mine:
                return story
            if story.status == PENDING:
                channel = self._channel(story, story.review_channel_id)
                card = None if channel is None else await self._find_review_card(story, channel)
                if card is not None:
                    await self.stories.set_review_message(story.story_id, channel.id, card.id)
            else:
                spot = await self.locate(story)
                if spot is not None:
                    await self._record(story, spot)
        return await self.stories.get(story.guild_id, story.story_id) or story
