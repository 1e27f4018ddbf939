"""The moderators' review queue: approve (and finish an approval a crash cut short) or
decline with a private note to the author."""

from __future__ import annotations

import logging

import discord

from bot.checks import require_moderator
from bot.errors import Refusal
from bot.render import kind_embed
from bot.store.stories import (
    PENDING,
    PUBLISHED,
    PUBLISHING,
    Story,
)
from bot.text import clip
from bot.visible import shown
from cogs.share import story_rules as stories
from cogs.share.base import (
    BEING_POSTED,
    HALF_APPROVED,
    HANDLED,
    QUEUE_KEPT,
    StoryFlowBase,
    couldnt_check,
)
from cogs.share.forms import decline_modal
from cogs.share.messages import declined_notice
from cogs.share.publish_base import DISCORD_TROUBLE, Unconfirmed, custom_ids, thread_link

log = logging.getLogger("kindred.share")


class Review(StoryFlowBase):
    """Approve and Decline on a review card."""

    async def on_approve(self, interaction: discord.Interaction, story_id: int) -> None:
        require_moderator(interaction)
        story = await self._waiting(interaction, story_id)
        if story.status == PUBLISHING and self.publisher.orphaned(story):
            await interaction.response.defer()
            story = await self._resumed_for_moderator(interaction, story)
            if story is None:
                return
        if story.status == PUBLISHING:
            raise Refusal(BEING_POSTED.format(story_id=story_id))
        if story.status == PUBLISHED:
            await self._finish_stale_card(story)
        if story.status != PENDING:
            raise Refusal(HANDLED)
        settings = await self.stories.settings(interaction.guild_id)
        channel = self._stories_channel(interaction.guild, settings.channel_id, QUEUE_KEPT)
        look_first = story.post_channel_id is not None  # an unconfirmed earlier approval
        with self.publisher.holding(story_id):
            story = await self.stories.claim_approval(
                interaction.guild_id, story_id, channel.id, self.bot.clock()
            )
            if story is None:
                raise Refusal(HANDLED)
            try:
                if not interaction.response.is_done():
                    await interaction.response.defer()
                link = await self.publisher.publish(
                    story, self._value(story), channel, QUEUE_KEPT, look_first=look_first
                )
            except Unconfirmed:
                await self.stories.release_approval(story_id, unconfirmed=True)
                raise
            except BaseException:
                await self.stories.release_approval(story_id)
                raise
        await self._show_approved(story, link, by=interaction)

    async def _finish_stale_card(self, story: Story) -> None:
        """A shared story whose card still offers Approve: the approval's last steps (the
        card, the author's note) never ran, so run them now. A card that says it is shared
        already is left as it is."""
        if await self._card_offers_approve(story):
            await self._show_approved(story, thread_link(story.guild_id, story.thread_id), by=None)

    async def _card_offers_approve(self, story: Story) -> bool:
        """Does the story's review card still show Approve (a crash came before it was
        updated)? Asked only for a shared story, whose card normally says so."""
        if not story.review_message_id:
            return False
        channel = self.bot.get_partial_messageable(story.review_channel_id)
        try:
            card = await channel.fetch_message(story.review_message_id)
        except DISCORD_TROUBLE:
            return False
        return f"kindred:story:approve:{story.story_id}" in custom_ids(card)

    async def _waiting(self, interaction: discord.Interaction, story_id: int) -> Story:
        """The story a moderator pressed on, with the card they pressed recorded if a crash
        kept it from being recorded (so it can be edited, and erase can find it)."""
        story = await self.stories.get(interaction.guild_id, story_id)
        if story is None:
            raise Refusal(HANDLED)
        card = interaction.message
        if (
            story.review_message_id is None
            and story.status in (PENDING, PUBLISHING)
            and card is not None
            and card.author.id == self.bot.user.id
            and await self.stories.set_review_message(story_id, card.channel.id, card.id)
        ):
            story = await self.stories.get(interaction.guild_id, story_id) or story
        return story

    async def _resumed_for_moderator(
        self, interaction: discord.Interaction, story: Story
    ) -> Story | None:
        """An approval a crash left half done: finished (None), or waiting again (returned)."""
        try:
            resumed = await self.publisher.resume(story)
        except DISCORD_TROUBLE as error:
            log.warning("story %s: could not finish its approval (%r)", story.story_id, error)
            raise Refusal(
                f"{couldnt_check(error)}, so I couldn't finish this approval. {QUEUE_KEPT} "
                "Please press **Approve** again in a moment: it won't be posted twice."
            ) from error
        if resumed is None:
            raise Refusal(BEING_POSTED.format(story_id=story.story_id))
        if resumed.story is None or resumed.story.status != PUBLISHED:
            return resumed.story
        await self._show_approved(resumed.story, resumed.link, by=interaction)
        return None

    async def _show_approved(
        self, story: Story, link: str, *, by: discord.Interaction | None
    ) -> None:
        """The card says it is shared (and by whom, when a moderator is pressing), and the
        author hears it."""
        await self._card_says_shared(story, link, by=by)
        guild = self.bot.get_guild(story.guild_id)
        await self._tell_author(
            story.story_id,
            embed=kind_embed(
                "Your story is shared",
                f"A moderator of **{guild.name if guild else 'your server'}** read your story "
                f"**{clip(story.title, 100)}**, and it's now shared: {link}\n"
                "Thank you for trusting the community with it. 💛",
            ),
        )

    async def _card_says_shared(
        self, story: Story, link: str, *, by: discord.Interaction | None = None
    ) -> None:
        approved = f"approved by {by.user.mention} and" if by is not None else "approved and"
        content = f"✅ Story #{story.story_id} was {approved} shared: {link}"
        if by is not None:
            await by.edit_original_response(content=content, embeds=[], view=None)
            return
        await self._edit_message(
            story.review_channel_id, story.review_message_id, content=content, embeds=[], view=None
        )

    async def on_decline(self, interaction: discord.Interaction, story_id: int) -> None:
        require_moderator(interaction)
        story = await self._waiting(interaction, story_id)
        if story.status == PUBLISHING and self.publisher.orphaned(story):
            raise Refusal(HALF_APPROVED.format(story_id=story_id))
        if story.status != PENDING:
            raise Refusal(HANDLED)
        await interaction.response.send_modal(decline_modal(story_id))

    async def decline(self, interaction: discord.Interaction, story_id: int, values: dict) -> None:
        require_moderator(interaction)
        reason = shown(values.get("reason"))
        if not reason:
            raise Refusal("Please write a short note for the author. Nothing was changed.")
        if len(reason) > stories.REASON_MAX:
            raise Refusal(
                f"The note can be up to {stories.REASON_MAX} characters (it has {len(reason)}). "
                "Nothing was changed."
            )
        await self._waiting(interaction, story_id)
        story = await self.stories.decline(interaction.guild_id, story_id, reason)
        if story is None:
            raise Refusal(HANDLED)
        await interaction.response.defer(ephemeral=True, thinking=True)
        notice = kind_embed("About your story", declined_notice([story], interaction.guild.name))
        if story.anonymous:
            # Moderators must learn nothing that depends on who wrote it (DM state, timing):
            # they hear one fixed sentence first, and the author is written to afterwards.
            delivery = "by DM, or the next time they use /share if their DMs are closed"
            await self._show_declined(interaction, story, delivery)
            await self._deliver_decline(story_id, notice)
        else:
            told = await self._deliver_decline(story_id, notice)
            delivery = "by DM" if told else "the next time they use /share (their DMs are closed)"
            await self._show_declined(interaction, story, delivery)
        log.info("story %s declined in guild %s", story_id, story.guild_id)

    async def _deliver_decline(self, story_id: int, notice: discord.Embed) -> bool:
        """DM the note; when it can't be delivered it waits for the author's next /share."""
        told = await self._tell_author(story_id, embed=notice)
        if told:
            await self.stories.mark_reason_delivered(story_id)
        return told

    async def _show_declined(
        self, interaction: discord.Interaction, story: Story, delivery: str
    ) -> None:
        await self._edit_message(
            story.review_channel_id,
            story.review_message_id,
            content=f"❌ Story #{story.story_id} was declined by {interaction.user.mention}. "
            f"The note reaches the author {delivery}.",
            embeds=[],
            view=None,
        )
        await interaction.followup.send(
            f"Declined. Your note reaches the author {delivery}; their words went back to "
            "their drafts.",
            ephemeral=True,
        )
