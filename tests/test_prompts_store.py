"""The prompts repository: the indexed due query, claims that happen once, member data."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.store.prompts import weekday_mask, weekdays_of

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


async def add_schedule(store, guild_id: int, at: datetime, **more):
    return await store.prompts.save_schedule(
        guild_id,
        channel_id=guild_id + 1,
        post_time="19:30",
        timezone="Europe/Berlin",
        weekdays=frozenset(range(7)),
        next_post_at=at,
        next_local_date=at.date(),
        now=NOW,
        **more,
    )


async def claim(store, guild_id=1, day=DAY, **more):
    options = dict(
        prompt_id="hope-01",
        value_key="hope",
        prompt_text="What gave you hope?",
        cycle=1,
        channel_id=10,
        nonce="n1",
        scheduled_at=NOW,
        now=NOW,
    )
    options.update(more)
    return await store.prompts.claim(guild_id, day, **options)


async def test_the_due_query_is_an_index_range_scan(store):
    plan = await store.fetchall(
        "EXPLAIN QUERY PLAN SELECT guild_id FROM prompt_schedules "
        "WHERE next_post_at <= ? AND paused = 0 ORDER BY next_post_at LIMIT 1000",
        (0,),
    )
    details = " ".join(row["detail"] for row in plan)
    assert "USING INDEX prompt_schedules_due" in details and "SCAN prompt_schedules " not in details


async def test_due_returns_only_running_schedules_at_or_before_now(store):
    await add_schedule(store, 1, NOW - timedelta(minutes=1))
    await add_schedule(store, 2, NOW)
    await add_schedule(store, 3, NOW + timedelta(seconds=1))
    await add_schedule(store, 4, NOW - timedelta(hours=1))
    await store.prompts.pause(4, "paused by a moderator", NOW)
    assert [s.guild_id for s in await store.prompts.due(NOW)] == [1, 2]


async def test_a_day_is_claimed_once_however_many_try_at_once(store):
    results = await asyncio.gather(*(claim(store, nonce=f"n{i}") for i in range(25)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].state == "claimed" and winners[0].attempts == 0
    assert await claim(store) is None
    assert await claim(store, day=DAY + timedelta(days=1)) is not None  # another day is free
    assert await claim(store, guild_id=2) is not None  # another server is free


async def test_only_missed_failed_or_skipped_days_may_be_taken_over(store):
    post = await claim(store)
    await store.prompts.mark_sent(post.post_id, message_id=5, thread_id=5, link="l", now=NOW)
    assert await claim(store, take_over=("missed", "failed", "skipped", "sent")) is None
    await store.prompts.resolve_days(1, [(DAY + timedelta(days=1), NOW)], "missed", "x", NOW, None)
    again = await claim(store, day=DAY + timedelta(days=1), take_over=("missed",))
    assert again.state == "claimed" and again.note is None


async def test_resolving_days_keeps_posts_that_were_sent(store):
    post = await claim(store)
    await store.prompts.mark_sent(post.post_id, message_id=5, thread_id=5, link="l", now=NOW)
    await store.prompts.resolve_days(1, [(DAY, NOW)], "missed", "offline", NOW, None)
    assert (await store.prompts.get_post(1, DAY)).state == "sent"


async def test_purging_a_server_removes_its_prompt_rows(store):
    await add_schedule(store, 1, NOW)
    await claim(store)
    await store.prompts.add_prompt(1, "hope", "What gave you hope?", NOW, added_by=9)
    await store.prompts.suggest(1, 7, "hope", "An idea?", NOW)
    await store.guilds.purge(1)
    for table in ("prompt_schedules", "prompt_posts", "guild_prompts", "prompt_suggestions"):
        row = await store.fetchone(f"SELECT count(*) FROM {table}")
        assert row[0] == 0, table


async def test_member_data_export_and_erase(store):
    await store.prompts.add_prompt(1, "hope", "What gave you hope?", NOW, added_by=7)
    mine = await store.prompts.suggest(1, 7, "hope", "My idea?", NOW)
    await store.prompts.suggest(1, 8, "hope", "Their idea?", NOW)
    await store.prompts.approve(mine.suggestion_id, 9, NOW)
    exported = await store.prompts.export_member(1, 7)
    assert [r["text"] for r in exported["prompt_suggestions"]] == ["My idea?"]
    assert sorted((r["added_by"], r["suggested_by"]) for r in exported["guild_prompts"]) == [
        (7, None),
        (9, 7),
    ]
    moderator = await store.prompts.export_member(1, 9)
    assert moderator["prompt_suggestions"][0]["decided_by"] == 9
    assert "text" not in moderator["prompt_suggestions"][0]  # not the member's words

    await store.atomic(store.prompts.erase_member_rows, 1, 7)
    await store.atomic(store.prompts.erase_member_rows, 1, 7)
    assert await store.prompts.export_member(1, 7) == {
        "prompt_suggestions": [],
        "guild_prompts": [],
    }
    # their approved idea left the rotation; a prompt they added as a moderator is the server's
    kept = await store.prompts.own_prompts(1)
    assert [(p.text, p.added_by) for p in kept] == [("What gave you hope?", None)]
    assert await store.prompts.pending_count(1, 8) == 1


def test_weekday_masks_round_trip():
    for days in (frozenset(), frozenset({0}), frozenset({0, 2, 4}), frozenset(range(7))):
        assert weekdays_of(weekday_mask(days)) == days
