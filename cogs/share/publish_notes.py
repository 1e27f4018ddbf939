"""The notes around a story's post: the moderators' review card, the quiet care note for a
story held for care, and the values guide in its reply thread; each is looked for before
it is sent again."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.care import CARE_NOTE_TITLE, post_care_note
from bot.checks import private_mod_channel
from bot.library import Value
from bot.sendqueue import send_once
from bot.store.stories import PUBLISHED, Story
from cogs.share import story_rules as stories
from cogs.share.messages import (
    guide_embed,
    guide_view,
    review_card,
)

if TYPE_CHECKING:
    pass

from cogs.share.publish_base import (
    DISCORD_TROUBLE,
    DRAFT_KEPT,
    LOOKBACK,
    PublisherBase,
    custom_ids,
    review_link,
)

log = logging.getLogger("kindred.share")


class PublishNotes(PublisherBase):
    """Review card, care note, values guide."""

    # ----- the review card ----------------------------------------------------------------
    async def queue_for_review(
        self, story: Story, value: Value | None, channel, *, look_first: bool = False
    ) -> str:
        """Post (or, after an unconfirmed try, find) the moderators' card and record it."""
        message = None
        if look_first:
            message = await self._quietly_find(self._find_review_card(story, channel))
        if message is None:
            # A story may come back to review after a decline: one nonce per submission.
            submitted = int(story.submitted_at.timestamp()) if story.submitted_at else 0
            try:
                message = await send_once(
                    channel.send,
                    **review_card(story, value, await self.byline(story)),
                    nonce=f"review-{story.story_id}-{submitted}",
                )
            except DISCORD_TROUBLE as error:
                raise self.post_failed(channel, error, DRAFT_KEPT) from error
        await self._kept(
            self.stories.set_review_message(story.story_id, channel.id, message.id),
            message=message,
        )
        log.info("story %s queued for review in guild %s", story.story_id, story.guild_id)
        return message.jump_url

    async def _find_review_card(self, story: Story, channel) -> discord.Message | None:
        """Kindred's card for this story that still offers Approve, among the newest."""
        wanted = f"kindred:story:approve:{story.story_id}"
        async for message in channel.history(limit=LOOKBACK):
            if message.author.id == self.bot.user.id and wanted in custom_ids(message):
                log.info("story %s: found its earlier review card", story.story_id)
                return message
        return None

    async def care_note(self, story: Story, link: str, *, look_first: bool = False) -> None:
        """Quietly tell moderators a story was held for care (no ping, only in a channel
        @everyone can't read), once: sent with a nonce, and after a stop (`look_first`)
        only if it isn't there yet. Raises Discord's errors; the note then stays owed."""
        if not story.care_note_due:
            return
        if look_first and await self._quietly_find(self._find_care_note(story)):
            await self.stories.care_note_sent(story.story_id)
            return
        submitted = int(story.submitted_at.timestamp()) if story.submitted_at else 0
        note = await post_care_note(
            self.bot,
            story.guild_id,
            await self._held_note(story, link),
            nonce=f"care-{story.story_id}-{submitted}",
        )
        await self.stories.care_note_sent(story.story_id)  # or no private channel: never
        if note is not None:
            log.info("story %s: moderators told it was held for care", story.story_id)

    async def _held_note(self, story: Story, link: str) -> str:
        """The note's words; an anonymous author's words and name stay out of it."""
        if story.anonymous:
            return (
                f"Story #{story.story_id} was held for review ({link}) because its words "
                "suggest the author may be struggling. It was shared anonymously; the author "
                "has been shown crisis resources and may choose to let you know who they are."
            )
        author = await self.stories.author_of(story.story_id)
        return (
            f"Story #{story.story_id} from <@{author}> was held for review ({link}) because "
            "its words suggest they may be struggling. They have been shown crisis resources."
        )

    async def _find_care_note(self, story: Story) -> discord.Message | None:
        """The note an earlier try sent, among the moderator channel's newest messages."""
        settings = await self.bot.store.guilds.get(story.guild_id)
        channel = private_mod_channel(self.bot, story.guild_id, settings)
        if channel is None:
            return None
        opening = f"Story #{story.story_id} "
        async for message in channel.history(limit=LOOKBACK):
            if message.author.id == self.bot.user.id and any(
                embed.title == CARE_NOTE_TITLE and (embed.description or "").startswith(opening)
                for embed in message.embeds
            ):
                return message
        return None

    async def finish_care_note(self, story: Story) -> bool:
        """Send an orphan's owed note (see `care_note`); False when someone here is on it."""
        if not self.note_orphaned(story):
            return False
        with self.holding(story.story_id, claiming=False):
            link = review_link(story)
            await self.care_note(story, link, look_first=True)
        return True

    async def _has_guide(self, thread_id: int) -> bool:
        """Did an earlier try post the guide? When Discord can't say, post it (a second
        guide is a smaller harm than a story left unfinished)."""
        thread = self.bot.get_partial_messageable(thread_id)
        try:
            async for message in thread.history(limit=LOOKBACK):
                if message.author.id == self.bot.user.id and any(
                    embed.title == stories.GUIDE_TITLE for embed in message.embeds
                ):
                    return True
        except DISCORD_TROUBLE as error:
            log.info("could not look for the values guide in %s (%r)", thread_id, error)
        return False

    async def _post_guide(self, story: Story, thread_id: int) -> bool:
        """False when Discord refused it: the story is shared all the same, and its guide
        is owed (an anonymous author's Reply button is on it), posted by the recovery loop."""
        thread = self.bot.get_partial_messageable(thread_id, guild_id=story.guild_id)
        try:
            await thread.send(embed=guide_embed(story), view=guide_view(story))
        except DISCORD_TROUBLE:
            log.warning("story %s: could not post the values guide yet", story.story_id)
            return False
        return True

    async def finish_guide(self, story: Story) -> bool:
        """Post a shared story's owed guide, unless it is there already; False when Discord
        still refuses it (or its thread is gone: then nothing is owed any more)."""
        if story.status != PUBLISHED or not story.thread_id:
            await self.stories.guide_posted(story.story_id)
            return True
        try:
            await self.bot.http.get_channel(story.thread_id)
        except discord.NotFound:
            await self.stories.guide_posted(story.story_id)  # the thread is gone
            return True
        except DISCORD_TROUBLE:
            return False
        if await self._has_guide(story.thread_id) or await self._post_guide(story, story.thread_id):
            await self.stories.guide_posted(story.story_id)
            return True
        return False
