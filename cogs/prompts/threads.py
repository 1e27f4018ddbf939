"""The reply thread under each daily prompt: opened right after the post, and mended later
when Discord failed just after the post landed. The post stands even without its thread, so
a thread is never a reason to post again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.sendqueue import SendQueue, transient
from bot.store.prompts import Post
from cogs.prompts.messages import thread_name

if TYPE_CHECKING:
    from bot.client import KindredBot

log = logging.getLogger("kindred.prompts")

THREAD_MEND_WINDOW = timedelta(days=1)  # a post left without its reply thread gets one for a day
THREAD_MEND_PAUSE = timedelta(minutes=30)  # ... asked at most this often
GAVE_UP = object()  # Discord refused the thread for good: never asked again in this process


async def open_thread(
    queue: SendQueue, guild: discord.Guild, message: discord.Message, name: str
) -> int | None:
    """The public reply thread under a posted prompt; the post stands even without it."""
    if message.thread is not None:
        return message.thread.id
    try:
        thread = await queue.call(message.create_thread, name=name, auto_archive_duration=1440)
    except discord.HTTPException as error:
        if error.code == 160004:  # a thread already exists for this message
            return message.id
        log.warning("guild %s: could not open the reply thread (%s)", guild.id, error.code)
        return None
    return thread.id


class ThreadMender:
    """Remembers, per process, when each threadless post was last tried."""

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self._thread_tries: dict[int, object] = {}  # post id -> last try, or GAVE_UP

    @property
    def repo(self):
        return self.bot.store.prompts

    async def mend_threads(self, queue: SendQueue, now: datetime) -> int:
        """Open the reply thread of a post that stood without one (Discord failed just after
        the post landed): every half hour for a day, never again once Discord refused it."""
        mended = 0
        for post in await self.repo.threadless(now - THREAD_MEND_WINDOW):
            last = self._thread_tries.get(post.post_id, post.finished_at)
            if last is GAVE_UP or (last is not None and now - last < THREAD_MEND_PAUSE):
                continue
            self._thread_tries[post.post_id] = now
            thread_id = await self._mend_thread(queue, post)
            if thread_id is not None:
                await self.repo.set_thread(post.post_id, thread_id)
                self._thread_tries.pop(post.post_id, None)
                mended += 1
        return mended

    async def _mend_thread(self, queue: SendQueue, post: Post) -> int | None:
        value = self.bot.library.value(post.value_key or "")
        if value is None or post.channel_id is None or post.message_id is None:
            self._thread_tries[post.post_id] = GAVE_UP
            return None
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        message = channel.get_partial_message(post.message_id)
        try:
            thread = await queue.call(
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
