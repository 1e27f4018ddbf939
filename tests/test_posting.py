"""The daily posting loop, driven by moving the kit's clock: a simulated week across a
restart, DST in four zones, kills between claim and send, the 6-hour catch-up rule,
failures that pause one server only, and the rate-aware queue."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.sendqueue import SendQueue
from bot.store.prompts import PromptRepository
from cogs.prompts import admin
from cogs.prompts.flow import POSTS_AT_ONCE
from tests.test_prompts_support import (
    channel_of,
    delete_channel,
    deny_bot,
    marker_of,
    other_guild,
    prompt_posts,
    prompts_cog,
    set_mod_channel,
    tick,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def run_until(kit, end: datetime, step: timedelta = timedelta(minutes=5)):
    """Tick like the loop would, every `step`, until `end`; (tick time, post) for each post."""
    posted = []
    while kit.clock.now < end:
        kit.clock.advance(seconds=step.total_seconds())
        out = await tick(kit)
        posted += [(kit.clock.now, request) for request in prompt_posts(out)]
    return posted


def stored_prompt_posts(kit, day: date) -> list[dict]:
    """Every message Discord holds for `day`'s prompt, whatever request made it."""
    marker = f"Daily prompt · {day.isoformat()}"
    return [
        m
        for m in kit.discord.messages.values()
        if any(e.get("footer", {}).get("text") == marker for e in m["embeds"])
    ]


async def schedule_general(kit, mo, time="19:30", zone="Europe/Berlin", **more):
    out = await mo.slash("prompts schedule", channel="general", time=time, timezone=zone, **more)
    assert "will be posted" in out.reply.text, out.reply.text
    return out


# ----- a week -------------------------------------------------------------------------------
async def test_a_simulated_week_posts_once_per_configured_day_per_server_across_a_restart(kit):
    mo = kit.moderator("mo")
    value_names = [value.name for value in kit.bot.library.values]
    await schedule_general(kit, mo)  # Berlin, 19:30, every day, a text channel
    new_york = other_guild(kit, {"prompts": 15}, tags=value_names)  # a forum
    kathmandu = other_guild(kit, {"daily": 0})
    poster = prompts_cog(kit).poster
    await admin.set_schedule(
        poster,
        new_york.id,
        channel=new_york.channel(kit, "prompts"),
        time_text="08:00",
        days_text="mon, wed, fri",
        zone_text="America/New_York",
        now=kit.clock(),
    )
    await admin.set_schedule(
        poster,
        kathmandu.id,
        channel=kathmandu.channel(kit, "daily"),
        time_text="07:15",
        days_text="weekdays",
        zone_text="Asia/Kathmandu",
        now=kit.clock(),
    )
    start = kit.clock.now  # Monday 2 March 2026, 09:00 UTC

    posts = await run_until(kit, start + timedelta(days=3, hours=3))
    await kit.restart()  # Thursday midday: a deploy
    new_york.attach(kit)
    kathmandu.attach(kit)
    posts += await run_until(kit, start + timedelta(days=7))

    seen = defaultdict(list)
    for at, request in posts:
        seen[channel_of(request)].append((at, marker_of(request)))
    general = int(kit.channels["general"]["id"])
    forum = int(new_york.channels["prompts"]["id"])
    daily = int(kathmandu.channels["daily"]["id"])
    assert set(seen) == {general, forum, daily}
    # Berlin is on CET until 29 March: 19:30 is 18:30 UTC, every day.
    assert seen[general] == [(utc(2026, 3, d, 18, 30), date(2026, 3, d)) for d in range(2, 9)]
    # New York is on EST until 8 March: 08:00 is 13:00 UTC, Mondays, Wednesdays, Fridays.
    assert seen[forum] == [(utc(2026, 3, d, 13, 0), date(2026, 3, d)) for d in (2, 4, 6)]
    # Kathmandu is +05:45: 07:15 is 01:30 UTC; Monday's had passed when we started.
    assert seen[daily] == [(utc(2026, 3, d, 1, 30), date(2026, 3, d)) for d in (3, 4, 5, 6, 9)]

    # Each post opened its reply thread; the forum posts carry their value's tag.
    forum_channel = kit.discord.channels[forum]
    tag_ids = {t["name"]: t["id"] for t in forum_channel["available_tags"]}
    for _at, request in posts:
        if channel_of(request) == forum:
            value = request.embeds[0]["title"].split(" ", 1)[1]
            assert request.body["applied_tags"] == [tag_ids[value]]
            assert request.body["name"].startswith(value)
    threads = [r for _, r in posts if channel_of(r) == general]
    assert len(threads) == 7

    # No prompt repeats and consecutive posts use different values, per server.
    for guild_id in (kit.guild.id, new_york.id, kathmandu.id):
        history = list(reversed(await kit.store.prompts.history(guild_id)))
        assert all(p.state == "sent" for p in history)
        ids = [p.prompt_id for p in history]
        assert len(ids) == len(set(ids))
        values = [p.value_key for p in history]
        assert all(a != b for a, b in zip(values, values[1:], strict=False))


async def test_the_due_query_only_sees_running_schedules_that_are_due(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    assert await prompts_cog(kit).tick() == 0  # 09:00 UTC: nothing due yet
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    assert await prompts_cog(kit).tick() == 1
    assert await prompts_cog(kit).tick() == 0  # moved on to tomorrow
    await mo.slash("prompts pause")
    kit.clock.set(utc(2026, 3, 3, 18, 30))
    out = await tick(kit)
    assert out.requests == []


# ----- DST ----------------------------------------------------------------------------------
DST_CASES = [
    # Berlin springs forward 02:00 -> 03:00 on 29 March: 02:30 does not exist, posts at 03:00.
    ("Europe/Berlin", "02:30", [(utc(2026, 3, 28, 1, 30), date(2026, 3, 28)),
                                (utc(2026, 3, 29, 1, 0), date(2026, 3, 29)),
                                (utc(2026, 3, 30, 0, 30), date(2026, 3, 30))]),
    # Berlin falls back 03:00 -> 02:00 on 25 October: 02:30 happens twice, posts once, first.
    ("Europe/Berlin", "02:30", [(utc(2026, 10, 24, 0, 30), date(2026, 10, 24)),
                                (utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),
                                (utc(2026, 10, 26, 1, 30), date(2026, 10, 26))]),
    ("America/New_York", "02:30", [(utc(2026, 3, 7, 7, 30), date(2026, 3, 7)),
                                   (utc(2026, 3, 8, 7, 0), date(2026, 3, 8)),
                                   (utc(2026, 3, 9, 6, 30), date(2026, 3, 9))]),
    ("America/New_York", "01:30", [(utc(2026, 10, 31, 5, 30), date(2026, 10, 31)),
                                   (utc(2026, 11, 1, 5, 30), date(2026, 11, 1)),
                                   (utc(2026, 11, 2, 6, 30), date(2026, 11, 2))]),
    # Lord Howe moves by 30 minutes: 02:00 -> 01:30 on 5 April, 02:00 -> 02:30 on 4 October.
    ("Australia/Lord_Howe", "01:45", [(utc(2026, 4, 3, 14, 45), date(2026, 4, 4)),
                                      (utc(2026, 4, 4, 14, 45), date(2026, 4, 5)),
                                      (utc(2026, 4, 5, 15, 15), date(2026, 4, 6))]),
    ("Australia/Lord_Howe", "02:15", [(utc(2026, 10, 2, 15, 45), date(2026, 10, 3)),
                                      (utc(2026, 10, 3, 15, 30), date(2026, 10, 4)),
                                      (utc(2026, 10, 4, 15, 15), date(2026, 10, 5))]),
    # Kathmandu (+05:45) has no DST: the same instant through Europe's changes.
    ("Asia/Kathmandu", "07:15", [(utc(2026, 3, 28, 1, 30), date(2026, 3, 28)),
                                 (utc(2026, 3, 29, 1, 30), date(2026, 3, 29)),
                                 (utc(2026, 3, 30, 1, 30), date(2026, 3, 30))]),
    ("Asia/Kathmandu", "07:15", [(utc(2026, 10, 24, 1, 30), date(2026, 10, 24)),
                                 (utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),
                                 (utc(2026, 10, 26, 1, 30), date(2026, 10, 26))]),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "time", "expected"), DST_CASES)
async def test_posts_land_exactly_once_per_local_day_across_dst(kit, zone, time, expected):
    mo = kit.moderator("mo")
    kit.clock.set(expected[0][0] - timedelta(hours=12))
    await schedule_general(kit, mo, time=time, zone=zone)
    posts = await run_until(kit, expected[-1][0] + timedelta(hours=7), timedelta(minutes=15))
    assert [(at, marker_of(request)) for at, request in posts] == expected


# ----- exactly once through kills and restarts ------------------------------------------------
class Killed(BaseException):
    """The process dies here (like kill -9): nothing after this line runs."""


def dies_after(name: str):
    original = getattr(PromptRepository, name)

    async def then_die(self, *args, **kwargs):
        await original(self, *args, **kwargs)
        raise Killed(name)

    return then_die


def dies_before(name: str):
    async def die(self, *args, **kwargs):
        raise Killed(name)

    return die


KILL_POINTS = {
    "after the claim": ("claim", dies_after("claim")),
    "after counting the attempt, before sending": ("start_attempt", dies_after("start_attempt")),
    "after Discord accepted the post, before marking it sent": (
        "mark_sent",
        dies_before("mark_sent"),
    ),
}


@pytest.mark.parametrize("nonce_dedupe", [True, False], ids=["nonce", "history-only"])
@pytest.mark.parametrize("point", list(KILL_POINTS))
async def test_a_kill_between_claim_and_send_then_restart_neither_doubles_nor_misses(
    kit, point, nonce_dedupe
):
    kit.discord.dedupe_nonces = nonce_dedupe  # False: only the history lookup can prevent a double
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    name, dying = KILL_POINTS[point]
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PromptRepository, name, dying)
        with pytest.raises(Killed):
            await tick(kit)
    claimed = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))
    assert claimed is not None and claimed.state == "claimed"

    await kit.restart()
    kit.clock.advance(minutes=2)
    await tick(kit)
    await tick(kit)  # and again: nothing more

    day = date(2026, 3, 2)
    messages = stored_prompt_posts(kit, day)
    assert len(messages) == 1, f"{len(messages)} posts for one day"
    post = await kit.store.prompts.get_post(kit.guild.id, day)
    assert post.state == "sent" and post.message_id == int(messages[0]["id"])
    assert post.prompt_id == claimed.prompt_id  # the claimed prompt, not a new pick
    assert messages[0].get("thread"), "the reply thread is open"
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert schedule.next_local_date == date(2026, 3, 3)

    kit.clock.set(utc(2026, 3, 3, 18, 30))
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 3)]


async def test_a_post_that_landed_before_a_crash_is_found_even_hours_later(kit):
    kit.discord.dedupe_nonces = False
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PromptRepository, "mark_sent", dies_before("mark_sent"))
        with pytest.raises(Killed):
            await tick(kit)
    await kit.restart()
    kit.clock.set(utc(2026, 3, 3, 2, 0))  # 7.5 hours later: too late to post, but it was posted
    out = await tick(kit)
    assert prompt_posts(out) == []
    post = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))
    assert post.state == "sent"
    assert len(stored_prompt_posts(kit, date(2026, 3, 2))) == 1


async def test_a_claim_that_never_reached_discord_is_missed_after_six_hours(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PromptRepository, "start_attempt", dies_after("start_attempt"))
        with pytest.raises(Killed):
            await tick(kit)
    await kit.restart()
    kit.clock.set(utc(2026, 3, 3, 0, 31))  # 6 h 1 min late
    out = await tick(kit)
    assert prompt_posts(out) == []
    post = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))
    assert post.state == "missed"
    kit.clock.set(utc(2026, 3, 3, 18, 30))
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 3)]


async def test_a_send_that_discord_fails_is_retried_on_the_next_tick_once(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    kit.discord.fail("POST", r"/channels/\d+/messages$", 503, 0, times=1)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    assert prompt_posts(out) and not stored_prompt_posts(kit, date(2026, 3, 2))
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert not schedule.paused and schedule.next_local_date == date(2026, 3, 2)
    kit.clock.advance(seconds=30)
    out = await tick(kit)
    assert len(prompt_posts(out)) == 1
    assert len(stored_prompt_posts(kit, date(2026, 3, 2))) == 1
    assert (await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))).state == "sent"


# ----- the 6-hour catch-up rule ---------------------------------------------------------------
async def test_a_post_less_than_six_hours_late_goes_out_on_start_and_a_later_one_is_missed(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    await kit.restart()  # the bot is down from here ...
    kit.clock.set(utc(2026, 3, 3, 0, 29))  # ... until 5 h 59 min after Monday's 18:30 UTC
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 2)]

    kit.clock.set(utc(2026, 3, 4, 0, 31))  # down again: Tuesday's post is 6 h 1 min late
    out = await tick(kit)
    assert prompt_posts(out) == []
    tuesday = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 3))
    assert tuesday.state == "missed" and "offline" in tuesday.note

    kit.clock.set(utc(2026, 3, 4, 18, 30))
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 4)]
    out = await mo.slash("prompts history")
    assert "missed" in out.reply.text and out.reply.ephemeral


async def test_a_long_outage_records_each_missed_day_and_posts_only_a_recent_one(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    kit.clock.set(utc(2026, 3, 5, 20, 0))  # back 1.5 hours after Thursday's post time
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 5)]
    states = {p.local_date.day: p.state for p in await kit.store.prompts.history(kit.guild.id)}
    assert states == {2: "missed", 3: "missed", 4: "missed", 5: "sent"}
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert schedule.next_local_date == date(2026, 3, 6)


# ----- failures pause one server only ---------------------------------------------------------
async def test_a_lost_permission_pauses_that_server_with_one_notice_and_others_carry_on(kit):
    mo = kit.moderator("mo")
    mods = await set_mod_channel(kit, mo)
    await schedule_general(kit, mo)
    other = other_guild(kit, {"daily": 0})
    await admin.set_schedule(
        prompts_cog(kit).poster,
        other.id,
        channel=other.channel(kit, "daily"),
        time_text="19:30",
        days_text=None,
        zone_text="Europe/Berlin",
        now=kit.clock(),
    )
    general = int(kit.channels["general"]["id"])
    kit.discord.fail("POST", rf"/channels/{general}/messages$", 403, 50013)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    delivered = [
        r for r in prompt_posts(out) if channel_of(r) == int(other.channels["daily"]["id"])
    ]
    assert len(delivered) == 1  # the other server is unaffected
    notices = [r for r in out.posts if channel_of(r) == mods]
    assert len(notices) == 1
    assert "paused" in notices[0].text and "permission" in notices[0].text
    assert "/prompts resume" in notices[0].text
    assert notices[0].allowed_mentions == {"parse": []}
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert schedule.paused
    post = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))
    assert post.state == "failed"

    kit.clock.advance(minutes=1)
    out = await tick(kit)
    assert out.requests == []  # paused: no retries, no second notice

    kit.discord.failures.clear()
    out = await mo.slash("prompts resume")
    assert out.reply.ephemeral and "back on" in out.reply.text
    kit.clock.set(utc(2026, 3, 3, 18, 30))
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out) if channel_of(r) == general] == [
        date(2026, 3, 3)
    ]


async def test_a_deleted_channel_pauses_and_tells_moderators_to_choose_another(kit):
    mo = kit.moderator("mo")
    mods = await set_mod_channel(kit, mo)
    await schedule_general(kit, mo)
    kit.discord.fail("POST", r"/channels/\d+/messages$", 404, 10003)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    notices = [r for r in out.posts if channel_of(r) == mods]
    assert len(notices) == 1
    assert "no longer exists" in notices[0].text and "/prompts schedule" in notices[0].text
    assert (await kit.store.prompts.get_schedule(kit.guild.id)).paused


async def test_a_permission_removed_in_discord_is_noticed_before_sending(kit):
    mo = kit.moderator("mo")
    mods = await set_mod_channel(kit, mo)
    await schedule_general(kit, mo)
    deny_bot(kit, "general", "send_messages")
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    assert prompt_posts(out) == []
    notices = [r for r in out.posts if channel_of(r) == mods]
    assert len(notices) == 1 and "Send Messages" in notices[0].text
    out = await mo.slash("settings show")
    assert "paused" in out.reply.text and "Send Messages" in out.reply.text


async def test_a_channel_gone_from_the_cache_pauses_without_a_mod_channel(kit):
    mo = kit.moderator("mo")
    await schedule_general(kit, mo)
    delete_channel(kit, "general")
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    assert out.requests == []  # nowhere to post, nobody to tell: just pause
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert schedule.paused and "no longer exists" in schedule.pause_reason


async def test_a_server_not_in_the_cache_is_waited_for_then_paused(kit):
    other = other_guild(kit, {"daily": 0})
    await admin.set_schedule(
        prompts_cog(kit).poster,
        other.id,
        channel=other.channel(kit, "daily"),
        time_text="19:30",
        days_text=None,
        zone_text="Europe/Berlin",
        now=kit.clock(),
    )
    kit.bot._connection._remove_guild(kit.bot.get_guild(other.id))  # not (yet) in the cache
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    await tick(kit)
    assert not (await kit.store.prompts.get_schedule(other.id)).paused  # maybe still loading
    other.attach(kit)
    kit.clock.advance(seconds=30)
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [date(2026, 3, 2)]

    kit.bot._connection._remove_guild(kit.bot.get_guild(other.id))  # gone for good
    kit.clock.set(utc(2026, 3, 4, 0, 30))
    await tick(kit)
    schedule = await kit.store.prompts.get_schedule(other.id)
    assert schedule.paused and "no longer in this server" in schedule.pause_reason


async def test_a_crashed_claim_follows_a_channel_change(kit):
    mo = kit.moderator("mo")
    kit.add_channel("new-home")
    await schedule_general(kit, mo)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PromptRepository, "start_attempt", dies_after("start_attempt"))
        with pytest.raises(Killed):
            await tick(kit)
    await kit.restart()
    out = await mo.slash(
        "prompts schedule", channel="new-home", time="19:30", timezone="Europe/Berlin"
    )
    assert "will be posted" in out.reply.text
    kit.clock.advance(minutes=1)
    out = await mo.slash("prompts post-now")
    posts = prompt_posts(out)
    assert len(posts) == 1 and channel_of(posts[0]) == int(kit.channels["new-home"]["id"])
    assert len(stored_prompt_posts(kit, date(2026, 3, 2))) == 1


# ----- the rate-aware queue -------------------------------------------------------------------
class FakeTime:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


async def test_many_servers_in_the_same_minute_stay_under_50_requests_a_second(kit):
    time = FakeTime()
    poster = prompts_cog(kit).poster
    poster.queue = SendQueue(clock=time, sleep=time.sleep)
    kit.bot.send_queue = poster.queue
    servers = [other_guild(kit, {"daily": 0}) for _ in range(60)]
    for server in servers:
        await admin.set_schedule(
            poster,
            server.id,
            channel=server.channel(kit, "daily"),
            time_text="19:30",
            days_text=None,
            zone_text="Europe/Berlin",
            now=kit.clock(),
        )
    started = []
    handle = kit.discord.handle

    async def timed(route, *args):
        started.append(time.now)
        return await handle(route, *args)

    kit.discord.handle = timed
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    assert len(prompt_posts(out)) == 60
    assert len(started) == 120  # a message and its thread per server, all through the queue
    for first in started:
        in_window = [t for t in started if first <= t < first + 1.0]
        assert len(in_window) < 50
    assert started[-1] >= 2.0  # it really did spread them out


async def test_servers_due_together_are_posted_a_few_at_a_time(kit, monkeypatch):
    """Each post in flight holds its embed and Discord's answers: 40 servers due in the same
    minute never have more than POSTS_AT_ONCE in progress, and every one is posted."""
    poster = prompts_cog(kit).poster
    servers = [other_guild(kit, {"daily": 0}) for _ in range(40)]
    for server in servers:
        await admin.set_schedule(
            poster, server.id, channel=server.channel(kit, "daily"), time_text="19:30",
            days_text=None, zone_text="Europe/Berlin", now=kit.clock(),
        )  # fmt: skip
    running, most = 0, 0
    due = poster._due

    async def counted(schedule, now) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await due(schedule, now)
        finally:
            running -= 1

    monkeypatch.setattr(poster, "_due", counted)
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    out = await tick(kit)
    assert len(prompt_posts(out)) == 40
    assert most == POSTS_AT_ONCE < 40 and running == 0
