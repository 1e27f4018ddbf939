"""The daily prompt post: claim before send, exactly once, with the 6-hour catch-up rule.

One path posts for both the scheduler (`tick`) and `/prompts post-now`:

1. claim the server's local date (`UNIQUE(guild_id, local_date)`), with the chosen prompt
   and a nonce, in one transaction; a day already claimed is never claimed again;
2. count the attempt (`attempts + 1`) BEFORE sending, so after a crash we know whether a
   send may have reached Discord;
3. send through the rate-aware queue; 4. mark the day sent with the message id, and move
   the schedule to the next free day, in one transaction.

The schedule row only moves on once its date is resolved, so after a restart (or a
`kill -9` at any point) the due query finds the day again, and:
- a claim with no attempt was never sent: send it;
- a claim with an attempt may have been sent: look for it before sending again (how, and
  the residual risk: `delivery.py`). Found: record it (opening the reply thread if it is
  missing). Not found: send.
- a day more than 6 hours late is recorded as missed and the schedule moves on; a day
  less late is posted on start.

If the channel is gone or the bot lost a permission, the day is recorded as failed, the
server's schedule pauses and one notice goes to its moderator channel; others carry on.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.checks import notify_moderators
from bot.errors import Refusal
from bot.library import Value
from bot.render import kind_embed
from bot.schedule import local_date_of, zone_or_utc
from bot.sendqueue import SendQueue, Undeliverable, shared_queue, transient
from bot.store.prompts import (
    CLAIMED,
    FAILED,
    MISSED,
    RESOLVED,
    SENT,
    SKIPPED,
    Post,
    Schedule,
    own_id,
)
from cogs.prompts import messages
from cogs.prompts.delivery import find_posted, send_post
from cogs.prompts.occurrences import CATCH_UP, Occurrence, catch_up, first_free
from cogs.prompts.rotation import Candidate, Pick, build_pool, pick_prompt
from cogs.prompts.threads import ThreadMender

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.prompts")


@dataclass(frozen=True)
class Upcoming:
    """The prompt a server gets next, for previews."""

    prompt: Candidate
    value: Value
    local_date: date
    schedule: Schedule | None


# Servers due in the same minute are posted this many at a time: each holds its embed and
# Discord's answers until done, and the send queue (40 requests/s) paces them anyway. With
# Discord answering in ~0.2 s, 16 posts in flight (2 requests each) keep the queue busy.
POSTS_AT_ONCE = 16


class PromptPoster:
    """Posts daily prompts for every server; one instance per bot (the prompts cog's)."""

    def __init__(self, bot: KindredBot, queue: SendQueue | None = None):
        self.bot = bot
        self.queue = queue or shared_queue(bot)
        self._busy: set[int] = set()  # servers with a post in progress in this process
        self.threads = ThreadMender(bot)  # the reply threads that still need opening
        self._slots = asyncio.Semaphore(POSTS_AT_ONCE)
        self._library_pool: tuple = (None, (), frozenset())  # (library, candidates, values)

    @property
    def repo(self):
        return self.bot.store.prompts

    # ----- the rotation --------------------------------------------------------------------
    async def pool(self, guild_id: int) -> list[Candidate]:
        library = self.bot.library
        if self._library_pool[0] is not library:  # built once: /suggest checks it each time
            self._library_pool = (
                library,
                tuple(Candidate(p.id, p.value, p.text) for p in library.prompts),
                frozenset(v.key for v in library.values),
            )
        _, candidates, known_values = self._library_pool
        own, excluded = await self.repo.rotation_inputs(guild_id)
        return build_pool(
            candidates,
            (Candidate(own_id(p.prompt_id), p.value_key, p.text) for p in own),
            excluded,
            known_values,
        )

    async def pick_for(self, guild_id: int, day: date) -> Pick | None:
        pool = await self.pool(guild_id)
        if not pool:
            return None
        state = await self.repo.rotation_state(guild_id, day)
        return pick_prompt(
            pool, state.used, state.last_value, state.cycle, seed=f"{guild_id}:{day.isoformat()}"
        )

    async def upcoming(self, guild_id: int, now: datetime) -> Upcoming | None:
        """The next prompt this server will get (None when its rotation is empty)."""
        schedule = await self.repo.get_schedule(guild_id)
        if schedule is not None and schedule.paused:
            day = (await self.next_free(schedule, now)).local_date
        elif schedule is not None:
            day = schedule.next_local_date
        else:
            settings = await self.bot.store.guilds.get(guild_id)
            day = local_date_of(now, zone_or_utc(settings.timezone))
        post = await self.repo.get_post(guild_id, day)
        if post is not None and post.state == CLAIMED and post.prompt_id:
            candidate = Candidate(post.prompt_id, post.value_key, post.prompt_text)
        else:
            pick = await self.pick_for(guild_id, day)
            if pick is None:
                return None
            candidate = pick.prompt
        value = self.bot.library.value(candidate.value)
        return None if value is None else Upcoming(candidate, value, day, schedule)

    async def next_free(self, schedule: Schedule, after: datetime) -> Occurrence:
        since = local_date_of(after, zone_or_utc(schedule.timezone)) - timedelta(days=1)
        return first_free(schedule, after, await self.repo.taken_dates(schedule.guild_id, since))

    # ----- the scheduler ---------------------------------------------------------------------
    async def tick(self, now: datetime | None = None) -> int:
        """Post everything due at `now` (the bot's clock by default); returns how many
        servers were looked at. One server's failure never stops the others."""
        now = now or self.bot.clock()
        due = await self.repo.due(now)
        await asyncio.gather(*(self._run_due(schedule, now) for schedule in due))
        await self.threads.mend_threads(self.queue, now)
        return len(due)

    async def _run_due(self, schedule: Schedule, now: datetime) -> None:
        guild_id = schedule.guild_id
        if guild_id in self._busy:
            return  # a post for this server is already in progress here
        self._busy.add(guild_id)
        try:
            async with self._slots:
                await self._due(schedule, now)
        except Exception:
            self.bot.metrics.scheduled_post("prompt", "failed")
            log.exception("guild %s: the daily prompt could not be handled", guild_id)
        finally:
            self._busy.discard(guild_id)

    async def _due(self, schedule: Schedule, now: datetime) -> None:
        guild = self.bot.get_guild(schedule.guild_id)
        if guild is None:
            # Just after a start a server may not be cached yet: only give up on one we left
            # or that stayed away past the catch-up window.
            left = (await self.bot.store.guilds.get(schedule.guild_id)).left_at is not None
            if left or now - schedule.next_post_at >= CATCH_UP:
                await self.repo.pause(schedule.guild_id, messages.LEFT_NOTE, now)
            return
        if guild.unavailable:
            return  # a Discord outage: try again next tick
        post = await self.repo.get_post(guild.id, schedule.next_local_date)
        if post is not None and post.state in RESOLVED:
            nxt = await self.next_free(schedule, now)
            await self.repo.move_schedule(guild.id, nxt.at, nxt.local_date, now)
            return
        if post is not None and post.attempts > 0:
            if await self._recover(guild, schedule, post, now):
                return
        plan = catch_up(schedule, now)
        if plan.missed:
            nxt = plan.post or await self.next_free(schedule, now)
            await self.repo.resolve_days(
                guild.id,
                [(o.local_date, o.at) for o in plan.missed],
                MISSED,
                messages.UNREACHABLE_NOTE
                if post is not None and post.attempts > 0
                else messages.MISSED_NOTE,
                now,
                (nxt.at, nxt.local_date),
            )
            self.bot.metrics.scheduled_post("prompt", "missed", len(plan.missed))
            log.info("guild %s: %d daily prompt(s) missed", guild.id, len(plan.missed))
        if plan.post is None:
            return
        try:
            await self._post_day(guild, schedule, plan.post.local_date, plan.post.at, now)
        except Undeliverable as problem:
            await self._pause_for(guild, plan.post.local_date, problem, now)

    # ----- posting one day ------------------------------------------------------------------
    async def _post_day(
        self,
        guild: discord.Guild,
        schedule: Schedule,
        day: date,
        scheduled_at: datetime | None,
        now: datetime,
        *,
        take_over: tuple[str, ...] = (),
    ) -> Post | None:
        """Claim `day` (unless already claimed by us), send, mark sent. Returns the sent post,
        or None when the day was taken or Discord did not answer (retried later)."""
        post = await self.repo.get_post(guild.id, day)
        if post is not None and post.state == CLAIMED and post.channel_id != schedule.channel_id:
            # An unsent claim for a channel moderators have since replaced (callers looked
            # for it first when a send had started): claim the day again for the new one.
            await self.repo.release(post.post_id)
            post = None
        if post is None or post.state in take_over:
            pick = await self.pick_for(guild.id, day)
            if pick is None:
                raise messages.rotation_empty()
            post = await self.repo.claim(
                guild.id,
                day,
                prompt_id=pick.prompt.id,
                value_key=pick.prompt.value,
                prompt_text=pick.prompt.text,
                cycle=pick.cycle,
                channel_id=schedule.channel_id,
                nonce=secrets.token_hex(8),
                scheduled_at=scheduled_at,
                now=now,
                take_over=take_over,
            )
            if post is None:
                return None  # claimed a moment ago by someone else: theirs to finish
        elif post.state != CLAIMED:
            return None
        value = self.bot.library.value(post.value_key or "")
        if value is None:
            raise messages.value_gone(post.value_key)
        try:
            sent = await send_post(self.bot, self.queue, guild, post, value)
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            if not transient(error):
                raise messages.refused(post.channel_id, error) from None
            # It may or may not have landed: the next attempt looks for it first.
            self.bot.metrics.scheduled_post("prompt", "retry")
            log.warning("guild %s: daily prompt send failed (%r); will retry", guild.id, error)
            return None
        await self._record_sent(schedule, post, sent, now)
        self.bot.metrics.scheduled_post("prompt", "posted")
        log.info("guild %s: daily prompt for %s posted", guild.id, day.isoformat())
        return await self.repo.get_post(guild.id, day)

    async def _record_sent(
        self, schedule: Schedule, post: Post, sent: tuple[int, int | None, str], now: datetime
    ) -> None:
        """The post is on Discord (sent now, or found after a crash): record it, and move the
        schedule on past its day."""
        message_id, thread_id, link = sent
        nxt = await self._next_after_post(schedule, post.local_date, now)
        await self.repo.mark_sent(
            post.post_id,
            message_id=message_id,
            thread_id=thread_id,
            link=link,
            now=now,
            next_post=None if nxt is None else (nxt.at, nxt.local_date),
        )

    async def _next_after_post(
        self, schedule: Schedule, day: date, now: datetime
    ) -> Occurrence | None:
        """Where the schedule goes once `day` is posted (None: it already points later)."""
        current = await self.repo.get_schedule(schedule.guild_id)
        if current is None or current.next_local_date > day:
            return None
        return first_free(current, now, {day} | await self._taken_from(current, now))

    async def _taken_from(self, schedule: Schedule, now: datetime) -> set[date]:
        since = local_date_of(now, zone_or_utc(schedule.timezone)) - timedelta(days=1)
        return await self.repo.taken_dates(schedule.guild_id, since)

    # ----- after a crash -------------------------------------------------------------------
    async def _recover(
        self, guild: discord.Guild, schedule: Schedule, post: Post, now: datetime
    ) -> bool:
        """A send was started for this claim: if it reached Discord, record it. True if so."""
        try:
            found = await find_posted(self.bot, self.queue, guild, post)
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            # Discord unreachable: carry on as if not found (the re-send carries the nonce),
            # so a day still posts, or is recorded as missed after six hours.
            log.warning("guild %s: could not look for an earlier post (%r)", guild.id, error)
            found = None
        if found is None:
            return False
        await self._record_sent(schedule, post, found, now)
        self.bot.metrics.scheduled_post("prompt", "recovered")
        log.info("guild %s: found the post for %s after a restart", guild.id, post.local_date)
        return True

    # ----- failures ---------------------------------------------------------------------------
    async def _pause_for(
        self, guild: discord.Guild, day: date, problem: Undeliverable, now: datetime
    ) -> None:
        post = await self.repo.get_post(guild.id, day)
        if post is not None and post.state == CLAIMED:
            await self.repo.fail(post.post_id, problem.note, now, pause_reason=problem.note)
        else:
            await self.repo.pause(guild.id, problem.note, now)
        self.bot.metrics.scheduled_post("prompt", "failed")
        log.warning("guild %s: daily prompts paused (%s)", guild.id, type(problem).__name__)
        await self.notify_moderators(
            guild.id, messages.PAUSED_TITLE, messages.paused_notice(problem)
        )

    async def notify_moderators(self, guild_id: int, title: str, text: str) -> bool:
        """One quiet notice in the moderator channel, if there is one; never raises."""
        return await notify_moderators(
            self.bot, guild_id, kind_embed(title, text), queue=self.queue
        )

    # ----- /prompts post-now -----------------------------------------------------------------
    async def post_now(self, guild: discord.Guild, now: datetime) -> Post:
        """Post today's prompt now, through the same claim-before-send path.

        Today's post then counts for today: the schedule moves on to the next day. A day
        that was missed, failed or skipped may be posted now; a day already posted may not.
        """
        schedule = await self.repo.get_schedule(guild.id)
        if schedule is None:
            raise Refusal(messages.NO_SCHEDULE)
        if guild.id in self._busy:
            raise Refusal(messages.BUSY)
        self._busy.add(guild.id)
        try:
            return await self._post_now(guild, schedule, now)
        finally:
            self._busy.discard(guild.id)

    async def _post_now(self, guild: discord.Guild, schedule: Schedule, now: datetime) -> Post:
        today = local_date_of(now, zone_or_utc(schedule.timezone))
        post = await self.repo.get_post(guild.id, today)
        if post is not None and post.state == SENT:
            raise messages.already_posted(post.link)
        if post is not None and post.attempts > 0:
            if await self._recover(guild, schedule, post, now):
                post = await self.repo.get_post(guild.id, today)
                raise messages.found_posted(post.link)
        try:
            sent = await self._post_day(
                guild, schedule, today, None, now, take_over=(MISSED, FAILED, SKIPPED)
            )
        except Undeliverable as problem:
            claim = await self.repo.get_post(guild.id, today)
            if claim is not None and claim.state == CLAIMED:
                await self.repo.release(claim.post_id)
            raise messages.not_posted(problem) from None
        if sent is None:
            raise Refusal(messages.UNCONFIRMED)
        return sent
