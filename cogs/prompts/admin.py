"""What moderators do with daily prompts: schedule, pause, resume, skip, add, remove, list.

Every function validates first and raises `Refusal` with one kind sentence before anything
is written, so bad input never changes anything. The prompts cog only turns these results
into Discord replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import discord

from bot.checks import require_can_post
from bot.errors import Refusal
from bot.library import PROMPT_MAX, Value
from bot.schedule import (
    TIME_ERROR,
    format_hhmm,
    format_weekdays,
    local_date_of,
    parse_hhmm,
    parse_weekdays,
    read_zone,
    zone_or_utc,
)
from bot.store.prompts import (
    CLAIMED,
    FAILED,
    MISSED,
    OWN_PREFIX,
    SENT,
    SKIPPED,
    OwnPrompt,
    Post,
    Schedule,
    normalised,
)
from bot.visible import shown_line
from cogs.prompts.flow import PromptPoster
from cogs.prompts.messages import FORUM_PERMISSIONS, NO_SCHEDULE, TEXT_PERMISSIONS, long_date
from cogs.prompts.occurrences import first_free
from cogs.prompts.rotation import Candidate

UNCHANGED = "Nothing was changed."
SKIP_NOTE = "skipped by a moderator"


def when(moment: datetime) -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    epoch = int(moment.timestamp())
    return f"<t:{epoch}:F> (<t:{epoch}:R>)"


def describe(schedule: Schedule) -> str:
    days = format_weekdays(schedule.weekdays)
    days = days if days in ("every day", "weekdays", "weekends") else f"on {days}"
    return f"at **{schedule.post_time}** ({schedule.timezone}), {days}, in <#{schedule.channel_id}>"


def require_value(bot, typed: str) -> Value:
    value = bot.library.value(typed or "")
    if value is None:
        raise Refusal(
            f"I don't know the value '{(typed or '').strip()[:60]}'. Please pick one from the "
            f"list; `/prompts values` shows them all. {UNCHANGED}"
        )
    return value


def require_prompt_text(text: str) -> str:
    text = shown_line(text)
    if not text:
        raise Refusal(f"The prompt is empty. Please write an open question. {UNCHANGED}")
    if len(text) > PROMPT_MAX:
        raise Refusal(
            f"A prompt can be at most {PROMPT_MAX} characters, and this one is {len(text)}. "
            f"Please shorten it. {UNCHANGED}"
        )
    return text


def post_permissions(channel) -> tuple[str, ...]:
    return FORUM_PERMISSIONS if isinstance(channel, discord.ForumChannel) else TEXT_PERMISSIONS


# ----- the schedule -------------------------------------------------------------------------
@dataclass(frozen=True)
class Scheduled:
    schedule: Schedule
    was_paused: bool
    zone_from_settings: bool


async def set_schedule(
    poster: PromptPoster,
    guild_id: int,
    *,
    channel,
    time_text: str,
    days_text: str | None,
    zone_text: str | None,
    now: datetime,
) -> Scheduled:
    try:
        at = parse_hhmm(time_text or "")
    except ValueError:
        raise Refusal(f"{TIME_ERROR} {UNCHANGED}") from None
    try:
        days = parse_weekdays(days_text)
    except ValueError as error:
        raise Refusal(f"{error} {UNCHANGED}") from None
    store = poster.bot.store
    if zone_text and zone_text.strip():
        try:
            zone = read_zone(zone_text)  # a city, country or IANA name; EST gets a suggestion
        except ValueError as error:
            raise Refusal(f"{error} {UNCHANGED}") from None
        zone_from_settings = False
    else:
        zone = zone_or_utc((await store.guilds.get(guild_id)).timezone)
        zone_from_settings = True
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
        raise Refusal(f"Please choose a text or forum channel for the prompts. {UNCHANGED}")
    require_can_post(channel, post_permissions(channel))
    before = await store.prompts.get_schedule(guild_id)
    draft = Schedule(
        guild_id, channel.id, format_hhmm(at), zone.key, days, now, now.date(), False, None
    )
    taken = await store.prompts.taken_dates(guild_id, local_date_of(now, zone))
    first = first_free(draft, now, taken)
    schedule = await store.prompts.save_schedule(
        guild_id,
        channel_id=channel.id,
        post_time=format_hhmm(at),
        timezone=zone.key,
        weekdays=days,
        next_post_at=first.at,
        next_local_date=first.local_date,
        now=now,
    )
    return Scheduled(schedule, before is not None and before.paused, zone_from_settings)


async def require_schedule(poster: PromptPoster, guild_id: int) -> Schedule:
    schedule = await poster.repo.get_schedule(guild_id)
    if schedule is None:
        raise Refusal(NO_SCHEDULE)
    return schedule


async def pause(poster: PromptPoster, guild_id: int, now: datetime) -> None:
    schedule = await require_schedule(poster, guild_id)
    if schedule.paused or not await poster.repo.pause(guild_id, "paused by a moderator", now):
        raise Refusal("Daily prompts are already paused. `/prompts resume` starts them again.")


async def resume(poster: PromptPoster, guild: discord.Guild, now: datetime) -> Schedule:
    schedule = await require_schedule(poster, guild.id)
    if not schedule.paused:
        raise Refusal(
            f"Daily prompts are already running; the next one is {when(schedule.next_post_at)}."
        )
    channel = guild.get_channel(schedule.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
        raise Refusal(
            f"The prompt channel <#{schedule.channel_id}> no longer exists, or I can't see it. "
            f"Please choose a channel with `/prompts schedule`. {UNCHANGED}"
        )
    require_can_post(channel, post_permissions(channel))
    nxt = await poster.next_free(schedule, now)
    if not await poster.repo.resume(guild.id, nxt.at, nxt.local_date, now):
        raise Refusal("Daily prompts are already running.")
    return await poster.repo.get_schedule(guild.id)


async def skip(poster: PromptPoster, guild_id: int, now: datetime) -> tuple[Post, Schedule]:
    """Skip the next prompt: its day is recorded as skipped and the schedule moves on."""
    schedule = await require_schedule(poster, guild_id)
    if schedule.paused:
        raise Refusal(f"Daily prompts are paused, so there is no next prompt to skip. {UNCHANGED}")
    day = schedule.next_local_date
    post = await poster.repo.get_post(guild_id, day)
    if guild_id in poster._busy or (post is not None and post.state == CLAIMED):
        raise Refusal(
            f"The prompt for {long_date(day)} is being posted right now, so it can't be "
            f"skipped. {UNCHANGED}"
        )
    taken = await poster.repo.taken_dates(guild_id, day)
    after = max(now, schedule.next_post_at)
    nxt = first_free(schedule, after, taken | {day})
    await poster.repo.resolve_days(
        guild_id, [(day, schedule.next_post_at)], SKIPPED, SKIP_NOTE, now, (nxt.at, nxt.local_date)
    )
    return await poster.repo.get_post(guild_id, day), await poster.repo.get_schedule(guild_id)


# ----- the server's prompts --------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    prompt: Candidate
    own: bool


async def rotation(poster: PromptPoster, guild_id: int) -> list[Listed]:
    """Every prompt in this server's rotation, library first, in library order."""
    return [
        Listed(candidate, candidate.id.startswith(OWN_PREFIX))
        for candidate in await poster.pool(guild_id)
    ]


async def same_in_rotation(poster: PromptPoster, guild_id: int, text: str) -> Candidate | None:
    """The prompt in this server's rotation that reads like `text` (case and spacing aside).

    The library's texts are indexed once; only the server's own prompts are compared here.
    """
    in_library = poster.bot.library.same_prompt(text)
    same = normalised(text)
    for candidate in await poster.pool(guild_id):
        if candidate.id.startswith(OWN_PREFIX):
            if normalised(candidate.text) == same:
                return candidate
        elif in_library is not None and candidate.id == in_library.id:
            return candidate
    return None


async def add_prompt(
    poster: PromptPoster, guild_id: int, text: str, value_typed: str, moderator_id: int, now
) -> tuple[OwnPrompt, Value]:
    value = require_value(poster.bot, value_typed)
    text = require_prompt_text(text)
    same = await same_in_rotation(poster, guild_id, text)
    if same is not None:
        raise Refusal(
            f"That prompt is already in this server's rotation as `{same.id}`. {UNCHANGED}"
        )
    prompt = await poster.repo.add_prompt(guild_id, value.key, text, now, added_by=moderator_id)
    if prompt is None:
        raise Refusal(f"This server already has that prompt. {UNCHANGED}")
    return prompt, value


async def remove_prompt(
    poster: PromptPoster, guild_id: int, typed: str, now: datetime
) -> Candidate:
    """Delete one of the server's own prompts, or take a library prompt out of its rotation."""
    prompt_id = (typed or "").strip().casefold()
    listed = {item.prompt.id: item for item in await rotation(poster, guild_id)}
    found = listed.get(prompt_id)
    if found is None:
        raise Refusal(
            f"There's no prompt `{(typed or '').strip()[:40]}` in this server's rotation. "
            f"`/prompts list` shows every id. {UNCHANGED}"
        )
    if len(listed) <= 1:
        raise Refusal(
            "That's the last prompt in this server's rotation, so I'll keep it. Add another "
            f"with `/prompts add` first. {UNCHANGED}"
        )
    if found.own:
        await poster.repo.remove_own(guild_id, int(prompt_id.removeprefix(OWN_PREFIX)))
    else:
        await poster.repo.exclude(guild_id, prompt_id, now)
    return found.prompt


# ----- what moderators read ------------------------------------------------------------------
def prompt_lines(bot, items: list[Listed], value: Value | None) -> list[str]:
    lines: list[str] = []
    current = None
    for item in items:
        if value is not None and item.prompt.value != value.key:
            continue
        if item.prompt.value != current:
            current = item.prompt.value
            shown = bot.library.value(current)
            lines.append(f"\n**{shown.badge if shown else current}**")
        mark = " *(added here)*" if item.own else ""
        lines.append(f"`{item.prompt.id}` {item.prompt.text}{mark}")
    return lines or ["No prompts here yet. Add one with `/prompts add`."]


def value_lines(bot, items: list[Listed]) -> list[str]:
    lines = []
    for value in bot.library.values:
        mine = [item for item in items if item.prompt.value == value.key]
        own = sum(item.own for item in mine)
        count = f"{len(mine)} prompt{'s' if len(mine) != 1 else ''}"
        if own:
            count += f" ({own} added here)"
        lines.append(f"**{value.badge}** · {count}\n{value.description}")
    return lines


STATE_WORDS = {
    SENT: "posted",
    MISSED: "missed",
    FAILED: "couldn't post",
    SKIPPED: "skipped",
    CLAIMED: "being posted",
}


def history_lines(bot, posts: list[Post]) -> list[str]:
    lines = []
    for post in posts:
        value = bot.library.value(post.value_key or "") if post.value_key else None
        badge = f" · {value.badge}" if value else ""
        line = (
            f"**{long_date(post.local_date)}**{badge} · {STATE_WORDS.get(post.state, post.state)}"
        )
        if post.state == SENT and post.link:
            line += f" · [open]({post.link})"
        if post.prompt_id and post.state == SENT:
            line += f" · `{post.prompt_id}`"
        if post.note and post.state != SENT:
            line += f"\n*{post.note}*"
        lines.append(line)
    return lines
