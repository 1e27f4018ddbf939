"""The weekly digest on Discord: claim before send, exactly once per server and week.

1. A due server's week (`UNIQUE(guild_id, week_start)`) is claimed, with a nonce, in the
   same transaction that moves its schedule to the next week; a week already claimed is
   never claimed again, so a restart or a second tick cannot post twice.
2. The attempt is counted before sending; 3. the digest goes out through the shared send
   queue; 4. the claim is marked sent with the message id.
After a crash, a claim still open is finished on the next tick while it is less than six
hours late: if an attempt was counted, the channel's newest messages are searched for the
week's marker first, and the re-send carries the same nonce, so Discord hands back the
first message instead of making a second. A digest more than six hours late (the bot was
offline) is recorded as missed; a claim whose send was started is looked for first, even
then, so a digest that reached Discord is recorded, never left unknown. A channel that is
gone or a missing permission fails the week and tells the moderators once, in their channel.

A victory's card (`VictoryCards`) goes the same way in three recorded steps: the victory is
saved with its card's channel, the card is posted, its id recorded. A card a stopped process
left on its way is finished on start: looked for among the channel's newest messages (by
its Cheer button, which names the victory) and recorded, or posted when it isn't there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import logging
import secrets
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.checks import missing_permissions, notify_moderators
from bot.errors import permission_names
from bot.library import Value
from bot.render import kind_embed
from bot.schedule import local_date_of, parse_hhmm, zone_or_utc
from bot.sendqueue import (
    NETWORK_ERRORS,
    SendQueue,
    Undeliverable,
    send_once,
    shared_queue,
    transient,
)
from bot.store.victories import (
    CARD_ID_PREFIX,
    CLAIMED,
    FAILED,
    MISSED,
    SENT,
    SKIPPED,
    CelebrationSettings,
    DigestClaim,
    Victory,
)
from cogs.victories import digest_rules as digest
from cogs.victories.chart import Bar, bar_chart_png
from cogs.victories.messages import victory_card

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.digest")

DIGEST_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "attach_files",
    "read_message_history",
)
HISTORY_LOOKBACK = 200  # newest messages searched for a digest or card a crash left unrecorded
CHART_FILE = "victories-per-value.png"
# Charts are drawn off the event loop, one at a time, on one thread of their own. On the
# shared default pool a burst of digests drew several at once on several threads, and each
# thread's malloc arena kept its image buffers afterwards (bench/memory.py). One chart takes
# ~25 ms and a few MB (cogs/victories/chart.py); digests are paced by the send queue anyway.
CHART_THREAD = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kindred-chart")
# Servers that share a digest hour are prepared a few at a time: each holds its chart and
# embed until Discord has it, and the send queue paces the posts anyway.
DIGESTS_AT_ONCE = 4
MISSED_NOTE = "Kindred was offline at the time (more than 6 hours late)"
UNREACHABLE_NOTE = "Discord could not be reached for more than 6 hours"
NO_CHANNEL_NOTE = "no celebrations channel is set and nothing has been celebrated publicly yet"


class DigestPoster:
    """Posts every server's weekly digest; one per bot (the victories cog's)."""

    def __init__(self, bot: KindredBot, queue: SendQueue | None = None):
        self.bot = bot
        self._queue = queue
        self._busy: set[int] = set()  # servers with a digest in progress in this process
        self._slots = asyncio.Semaphore(DIGESTS_AT_ONCE)

    @property
    def queue(self) -> SendQueue:
        return self._queue or shared_queue(self.bot)

    @property
    def repo(self):
        return self.bot.store.victories

    # ----- moderators' changes ---------------------------------------------------------------
    async def configure(self, guild_id: int, now: datetime, **changes: Any) -> CelebrationSettings:
        """Change the digest's day/time/on-off and compute the next digest in the server's zone.

        `digest_time` is validated here ("HH:MM"); ValueError carries the sentence to show.
        """
        current = await self.repo.settings(guild_id)
        weekday = changes.get("digest_weekday", current.digest_weekday)
        at = parse_hhmm(changes.get("digest_time", current.digest_time))
        if "digest_time" in changes:
            changes["digest_time"] = f"{at.hour:02d}:{at.minute:02d}"
        zone = zone_or_utc(current.timezone)
        next_at, next_day = digest.next_schedule(now, weekday, at, zone)
        return await self.repo.update_settings(
            guild_id, next_at=next_at, next_date=next_day, next_zone=current.timezone, **changes
        )

    # ----- the scheduler ---------------------------------------------------------------------
    async def tick(self, now: datetime | None = None) -> int:
        """Finish open claims, then post what is due at `now`; returns servers looked at.
        One server's trouble never stops the others."""
        now = now or self.bot.clock()
        window = now - digest.CATCH_UP
        pending = await self.repo.pending_claims(window)
        await asyncio.gather(*(self._guarded(c.guild_id, self._deliver(c)) for c in pending))
        stale = await self.repo.stale_claims(window)
        await asyncio.gather(*(self._guarded(c.guild_id, self._settle(c)) for c in stale))
        for guild_id in await self.repo.expire_unsent(window, UNREACHABLE_NOTE):
            self.bot.metrics.scheduled_post("digest", "missed")
            log.warning("guild %s: the weekly digest could not be delivered in time", guild_id)
        due = await self.repo.due(now)
        await asyncio.gather(*(self._guarded(s.guild_id, self._due(s, now)) for s in due))
        return len(pending) + len(stale) + len(due)

    async def _guarded(self, guild_id: int, work) -> None:
        if guild_id in self._busy:
            work.close()
            return
        self._busy.add(guild_id)
        try:
            async with self._slots:
                await work
        except Exception:
            self.bot.metrics.scheduled_post("digest", "failed")
            log.exception("guild %s: the weekly digest could not be handled", guild_id)
        finally:
            self._busy.discard(guild_id)

    async def _due(self, settings: CelebrationSettings, now: datetime) -> None:
        zone = zone_or_utc(settings.timezone)
        at = parse_hhmm(settings.digest_time)
        decision = digest.plan(
            now,
            weekday=settings.digest_weekday,
            at=at,
            zone=zone,
            zone_name=settings.timezone,
            stored_at=settings.next_at,
            stored_day=settings.next_date,
            stored_zone=settings.next_zone,
        )
        following = (decision.next_at, decision.next_day, settings.timezone)
        if isinstance(decision, digest.Later):
            if decision.missed is None:
                await self.repo.reschedule(settings.guild_id, *following)
                return
            due, status, note = decision.missed, MISSED, MISSED_NOTE
            self.bot.metrics.scheduled_post("digest", "missed")
            log.info("guild %s: the weekly digest was missed", settings.guild_id)
        else:
            due, status, note = decision, CLAIMED, None
        last_end = await self.repo.last_period_end(settings.guild_id)
        claim = await self.repo.claim_digest(
            settings.guild_id,
            due.week,
            due.scheduled_at,
            digest.period(due, at, zone, last_end),
            now,
            following,
            nonce=secrets.token_hex(8),
            status=status,
            note=note,
        )
        if claim is not None and status != MISSED:
            await self._deliver(claim)

    # ----- delivering one claim --------------------------------------------------------------
    async def _deliver(self, claim: DigestClaim) -> None:
        try:
            channel = await self._channel(claim.guild_id)
            if channel is None:
                await self.repo.finish_digest(claim.digest_id, SKIPPED, note=NO_CHANNEL_NOTE)
                return
            if claim.attempts > 0:
                found = await self._look_quietly(channel, claim)
                if found is not None:
                    await self._record_found(claim, channel, found)
                    return
            embed, file = await self.content(claim)
            await self.repo.start_attempt(claim.digest_id)
            try:
                message = await self.queue.call(
                    channel.send,
                    embed=embed,
                    file=file,
                    nonce=claim.nonce,
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as error:
                if transient(error):
                    raise
                raise Undeliverable(
                    f"Discord refused my post in {channel.mention} (error {error.code})",
                    f"Please check Kindred's permissions there (it needs "
                    f"{permission_names(list(DIGEST_PERMISSIONS))}).",
                ) from None
        except Undeliverable as problem:
            self.bot.metrics.scheduled_post("digest", "failed")
            await self.repo.finish_digest(claim.digest_id, FAILED, note=problem.note)
            await self._notify(claim.guild_id, problem)
            return
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            self.bot.metrics.scheduled_post("digest", "retry")
            log.warning("guild %s: digest send failed (%s); will retry", claim.guild_id, error)
            return
        await self.repo.finish_digest(
            claim.digest_id, SENT, channel_id=channel.id, message_id=message.id
        )
        self.bot.metrics.scheduled_post("digest", "posted")
        log.info("guild %s: weekly digest for %s posted", claim.guild_id, claim.week_start)

    async def _channel(self, guild_id: int):
        """The celebrations channel, else where the newest public victory was posted."""
        settings = await self.repo.settings(guild_id)
        channel_id = settings.channel_id or await self.repo.last_public_channel(guild_id)
        if channel_id is None:
            return None
        guild = self.bot.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        if not isinstance(channel, discord.abc.Messageable):
            raise Undeliverable(
                f"the celebrations channel <#{channel_id}> no longer exists, or I can't see it",
                "Please choose one with `/celebrations channel`.",
            )
        needed = DIGEST_PERMISSIONS
        if isinstance(channel, discord.Thread):
            needed = tuple(
                "send_messages_in_threads" if p == "send_messages" else p for p in needed
            )
        missing = missing_permissions(channel, needed)
        if missing:
            raise Undeliverable(
                f"I'm missing the {permission_names(missing)} permission in {channel.mention}",
                "Please grant it in the channel settings.",
            )
        return channel

    async def _settle(self, claim: DigestClaim) -> None:
        """A claim past the catch-up window whose send was started: the digest may be on
        Discord, and re-sending this late could double it (the nonce has long expired). So
        it is looked for and recorded when found; the week is given up only when it is not
        there. When Discord can't be asked, the claim waits for the next tick."""
        guild = self.bot.get_guild(claim.guild_id)
        if guild is not None and guild.unavailable:
            return
        try:
            channel = await self._channel(claim.guild_id)
            found = None if channel is None else await self._find_posted(channel, claim)
        except Undeliverable as problem:  # nothing Kindred can reach is there
            self.bot.metrics.scheduled_post("digest", "failed")
            await self.repo.finish_digest(claim.digest_id, FAILED, note=problem.note)
            return
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("guild %s: could not look for a late digest (%r)", claim.guild_id, error)
            if not transient(error):  # refused for good: asking every minute won't help
                self.bot.metrics.scheduled_post("digest", "failed")
                await self.repo.finish_digest(claim.digest_id, FAILED, note=UNREACHABLE_NOTE)
            return
        if found is None:
            self.bot.metrics.scheduled_post("digest", "failed")
            await self.repo.finish_digest(claim.digest_id, FAILED, note=UNREACHABLE_NOTE)
            log.warning("guild %s: the weekly digest could not be delivered", claim.guild_id)
            return
        await self._record_found(claim, channel, found)

    async def _look_quietly(self, channel, claim: DigestClaim) -> discord.Message | None:
        """Within the catch-up window: when the channel can't be read, the re-send's nonce
        still keeps Discord from posting twice."""
        try:
            return await self._find_posted(channel, claim)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning(
                "guild %s: could not look for an earlier digest (%r)", claim.guild_id, error
            )
            return None

    async def _find_posted(self, channel, claim: DigestClaim) -> discord.Message | None:
        """After a crash mid-send: the digest's message, if it reached Discord (its footer
        names the week). Raises Discord's errors: then nobody can tell."""
        me, mark = self.bot.user, digest.marker(claim.week_start)
        if me is None:
            return None
        await self.queue.acquire()
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me.id and any(
                (embed.footer.text or "").startswith(mark) for embed in message.embeds
            ):
                return message
        return None

    async def _record_found(self, claim: DigestClaim, channel, message: discord.Message) -> None:
        """Record a digest an earlier process posted; if what it says is no longer what the
        database holds (a member erased their victories meanwhile), draw it again."""
        await self.repo.finish_digest(
            claim.digest_id, SENT, channel_id=channel.id, message_id=message.id
        )
        self.bot.metrics.scheduled_post("digest", "recovered")
        log.info("guild %s: found the weekly digest a crash left unrecorded", claim.guild_id)
        embed, file = await self.content(claim)
        shown = message.embeds[0].description if message.embeds else None
        if shown == embed.description:
            return
        try:
            await self.queue.call(message.edit, embed=embed, attachments=[file] if file else [])
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("guild %s: could not redraw the digest (%r)", claim.guild_id, error)

    async def redraw(self, channel_id: int, message_id: int, digest_id: int) -> None:
        """After an erase: the posted digest drawn again from what the database holds now,
        so it no longer counts or quotes the member's victories."""
        claim = await self.repo.digest(digest_id)
        if claim is None:
            return
        embed, file = await self.content(claim)
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await self.queue.call(message.edit, embed=embed, attachments=[file] if file else [])

    # ----- what the server reads ---------------------------------------------------------------
    async def content(self, claim: DigestClaim) -> tuple[discord.Embed, discord.File | None]:
        """The digest embed and its chart, or the warm message of a quiet week."""
        start, end = claim.period_start, claim.period_end
        library = self.bot.library
        tallies = digest.tallies(await self.repo.value_counts(claim.guild_id, start, end), library)
        footer = f"{digest.marker(claim.week_start)} · public victories only"
        if not tallies:
            embed = kind_embed(digest.EMPTY_TITLE, digest.EMPTY_TEXT)
            embed.set_footer(text=footer)
            return embed, None
        candidates = [
            (v.text, v.author_name, v.member_id)
            for v in await self.repo.quotable(claim.guild_id, start, end)
        ]
        quotes = digest.choose_quotes(candidates, seed=f"{claim.guild_id}:{claim.week_start}")
        embed = kind_embed(digest.TITLE, digest.digest_text(tallies, quotes))
        embed.set_footer(text=f"{footer} · /celebrate-quotes: choose if you're quoted")
        settings = await self.repo.settings(claim.guild_id)
        zone = zone_or_utc(settings.timezone)
        first = local_date_of(start, zone)
        last = local_date_of(end - timedelta(seconds=1), zone)
        png = await asyncio.get_running_loop().run_in_executor(
            CHART_THREAD,
            bar_chart_png,
            [Bar(t.label, t.count, t.colour) for t in tallies],
            "Victories per value",
            digest.date_range(first, last),
        )
        embed.set_image(url=f"attachment://{CHART_FILE}")
        return embed, discord.File(io.BytesIO(png), filename=CHART_FILE)

    async def _notify(self, guild_id: int, problem: Undeliverable) -> None:
        """One quiet notice in the moderator channel, if there is one; never raises."""
        log.warning("guild %s: weekly digest failed (%s)", guild_id, type(problem).__name__)
        notice = kind_embed(
            "The weekly digest wasn't posted",
            f"I couldn't post this week's celebrations digest: {problem.note}. {problem.fix}",
        )
        await notify_moderators(self.bot, guild_id, notice, queue=self.queue)

    async def status_line(self, guild_id: int) -> str | None:
        """How the last digest went, for /settings show."""
        last = await self.repo.last_digest(guild_id)
        if last is None:
            return None
        when = f"<t:{int(last.scheduled_at.timestamp())}:D>"
        if last.status == SENT:
            return f"**Last digest:** posted {when}"
        if last.status == CLAIMED:
            return f"**Last digest:** being posted ({when})"
        return f"**Last digest:** {last.status} {when}: {last.note or 'no reason recorded'}"


# ----- victory cards -------------------------------------------------------------------------
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
