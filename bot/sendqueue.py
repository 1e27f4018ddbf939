"""A rate-aware queue for the bot's own REST calls, so bursts stay under Discord's limit.

Discord allows a bot 50 requests per second across all routes. discord.py reacts to 429s
after the fact; when thousands of servers post in the same minute we would rather never
hit them. Every scheduled send (daily prompts, digests, moderator notices, DMs) waits here
for a slot: at most `rate` requests start in any rolling `per`-second window, in arrival
order. Interaction responses do not count against the limit and need not queue.

    queue = shared_queue(bot)
    message = await queue.call(channel.send, embed=embed)        # one request
    async with queue.slots(2): ...                               # reserve two requests

Time and sleeping are injected, so tests can check the limit without waiting.

A message that must appear once (a victory card, a published story) goes out with
`send_once`: every try carries the same nonce, which discord.py sends with `enforce_nonce`,
so when an earlier try reached Discord but its answer was lost (a timeout, a dropped
connection) Discord hands back that message instead of making a second one. Discord's own
passing trouble (a 5xx discord.py gave up on, a 503 it never retries, a 429, the network)
is retried after each of `RETRY_PAUSES`; anything else, or the last failure, is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

import aiohttp
import discord

from bot.observe import context

T = TypeVar("T")
log = logging.getLogger("kindred.send")

DISCORD_GLOBAL_LIMIT = 50  # requests per second, per bot
DEFAULT_RATE = 40  # leaves room for everything else the bot does in the same second
RETRY_PAUSES = (1.0, 3.0)  # seconds before the second and third try of a send_once
# What a request raises when Discord took too long or the connection went away: the
# request may or may not have reached Discord.
NETWORK_ERRORS = (OSError, TimeoutError, aiohttp.ClientError)


def transient(error: BaseException) -> bool:
    """Worth retrying: Discord's own trouble (5xx), a rate limit, the network, a timeout."""
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, NETWORK_ERRORS)


class Undeliverable(Exception):
    """The channel is gone or the bot lacks a permission: retrying will not help, a moderator
    must change something first."""

    def __init__(self, note: str, fix: str, fix_now: str | None = None):
        super().__init__(note)
        self.note = note  # what happened, for history and the moderators' notice
        self.fix = fix  # what a moderator should do so that the scheduled posts go out again
        self.fix_now = fix_now or fix  # what to do before trying a command again now


class SendQueue:
    """At most `rate` request starts in any rolling window of `per` seconds, first come first
    served."""

    def __init__(
        self,
        rate: int = DEFAULT_RATE,
        per: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        if rate < 1 or per <= 0:
            raise ValueError("rate must be at least 1 and per positive")
        self.rate, self.per = rate, per
        self._clock, self._sleep = clock, sleep
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()  # FIFO: waiters are served in arrival order
        self.waiting = 0
        # For /metrics: requests started, and seconds callers spent waiting for a slot.
        self.started = 0
        self.waited_seconds = 0.0

    async def acquire(self, requests: int = 1) -> None:
        """Wait until `requests` more requests may start, and count them as started."""
        if requests < 1:
            return
        self.waiting += 1
        began = time.perf_counter()
        try:
            async with self._lock:
                for _ in range(requests):
                    await self._one_slot()
                    self.started += 1
        finally:
            self.waiting -= 1
            waited = time.perf_counter() - began
            self.waited_seconds += waited
            context.waited(waited)  # Discord's pace, not the interaction's own work

    def in_window(self) -> int:
        """Requests started in the last `per` seconds."""
        now = self._clock()
        return sum(1 for start in self._starts if now - start < self.per)

    async def _one_slot(self) -> None:
        while True:
            now = self._clock()
            while self._starts and now - self._starts[0] >= self.per:
                self._starts.popleft()
            if len(self._starts) < self.rate:
                self._starts.append(now)
                return
            await self._sleep(self._starts[0] + self.per - now)

    async def call(
        self, send: Callable[..., Awaitable[T]], /, *args: Any, requests: int = 1, **kwargs: Any
    ) -> T:
        """Wait for a slot, then make the call (e.g. `await queue.call(channel.send, ...)`)."""
        await self.acquire(requests)
        return await send(*args, **kwargs)

    @contextlib.asynccontextmanager
    async def slots(self, requests: int = 1) -> AsyncIterator[None]:
        """Reserve `requests` slots for the block's calls."""
        await self.acquire(requests)
        yield


def shared_queue(bot: Any) -> SendQueue:
    """The one queue of this bot, created on first use, shared by every feature."""
    queue = getattr(bot, "send_queue", None)
    if not isinstance(queue, SendQueue):
        queue = SendQueue()
        bot.send_queue = queue
    return queue


async def send_once(
    send: Callable[..., Awaitable[T]],
    /,
    *args: Any,
    nonce: str,
    queue: SendQueue | None = None,
    **kwargs: Any,
) -> T:
    """`await send(*args, nonce=nonce, **kwargs)` (through `queue` when given), retried on
    transient failures with the same nonce: at most one message, never silently none."""
    for attempt, pause in enumerate((*RETRY_PAUSES, None)):
        try:
            if queue is None:
                return await send(*args, nonce=nonce, **kwargs)
            return await queue.call(send, *args, nonce=nonce, **kwargs)
        except Exception as error:
            if pause is None or not transient(error):
                raise
            log.info("send try %d failed (%r); trying again in %.1f s", attempt + 1, error, pause)
        await (queue._sleep if queue is not None else asyncio.sleep)(pause)
    raise AssertionError("unreachable")


async def recorded_or_taken_down(record: Awaitable[object], *posted: Any) -> None:
    """Discord must hold nothing the database doesn't know about (a member erasing their
    data could never take it down). If recording what was just posted fails (a full disk),
    delete the post again, which needs no disk, and re-raise."""
    try:
        await record
    except sqlite3.Error:
        for item in posted:
            with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
                await item.delete()
        raise


class LatestOnly:
    """Runs a job per key one at a time, coalescing requests made while one runs.

    Why: hundreds of cheers on one card must not become hundreds of racing edits (Discord
    may apply them out of order, and rate-limits them). Each run reads the latest state
    itself, and a request during a run guarantees one more run after it, so the last edit
    always shows the state after the last request.
    """

    def __init__(self) -> None:
        self._jobs: dict[Hashable, Callable[[], Awaitable[None]]] = {}
        self._dirty: set[Hashable] = set()
        self._running: dict[Hashable, asyncio.Task] = {}

    def request(self, key: Hashable, job: Callable[[], Awaitable[None]]) -> asyncio.Task:
        self._jobs[key] = job
        task = self._running.get(key)
        if task is not None:
            self._dirty.add(key)
            return task
        task = asyncio.create_task(self._run(key), name=f"kindred-latest-{key}")
        self._running[key] = task
        return task

    async def _run(self, key: Hashable) -> None:
        try:
            while True:
                self._dirty.discard(key)
                try:
                    await self._jobs[key]()
                except Exception:
                    log.exception("update %s failed", key)
                if key not in self._dirty:
                    return
        finally:
            self._running.pop(key, None)
            self._jobs.pop(key, None)

    async def drain(self) -> None:
        """Wait for every pending update (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
