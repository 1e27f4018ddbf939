"""Posting a story where members read it: the moderators' review card, or the published post
with its reply thread and values guide, each step recorded as it lands.

Discord may take a post and never answer, and the bot may die (kill -9) between any two
steps. So every step is written down the moment it is on Discord (the claim with its target
channel, then the post, then the thread; the guide before `published`), and a claim nobody
in this process is working on (`ClaimBook`) can be picked up again: `resume` finds what
landed, finishes it, or, when nothing reached Discord, gives the story back (a draft to its
author, a waiting story to the moderators). Before posting, Kindred looks for an earlier
post of the story (its footer marker among the channel's newest messages, or among a
forum's active posts), because Discord's duplicate check (the nonce) lasts only minutes and
forum posts take none.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

from bot.library import Value
from bot.sendqueue import NETWORK_ERRORS, send_once
from bot.store.stories import Story
from bot.text import THREAD_NAME_LIMIT, clip
from cogs.share.messages import (
    post_content,
    story_embed,
    story_marker,
)

if TYPE_CHECKING:
    pass

from cogs.share.publish_base import (
    DISCORD_TROUBLE,
    LOOKBACK,
    THREAD_EXISTS,
    PublisherBase,
    Spot,
    custom_ids,
    thread_link,
)
from cogs.share.publish_notes import PublishNotes
from cogs.share.publish_resume import PublishResume

log = logging.getLogger("kindred.share")


class StoryPublisher(PublishNotes, PublishResume, PublisherBase):
    """Posting a story, step by recorded step; see the module docstring."""

    # ----- publishing -----------------------------------------------------------------------
    async def publish(
        self, story: Story, value: Value | None, channel, kept: str, *, look_first: bool = False
    ) -> str:
        """Post the story and its thread, then the values guide as the thread's first message.
        The story is claimed (publishing, with `channel` as its target) and held here;
        `look_first`: an earlier try was never confirmed, so its post may be up already."""
        try:
            spot = await self._find_earlier(story, channel, look_first)
            if spot is None:
                spot = await self._post(story, value, channel)
            spot = await self._with_thread(story, spot)
        except DISCORD_TROUBLE as error:
            unsure = "Please try again in a moment: if it did go through, it won't be posted twice."
            raise self.post_failed(channel, error, kept, unsure) from error
        return await self._complete(story, spot)

    async def _find_earlier(self, story: Story, channel, look_first: bool) -> Spot | None:
        """An earlier try's post. A forum is always looked in (its posts take no nonce); a
        text channel after an unconfirmed try (one we can't read falls back on the nonce)."""
        if isinstance(channel, discord.ForumChannel):
            return await self._find_post(story, channel)
        if not look_first:
            return None
        return await self._quietly_find(self._find_post(story, channel))

    async def _quietly_find(self, looking: Awaitable[Any]) -> Any:
        try:
            return await looking
        except DISCORD_TROUBLE as error:
            log.info("could not look for an earlier post (%r); its nonce guards it", error)
            return None

    async def _post(self, story: Story, value: Value | None, channel) -> Spot:
        content = post_content(story, value, await self.byline(story))
        embed = story_embed(story, value)
        name = clip(story.title, THREAD_NAME_LIMIT)
        if isinstance(channel, discord.ForumChannel):
            wanted = {value.name.casefold(), value.key} if value else set()
            tags = [t for t in channel.available_tags if t.name.casefold() in wanted][:1]
            thread, message = await self._create_forum_post(
                story, channel, name=name, content=content, embed=embed, applied_tags=tags
            )
            spot = Spot(thread.id, message, thread.id, found=False)
        else:
            # One nonce per story: a retry (ours, or the member's after a timeout) gets
            # Discord's earlier message back instead of posting the story twice.
            message = await send_once(
                channel.send, content, embed=embed, nonce=f"story-{story.story_id}"
            )
            thread = message.thread
            spot = Spot(channel.id, message, thread.id if thread else None, found=False)
        await self._record(story, spot)
        return spot

    async def _with_thread(self, story: Story, spot: Spot) -> Spot:
        if spot.thread_id is not None:
            return spot
        thread_id = await self._open_thread(story, spot.message)
        spot = Spot(spot.channel_id, spot.message, thread_id, spot.found)
        await self._record(story, spot)
        return spot

    async def _complete(self, story: Story, spot: Spot) -> str:
        """From a post with its thread to a published story: the guide, then recorded."""
        guided = spot.found and await self._has_guide(spot.thread_id)
        if not guided:
            guided = await self._post_guide(story, spot.thread_id)
        await self._kept(
            self.stories.mark_published(
                story.story_id,
                channel_id=spot.channel_id,
                message_id=spot.message.id,
                thread_id=spot.thread_id,
                now=self.bot.clock(),
                guide_due=not guided,
            ),
            spot=spot,
        )
        log.info("story %s published in guild %s", story.story_id, story.guild_id)
        return thread_link(story.guild_id, spot.thread_id)

    async def _open_thread(self, story: Story, message) -> int:
        """The reply thread under a text channel post; if Discord won't open it, the post
        comes down again (a story without its thread and guide isn't shared)."""
        name = clip(story.title, THREAD_NAME_LIMIT)
        try:
            return (await message.create_thread(name=name)).id
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:  # an earlier try opened it: it has the post's id
                return message.id
            await self._take_down(message.channel.id, message.id, None)
            raise
        except NETWORK_ERRORS:
            # It may have opened: a thread started from a message has the message's id.
            await self._take_down(message.channel.id, message.id, message.id)
            raise

    # ----- Discord holds nothing the database doesn't know ------------------------------
    async def _record(self, story: Story, spot: Spot) -> None:
        await self._kept(
            self.stories.record_posted(
                story.story_id,
                channel_id=spot.channel_id,
                message_id=spot.message.id,
                thread_id=spot.thread_id,
            ),
            spot=spot,
        )

    # ----- finding an earlier post ------------------------------------------------------
    async def _find_post(self, story: Story, channel) -> Spot | None:
        if isinstance(channel, discord.ForumChannel):
            found = await self._find_forum_post(story, channel)
            if found is None:
                return None
            thread, starter = found
            return Spot(thread.id, starter, thread.id, found=True)
        marker = story_marker(story.story_id)
        async for message in channel.history(limit=LOOKBACK):
            if (
                message.author.id == self.bot.user.id
                and any(embed.footer.text == marker for embed in message.embeds)
                and not custom_ids(message)  # a review card in the same channel isn't it
            ):
                log.info("story %s: found its earlier post", story.story_id)
                thread = message.thread
                return Spot(channel.id, message, thread.id if thread else None, found=True)
        return None

    async def _create_forum_post(
        self, story: Story, forum: discord.ForumChannel, **post: Any
    ) -> tuple[discord.Thread, discord.Message]:
        """Create the story's forum post. When Discord didn't answer, look again among the
        forum's active posts before saying it is unconfirmed."""
        try:
            created = await forum.create_thread(**post)
        except NETWORK_ERRORS:
            # It may have landed. If it can't be found (or looked for) now, the member hears
            # it is unconfirmed; their next try looks again before creating anything.
            found = None
            with contextlib.suppress(*DISCORD_TROUBLE):
                found = await self._find_forum_post(story, forum)
            if found is None:
                raise
            return found
        return created.thread, created.message

    async def _find_forum_post(
        self, story: Story, forum: discord.ForumChannel
    ) -> tuple[discord.Thread, discord.Message] | None:
        me = self.bot.user
        name = clip(story.title, THREAD_NAME_LIMIT)
        marker = story_marker(story.story_id)
        for thread in await forum.guild.active_threads():
            if thread.parent_id != forum.id or thread.owner_id != me.id or thread.name != name:
                continue
            try:
                starter = await thread.fetch_message(thread.id)  # a forum post's first message
            except discord.NotFound:
                continue
            if any(embed.footer.text == marker for embed in starter.embeds):
                log.info("story %s: found its earlier forum post", story.story_id)
                return thread, starter
        return None
