"""The Discord-aware steps of celebrated victories: save and post a victory, cheer it, page
through a history, remove one (the author's own, or a moderator's), tell the author.

One `VictoryFlow` per bot (the cog's), so that cheers on one card are coalesced into one
edit at a time (`LatestOnly`) and cards being posted are known to every press.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3

import discord

from bot.care import alert_moderators, answer_care, assess_texts
from bot.checks import missing_permissions
from bot.client import KindredBot
from bot.errors import Refusal
from bot.safety import needs_care
from bot.sendqueue import NETWORK_ERRORS, LatestOnly, shared_queue, transient
from bot.store.victories import CheerStatus
from bot.visible import shown
from cogs.victories import messages, victory_rules
from cogs.victories.cards import VictoryCards
from cogs.victories.messages import (
    cheer_view,
    history_view,
    missing_text,
    removal_view,
    share_publicly_view,
)
from cogs.victories.victory_rules import REASON_LIMIT

log = logging.getLogger("kindred.victories")

NONE = discord.AllowedMentions.none()
GONE = "That victory has been removed, so there's nothing to do here any more."


class VictoryFlow:
    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.cards = VictoryCards(bot, cheer_view)
        self.card_updates = LatestOnly()
        self._channels: dict[int, int | None] = {}  # guild -> celebrations channel (cache)
        self._tasks: set[asyncio.Task] = set()  # cards being posted

    @property
    def repo(self):
        return self.bot.store.victories

    def close(self) -> None:
        """The feature is unloaded: stop posting cards."""
        for task in list(self._tasks):
            task.cancel()

    def remember_channel(self, guild_id: int, channel_id: int) -> None:
        self._channels[guild_id] = channel_id

    async def celebrate(
        self, interaction: discord.Interaction, victory: str, value: str | None, visibility: str
    ) -> None:
        """/celebrate: save the victory, answer, post its card (never heavy words), offer care."""
        try:
            text = victory_rules.clean_text(victory)
            chosen = victory_rules.resolve_value(self.bot.library, value)
        except ValueError as problem:
            raise Refusal(str(problem)) from None
        care = assess_texts(text)
        public = visibility == victory_rules.PUBLIC
        kept_for_care = public and care.strong  # heavy words are never posted for cheers
        channel, missing = None, []
        if public and not kept_for_care:
            channel = await self._celebrations_channel(interaction)
            missing = self._missing_for_card(interaction, channel)
        saved = await self.repo.add(
            interaction.guild_id,
            interaction.user.id,
            interaction.user.display_name,
            text,
            chosen and chosen.key,
            public and not missing and not kept_for_care,
            self.bot.clock(),
            channel.id if channel is not None else None,  # where its card goes: step 1
        )
        view = None
        if kept_for_care:
            reply = messages.kept_for_care_text(saved.victory_id)
            view = share_publicly_view(saved.victory_id)
        elif not public:
            reply = (
                f"Saved to your history as victory #{saved.victory_id}. 🌱 Only you can see it; "
                "`/victories` shows everything you've celebrated."
            )
        elif missing:
            reply = missing_text(channel, missing, saved.victory_id)
        else:
            reply = messages.on_its_way_text(saved.victory_id, channel.mention)
        await interaction.response.send_message(
            reply, ephemeral=True, **({"view": view} if view else {})
        )
        if saved.public:
            self._spawn(self._post_card(interaction, saved, chosen, channel))
        await answer_care(self.bot, interaction, care)
        if care.strong:
            where = (
                "kept private for now" if kept_for_care
                else f"public, in {channel.mention}" if saved.public
                else "private to them"
            )  # fmt: skip
            await alert_moderators(
                self.bot,
                interaction.guild_id,
                f"<@{interaction.user.id}> celebrated a victory (#{saved.victory_id}, {where}) whose "
                "words sounded heavy. They were offered the crisis resources privately; a kind "
                "check-in may help.",
            )

    async def share_publicly(self, interaction: discord.Interaction, victory_id: int) -> None:
        """The author of a victory kept private for care chose to post it after all."""
        if interaction.guild_id is None:
            raise Refusal(GONE)
        victory = await self.repo.get(victory_id)
        if victory is None or victory.guild_id != interaction.guild_id:
            raise Refusal(GONE)
        if victory.member_id != interaction.user.id:
            raise Refusal(
                "Only the person who celebrated this victory can share it. Nothing was changed."
            )
        if victory.public:
            raise Refusal("This victory is already shared publicly, so nothing was changed.")
        channel = await self._celebrations_channel(interaction)
        missing = self._missing_for_card(interaction, channel)
        if missing:
            raise Refusal(missing_text(channel, missing, victory_id))
        made = await self.repo.make_public(
            victory_id, interaction.guild_id, interaction.user.id, channel.id
        )
        if made is None:
            raise Refusal("This victory is already shared publicly, so nothing was changed.")
        await interaction.response.edit_message(
            content=messages.on_its_way_text(victory_id, channel.mention), view=None
        )
        value = self.bot.library.value(made.value_key) if made.value_key else None
        self._spawn(self._post_card(interaction, made, value, channel))

    def _spawn(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_card(self, interaction: discord.Interaction, saved, value, channel) -> None:
        """Post a public victory's card after the member has their answer.

        Cards go through the shared send queue: Discord allows a bot 50 requests a second,
        so under a burst the cards follow the answers at Discord's pace instead of holding
        them up. If Discord refuses, the victory stays safe in the member's private history.
        """
        with self.cards.holding(saved.victory_id):
            try:
                await self.cards.post(saved, value, channel)
            except (discord.HTTPException, *NETWORK_ERRORS) as error:
                if transient(error) and await self.cards.landed_after_all(saved, channel):
                    return  # Discord took it without saying so: found, and recorded
                log.warning("guild %s: victory card not posted (%r)", saved.guild_id, error)
                await self.repo.make_private(saved.victory_id)
                await self._tell_not_posted(interaction, saved.victory_id, channel, error)
            except sqlite3.Error:
                log.exception(
                    "guild %s: victory card taken down: its id can't be saved", saved.guild_id
                )
                with contextlib.suppress(sqlite3.Error):
                    await self.repo.make_private(saved.victory_id)
                with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
                    await interaction.followup.send(
                        f"Kindred can't save right now, so your victory's card couldn't stay up "
                        f"in {channel.mention}. Victory #{saved.victory_id} itself is kept in "
                        "your history; `/victories` shows it.",
                        ephemeral=True,
                    )
            except Exception:
                log.exception("guild %s: victory card failed", saved.guild_id)

    @staticmethod
    async def _tell_not_posted(interaction, victory_id: int, channel, error: Exception) -> None:
        told = messages.not_posted_text(victory_id, channel, passing=transient(error))
        with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
            await interaction.followup.send(told, ephemeral=True)

    @staticmethod
    def _missing_for_card(interaction: discord.Interaction, channel) -> list[str]:
        """Permissions the bot lacks to post a card in `channel` (Discord tells us for the
        channel the command was used in; others are computed from the cache)."""
        thread = isinstance(channel, discord.Thread) or (
            channel.id == interaction.channel_id
            and getattr(interaction.channel, "type", None)
            in (discord.ChannelType.public_thread, discord.ChannelType.private_thread)
        )
        needed = victory_rules.THREAD_CARD_PERMISSIONS if thread else victory_rules.CARD_PERMISSIONS
        if channel.id == interaction.channel_id:
            granted = interaction.app_permissions
            return [name for name in needed if not getattr(granted, name)]
        return missing_permissions(channel, needed)

    async def _celebrations_channel(self, interaction: discord.Interaction):
        guild_id = interaction.guild_id
        if guild_id not in self._channels:
            self._channels[guild_id] = (await self.repo.settings(guild_id)).channel_id
        channel_id = self._channels[guild_id]
        channel = interaction.guild.get_channel_or_thread(channel_id) if channel_id else None
        return channel if isinstance(channel, discord.abc.Messageable) else interaction.channel

    async def cheer(self, interaction: discord.Interaction, victory_id: int) -> None:
        """A press cheers (or, pressed again, takes the cheer back): the card's count changes
        and nothing else is sent; a press on your own victory is kindly refused."""
        if interaction.guild_id is None:
            raise Refusal(GONE)
        result = await self.repo.toggle_cheer(
            victory_id, interaction.guild_id, interaction.user.id, self.bot.clock()
        )
        if result.status is CheerStatus.MISSING:
            raise Refusal(GONE)
        if not result.card_known:
            await self._adopt(interaction, victory_id)
        if result.status is CheerStatus.OWN:
            raise Refusal(
                "This is your own victory, so you can't cheer it, but everyone else can. "
                "We're glad you shared it. 🌱"
            )
        await interaction.response.defer()  # the count on the card is the whole answer
        message = interaction.message
        if message is not None:
            self.card_updates.request(
                victory_id, lambda: self._show_cheers(victory_id, message.channel.id, message.id)
            )

    async def _adopt(self, interaction: discord.Interaction, victory_id: int) -> None:
        """The card pressed is one a stopped process posted without recording it: record it
        now, so that removals, erase and cheer counts reach it."""
        card, me = interaction.message, self.bot.user
        if card is None or me is None or card.author.id != me.id:
            return
        if victory_id in self.cards.posting:
            return
        if await self.repo.adopt_card(victory_id, card.channel.id, card.id):
            log.info("victory %s: its card recorded on a press", victory_id)

    async def _show_cheers(self, victory_id: int, channel_id: int, message_id: int) -> None:
        """Edit the card with the count read now, after every cheer written so far."""
        count = await self.repo.cheer_count(victory_id)
        card = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await shared_queue(self.bot).call(card.edit, view=cheer_view(victory_id, count))
        except discord.NotFound:
            pass  # the card was deleted meanwhile
        except discord.HTTPException as error:
            log.warning("victory %s: could not update the cheer count (%s)", victory_id, error.code)

    async def redraw_cheers(self, channel_id: int, message_id: int, victory_id: int) -> None:
        """After an erase: the count without the cheers of the member who left (the erase
        janitor retries when Discord refuses)."""
        count = await self.repo.cheer_count(victory_id)
        card = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await shared_queue(self.bot).call(card.edit, view=cheer_view(victory_id, count))

    async def history(
        self,
        interaction: discord.Interaction,
        member_id: int,
        number: int = 1,
        *,
        before: int | None = None,
        after: int | None = None,
        name: str | None = None,
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        own = member_id == interaction.user.id
        size = victory_rules.page_size(own)
        read = functools.partial(
            self.repo.history, interaction.guild_id, member_id, include_private=own
        )
        entries = await read(limit=size + 1, before=before, after=after)
        if after is not None:
            if len(entries) <= size:  # reached the newest: show the first page as it is
                return await self.history(interaction, member_id, name=name)
            entries = entries[:size][::-1]
            has_newer, has_older = True, True
            before = entries[0].victory_id + 1
        elif before is not None and not entries:  # everything older is gone
            return await self.history(interaction, member_id, name=name)
        else:
            has_newer, has_older = before is not None, len(entries) > size
            entries = entries[:size]
        history = victory_rules.HistoryPage(
            member_id, own, number if before else 1, before or 0, tuple(entries), has_newer,
            has_older,
        )  # fmt: skip
        if name is None:
            member = interaction.guild.get_member(member_id) if interaction.guild else None
            fallback = entries[0].author_name if entries else "This member"
            name = member.display_name if member else fallback
        return messages.history_embed(history, name, self.bot.library), history_view(history)

    async def turn_page(
        self,
        interaction: discord.Interaction,
        member_id: int,
        number: int,
        *,
        before: int | None = None,
        after: int | None = None,
        notice: str | None = None,
    ) -> None:
        embed, view = await self.history(interaction, member_id, number, before=before, after=after)
        await interaction.response.edit_message(content=notice, embed=embed, view=view)

    async def _own_victory(self, interaction: discord.Interaction, victory_id: int):
        victory = await self.repo.get(victory_id)
        if victory is None or victory.guild_id != interaction.guild_id:
            raise Refusal(GONE)
        if victory.member_id != interaction.user.id:
            raise Refusal("You can only remove your own victories. Nothing was changed.")
        return victory

    async def ask_remove(
        self, interaction: discord.Interaction, victory_id: int, before: int, number: int
    ) -> None:
        victory = await self._own_victory(interaction, victory_id)
        await interaction.response.edit_message(
            content=None,
            embed=messages.removal_embed(victory),
            view=removal_view(victory_id, before, number),
        )

    async def confirm_remove(
        self, interaction: discord.Interaction, victory_id: int, before: int, number: int
    ) -> None:
        await self._own_victory(interaction, victory_id)
        removed = await self.repo.remove(
            victory_id, interaction.guild_id, member_id=interaction.user.id
        )
        notice = f"Removed victory #{victory_id}." if removed else GONE
        await self.turn_page(
            interaction, interaction.user.id, number, before=before or None, notice=notice
        )
        if removed is not None and not await self.cards.take_down(removed):
            await interaction.followup.send(
                f"I removed it from your history, but couldn't delete its post in "
                f"<#{removed.channel_id}>. A moderator can delete it for you.",
                ephemeral=True,
            )

    async def _tell_author(
        self, interaction: discord.Interaction, victory, reason: str | None
    ) -> bool:
        server = interaction.guild.name if interaction.guild else None
        notice = messages.removed_notice(server, victory, reason, heavy=needs_care(victory.text))
        try:
            channel = await shared_queue(self.bot).call(
                self.bot.create_dm, discord.Object(victory.member_id)
            )
            await shared_queue(self.bot).call(
                channel.send,
                embed=notice,
                allowed_mentions=NONE,
            )
        except discord.HTTPException:
            return False
        return True

    async def remove_by_moderator(
        self, interaction: discord.Interaction, victory_id: int, reason: str | None
    ) -> None:
        """/celebrations remove: take a public victory down and tell its author privately."""
        reason = shown(reason) or None
        if reason is not None and len(reason) > REASON_LIMIT:  # Discord checks; so do we
            raise Refusal(
                f"The reason can be up to {REASON_LIMIT} characters and this one has "
                f"{len(reason)}. Nothing was changed."
            )
        removed = await self.repo.remove(victory_id, interaction.guild_id, public_only=True)
        if removed is None:
            raise Refusal(
                f"There's no public victory #{victory_id} in this server (it may already be "
                "removed). Nothing was changed."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        lines = [f"Removed victory #{victory_id}."]
        if not await self.cards.take_down(removed):
            lines.append(
                f"I couldn't delete its post in <#{removed.channel_id}>; please delete it by hand."
            )
        if await self._tell_author(interaction, removed, reason):
            lines.append("I let its author know privately.")
        else:
            lines.append("I couldn't tell its author privately (their direct messages are closed).")
        await interaction.followup.send(" ".join(lines), ephemeral=True)
