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
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.checks import missing_permissions, notify_moderators
from bot.errors import permission_names
from bot.render import kind_embed
from bot.schedule import local_date_of, parse_hhmm, zone_or_utc
from bot.sendqueue import (
    NETWORK_ERRORS,
    SendQueue,
    Undeliverable,
    shared_queue,
    transient,
)
from bot.store.victories import (
    CLAIMED,
    FAILED,
    MISSED,
    SENT,
    SKIPPED,
    CelebrationSettings,
    DigestClaim,
)
from cogs.victories import digest_rules as digest
from cogs.victories.chart import Bar, bar_chart_png

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
