"""Posting a story where members read it: the moderators' review card, or the published post
with its reply thread and values guide.

Discord may take a post and never answer. A text channel post carries the story's nonce, so
a retry gets Discord's earlier message back; a forum post takes no nonce, so before creating
one Kindred looks among the forum's active posts for its own post with the story's marker.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot import stories
from bot.errors import Refusal
from bot.library import Value
from bot.render import THREAD_NAME_LIMIT, clip
from bot.sendqueue import NETWORK_ERRORS, recorded_or_taken_down, send_once
from bot.share_ui import (
    byline,
    guide_embed,
    guide_view,
    post_content,
    review_card,
    story_embed,
    story_marker,
)
from bot.store.stories import Story

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


def channel_needs(channel: discord.abc.GuildChannel) -> tuple[str, ...]:
    return FORUM_NEEDS if isinstance(channel, discord.ForumChannel) else TEXT_CHANNEL_NEEDS


class StoryPublisher:
    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.stories = bot.store.stories

    async def byline(self, story: Story) -> str:
        if story.anonymous:
            return stories.ANONYMOUS_NAME
        return byline(story, await self.stories.author_of(story.story_id))

    async def queue_for_review(self, story: Story, value: Value | None, channel) -> str:
        # A story may come back to review after a decline: one nonce per submission.
        submitted = int(story.submitted_at.timestamp()) if story.submitted_at else 0
        try:
            message = await send_once(
                channel.send,
                **review_card(story, value, await self.byline(story)),
                nonce=f"review-{story.story_id}-{submitted}",
            )
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise self.post_failed(channel, error, DRAFT_KEPT) from error
        await recorded_or_taken_down(
            self.stories.set_review_message(story.story_id, channel.id, message.id), message
        )
        log.info("story %s queued for review in guild %s", story.story_id, story.guild_id)
        return message.jump_url

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
            return Refusal(
                f"Discord didn't confirm the post in {channel.mention} in time. {kept} {unsure}"
            )
        return Refusal(
            f"Discord didn't accept the post just now, so nothing was posted. {kept} "
            "Please try again in a moment."
        )

    async def publish(self, story: Story, value: Value | None, channel, kept: str) -> str:
        """Post the story and its thread, then the values guide as the thread's first message."""
        content = post_content(story, value, await self.byline(story))
        embed = story_embed(story, value)
        name = clip(story.title, THREAD_NAME_LIMIT)
        try:
            if isinstance(channel, discord.ForumChannel):
                wanted = {value.name.casefold(), value.key} if value else set()
                tags = [t for t in channel.available_tags if t.name.casefold() in wanted][:1]
                thread, message = await self._forum_post_once(
                    story, channel, name=name, content=content, embed=embed, applied_tags=tags
                )
                post_channel_id = thread.id
            else:
                # One nonce per story: a retry (ours, or the member's after a timeout) gets
                # Discord's earlier message back instead of posting the story twice.
                message = await send_once(
                    channel.send, content, embed=embed, nonce=f"story-{story.story_id}"
                )
                try:
                    thread = message.thread or await message.create_thread(name=name)
                except (discord.HTTPException, *NETWORK_ERRORS):
                    with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
                        await message.delete()
                    raise
                post_channel_id = channel.id
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            unsure = "Please try again in a moment: if it did go through, it won't be posted twice."
            raise self.post_failed(channel, error, kept, unsure) from error
        try:
            await thread.send(embed=guide_embed(story), view=guide_view(story))
        except (discord.HTTPException, *NETWORK_ERRORS):
            log.warning("story %s: could not post the values guide", story.story_id)
        forum = isinstance(channel, discord.ForumChannel)  # a forum post goes with its thread
        posted = (thread,) if forum else (thread, message)
        await recorded_or_taken_down(
            self.stories.mark_published(
                story.story_id,
                channel_id=post_channel_id,
                message_id=message.id,
                thread_id=thread.id,
                now=self.bot.clock(),
            ),
            *posted,
        )
        log.info("story %s published in guild %s", story.story_id, story.guild_id)
        return thread.jump_url

    async def _forum_post_once(
        self, story: Story, forum: discord.ForumChannel, **post: Any
    ) -> tuple[discord.Thread, discord.Message]:
        """Create the story's forum post unless an earlier try already did.

        Forum posts take no nonce, so Discord can't hand back an earlier post the way it does
        in a text channel. Before creating one, and again when Discord didn't answer, look
        among the forum's active posts for Kindred's post carrying this story's marker.
        """
        found = await self._find_forum_post(story, forum, post["name"])
        if found is not None:
            return found
        try:
            created = await forum.create_thread(**post)
        except NETWORK_ERRORS:
            # It may have landed. If it can't be found (or looked for) now, the member hears
            # it is unconfirmed; their next try looks again before creating anything.
            with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
                found = await self._find_forum_post(story, forum, post["name"])
            if found is None:
                raise
            return found
        return created.thread, created.message

    async def _find_forum_post(
        self, story: Story, forum: discord.ForumChannel, name: str
    ) -> tuple[discord.Thread, discord.Message] | None:
        me = self.bot.user
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
