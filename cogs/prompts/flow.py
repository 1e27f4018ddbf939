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
- a claim with an attempt may have been sent: look for it before sending again. Text
  channels: the bot's message whose embed footer carries the day's marker among the
  channel's 50 newest messages, and the re-send carries the claim's nonce, which makes
  Discord itself return the earlier message instead of a second one within its dedupe
  window. Forum channels (no nonce on new posts): the bot's active post with the day's
  title. Found: record it (opening the reply thread if it is missing). Not found: send.
- a day more than 6 hours late is recorded as missed and the schedule moves on; a day
  less late is posted on start.
The residual risk is a crash after Discord accepted a message that has since scrolled past
50 newer messages and outlived the nonce window: we would post the day twice. We prefer
that to skipping a day silently.

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

from bot.checks import missing_permissions, notify_moderators
from bot.errors import Refusal, permission_names
from bot.library import Value
from bot.render import THREAD_NAME_LIMIT, clip, kind_embed
from bot.schedule import local_date_of, next_occurrence, parse_hhmm, zone_or_utc
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
from cogs.prompts.rotation import Candidate, Pick, build_pool, pick_prompt

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.prompts")

CATCH_UP = timedelta(hours=6)  # a post later than this is recorded as missed
MAX_CATCH_UP_DAYS = 62  # days recorded as missed after a long outage; older ones are dropped
HISTORY_LOOKBACK = 50  # messages searched for a post that may have landed before a crash
THREAD_MEND_WINDOW = timedelta(days=1)  # a post left without its reply thread gets one for a day
THREAD_MEND_PAUSE = timedelta(minutes=30)  # ... asked at most this often
GAVE_UP = object()  # Discord refused the thread for good: never asked again in this process
TEXT_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
)
FORUM_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MISSED_NOTE = "Kindred was offline at the time (more than 6 hours late)"
UNREACHABLE_NOTE = "Discord could not be reached for more than 6 hours"


# ----- pure rules ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Occurrence:
    at: datetime  # UTC
    local_date: date


@dataclass(frozen=True)
class CatchUp:
    missed: tuple[Occurrence, ...]
    post: Occurrence | None


def following(schedule: Schedule, after: datetime) -> Occurrence:
    instant, day = next_occurrence(
        after, parse_hhmm(schedule.post_time), zone_or_utc(schedule.timezone), schedule.weekdays
    )
    return Occurrence(instant, day)


def catch_up(schedule: Schedule, now: datetime) -> CatchUp:
    """Split the due days from the schedule's next one up to `now`: the newest day posts if
    it is less than 6 hours late; every other due day is missed."""
    due = [Occurrence(schedule.next_post_at, schedule.next_local_date)]
    while len(due) < MAX_CATCH_UP_DAYS:
        nxt = following(schedule, due[-1].at)
        if nxt.at > now:
            break
        due.append(nxt)
    newest = due[-1]
    if now - newest.at < CATCH_UP:
        return CatchUp(tuple(due[:-1]), newest)
    return CatchUp(tuple(due), None)


def first_free(
    schedule: Schedule, after: datetime, taken: set[date], limit: int = 400
) -> Occurrence:
    """The first occurrence after `after` whose local date has no post row yet."""
    occurrence = following(schedule, after)
    for _ in range(limit):
        if occurrence.local_date not in taken:
            return occurrence
        occurrence = following(schedule, occurrence.at)
    return occurrence


# ----- what members see ------------------------------------------------------------------------
def long_date(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def marker(day: date) -> str:
    """The footer that identifies a server's post for a day, found again after a crash."""
    return f"Daily prompt · {day.isoformat()}"


def thread_name(value: Value, day: date) -> str:
    return clip(f"{value.name} · {day.day} {MONTHS[day.month - 1]} {day.year}", THREAD_NAME_LIMIT)


def prompt_embed(value: Value, text: str, day: date, *, forum: bool = False) -> discord.Embed:
    where = "replies below" if forum else "thread below"
    embed = kind_embed(
        value.badge,
        f"{text}\n\n*Share from your own experience in the {where}. Small moments count, and "
        "listening is welcome too.*",
        colour=value.colour,
    )
    embed.set_footer(text=marker(day))
    return embed


def channel_link(channel_id: int) -> str:
    return f"<#{channel_id}>"


# ----- failures -------------------------------------------------------------------------------
def _channel_gone(channel_id: int) -> Undeliverable:
    return Undeliverable(
        f"the prompt channel {channel_link(channel_id)} no longer exists, or I can't see it",
        "Please choose a channel with `/prompts schedule`.",
    )


def _missing(channel_id: int, names: list[str]) -> Undeliverable:
    return Undeliverable(
        f"I'm missing the {permission_names(names)} permission in {channel_link(channel_id)}",
        "Please grant it in the channel settings, then use `/prompts resume`.",
        "Please grant it in the channel settings and try again.",
    )


def _refused(channel_id: int, error: discord.HTTPException) -> Undeliverable:
    if isinstance(error, discord.NotFound):
        return _channel_gone(channel_id)
    if isinstance(error, discord.Forbidden):
        return Undeliverable(
            f"Discord refused my post in {channel_link(channel_id)}: I'm missing a permission "
            f"there (I need {permission_names(list(TEXT_PERMISSIONS))})",
            "Please check the channel's permissions for Kindred, then use `/prompts resume`.",
            "Please check the channel's permissions for Kindred and try again.",
        )
    return Undeliverable(
        f"Discord refused my post in {channel_link(channel_id)} (error {error.code})",
        "Please check the channel's settings (a forum may require a tag), then use "
        "`/prompts resume`.",
        "Please check the channel's settings (a forum may require a tag) and try again.",
    )


# ----- the poster -------------------------------------------------------------------------------
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
        self._thread_tries: dict[int, object] = {}  # post id -> last try, or GAVE_UP
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
        await self.mend_threads(now)
        return len(due)

    async def mend_threads(self, now: datetime) -> int:
        """Open the reply thread of a post that stood without one (Discord failed just after
        the post landed): every half hour for a day, never again once Discord refused it."""
        mended = 0
        for post in await self.repo.threadless(now - THREAD_MEND_WINDOW):
            last = self._thread_tries.get(post.post_id, post.finished_at)
            if last is GAVE_UP or (last is not None and now - last < THREAD_MEND_PAUSE):
                continue
            self._thread_tries[post.post_id] = now
            thread_id = await self._mend_thread(post)
            if thread_id is not None:
                await self.repo.set_thread(post.post_id, thread_id)
                self._thread_tries.pop(post.post_id, None)
                mended += 1
        return mended

    async def _mend_thread(self, post: Post) -> int | None:
        value = self.bot.library.value(post.value_key or "")
        if value is None or post.channel_id is None or post.message_id is None:
            self._thread_tries[post.post_id] = GAVE_UP
            return None
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        message = channel.get_partial_message(post.message_id)
        try:
            thread = await self.queue.call(
                message.create_thread,
                name=thread_name(value, post.local_date),
                auto_archive_duration=1440,
            )
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            if isinstance(error, discord.HTTPException) and error.code == 160004:
                return post.message_id  # opened after all: a thread has its message's id
            if not transient(error):
                self._thread_tries[post.post_id] = GAVE_UP
            log.warning("guild %s: the reply thread is still not open (%r)", post.guild_id, error)
            return None
        log.info("guild %s: opened the reply thread for %s", post.guild_id, post.local_date)
        return thread.id

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
                await self.repo.pause(schedule.guild_id, "Kindred is no longer in this server", now)
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
                UNREACHABLE_NOTE if post is not None and post.attempts > 0 else MISSED_NOTE,
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
                raise Undeliverable(
                    "this server has no prompts left in its rotation",
                    "Please add some with `/prompts add`, then use `/prompts resume`.",
                )
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
            raise Undeliverable(
                f"the value '{post.value_key}' is no longer in the values library",
                "Please tell the bot's operator; `/prompts skip` moves on to the next day.",
            )
        try:
            sent = await self._send(guild, post, value)
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            if not transient(error):
                raise _refused(post.channel_id, error) from None
            # It may or may not have landed: the next attempt looks for it first.
            self.bot.metrics.scheduled_post("prompt", "retry")
            log.warning("guild %s: daily prompt send failed (%r); will retry", guild.id, error)
            return None
        message_id, thread_id, link = sent
        nxt = await self._next_after_post(schedule, day, now)
        await self.repo.mark_sent(
            post.post_id,
            message_id=message_id,
            thread_id=thread_id,
            link=link,
            now=now,
            next_post=None if nxt is None else (nxt.at, nxt.local_date),
        )
        self.bot.metrics.scheduled_post("prompt", "posted")
        log.info("guild %s: daily prompt for %s posted", guild.id, day.isoformat())
        return await self.repo.get_post(guild.id, day)

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

    def _channel(self, guild: discord.Guild, channel_id: int):
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
            raise _channel_gone(channel_id)
        needed = (
            FORUM_PERMISSIONS if isinstance(channel, discord.ForumChannel) else TEXT_PERMISSIONS
        )
        missing = missing_permissions(channel, needed)
        if missing:
            raise _missing(channel_id, missing)
        return channel

    async def _send(
        self, guild: discord.Guild, post: Post, value: Value
    ) -> tuple[int, int | None, str]:
        """Send the day's post; (message id, thread id, link). Counts the attempt first."""
        channel = self._channel(guild, post.channel_id)
        forum = isinstance(channel, discord.ForumChannel)
        embed = prompt_embed(value, post.prompt_text, post.local_date, forum=forum)
        name = thread_name(value, post.local_date)
        await self.repo.start_attempt(post.post_id)
        try:
            if forum:
                tags = [
                    tag
                    for tag in channel.available_tags
                    if tag.name.casefold() in (value.name.casefold(), value.key.casefold())
                ]
                created = await self.queue.call(
                    channel.create_thread,
                    name=name,
                    embed=embed,
                    applied_tags=tags[:1],
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                return created.message.id, created.thread.id, created.message.jump_url
            message = await self.queue.call(
                channel.send,
                embed=embed,
                nonce=post.nonce,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            if transient(error):
                raise
            raise _refused(post.channel_id, error) from None
        thread_id = await self._open_thread(guild, message, name)
        return message.id, thread_id, message.jump_url

    async def _open_thread(
        self, guild: discord.Guild, message: discord.Message, name: str
    ) -> int | None:
        """The public reply thread under a posted prompt; the post stands even without it."""
        if message.thread is not None:
            return message.thread.id
        try:
            thread = await self.queue.call(
                message.create_thread, name=name, auto_archive_duration=1440
            )
        except discord.HTTPException as error:
            if error.code == 160004:  # a thread already exists for this message
                return message.id
            log.warning("guild %s: could not open the reply thread (%s)", guild.id, error.code)
            return None
        return thread.id

    # ----- after a crash -------------------------------------------------------------------
    async def _recover(
        self, guild: discord.Guild, schedule: Schedule, post: Post, now: datetime
    ) -> bool:
        """A send was started for this claim: if it reached Discord, record it. True if so."""
        try:
            found = await self._find_posted(guild, post)
        except (discord.HTTPException, OSError, TimeoutError, aiohttp.ClientError) as error:
            # Discord unreachable: carry on as if not found (the re-send carries the nonce),
            # so a day still posts, or is recorded as missed after six hours.
            log.warning("guild %s: could not look for an earlier post (%r)", guild.id, error)
            found = None
        if found is None:
            return False
        message_id, thread_id, link = found
        nxt = await self._next_after_post(schedule, post.local_date, now)
        await self.repo.mark_sent(
            post.post_id,
            message_id=message_id,
            thread_id=thread_id,
            link=link,
            now=now,
            next_post=None if nxt is None else (nxt.at, nxt.local_date),
        )
        self.bot.metrics.scheduled_post("prompt", "recovered")
        log.info("guild %s: found the post for %s after a restart", guild.id, post.local_date)
        return True

    async def _find_posted(
        self, guild: discord.Guild, post: Post
    ) -> tuple[int, int | None, str] | None:
        channel = guild.get_channel(post.channel_id or 0)
        me = self.bot.user
        if channel is None or me is None:
            return None
        value = self.bot.library.value(post.value_key or "")
        if isinstance(channel, discord.ForumChannel):
            if value is None:
                return None
            name = thread_name(value, post.local_date)
            for thread in await self.queue.call(guild.active_threads):
                if (
                    thread.parent_id == channel.id
                    and thread.owner_id == me.id
                    and thread.name == name
                ):
                    return thread.id, thread.id, thread.jump_url
            return None
        if not isinstance(channel, discord.TextChannel):
            return None
        await self.queue.acquire()
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if message.author.id == me.id and any(
                embed.footer.text == marker(post.local_date) for embed in message.embeds
            ):
                thread_id = None
                if value is not None:
                    thread_id = await self._open_thread(
                        guild, message, thread_name(value, post.local_date)
                    )
                return message.id, thread_id, message.jump_url
        return None

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
            guild.id,
            "Daily prompts are paused",
            f"I couldn't post the daily prompt: {problem.note}. {problem.fix}",
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
            raise Refusal(NO_SCHEDULE)
        if guild.id in self._busy:
            raise Refusal(BUSY)
        self._busy.add(guild.id)
        try:
            return await self._post_now(guild, schedule, now)
        finally:
            self._busy.discard(guild.id)

    async def _post_now(self, guild: discord.Guild, schedule: Schedule, now: datetime) -> Post:
        today = local_date_of(now, zone_or_utc(schedule.timezone))
        post = await self.repo.get_post(guild.id, today)
        if post is not None and post.state == SENT:
            raise Refusal(
                f"Today's prompt is already posted: {post.link or 'see /prompts history'}. "
                "There's one prompt per day, so nothing new was posted."
            )
        if post is not None and post.attempts > 0:
            if await self._recover(guild, schedule, post, now):
                post = await self.repo.get_post(guild.id, today)
                raise Refusal(
                    f"Today's prompt was already posted: {post.link}. Nothing new was posted."
                )
        try:
            sent = await self._post_day(
                guild, schedule, today, None, now, take_over=(MISSED, FAILED, SKIPPED)
            )
        except Undeliverable as problem:
            claim = await self.repo.get_post(guild.id, today)
            if claim is not None and claim.state == CLAIMED:
                await self.repo.release(claim.post_id)
            raise Refusal(
                f"I couldn't post: {problem.note}. {problem.fix_now} Nothing was posted."
            ) from None
        if sent is None:
            raise Refusal(
                "Discord didn't confirm the post in time. Please check the channel in a minute; "
                "using /prompts post-now again is safe and never posts twice."
            )
        return sent


NO_SCHEDULE = (
    "Daily prompts aren't set up here yet. A moderator can start them with "
    "`/prompts schedule channel: time:`."
)
BUSY = "Today's prompt is being posted right now; please check the channel in a moment."
