"""The rate-aware send queue: never more than `rate` request starts in any rolling second."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.sendqueue import DISCORD_GLOBAL_LIMIT, SendQueue, shared_queue


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def busiest_second(starts: list[float]) -> int:
    return max(sum(1 for t in starts if first <= t < first + 1.0) for first in starts)


async def test_a_burst_is_spread_under_the_limit_in_arrival_order():
    time = FakeTime()
    queue = SendQueue(rate=40, clock=time, sleep=time.sleep)
    starts: list[tuple[int, float]] = []

    async def send(n: int) -> int:
        starts.append((n, time.now))
        return n

    results = await asyncio.gather(*(queue.call(send, n) for n in range(500)))
    assert results == list(range(500))
    assert [n for n, _ in starts] == list(range(500))  # first come, first served
    times = [t for _, t in starts]
    assert busiest_second(times) == 40 < DISCORD_GLOBAL_LIMIT
    assert times[-1] == pytest.approx(12.0)  # 500 requests at 40/s: no slower than needed
    assert queue.waiting == 0


async def test_a_quiet_queue_does_not_wait():
    time = FakeTime()
    queue = SendQueue(rate=5, clock=time, sleep=time.sleep)
    for _ in range(5):
        await queue.acquire()
    assert time.sleeps == []
    time.now += 1.0  # a second later the window is empty again
    async with queue.slots(5):
        pass
    assert time.sleeps == []


async def test_multi_request_reservations_count_every_request():
    time = FakeTime()
    queue = SendQueue(rate=10, clock=time, sleep=time.sleep)
    await queue.acquire(7)
    await queue.acquire(7)
    assert time.now == pytest.approx(1.0)  # the second reservation waited for 4 slots


async def test_call_passes_arguments_through():
    queue = SendQueue()

    async def send(a, *, b):
        return a + b

    assert await queue.call(send, 2, b=3) == 5


def test_a_bot_has_one_shared_queue_and_bad_rates_are_refused():
    bot = SimpleNamespace()
    assert shared_queue(bot) is shared_queue(bot)
    assert shared_queue(bot).rate < DISCORD_GLOBAL_LIMIT
    with pytest.raises(ValueError):
        SendQueue(rate=0)
