"""The member's side of /share: the form, the draft and its preview, and posting it (or
queueing it for review)."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.care import answer_care, assess_texts, offer_reveal
from bot.errors import Refusal
from bot.library import Value
from bot.store.stories import (
    DRAFT,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    Story,
)
from bot.ui import dynamic_view
from cogs.share import story_rules as stories
from cogs.share.base import (
    CHOOSE_VALUE,
    CONSENT,
    GONE,
    NOT_SET_UP,
    StoryFlowBase,
    couldnt_check,
)
from cogs.share.forms import compose_modal
from cogs.share.messages import byline, declined_notice, draft_offer, preview, story_button
from cogs.share.publish_base import (
    DISCORD_TROUBLE,
    DRAFT_KEPT,
    Unconfirmed,
    review_link,
    thread_link,
)

log = logging.getLogger("kindred.share")


class Drafting(StoryFlowBase):
    """/share, the draft, Post."""

    async def start(self, interaction: discord.Interaction) -> None:
        """/share: any moderator's note first, then the draft, else an empty form."""
        guild_id, member_id = interaction.guild_id, interaction.user.id
        settings = await self.stories.settings(guild_id)  # held in memory: no hop
        if settings.channel_id is None:
            raise Refusal(NOT_SET_UP)
        opening = await self.stories.opening(guild_id, member_id)
        declined, draft = opening.declined, opening.draft
        if declined:
            view = dynamic_view(
                story_button("edit", declined[-1].story_id, label="Continue your draft"),
                story_button("new"),
            )
            text = declined_notice(declined, interaction.guild.name)
            await interaction.response.send_message(text, view=view, ephemeral=True)
            for story in declined:
                await self.stories.mark_reason_delivered(story.story_id)
            return
        if draft is not None:
            await interaction.response.send_message(**draft_offer(draft), ephemeral=True)
            return
        waiting = stories.cooldown_left(opening.last_submitted, self.bot.clock())
        if waiting is not None:  # told before a word is written, not after
            await interaction.response.send_message(
                stories.cooldown_text(waiting),
                view=dynamic_view(story_button("new", label="Start writing")),
                ephemeral=True,
            )  # fmt: skip
            return
        await interaction.response.send_modal(compose_modal(None))

    async def on_new(self, interaction: discord.Interaction, story_id: int) -> None:
        await interaction.response.send_modal(compose_modal(None))

    async def on_edit(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._mine(interaction, story_id, DRAFT)
        await interaction.response.send_modal(compose_modal(story))

    async def save(self, interaction: discord.Interaction, story_id: int, values: dict) -> None:
        """Keep what was typed at once, then show the preview, then care if it's needed."""
        text = stories.from_modal(
            values.get("title"),
            values.get("story"),
            values.get("content_warning"),
            values.get("post_as"),
            values.get("consent"),
        )
        too_long = stories.over_limits(text)
        if too_long:
            raise Refusal(f"{too_long[0]} Nothing was saved.")
        care = assess_texts(text.title, text.body, text.content_warning)
        held_for_care = care.strong  # a possible signal gets the gentle line, nothing held
        story = await self.stories.save_draft(
            interaction.guild_id,
            interaction.user.id,
            self.bot.clock(),
            title=text.title,
            body=text.body,
            content_warning=text.content_warning,
            anonymous=text.anonymous,
            consent=text.consent,
            held_for_care=held_for_care,
            story_id=story_id or None,
        )
        log.info("story %s saved as a draft in guild %s", story.story_id, story.guild_id)
        shown = await self._preview(story, interaction.user.id)
        await interaction.response.send_message(**shown, ephemeral=True)
        await answer_care(self.bot, interaction, care)

    async def _preview(self, story: Story, author_id: int) -> dict[str, Any]:
        """The author's preview: the settings are held in memory and the author is the one
        who pressed, so this costs no trip to the database."""
        settings = await self.stories.settings(story.guild_id)
        return preview(
            story,
            self._value(story),
            byline(story, author_id),
            reviewed=settings.review,
            library_values=self.bot.library.values,
        )

    async def on_value(self, interaction: discord.Interaction, story_id: int, key: str) -> None:
        value = self.bot.library.value(key)
        if value is None:
            raise Refusal("I don't know that value any more; please choose another one.")
        if interaction.guild_id is None:
            raise Refusal(GONE)
        story = await self.stories.set_value(story_id, interaction.user.id, value.key)
        if story is None or story.guild_id != interaction.guild_id:
            raise Refusal(GONE)
        await interaction.response.edit_message(**await self._preview(story, interaction.user.id))

    async def on_discard(self, interaction: discord.Interaction, story_id: int) -> None:
        if not await self.stories.discard(story_id, interaction.user.id):
            raise Refusal(GONE)
        await interaction.response.edit_message(
            content="Your draft was discarded; nothing was posted.", embeds=[], view=None
        )

    # ----- posting ---------------------------------------------------------------------------
    async def on_post(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._mine(interaction, story_id, DRAFT, PUBLISHING, PENDING, PUBLISHED)
        if story.status == PUBLISHED:  # e.g. a crash came before the preview said so
            link = thread_link(story.guild_id, story.thread_id)
            await interaction.response.edit_message(
                content=f"Your story is shared: {link}", embeds=[], view=None
            )
            return
        if self.publisher.orphaned(story):
            await interaction.response.defer()
            story = await self._resumed_for_author(interaction, story)
            if story is None:
                return
        if self.publisher.note_orphaned(story) and story.status == PENDING:
            await self._finish_held(interaction, story)
            return
        if story.status != DRAFT:
            with_moderators = story.status == PENDING and story.review_message_id is not None
            raise Refusal(GONE if with_moderators else stories.STILL_POSTING)
        value, settings, channel, mod_channel = await self._ready_to_post(interaction, story)
        with self.publisher.holding(story_id):
            await self._submit_and_post(interaction, story, value, settings, channel, mod_channel)

    async def _resumed_for_author(
        self, interaction: discord.Interaction, story: Story
    ) -> Story | None:
        """An orphan the author pressed Post on: finished (they hear where it is; None), or
        given back as a draft (returned, to be posted now)."""
        try:
            resumed = await self.publisher.resume(story)
        except DISCORD_TROUBLE as error:
            log.warning("story %s: could not finish it (%r)", story.story_id, error)
            raise Refusal(
                f"{couldnt_check(error)}, so I couldn't see whether your story went through. "
                "Your draft is saved; please press **Post** again in a moment: it won't be "
                "posted twice."
            ) from error
        if resumed is None:  # someone here took it up a moment ago
            raise Refusal(stories.STILL_POSTING)
        if resumed.story is None or resumed.story.status == DRAFT:
            return resumed.story
        if resumed.story.status == PUBLISHED and story.review_message_id is not None:
            await self._card_says_shared(resumed.story, resumed.link)  # a finished approval
        if resumed.story.status == PENDING:  # its card found: a held story's note follows
            await self._note_held(resumed.story, resumed.link, look_first=True)
        await self._tell_posted(interaction, resumed.story, resumed.link)
        held = resumed.story.status == PENDING and resumed.story.held_for_care
        if held and resumed.story.anonymous:
            await offer_reveal(self.bot, interaction, resumed.link)
        return None

    async def _ready_to_post(self, interaction: discord.Interaction, story: Story):
        """(value, settings, stories channel, moderator channel or None), or a refusal
        saying what is missing; nothing is claimed yet."""
        found = stories.problems(stories.text_of(story))
        if found:
            raise Refusal(f"{found[0]} Press **Edit** to change it; your draft is saved.")
        if not story.consent:
            raise Refusal(CONSENT)
        value = self._value(story)
        if value is None:
            raise Refusal(CHOOSE_VALUE)
        settings = await self.stories.settings(interaction.guild_id)
        channel = self._stories_channel(interaction.guild, settings.channel_id, DRAFT_KEPT)
        mod_channel = None
        if settings.review or story.held_for_care:
            mod_channel = await self._mod_channel(interaction.guild)
            if mod_channel is None:
                raise Refusal(
                    "A moderator reads stories here before they're shared, but there is no "
                    "moderator channel only moderators can see right now, so I can't pass yours "
                    "on. Your draft is saved; please let a moderator know (they can use "
                    "`/settings mod-channel`)."
                )
        return value, settings, channel, mod_channel

    async def _submit_and_post(
        self, interaction, story: Story, value: Value, settings, channel, mod_channel
    ) -> None:
        """Claim the draft (with where it goes), post it, and tell the author. The press is
        acknowledged first: the claim is the one trip to the database behind it, and a
        refusal after it arrives as a private follow-up."""
        if not interaction.response.is_done():
            await interaction.response.defer()
        now = self.bot.clock()
        reviewed = settings.review or story.held_for_care
        result = await self.stories.submit(
            story.story_id,
            interaction.user.id,
            now,
            cooldown_after=stories.cooldown_cutoff(now),
            to_review=settings.review,
            channel_id=(mod_channel if reviewed else channel).id,
        )
        if result.last_submitted is not None:
            ends = stories.cooldown_ends(result.last_submitted)
            raise Refusal(
                f"{stories.COOLDOWN_REASON} You can post this one "
                f"{discord.utils.format_dt(ends, 'R')}. Your draft is saved."
            )
        if result.story is None:
            raise Refusal(GONE)
        # an earlier try Discord never confirmed left its target: its post may be up
        look_first = (story.post_channel_id or story.review_channel_id) is not None
        story = result.story
        try:
            if story.status == PENDING:
                link = await self.publisher.queue_for_review(
                    story, value, mod_channel, look_first=look_first
                )
            else:
                link = await self.publisher.publish(
                    story, value, channel, DRAFT_KEPT, look_first=look_first
                )
        except Unconfirmed:
            await self.stories.unsubmit(story.story_id, unconfirmed=True)
            raise
        except BaseException:
            await self.stories.unsubmit(story.story_id)
            raise
        if story.status == PENDING:
            await self._note_held(story, link)
        await self._tell_posted(interaction, story, link)
        if story.held_for_care and story.anonymous:
            await offer_reveal(self.bot, interaction, link)

    async def _tell_posted(self, interaction: discord.Interaction, story: Story, link: str) -> None:
        if story.status == PENDING:
            text = (
                "Thank you. Your story is with the moderators now; it will be shared once one "
                "of them has read it, and you'll hear from me if they have a note for you."
            )
        else:
            text = (
                f"Your story is shared: {link}\nThank you for trusting this community with it. 💛"
            )
        await interaction.edit_original_response(content=text, embeds=[], view=None)

    async def _note_held(self, story: Story, link: str, *, look_first: bool = False) -> None:
        """The moderators' quiet note for a story held for care (it is recorded as owed
        until sent); when Discord refuses it now, the recovery loop sends it later."""
        try:
            await self.publisher.care_note(story, link, look_first=look_first)
        except DISCORD_TROUBLE as error:
            log.warning("story %s: its care note waits for later (%r)", story.story_id, error)

    async def _finish_held(self, interaction: discord.Interaction, story: Story) -> None:
        """Post pressed on a held story whose card is up but whose note a stop kept from
        being sent: the note now (once), and the author hears where their story is."""
        link = review_link(story)
        with self.publisher.holding(story.story_id, claiming=False):
            await interaction.response.defer()
            await self._note_held(story, link, look_first=True)
        await self._tell_posted(interaction, story, link)
        if story.anonymous:
            await offer_reveal(self.bot, interaction, link)
