"""/mystories and taking a story down: the author's delete and lock, and a moderator's
remove, which share one retire step."""

from __future__ import annotations

import logging

import discord

from bot.errors import Refusal
from bot.library import Value
from bot.store.stories import (
    DELETED,
    DRAFT,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    REMOVED,
    REMOVED_THREAD_NAME,
    WITHDRAWN,
    Story,
)
from bot.text import clip
from bot.ui import dynamic_view
from cogs.share import story_rules as stories
from cogs.share.base import (
    BEING_POSTED,
    StoryFlowBase,
    couldnt_check,
)
from cogs.share.messages import mystories_page, story_button
from cogs.share.publish_base import DISCORD_TROUBLE, Resumed

log = logging.getLogger("kindred.share")


class MyStories(StoryFlowBase):
    """Delete, lock and remove."""

    async def show_mine(self, interaction: discord.Interaction) -> None:
        mine = await self.stories.stories_of(interaction.guild_id, interaction.user.id)
        orphans = [story for story in mine if self.publisher.orphaned(story)]
        if orphans:  # finish what a crash left half posted first: Discord is slow to ask
            await interaction.response.defer(ephemeral=True, thinking=True)
            for story in orphans:
                await self._resume_quietly(story)
            mine = await self.stories.stories_of(interaction.guild_id, interaction.user.id)
        if not mine:
            await self._answer(
                interaction,
                "You haven't written any stories here yet. Use `/share` whenever you're ready.",
            )
            return
        page = mystories_page(mine, 0, self._values(), interaction.guild_id)
        await self._answer(interaction, **page)

    async def _answer(self, interaction: discord.Interaction, content=None, **message) -> None:
        """An ephemeral answer, whether or not the interaction was deferred."""
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **message)
        else:
            await interaction.response.send_message(content, ephemeral=True, **message)

    async def _resume_quietly(self, story: Story) -> Resumed | None:
        """Resume an orphan; when Discord can't be asked it stays as it is, for later."""
        try:
            return await self.publisher.resume(story)
        except DISCORD_TROUBLE as error:
            log.warning("story %s: could not finish it yet (%r)", story.story_id, error)
        except Refusal:  # withdrawn meanwhile: its post came down again
            pass
        return None

    async def on_page(self, interaction: discord.Interaction, index: int) -> None:
        """Previous / Next: always the pressing member's own stories."""
        mine = await self.stories.stories_of(interaction.guild_id, interaction.user.id)
        if not mine:
            raise Refusal("You have no stories here any more.")
        page = mystories_page(mine, index, self._values(), interaction.guild_id)
        await interaction.response.edit_message(**page)

    def _values(self) -> dict[str, Value]:
        return {value.key: value for value in self.bot.library.values}

    async def on_delete(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._mine(interaction, story_id, DRAFT, PENDING, PUBLISHED)
        title = clip(story.title or "Untitled", 100)
        if story.status == DRAFT:
            what = "This draft will be deleted for good."
        elif story.status == PENDING:
            what = "It will be withdrawn from review, and your words erased from Kindred."
        else:
            what = (
                f"The post will read “{stories.REMOVED_BY_AUTHOR}”, its thread will be locked, "
                "and your words erased from Kindred."
            )
        await interaction.response.send_message(
            f"Remove **{title}**? {what}",
            view=dynamic_view(story_button("confirm-delete", story_id)),
            ephemeral=True,
        )

    async def on_confirm_delete(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._mine(interaction, story_id, DRAFT, PENDING, PUBLISHED)
        if story.status == DRAFT:
            await self.stories.discard(story_id, interaction.user.id)
        else:
            await interaction.response.defer()
            if story.status == PUBLISHED:
                await self._retire(story, stories.REMOVED_BY_AUTHOR)
            else:
                await self._edit_message(
                    story.review_channel_id,
                    story.review_message_id,
                    content=f"🗑️ Story #{story_id}: {WITHDRAWN}",
                    embeds=[],
                    view=None,
                )
            await self.stories.delete_by_author(story_id, interaction.user.id)
        text = "Your story was removed, and your words erased from Kindred."
        if interaction.response.is_done():
            await interaction.edit_original_response(content=text, view=None)
        else:
            await interaction.response.edit_message(content=text, view=None)

    async def on_lock(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._mine(interaction, story_id, PUBLISHED)
        if not story.locked:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self._lock_thread(story)
            await self.stories.lock(story_id, interaction.user.id)
            await interaction.followup.send(
                f"Replies to **{clip(story.title, 100)}** are locked. The story stays up for "
                "people to read.",
                ephemeral=True,
            )
        else:
            await interaction.response.send_message(
                "Replies to this story are already locked.", ephemeral=True
            )

    async def _lock_thread(self, story: Story, **rename) -> None:
        if not story.thread_id:
            return
        try:
            thread = await self._thread(story.thread_id)
            await thread.edit(archived=False, locked=True, **rename)
        except discord.NotFound:
            return
        except discord.Forbidden as error:
            raise Refusal(
                "I couldn't lock the thread: I need the Manage Threads permission in the "
                "stories channel. Nothing was changed."
            ) from error

    async def _retire(self, story: Story, notice: str) -> None:
        """Lock the thread, rename it (its name was the author's title) and replace the post
        with a one-line notice."""
        await self._lock_thread(story, name=REMOVED_THREAD_NAME)
        try:
            await self._edit_message(
                story.post_channel_id, story.message_id, content=notice, embeds=[], view=None
            )
        except discord.Forbidden as error:
            raise Refusal(
                "I couldn't replace the post: I need the Send Messages permission in the "
                "stories channel. The thread is locked; nothing else was changed."
            ) from error

    async def remove(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self.stories.get(interaction.guild_id, story_id)
        if story is None or story.status == DRAFT:
            raise Refusal(
                f"There's no shared story #{story_id} in this server. Nothing was changed."
            )
        if story.status in (DELETED, REMOVED):
            raise Refusal(f"Story #{story_id} was already removed.")
        if self.publisher.in_flight(story):
            raise Refusal(BEING_POSTED.format(story_id=story_id))
        await interaction.response.defer(ephemeral=True, thinking=True)
        story = await self._taken_stock(story)
        posted = story.message_id is not None and story.status in (PUBLISHING, PUBLISHED)
        if posted:
            await self._retire(story, stories.REMOVED_BY_MODERATOR)
        if story.status in (PENDING, PUBLISHING) or await self._card_offers_approve(story):
            await self._edit_message(
                story.review_channel_id,
                story.review_message_id,
                content=f"🗑️ Story #{story_id} was removed by {interaction.user.mention}.",
                embeds=[],
                view=None,
            )
        await self.stories.remove_by_moderator(interaction.guild_id, story_id)
        log.info("story %s removed by a moderator in guild %s", story_id, story.guild_id)
        await interaction.followup.send(self._removed_text(story, posted), ephemeral=True)

    async def _taken_stock(self, story: Story) -> Story:
        """An orphan with whatever of it is on Discord recorded, so all of it comes down."""
        if not self.publisher.orphaned(story):
            return story
        try:
            return await self.publisher.take_stock(story)
        except DISCORD_TROUBLE as error:
            log.warning("story %s: could not look for its post (%r)", story.story_id, error)
            raise Refusal(
                f"{couldnt_check(error)}, so I couldn't find everything of story "
                f"#{story.story_id} to take it down. Nothing was changed; please try again "
                "in a moment."
            ) from error

    @staticmethod
    def _removed_text(story: Story, posted: bool) -> str:
        if posted:
            return (
                f"Story #{story.story_id} was removed. Its post now reads "
                f"“{stories.REMOVED_BY_MODERATOR}” and its thread is locked."
            )
        if story.status == PUBLISHING:
            return (
                f"Story #{story.story_id} was removed. It had not reached the stories channel, "
                "so nothing else needed taking down."
            )
        return f"Story #{story.story_id} was removed from the review queue."

    # ----- modals, replies and the nudge ------------------------------------------------------
