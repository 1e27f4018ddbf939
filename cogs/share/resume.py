"""After a restart: stories a crash left half-posted are finished, and owed values guides
and moderators' notes are sent."""

from __future__ import annotations

import logging

from bot.render import kind_embed
from bot.store.stories import (
    DRAFT,
    PENDING,
    PUBLISHED,
    Story,
)
from bot.text import clip
from cogs.share.base import (
    StoryFlowBase,
)
from cogs.share.publish_base import DISCORD_TROUBLE, Resumed, unposted

log = logging.getLogger("kindred.share")


class Resuming(StoryFlowBase):
    """What recovery finishes on start."""

    async def recover_unposted(self) -> int:
        """Finish or give back every story a stopped process left half posted, and tell
        each author what became of theirs. Returns how many are still left (Discord or
        their server could not be reached); the cog asks again later."""
        left, after = 0, 0
        while batch := await self.stories.unposted(after=after):
            after = batch[-1].story_id
            for story in batch:
                left += await self._recover_one(story)
        return left + await self._send_owed_notes() + await self._post_owed_guides()

    async def _post_owed_guides(self) -> int:
        """Every values guide Discord refused when its story was shared; how many are
        still owed."""
        left, after = 0, 0
        while batch := await self.stories.guides_due(after=after):
            after = batch[-1].story_id
            for story in batch:
                left += 0 if await self.publisher.finish_guide(story) else 1
        return left

    async def _send_owed_notes(self) -> int:
        """Every care note a stop (or Discord) kept from reaching the moderators, once;
        how many are still owed."""
        left, after = 0, 0
        while batch := await self.stories.care_notes_due(after=after):
            after = batch[-1].story_id
            for story in batch:
                left += await self._send_owed_note(story)
        return left

    async def _send_owed_note(self, story: Story) -> int:
        """1 when the note is still owed (Discord refused it, or this process is on it or
        claimed it lately: the loop asks again later), else 0."""
        try:
            return 0 if await self.publisher.finish_care_note(story) else 1
        except DISCORD_TROUBLE as error:
            log.warning("story %s: its care note waits (%r)", story.story_id, error)
            return 1

    async def _recover_one(self, story: Story) -> int:
        """1 when the orphan is still there (to try again later), else 0."""
        if not self.publisher.orphaned(story):
            return 0
        resumed = await self._resume_quietly(story)
        if resumed is None:
            return 1 if unposted(await self._fresh(story)) else 0
        await self._tell_recovered(story, resumed)
        return 0

    async def _fresh(self, story: Story) -> Story:
        return await self.stories.get(story.guild_id, story.story_id) or story

    async def _tell_recovered(self, before: Story, resumed: Resumed) -> None:
        """Nobody was waiting on an interaction any more: the author (and, for an approval,
        the review card) hear how it ended."""
        story = resumed.story
        if story is None:
            return
        title = clip(before.title or "Untitled", 100)
        if story.status == PUBLISHED and before.review_message_id is not None:
            await self._show_approved(story, resumed.link, by=None)
            return
        if story.status == PUBLISHED:
            text = (
                f"Your story **{title}** is shared: {resumed.link}\nIt took a little longer "
                "than it should have (Kindred restarted on the way). Thank you for trusting "
                "this community with it. 💛"
            )
        elif story.status == PENDING and resumed.link:
            text = (
                f"Your story **{title}** is with the moderators now; it will be shared once "
                "one of them has read it."
            )
        elif story.status == DRAFT:
            text = (
                f"Kindred restarted while posting your story **{title}**, before it reached "
                "anyone. It's safe in your drafts: use `/share` to post it whenever you're "
                "ready."
            )
        else:
            return  # an approval given back: it waits on its card, as before
        await self._tell_author(story.story_id, embed=kind_embed("About your story", text))
