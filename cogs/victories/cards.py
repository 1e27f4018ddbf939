"""A victory's public card, in three recorded steps: the victory is saved with its card's
channel, the card is posted, its id recorded. A card a stopped process left on its way is
finished on start: looked for among the channel's newest messages (by its Cheer button,
which names the victory) and recorded, or posted when it isn't there.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import discord

from bot.library import Value
from bot.sendqueue import (
    NETWORK_ERRORS,
    send_once,
    shared_queue,
    transient,
)
from bot.store.victories import (
    CARD_ID_PREFIX,
    Victory,
)
from cogs.victories.messages import victory_card

if TYPE_CHECKING:
    from bot.client import KindredBot


log = logging.getLogger("kindred.digest")

CARD_LOOKBACK = 100  # newest messages of a channel searched for cards a crash left unrecorded
NO_PINGS = discord.AllowedMentions.none()
DISCORD_TROUBLE = (discord.HTTPException, *NETWORK_ERRORS)


def card_nonce(victory_id: int) -> str:
    """One nonce per victory: every try (a retry, a recovery) gets the same card back while
    Discord remembers it."""
    return f"victory-{victory_id}"


def card_victory_ids(message: discord.Message) -> list[int]:
    """The victories whose Cheer buttons a message carries."""
    found = []
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None) or ""
            tail = custom_id.removeprefix(CARD_ID_PREFIX)
            if tail != custom_id and tail.isdigit():
                found.append(int(tail))
    return found


class VictoryCards:
    """Posts a public victory's card and records it, and finishes cards a stopped process
    left on their way: found again and recorded, or posted, never twice.

    `posting` holds the victories this process is posting right now: those are no orphans.
    `view(victory_id, count)` draws the Cheer button (it lives with the feature's buttons).
    """

    def __init__(self, bot: KindredBot, view: Callable[[int, int], discord.ui.View]):
        self.bot = bot
        self._view = view
        self.posting: set[int] = set()

    @property
    def repo(self):
        return self.bot.store.victories

    @contextlib.contextmanager
    def holding(self, victory_id: int) -> Iterator[bool]:
        """True, and held here until the block ends, unless someone here already is."""
        if victory_id in self.posting:
            yield False
            return
        self.posting.add(victory_id)
        try:
            yield True
        finally:
            self.posting.discard(victory_id)

    # ----- posting -------------------------------------------------------------------------
    async def post(self, victory: Victory, value: Value | None, channel) -> discord.Message:
        """Post the card and record it (see `record`); raises Discord's errors."""
        message = await send_once(
            channel.send,
            embed=victory_card(victory, value),
            view=self._view(victory.victory_id, 0),
            allowed_mentions=NO_PINGS,
            nonce=card_nonce(victory.victory_id),
            queue=shared_queue(self.bot),  # wait for Discord's pace first
        )
        await self.record(victory.victory_id, message)
        return message

    async def record(self, victory_id: int, message: discord.Message) -> bool:
        """Record a card on Discord, or take it down again: when the disk fails (re-raised)
        and when the victory was removed or erased meanwhile (False)."""
        try:
            recorded = await self.repo.set_message(victory_id, message.channel.id, message.id)
        except sqlite3.Error:
            await self._delete_quietly(message)
            raise
        if not recorded:
            log.info("victory %s: removed while its card was posted; taken down", victory_id)
            await self._delete_quietly(message)
        return recorded

    async def _delete_quietly(self, message) -> None:
        with contextlib.suppress(*DISCORD_TROUBLE):
            await shared_queue(self.bot).call(message.delete)

    # ----- finding -------------------------------------------------------------------------
    async def find(self, channel, victory_ids: Iterable[int]) -> dict[int, list[discord.Message]]:
        """Kindred's cards for these victories among the channel's newest messages, oldest
        first. Raises Discord's errors: then nobody can tell."""
        wanted, found = set(victory_ids), defaultdict(list)
        me = self.bot.user
        await shared_queue(self.bot).acquire()
        async for message in channel.history(limit=CARD_LOOKBACK):
            if me is not None and message.author.id == me.id:
                for victory_id in card_victory_ids(message):
                    if victory_id in wanted:
                        found[victory_id].insert(0, message)
        return dict(found)

    async def take_down(self, victory: Victory) -> bool:
        """Delete a removed victory's card; True when it is gone (or there was none). A card
        whose id was never recorded is looked for; one being posted here right now comes
        down by itself (its record finds the victory gone)."""
        if victory.message_id and victory.channel_id:
            card = self.bot.get_partial_messageable(victory.channel_id).get_partial_message(
                victory.message_id
            )
            return await self._deleted(victory.victory_id, [card])
        if not (victory.public and victory.channel_id) or victory.victory_id in self.posting:
            return True
        channel = self._channel(victory.guild_id, victory.channel_id)
        try:
            cards = (await self.find(channel, [victory.victory_id])).get(victory.victory_id, [])
        except discord.NotFound:
            return True  # the channel is gone, and its messages with it
        except DISCORD_TROUBLE as error:
            log.warning("victory %s: could not look for its card (%r)", victory.victory_id, error)
            return False
        return await self._deleted(victory.victory_id, cards)

    async def _deleted(self, victory_id: int, cards: list) -> bool:
        for card in cards:
            try:
                await shared_queue(self.bot).call(card.delete)
            except discord.NotFound:
                continue
            except DISCORD_TROUBLE as error:
                log.warning("victory %s: could not delete its card (%r)", victory_id, error)
                return False
        return True

    def _channel(self, guild_id: int, channel_id: int):
        """The cached channel, or one known by id only (an archived thread isn't cached)."""
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        if isinstance(channel, discord.abc.Messageable):
            return channel
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)

    async def landed_after_all(self, victory: Victory, channel) -> bool:
        """After every try failed unconfirmed: did one of them land? Then it is recorded
        (a card kept private while it is up would be one nobody could take down)."""
        try:
            cards = (await self.find(channel, [victory.victory_id])).get(victory.victory_id)
        except DISCORD_TROUBLE:
            return False
        return bool(cards) and await self._finish(victory, channel, cards)

    # ----- after a crash -----------------------------------------------------------------
    async def recover(self) -> int:
        """Finish every card a stopped process left on its way; how many are still left
        (Discord couldn't be asked, or their server isn't available yet)."""
        by_channel: dict[tuple[int, int], list[Victory]] = defaultdict(list)
        for victory in await self.repo.unposted():
            if victory.victory_id not in self.posting:
                by_channel[(victory.guild_id, victory.channel_id)].append(victory)
        left = 0
        for (guild_id, channel_id), victories in by_channel.items():
            left += await self._recover_channel(guild_id, channel_id, victories)
        return left

    async def _recover_channel(self, guild_id: int, channel_id: int, victories: list) -> int:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return 0  # not a server of this process (or it left): not ours to finish
        if guild.unavailable:
            return len(victories)
        channel = self._channel(guild_id, channel_id)
        with contextlib.ExitStack() as held:
            mine = [v for v in victories if held.enter_context(self.holding(v.victory_id))]
            try:
                found = await self.find(channel, [v.victory_id for v in mine])
            except discord.NotFound:  # deleted, and any card with it: kept, privately
                for victory in mine:
                    await self.repo.make_private(victory.victory_id)
                log.info("guild %s: cards left for a deleted channel kept private", guild_id)
                return 0
            except discord.Forbidden:  # history unreadable: the nonce is the one guard left
                found = {}
            except DISCORD_TROUBLE as error:
                log.warning("guild %s: could not look for cards (%r)", guild_id, error)
                return len(mine)
            left = 0
            for victory in mine:
                left += not await self._finish(victory, channel, found.get(victory.victory_id))
            return left

    async def _finish(self, victory: Victory, channel, cards: list | None) -> bool:
        """Record the card that is there (deleting any double), or post it; False when
        Discord's trouble leaves it for later."""
        if cards:
            first, *doubles = cards
            if await self.record(victory.victory_id, first):
                await self._deleted(victory.victory_id, doubles)
            log.info("victory %s: found its card and recorded it", victory.victory_id)
            return True
        value = self.bot.library.value(victory.value_key) if victory.value_key else None
        try:
            await self.post(victory, value, channel)
        except DISCORD_TROUBLE as error:
            if transient(error):
                log.warning("victory %s: card not posted yet (%r)", victory.victory_id, error)
                return False
            log.warning("victory %s: card refused (%r); kept private", victory.victory_id, error)
            await self.repo.make_private(victory.victory_id)
            return True
        except sqlite3.Error:
            log.exception("victory %s: its card can't be recorded", victory.victory_id)
            return False
        log.info("victory %s: posted the card a stopped process left", victory.victory_id)
        return True
