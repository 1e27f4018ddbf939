"""The /share flow, from a member's draft to a published thread and everything after.

Stateless (everything lives in the store), so a button pressed tomorrow, after a restart,
lands here just as well. Author checks always go through the store's author table; the
moderator paths never read it, except to deliver a note to the author.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.care import alert_moderators, answer_care, assess_texts, offer_care, offer_reveal
from bot.checks import private_mod_channel, require_can_post, require_moderator
from bot.errors import GUILD_ONLY, Refusal
from bot.library import Value
from bot.render import clip, kind_embed
from bot.sendqueue import send_once
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
from bot.ui import UNKNOWN_BUTTON, dynamic_view, impossible_id
from bot.visible import shown
from cogs.share import story_rules as stories
from cogs.share.messages import (
    COMPOSE,
    DECLINE,
    MODAL_ID,
    REPLY,
    StoryButton,
    author_reply_embed,
    compose_modal,
    decline_modal,
    declined_notice,
    draft_offer,
    modal_values,
    mystories_page,
    preview,
    reply_modal,
)
from cogs.share.publish import (
    DISCORD_TROUBLE,
    DRAFT_KEPT,
    Resumed,
    StoryPublisher,
    Unconfirmed,
    channel_needs,
    custom_ids,
    review_link,
    thread_link,
    unposted,
)

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


class ShareFlow:
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
        story = await self.stories.get(interaction.guild_id, story_id)
        if (
            story is None
            or story.status not in statuses
            or not await self.stories.is_author(story_id, interaction.user.id)
        ):
            raise Refusal(GONE)
        return story

    async def _author_pressed(
        self, interaction: discord.Interaction, story_id: int
    ) -> Story | None:
        """The anonymous story when its author pressed; anyone else gets a silent acknowledgement."""
        story = (
            await self.stories.get(interaction.guild_id, story_id) if interaction.guild_id else None
        )
        if (
            story is None
            or not story.anonymous
            or not await self.stories.is_author(story_id, interaction.user.id)
        ):
            await interaction.response.defer()
            return None
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

    # ----- /share and the draft ------------------------------------------------------------
    async def start(self, interaction: discord.Interaction) -> None:
        """/share: any moderator's note first, then the draft, else an empty form."""
        guild_id, member_id = interaction.guild_id, interaction.user.id
        settings = await self.stories.settings(guild_id)
        if settings.channel_id is None:
            raise Refusal(NOT_SET_UP)
        declined = await self.stories.undelivered_reasons(guild_id, member_id)
        if declined:
            view = dynamic_view(
                StoryButton("edit", declined[-1].story_id, label="Continue your draft"),
                StoryButton("new"),
            )
            text = declined_notice(declined, interaction.guild.name)
            await interaction.response.send_message(text, view=view, ephemeral=True)
            for story in declined:
                await self.stories.mark_reason_delivered(story.story_id)
            return
        draft = await self.stories.latest_draft(guild_id, member_id)
        if draft is not None:
            await interaction.response.send_message(**draft_offer(draft), ephemeral=True)
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
        await interaction.response.send_message(**await self._preview(story), ephemeral=True)
        await answer_care(self.bot, interaction, care)

    async def _preview(self, story: Story) -> dict[str, Any]:
        settings = await self.stories.settings(story.guild_id)
        return preview(
            story,
            self._value(story),
            await self._byline(story),
            reviewed=settings.review,
            library_values=self.bot.library.values,
        )

    async def on_value(self, interaction: discord.Interaction, story_id: int, key: str) -> None:
        value = self.bot.library.value(key)
        if value is None:
            raise Refusal("I don't know that value any more; please choose another one.")
        await self._mine(interaction, story_id, DRAFT)
        if not await self.stories.set_value(story_id, interaction.user.id, value.key):
            raise Refusal(GONE)
        story = await self.stories.get(interaction.guild_id, story_id)
        await interaction.response.edit_message(**await self._preview(story))

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
        """Claim the draft (with where it goes), post it, and tell the author."""
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
                "You shared a story just a little while ago. To give each story room to be "
                f"heard, everyone can post one every {int(stories.COOLDOWN.total_seconds() // 60)} "
                f"minutes: you can post this one {discord.utils.format_dt(ends, 'R')}. "
                "Your draft is saved."
            )
        if result.story is None:
            raise Refusal(GONE)
        # an earlier try Discord never confirmed left its target: its post may be up
        look_first = (story.post_channel_id or story.review_channel_id) is not None
        story = result.story
        if not interaction.response.is_done():
            await interaction.response.defer()
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

    # ----- the review queue --------------------------------------------------------------------
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

    # ----- the thread ------------------------------------------------------------------------
    async def on_reply(self, interaction: discord.Interaction, story_id: int) -> None:
        story = await self._author_pressed(interaction, story_id)
        if story is None:
            return
        if story.status != PUBLISHED or story.locked:
            raise Refusal("Replies to this story are closed.")
        await interaction.response.send_modal(reply_modal(story_id))

    async def reply(self, interaction: discord.Interaction, story_id: int, values: dict) -> None:
        story = await self._author_pressed(interaction, story_id)
        if story is None:
            return
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

    # ----- /mystories: delete and lock ----------------------------------------------------------
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
            view=dynamic_view(StoryButton("confirm-delete", story_id)),
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

    # ----- moderators ------------------------------------------------------------------------
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
    async def on_modal(self, interaction: discord.Interaction) -> bool:
        """Answer a /share modal submit; False when the modal isn't ours."""
        custom_id = (interaction.data or {}).get("custom_id", "")
        match = MODAL_ID.match(custom_id)
        if match is None:
            return False
        if interaction.guild_id is None:
            raise Refusal(GUILD_ONLY)
        if impossible_id(custom_id):
            raise Refusal(UNKNOWN_BUTTON)
        values = modal_values((interaction.data or {}).get("components", []))
        handler = {COMPOSE: self.save, REPLY: self.reply, DECLINE: self.decline}[match["kind"]]
        await handler(interaction, int(match["id"]), values)
        return True

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

    # ----- after a restart ---------------------------------------------------------------
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
