"""A daily prompt whose reply thread Discord didn't open (an outage just after the post
landed) gets its thread later: retried every half hour for a day, never doubled, and never
again once Discord refuses it for good."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.test_posting import schedule_general
from tests.test_prompts_support import prompt_posts, tick

THREADS = "/channels/{channel_id}/messages/{message_id}/threads"
DAY = date(2026, 3, 2)


async def posted_without_thread(kit, status: int, code: int):
    await schedule_general(kit, kit.moderator("mo"))
    kit.discord.fail("POST", r"/channels/\d+/messages/\d+/threads$", status, code)
    kit.clock.set(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    out = await tick(kit)
    assert len(prompt_posts(out)) == 1 and len(out.to(THREADS, "POST")) == 1
    post = await kit.store.prompts.get_post(kit.guild.id, DAY)
    assert post.state == "sent" and post.thread_id is None
    kit.discord.failures.clear()  # the outage is over
    return post


def threads_of(kit, message_id: int) -> list[dict]:
    return [
        c
        for c in kit.discord.channels.values()
        if c.get("type") == 11 and c.get("id") == str(message_id)
    ]


async def test_a_thread_an_outage_kept_from_opening_is_opened_later_once(kit):
    post = await posted_without_thread(kit, 503, 0)

    kit.clock.advance(minutes=10)
    assert not (await tick(kit)).to(THREADS, "POST"), "not every tick: it waits a while"

    kit.clock.advance(minutes=25)
    out = await tick(kit)
    [opened] = out.to(THREADS, "POST")
    assert str(post.message_id) in opened.path and not prompt_posts(out)
    assert (await kit.store.prompts.get_post(kit.guild.id, DAY)).thread_id == post.message_id
    assert len(threads_of(kit, post.message_id)) == 1

    kit.clock.advance(hours=2)
    assert not (await tick(kit)).to(THREADS, "POST"), "a recorded thread is never asked again"


async def test_a_thread_discord_refuses_for_good_is_asked_once_more_then_left(kit):
    await posted_without_thread(kit, 403, 50013)
    kit.discord.fail("POST", r"/channels/\d+/messages/\d+/threads$", 403, 50013)
    asked = []
    for _ in range(4):
        kit.clock.advance(minutes=40)
        asked += (await tick(kit)).to(THREADS, "POST")
    assert len(asked) == 1
    assert (await kit.store.prompts.get_post(kit.guild.id, DAY)).thread_id is None


async def test_a_post_older_than_a_day_is_left_without_its_thread(kit):
    post = await posted_without_thread(kit, 503, 0)
    kit.clock.advance(hours=24, minutes=30)
    asked = (await tick(kit)).to(THREADS, "POST")  # the next day's prompt opens its own
    assert not [r for r in asked if str(post.message_id) in r.path]
