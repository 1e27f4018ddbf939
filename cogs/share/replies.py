"""After a story is posted: the author's anonymous replies, members' replies noticed, and
the nudge when nobody has answered."""

from __future__ import annotations

import logging

import discord

from bot.care import alert_moderators, offer_care, offer_reveal
from bot.errors import Refusal
from bot.sendqueue import send_once
from bot.store.stories import (
    PUBLISHED,
    Story,
)
from bot.visible import shown
from cogs.share import story_rules as stories
from cogs.share.base import (
    StoryFlowBase,
)
from cogs.share.forms import reply_modal
from cogs.share.messages import author_reply_embed
from cogs.share.publish_base import DISCORD_TROUBLE

log = logging.getLogger("kindred.share")


class Replies(StoryFlowBase):
    """The story's thread and its nudge."""

    async def on_reply(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._author_pressed(interaction, story_id)
        if story.status != PUBLISHED or story.locked:
            raise Refusal("Replies to this story are closed.")
        await interaction.response.send_modal(reply_modal(story_id))

    async def reply(self, interaction: discord.Interaction, story_id: int, values: dict) -> None:
        story = await self._author_pressed(interaction, story_id)
        text = shown(values.get("reply"))
        if not text:
            raise Refusal("Your reply was empty, so nothing was posted.")
        if len(text) > stories.REPLY_MAX:
            raise Refusal(
                f"Your reply can be up to {stories.REPLY_MAX} characters (it has {len(text)}), "
                "so nothing was posted."
            )
        if story.status != PUBLISHED or story.locked:
            raise Refusal("Replies to this story are closed, so nothing was posted.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        thread = self.bot.get_partial_messageable(story.thread_id, guild_id=story.guild_id)
        await self.stories.claim_reply(story_id, self.bot.clock())  # erase finds it if we stop
        try:
            embed = author_reply_embed(text, self._value(story), story_id)
            message = await thread.send(embed=embed)
        except discord.HTTPException as error:
            raise Refusal(
                "I couldn't post your reply in the thread just now, so nothing was posted. "
                "Please try again in a moment."
            ) from error
        await self.stories.add_author_reply(story_id, thread.id, message.id, text, self.bot.clock())
        await interaction.followup.send(
            f"Your reply is posted as **{stories.ORIGINAL_POSTER}**: {message.jump_url}",
            ephemeral=True,
        )
        if (await offer_care(self.bot, interaction, text)).strong:
            await alert_moderators(
                self.bot,
                story.guild_id,
                f"A reply by the anonymous author of story #{story_id} ({message.jump_url}) "
                "suggests they may be struggling. They have been shown crisis resources and "
                "may choose to let you know who they are.",
            )
            await offer_reveal(self.bot, interaction, message.jump_url)

    async def note_reply(self, message: discord.Message) -> None:
        """A member (not the author, not a bot) wrote in a story thread: it has been heard."""
        if message.guild is None or message.author.bot:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return  # "added someone to the thread" and the like are not an answer
        if not isinstance(message.channel, discord.Thread | discord.PartialMessageable):
            return
        await self.stories.mark_replied(message.channel.id, message.author.id)

    async def nudge_unanswered(self) -> int:
        """One gentle nudge per unanswered story, mentioning only the Listener role. Each
        is claimed before it is sent and recorded after, so a stop between the two is
        finished next round (looked for first: never twice)."""
        sent = 0
        for story, role_id in await self.stories.owed_nudges():
            sent += await self._nudge(story, role_id, look_first=True)
        now = self.bot.clock()
        for story, role_id in await self.stories.due_nudges(now):
            if await self.stories.claim_nudge(story.story_id, now):
                sent += await self._nudge(story, role_id, look_first=False)
        return sent

    async def _nudge(self, story: Story, role_id: int | None, *, look_first: bool) -> int:
        """Post the nudge in the story's thread; 1 when sent. It stays owed only when
        Discord may answer later (it is given up for a thread gone or closed to us)."""
        if story.status != PUBLISHED or story.locked or not story.thread_id:
            await self.stories.nudge_sent(story.story_id)  # nothing to nudge any more
            return 0
        thread = self.bot.get_partial_messageable(story.thread_id, guild_id=story.guild_id)
        sent = 0
        counted = self.bot.metrics.scheduled_post
        try:
            if look_first and await self._nudged_already(thread):
                counted("nudge", "recovered")
            else:
                content, mentions = self._nudge_text(story, role_id)
                nonce = f"nudge-{story.story_id}"
                await send_once(thread.send, content, allowed_mentions=mentions, nonce=nonce)
                counted("nudge", "posted")
                sent = 1
        except (discord.NotFound, discord.Forbidden):
            counted("nudge", "failed")
            log.warning("story %s: its thread takes no nudge; given up", story.story_id)
        except DISCORD_TROUBLE as error:
            counted("nudge", "retry")
            log.warning("story %s: could not post the nudge yet (%r)", story.story_id, error)
            return 0  # still owed: the next round tries again
        await self.stories.nudge_sent(story.story_id)
        return sent

    async def _nudged_already(self, thread) -> bool:
        async for message in thread.history(limit=50):
            if message.author.id == self.bot.user.id and stories.NUDGE_TEXT in message.content:
                return True
        return False

    def _nudge_text(self, story: Story, role_id: int | None):
        """The nudge's words and mentions: the Listener role only, when it still exists."""
        guild = self.bot.get_guild(story.guild_id)
        role = guild.get_role(role_id) if guild is not None and role_id else None
        if role is None:
            return stories.NUDGE_TEXT, discord.AllowedMentions.none()
        mentions = discord.AllowedMentions(
            roles=[discord.Object(role.id)], users=False, everyone=False
        )
        return f"{role.mention} {stories.NUDGE_TEXT}", mentions
