"""The janitor: Discord-side changes owed after a member erased their data.

An erase never waits on Discord. Its jobs (replace a published story, lock its thread,
delete a card) are queued in the database and done here: right after the erase, then by
a loop that retries what failed with a growing pause. A message or channel that is
already gone is a job done. After a week of refusals the moderators are asked, once, to
finish by hand; they also hear on the first "missing permission", so they can fix it.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.checks import notify_moderators
from bot.render import kind_embed
from bot.store.base import STORY_REMOVED, CleanupJob
from bot.store.care import QueuedCleanup
from bot.store.stories import REMOVED_THREAD_NAME
from bot.text import THREAD_NAME_LIMIT, clip
from cogs.care import sweep

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.cleanup")

FIRST_RETRY = timedelta(minutes=5)
LONGEST_PAUSE = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(days=7)
BATCH = 50
REASON = "A member erased their data with /mydata erase"
THREAD_ARCHIVED = 50083  # "Operation cannot be performed on archived thread"
NOTICE_COLOUR = 0xA9A9A9


def next_pause(attempts: int) -> timedelta:
    """5 min, 10, 20, ... capped at 12 h; `attempts` counts failures so far."""
    return min(FIRST_RETRY * (2 ** min(attempts, 16)), LONGEST_PAUSE)


def jump_link(guild_id: int, job: CleanupJob) -> str:
    # a sweep's message id is only a bound: the channel is what moderators can open
    tail = f"/{job.message_id}" if job.message_id and job.action != "sweep" else ""
    return f"https://discord.com/channels/{guild_id}/{job.channel_id}{tail}"


def error_code(error: Exception) -> str:
    """What we keep about a failure: status and Discord code, never any text."""
    if isinstance(error, discord.HTTPException):
        return f"http {error.status}/{error.code}"
    return type(error).__name__


@dataclass
class CleanupReport:
    done: int = 0
    retrying: int = 0
    gave_up: int = 0
    # guild id -> links moderators should hear about (first refusal, or given up)
    refused: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    abandoned: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    # the same for anonymous stories: told apart, on a later round, never with the member
    refused_anonymous: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    abandoned_anonymous: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


async def _edit_thread(bot: KindredBot, thread_id: int, **fields) -> None:
    await bot.http.edit_channel(thread_id, reason=REASON, **fields)


async def _replace(bot: KindredBot, job: CleanupJob) -> None:
    message = bot.get_partial_messageable(job.channel_id).get_partial_message(job.message_id)
    content = job.content or STORY_REMOVED
    try:
        await message.edit(content=content, embeds=[], attachments=[], view=None)
    except discord.HTTPException as error:
        if error.status != 400 or error.code == THREAD_ARCHIVED:
            raise
        # A message built with components v2 cannot carry `content`: say it in a text block.
        view = discord.ui.LayoutView()
        view.add_item(discord.ui.TextDisplay(content))
        await message.edit(attachments=[], view=view)


async def _refresh(bot: KindredBot, job: CleanupJob) -> None:
    """Draw one of Kindred's own cards again from the database (`content` is "kind:id");
    the feature that owns the card registered how, in `bot.card_refreshers`."""
    kind, _, item = (job.content or "").partition(":")
    refresher = bot.card_refreshers.get(kind)
    if refresher is None or not item.isdigit():
        raise ValueError(f"no refresher for {job.content!r}")
    await refresher(job.channel_id, job.message_id, int(item))


async def _sweep(bot: KindredBot, job: CleanupJob, guild_id: int) -> None:
    """Take down what a crash left on Discord with no id saved (see cogs/care/sweep.py): a card
    or a reply is deleted; a story post reads STORY_REMOVED and its thread, if any, is
    locked."""
    marker = sweep.Marker.parse(job.content)
    for found in await sweep.find(bot, guild_id, job.channel_id, job.message_id, marker):
        if marker.kind in ("button", "reply"):
            await bot.http.delete_message(found.channel_id, found.message_id, reason=REASON)
            continue
        await _replace(bot, CleanupJob(found.channel_id, found.message_id, "replace"))
        with contextlib.suppress(discord.NotFound):  # a text post the crash left threadless
            await _edit_thread(
                bot, found.thread_id, locked=True, archived=True, name=REMOVED_THREAD_NAME
            )


async def _act(bot: KindredBot, job: CleanupJob, guild_id: int = 0) -> None:
    if job.action == "delete":
        await bot.http.delete_message(job.channel_id, job.message_id, reason=REASON)
    elif job.action == "replace":
        await _replace(bot, job)
    elif job.action == "lock":
        fields = {"locked": True, "archived": True}
        if job.content:
            fields["name"] = clip(job.content, THREAD_NAME_LIMIT)
        await _edit_thread(bot, job.channel_id, **fields)
    elif job.action == "rename":
        await _edit_thread(bot, job.channel_id, name=clip(job.content or "", THREAD_NAME_LIMIT))
    elif job.action == "refresh":
        await _refresh(bot, job)
    elif job.action == "sweep":
        await _sweep(bot, job, guild_id)
    else:
        raise ValueError(f"unknown cleanup action {job.action!r}")


async def perform(bot: KindredBot, job: CleanupJob, guild_id: int = 0) -> None:
    """Do one job; a thread archived since the post is reopened for the edit and re-archived."""
    try:
        await _act(bot, job, guild_id)
    except discord.HTTPException as error:
        if error.code != THREAD_ARCHIVED or job.action in ("lock", "rename"):
            raise
        await _edit_thread(bot, job.channel_id, archived=False)
        await _act(bot, job, guild_id)
        await _edit_thread(bot, job.channel_id, archived=True)


async def run_cleanup(
    bot: KindredBot, now: datetime, *, guild_id: int | None = None, batches: int = 10
) -> CleanupReport:
    """Do every job due by `now` (for one server, or all), then tell moderators what needs them."""
    report = CleanupReport()
    for _ in range(batches):
        due = await bot.store.care.due_cleanup(now, guild_id=guild_id, limit=BATCH)
        for queued in due:
            await _run_one(bot, queued, now, report)
        if len(due) < BATCH:
            break
    await _tell_about(bot, report)
    return report


# What moderators read. The anonymous notices never say a member erased anything: a story
# posted anonymously must not be tied, by words or by the moment, to the member's name.
NOTICES = (
    (
        "refused",
        "Kindred couldn't yet remove messages a member erased",
        "A member erased their data, and Discord refused part of the cleanup (Kindred "
        "may be missing the View Channel, Send Messages or Manage Threads permission "
        "there). Kindred keeps trying for a week; fixing the permission lets it finish:",
    ),
    (
        "abandoned",
        "Please finish a removal by hand",
        "A member erased their data, and for a week Discord refused to let Kindred "
        "remove these. Please delete them, or lock the thread, yourselves:",
    ),
    (
        "refused_anonymous",
        "Kindred couldn't yet take down an anonymous story",
        "An anonymous story is to be taken down, and Discord refused (Kindred may be "
        "missing the View Channel, Send Messages or Manage Threads permission there). "
        "Kindred keeps trying for a week; fixing the permission lets it finish:",
    ),
    (
        "abandoned_anonymous",
        "Please take down an anonymous story by hand",
        "For a week Discord refused to let Kindred take down this anonymous story. "
        "Please delete it, or lock the thread, yourselves:",
    ),
)
# An anonymous refusal is reported on its second failed try, a later janitor round than
# the member's own notice (which comes on the first).
ANONYMOUS_REPORT_ATTEMPT = 1


async def _tell_about(bot: KindredBot, report: CleanupReport) -> None:
    for kind, title, text in NOTICES:
        for guild, links in getattr(report, kind).items():
            await _tell_moderators(bot, guild, title, text, links)


async def _run_one(bot: KindredBot, queued: QueuedCleanup, now: datetime, report) -> None:
    job = queued.job
    try:
        await perform(bot, job, queued.guild_id)
    except discord.NotFound:
        await bot.store.care.finish_cleanup(queued.job_id)  # already gone: nothing left to do
        report.done += 1
        return
    except Exception as error:  # Forbidden, server errors, anything: try again later
        if not isinstance(error, discord.HTTPException):
            log.exception("cleanup job %s failed unexpectedly", queued.job_id)
        link = jump_link(queued.guild_id, job)
        if now - queued.created_at >= GIVE_UP_AFTER:
            log.warning("cleanup job %s given up after %s", queued.job_id, error_code(error))
            await bot.store.care.finish_cleanup(queued.job_id)
            report.gave_up += 1
            abandoned = report.abandoned_anonymous if job.anonymous else report.abandoned
            abandoned[queued.guild_id].append(f"{job.action}: {link}")
            return
        log.info("cleanup job %s will be retried (%s)", queued.job_id, error_code(error))
        await bot.store.care.retry_cleanup(
            queued.job_id, now + next_pause(queued.attempts), error_code(error)
        )
        report.retrying += 1
        if isinstance(error, discord.Forbidden):
            if job.anonymous and queued.attempts == ANONYMOUS_REPORT_ATTEMPT:
                report.refused_anonymous[queued.guild_id].append(f"{job.action}: {link}")
            elif not job.anonymous and queued.attempts == 0:
                report.refused[queued.guild_id].append(f"{job.action}: {link}")
        return
    await bot.store.care.finish_cleanup(queued.job_id)
    report.done += 1


async def _tell_moderators(
    bot: KindredBot, guild_id: int, title: str, text: str, links: list[str]
) -> None:
    shown = links[:15] + ([f"…and {len(links) - 15} more"] if len(links) > 15 else [])
    notice = kind_embed(title, text + "\n" + "\n".join(shown), colour=NOTICE_COLOUR)
    await notify_moderators(bot, guild_id, notice)
