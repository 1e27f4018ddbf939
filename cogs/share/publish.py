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
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.care import CARE_NOTE_TITLE, post_care_note
from bot.checks import private_mod_channel
from bot.errors import Refusal
from bot.library import Value
from bot.render import THREAD_NAME_LIMIT, clip
from bot.sendqueue import NETWORK_ERRORS, send_once
from bot.store.stories import PENDING, PUBLISHED, PUBLISHING, Story
from cogs.share import story_rules as stories
from cogs.share.messages import (
    byline,
    guide_embed,
    guide_view,
    post_content,
    review_card,
    story_embed,
    story_marker,
)

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
LOOKBACK = 50  # newest messages searched for an earlier post of a story
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
WITHDRAWN_MEANWHILE = (
    "That story was withdrawn or removed while it was being posted, so I took the post down "
    "again. Nothing else was changed."
)


class ServerUnavailable(discord.ClientException):
    """The story's server isn't in the cache yet (just after a start): ask again later."""

    def __init__(self, guild_id: int):
        super().__init__(f"guild {guild_id} is not available yet")


class Unconfirmed(Refusal):
    """Discord didn't answer a post: it may have gone through. The next try looks first."""


# What "Discord can't be asked right now" looks like.
DISCORD_TROUBLE = (discord.HTTPException, *NETWORK_ERRORS, ServerUnavailable)


def channel_needs(channel: discord.abc.GuildChannel) -> tuple[str, ...]:
    return FORUM_NEEDS if isinstance(channel, discord.ForumChannel) else TEXT_CHANNEL_NEEDS


def unposted(story: Story) -> bool:
    """Claimed for posting, and not known to be up: being published, or waiting for
    review without a recorded card."""
    return story.status == PUBLISHING or (
        story.status == PENDING and story.review_message_id is None
    )


def thread_link(guild_id: int, thread_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{thread_id}"


def review_link(story: Story) -> str:
    """The jump link to a story's recorded review card."""
    return (
        f"https://discord.com/channels/{story.guild_id}/{story.review_channel_id}/"
        f"{story.review_message_id}"
    )


class ClaimBook:
    """Which stories this process is posting right now, and when it claimed each lately.

    A guild is served by one process, so an unposted story nobody here holds was left by
    a process that stopped: an orphan to finish at once. One this process claimed itself
    and let go unfinished (a full disk kept it from being undone) waits `STUCK_AFTER`
    first, as members were told ("still on its way")."""

    def __init__(self) -> None:
        self.holders: Counter[int] = Counter()
        self.claimed_at: dict[int, datetime] = {}

    def hold(self, story_id: int, now: datetime | None = None) -> None:
        """Someone here works on the story; `now` when that is a claim this process writes."""
        self.holders[story_id] += 1
        if now is not None:
            self.claimed_at[story_id] = now

    def release(self, story_id: int) -> None:
        self.holders[story_id] -= 1
        if self.holders[story_id] <= 0:
            del self.holders[story_id]

    def orphaned(self, story_id: int, now: datetime) -> bool:
        if self.holders[story_id] > 0:
            return False
        stale = stories.stuck_before(now)
        for old in [sid for sid, at in self.claimed_at.items() if at <= stale]:
            del self.claimed_at[old]
        return story_id not in self.claimed_at


def claim_book(bot: Any) -> ClaimBook:
    """The one claim book of this bot, created on first use (it lives as long as the bot)."""
    book = getattr(bot, "story_claims", None)
    if not isinstance(book, ClaimBook):
        book = ClaimBook()
        bot.story_claims = book
    return book


@dataclass(frozen=True)
class Spot:
    """Where a story's post is on Discord: the message, the channel holding it (a forum
    post is its own thread), and its reply thread once known."""

    channel_id: int
    message: discord.Message | discord.PartialMessage
    thread_id: int | None
    found: bool  # an earlier try's post, so its guide may be there already


@dataclass(frozen=True)
class Resumed:
    """What became of an orphan: the story now, and its link when it is up."""

    story: Story | None
    link: str | None


class StoryPublisher:
    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.stories = bot.store.stories
        self.book = claim_book(bot)

    async def byline(self, story: Story) -> str:
        if story.anonymous:
            return stories.ANONYMOUS_NAME
        return byline(story, await self.stories.author_of(story.story_id))

    # ----- who is working on what --------------------------------------------------------
    @contextlib.contextmanager
    def holding(self, story_id: int, *, claiming: bool = True) -> Iterator[None]:
        """Mark the story as worked on here, before its claim is written, so nothing in
        this process takes it for an orphan (`claiming`: and for 15 minutes after)."""
        self.book.hold(story_id, self.bot.clock() if claiming else None)
        try:
            yield
        finally:
            self.book.release(story_id)

    def orphaned(self, story: Story) -> bool:
        return unposted(story) and self.book.orphaned(story.story_id, self.bot.clock())

    def in_flight(self, story: Story) -> bool:
        """Being posted by this process right now (or lately, and it may still land)."""
        return unposted(story) and not self.orphaned(story)

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
            return Unconfirmed(
                f"Discord didn't confirm the post in {channel.mention} in time. {kept} {unsure}"
            )
        return Refusal(
            f"Discord didn't accept the post just now, so nothing was posted. {kept} "
            "Please try again in a moment."
        )

    # ----- the moderators' note for a story held for care ----------------------------------
    def note_orphaned(self, story: Story) -> bool:
        """Its card is up and its care note owed, and nobody here is sending it."""
        return (
            story.care_note_due
            and story.review_message_id is not None
            and self.book.orphaned(story.story_id, self.bot.clock())
        )

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

    async def _kept(self, write: Awaitable[bool], *, spot: Spot | None = None, message=None):
        """Record what was posted, or take it down again: when the disk fails, and when the
        story stopped being posted meanwhile (its author erased it, a moderator removed it)."""
        try:
            recorded = await write
        except sqlite3.Error:
            await self._take_down_what(spot, message)
            raise
        if not recorded:
            await self._take_down_what(spot, message)
            raise Refusal(WITHDRAWN_MEANWHILE)

    async def _take_down_what(self, spot: Spot | None, message) -> None:
        if spot is not None:
            await self._take_down(spot.channel_id, spot.message.id, spot.thread_id)
        elif message is not None:
            await self._take_down(message.channel.id, message.id, None)

    async def _take_down(self, channel_id: int, message_id: int, thread_id: int | None) -> None:
        """Delete a post and its thread (a forum post is one: deleting it takes both)."""
        if thread_id is not None:
            with contextlib.suppress(*DISCORD_TROUBLE):
                await self.bot.http.delete_channel(thread_id)
        if thread_id != channel_id:
            with contextlib.suppress(*DISCORD_TROUBLE):
                await self.bot.http.delete_message(channel_id, message_id)

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

    def _channel(self, story: Story, channel_id: int | None):
        """The cached channel to look in; None when it is gone (nothing can be there).
        Raises when the server isn't available yet: then nobody can tell."""
        guild = self.bot.get_guild(story.guild_id)
        if guild is None or guild.unavailable:
            raise ServerUnavailable(story.guild_id)
        return guild.get_channel(channel_id) if channel_id else None

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


def custom_ids(message: discord.Message) -> list[str]:
    found = []
    for row in message.components:
        for child in getattr(row, "children", ()):
            if getattr(child, "custom_id", None):
                found.append(child.custom_id)
    return found
