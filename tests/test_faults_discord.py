"""Discord answering 500, 503, 429 and not answering at all: retried or reported, never a
crash, never a double post.

These run discord.py's real HTTP path (its own 429 and 5xx handling) against a fake Discord
on 127.0.0.1 (tests/kit/fake_server.py). discord.py retries 500/502/504 itself, after
1 + 2 * tries seconds (shortened here), honours a 429's retry_after, and raises a 503 at
once; Kindred has to handle what is left without losing a member's words or posting twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import sendqueue
from bot.store.stories import DRAFT, PUBLISHED
from tests.kit import Kit
from tests.kit.fake_server import FakeServer
from tests.test_prompts_support import marker_of, prompt_posts, tick
from tests.test_share import STORY, share, story

TIMEOUT = 0.5  # aiohttp's 5-minute request timeout, shortened: a hang costs a test this much
DAY = date(2026, 3, 2)
DUE = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)  # 19:30 in Berlin
MESSAGES = r"^/channels/\d+/messages$"
THREADS = r"^/channels/\d+/messages/\d+/threads$"
HISTORY = MESSAGES  # GET on the same path reads the channel's newest messages


@pytest.fixture
async def server(kit, monkeypatch):
    monkeypatch.setattr(sendqueue, "RETRY_PAUSES", (0.01, 0.01))  # Kindred's own pauses
    with FakeServer(kit.discord) as server:
        await server.connect(kit.bot, monkeypatch, timeout=TIMEOUT)
        yield server


async def restart(kit: Kit, server: FakeServer) -> None:
    await kit.restart()
    await server.connect(kit.bot)


def handled_quietly(caplog) -> None:
    """Nothing reached the log as an error or with a traceback: every fault was handled."""
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [f"{r.name}: {r.getMessage()}" for r in loud]


def warnings_from(caplog, logger: str) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING
    ]


def statuses(server: FakeServer, method: str, path: str) -> list[int | None]:
    return [h.status for h in server.hits_to(method, path)]


# ----- the daily prompt ------------------------------------------------------------------------
async def scheduled(kit: Kit) -> None:
    """Berlin, 19:30, every day, in #general, with a moderator channel; the clock at 19:30."""
    mo = kit.moderator("mo")
    kit.add_channel("mods")
    await mo.slash("settings mod-channel", channel="mods")
    out = await mo.slash(
        "prompts schedule", channel="general", time="19:30", timezone="Europe/Berlin"
    )
    assert "will be posted" in out.reply.text, out.reply.text
    kit.clock.set(DUE)


def day_messages(kit: Kit, day: date = DAY) -> list[dict]:
    """Every message Discord holds for `day`'s prompt, whatever request made it."""
    mark = f"Daily prompt · {day.isoformat()}"
    return [
        m
        for m in list(kit.discord.messages.values())
        if any(e.get("footer", {}).get("text") == mark for e in m["embeds"])
    ]


def mod_notices(kit: Kit) -> list[dict]:
    mods = kit.channels["mods"]["id"]
    return [m for m in list(kit.discord.messages.values()) if m["channel_id"] == mods]


async def assert_posted_once(kit: Kit, day: date = DAY, *, thread: bool = True) -> dict:
    messages = day_messages(kit, day)
    assert len(messages) == 1, f"{len(messages)} posts for {day}"
    [message] = messages
    post = await kit.store.prompts.get_post(kit.guild.id, day)
    assert post.state == "sent" and post.message_id == int(message["id"])
    if thread:
        assert message.get("thread"), "the reply thread is open"
        assert post.thread_id == int(message["thread"]["id"])
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert not schedule.paused and schedule.next_local_date == day + timedelta(days=1)
    assert mod_notices(kit) == [], "Discord's trouble is not the moderators' to fix"
    return message


@pytest.mark.parametrize("stored", [False, True], ids=["not-stored", "stored-before-the-500"])
async def test_a_500_is_retried_by_discord_py_and_the_prompt_posts_once(
    kit, server, caplog, stored
):
    await scheduled(kit)
    # A 500 may come after Discord created the message: the retry carries the same nonce.
    server.fail("POST", MESSAGES, 500, times=1, store=stored)
    await tick(kit)
    await assert_posted_once(kit)
    assert statuses(server, "POST", MESSAGES) == [500, 200]
    assert 1 in server.sleeps.delays, "discord.py backed off 1 s before its retry"
    assert warnings_from(caplog, "kindred.prompts") == []  # Kindred never saw it
    handled_quietly(caplog)


@pytest.mark.parametrize(
    ("status", "failing_ticks"),
    [(500, 1), (503, 5)],
    ids=["500x5-discord.py-gives-up", "503x5-raised-at-once"],
)
async def test_discord_failing_five_times_is_retried_on_later_ticks_and_posts_once(
    kit, server, caplog, status, failing_ticks
):
    await scheduled(kit)
    server.fail("POST", MESSAGES, status, times=5)
    for _ in range(failing_ticks):
        await tick(kit)
        assert day_messages(kit) == []
        post = await kit.store.prompts.get_post(kit.guild.id, DAY)
        assert post.state == "claimed" and post.attempts >= 1
        schedule = await kit.store.prompts.get_schedule(kit.guild.id)
        assert not schedule.paused and schedule.next_local_date == DAY
        kit.clock.advance(seconds=30)
    await tick(kit)
    await assert_posted_once(kit)
    await tick(kit)  # and nothing more
    assert len(day_messages(kit)) == 1
    assert statuses(server, "POST", MESSAGES) == [status] * 5 + [200]
    if status == 500:  # discord.py's own back-off: 1 + 2 * tries seconds, then it gives up
        assert [d for d in server.sleeps.delays if d >= 1] == [1, 3, 5, 7, 9]
    retries = warnings_from(caplog, "kindred.prompts")
    assert len(retries) == failing_ticks and all("will retry" in w for w in retries)
    handled_quietly(caplog)


@pytest.mark.parametrize("fault", ["503", "timeouts"])
async def test_an_outage_longer_than_six_hours_records_the_day_and_the_next_day_posts(
    kit, server, caplog, fault
):
    await scheduled(kit)
    for method in ("POST", "GET"):
        if fault == "503":
            server.fail(method, r"^/channels/", 503, times=None)
        else:  # Discord takes nothing and answers nothing
            server.hang(method, r"^/channels/", times=None, store=False)
    for hours in (0, 1, 6.02) if fault == "503" else (0, 6.02):  # the last: 6 h 1 min late
        kit.clock.set(DUE + timedelta(hours=hours))
        out = await tick(kit)
        assert day_messages(kit) == []
    assert prompt_posts(out) == []  # too late: no post is attempted
    post = await kit.store.prompts.get_post(kit.guild.id, DAY)
    assert (
        post.state == "missed" and post.note == "Discord could not be reached for more than 6 hours"
    )
    schedule = await kit.store.prompts.get_schedule(kit.guild.id)
    assert not schedule.paused and schedule.next_local_date == DAY + timedelta(days=1)

    server.clear_rules()  # Discord is back
    mo = kit.moderator("mo2")
    history = await mo.slash("prompts history")
    assert "Discord could not be reached for more than 6 hours" in history.reply.text
    kit.clock.set(DUE + timedelta(days=1))
    out = await tick(kit)
    assert [marker_of(r) for r in prompt_posts(out)] == [DAY + timedelta(days=1)]
    await assert_posted_once(kit, DAY + timedelta(days=1))
    handled_quietly(caplog)


async def test_a_429_is_waited_out_for_its_retry_after_then_the_prompt_posts_once(
    kit, server, caplog
):
    await scheduled(kit)
    server.fail("POST", MESSAGES, 429, retry_after=0.2, times=1)
    server.fail("POST", THREADS, 429, retry_after=0.05, times=1)
    await tick(kit)
    await assert_posted_once(kit)
    first, second = server.hits_to("POST", MESSAGES)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.2, "discord.py retried before retry_after had passed"
    assert statuses(server, "POST", THREADS) == [429, 200]
    assert warnings_from(caplog, "kindred.prompts") == []
    handled_quietly(caplog)


@pytest.mark.parametrize("fault", ["hang", "drop"], ids=["never-answered", "connection-dropped"])
@pytest.mark.parametrize("nonce_dedupe", [True, False], ids=["nonce", "history-only"])
async def test_a_post_discord_took_without_answering_is_found_and_never_doubled(
    kit, server, caplog, fault, nonce_dedupe
):
    kit.discord.dedupe_nonces = nonce_dedupe
    await scheduled(kit)
    getattr(server, fault)("POST", MESSAGES, times=1, store=True)
    await tick(kit)
    assert len(day_messages(kit)) == 1, "Discord took it"
    post = await kit.store.prompts.get_post(kit.guild.id, DAY)
    assert post.state == "claimed" and post.attempts == 1  # Kindred could not know
    assert [w for w in warnings_from(caplog, "kindred.prompts") if "will retry" in w]

    kit.clock.advance(seconds=30)
    await tick(kit)  # looks in the channel's history before sending again: found
    message = await assert_posted_once(kit)
    assert statuses(server, "POST", MESSAGES) == [None]  # never sent twice
    await restart(kit, server)  # and a restart changes nothing
    kit.clock.advance(seconds=30)
    await tick(kit)
    assert [m["id"] for m in day_messages(kit)] == [message["id"]]
    handled_quietly(caplog)


async def test_when_the_history_cannot_be_read_the_nonce_still_prevents_a_second_post(
    kit, server, caplog
):
    await scheduled(kit)
    server.hang("POST", MESSAGES, times=1, store=True)
    await tick(kit)
    server.fail("GET", HISTORY, 503, times=1)  # the look-back fails too
    kit.clock.advance(seconds=30)
    await tick(kit)
    first, second = server.hits_to("POST", MESSAGES)
    assert first.body["nonce"] == second.body["nonce"] and second.body["enforce_nonce"] is True
    assert second.status == 200  # Discord handed back the first message
    await assert_posted_once(kit)
    handled_quietly(caplog)


async def test_a_post_that_timed_out_before_discord_took_it_goes_out_on_the_next_tick(
    kit, server, caplog
):
    await scheduled(kit)
    server.hang("POST", MESSAGES, times=1, store=False)
    await tick(kit)
    assert day_messages(kit) == []
    kit.clock.advance(seconds=30)
    await tick(kit)
    await assert_posted_once(kit)
    handled_quietly(caplog)


async def test_a_reply_thread_discord_refuses_for_now_leaves_one_post_marked_sent(
    kit, server, caplog
):
    await scheduled(kit)
    server.fail("POST", THREADS, 503, times=1)
    await tick(kit)
    await assert_posted_once(kit, thread=False)
    kit.clock.advance(seconds=30)
    await tick(kit)
    assert len(day_messages(kit)) == 1
    handled_quietly(caplog)


async def test_the_weekly_digest_and_its_chart_survive_a_500_and_a_lost_answer_posting_once(
    kit, server, caplog
):
    kit.add_channel("celebrations")
    await kit.moderator("mo").slash("celebrations channel", channel="celebrations")
    await kit.member("alice").slash("celebrate", victory="Walked to the shop", value="hope")
    victories = kit.bot.get_cog("Victories")
    await kit.run(victories.tick())  # the first tick schedules the digest
    path = rf"^/channels/{kit.channels['celebrations']['id']}/messages$"
    server.fail("POST", path, 500, times=1)  # discord.py retries: the retry is taken, unanswered
    server.hang("POST", path, times=1, store=True)
    kit.clock.set(datetime(2026, 3, 8, 18, 0, 30, tzinfo=UTC))  # Sunday 18:00 UTC: due
    await kit.run(victories.tick())
    kit.clock.advance(minutes=1)
    await kit.run(victories.tick())  # finds the digest in the channel instead of sending again
    await kit.run(victories.tick())
    posted = [
        m
        for m in list(kit.discord.messages.values())
        if any("week of 2026-03-02" in e.get("footer", {}).get("text", "") for e in m["embeds"])
    ]
    assert len(posted) == 1 and [a["filename"] for a in posted[0]["attachments"]] == [
        "victories-per-value.png"
    ]
    rows = await kit.store.fetchall("SELECT status, message_id FROM victory_digests")
    assert [tuple(r) for r in rows] == [("sent", int(posted[0]["id"]))]
    assert statuses(server, "POST", path)[-2:] == [500, None]
    handled_quietly(caplog)


# ----- /celebrate ------------------------------------------------------------------------------
def cards(kit: Kit) -> list[dict]:
    return [
        m
        for m in list(kit.discord.messages.values())
        if any(c.startswith("kindred:cheer:") for c in _custom_ids(m))
    ]


def _custom_ids(message: dict) -> list[str]:
    found = []
    for row in message.get("components") or []:
        found += [c.get("custom_id", "") for c in row.get("components", [])]
    return found


@pytest.mark.parametrize("status", [500, 429])
async def test_a_celebration_under_500_or_429_is_answered_and_its_card_posted_once(
    kit, server, caplog, status
):
    alice = kit.member("alice")
    server.fail("POST", r"/callback$", status, times=1, retry_after=0.05)
    server.fail("POST", MESSAGES, status, times=1, retry_after=0.05)
    out = await alice.slash("celebrate", victory="I asked for help today")
    assert out.reply.ephemeral and "on its way" in out.reply.text
    [card] = cards(kit)
    victory = await kit.store.victories.get(1)
    assert victory.public and victory.message_id == int(card["id"])
    assert statuses(server, "POST", MESSAGES) == [status, 200]
    handled_quietly(caplog)


async def test_when_discord_stays_down_the_victory_is_kept_and_the_member_told_kindly(
    kit, server, caplog
):
    alice = kit.member("alice")
    server.fail("POST", MESSAGES, 503, times=None)
    out = await alice.slash("celebrate", victory="I asked for help today")
    assert cards(kit) == []
    first, later = out.replies[0], out.replies[-1]
    assert first.ephemeral and "on its way" in first.text
    assert later.ephemeral and later is not first
    assert "Discord" in later.text and "private history" in later.text
    assert "permission" not in later.text, "a 503 is Discord's trouble, not a permission"
    victory = await kit.store.victories.get(1)
    assert victory.text == "I asked for help today" and not victory.public
    history = await alice.slash("victories")
    assert "I asked for help today" in history.reply.text
    handled_quietly(caplog)


async def test_a_card_discord_took_without_answering_is_neither_doubled_nor_hidden(
    kit, server, caplog
):
    alice = kit.member("alice")
    server.hang("POST", MESSAGES, times=1, store=True)
    out = await alice.slash("celebrate", victory="I asked for help today")
    [card] = cards(kit)
    victory = await kit.store.victories.get(1)
    assert victory.public and victory.message_id == int(card["id"])
    assert len(out.replies) == 1, "no second message telling the member something untrue"
    first, second = server.hits_to("POST", MESSAGES)
    assert first.body["nonce"] == second.body["nonce"]
    handled_quietly(caplog)


# ----- /share ---------------------------------------------------------------------------------
@pytest.fixture
async def stories_ready(kit, server):
    kit.add_channel("stories")
    kit.add_channel("mods")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    out = await mo.slash("stories channel", channel="stories")
    assert "Stories will be shared in" in out.reply.text
    return rf"^/channels/{kit.channels['stories']['id']}/messages$"


def story_posts(kit: Kit) -> list[dict]:
    stories = kit.channels["stories"]["id"]
    return [m for m in list(kit.discord.messages.values()) if m["channel_id"] == stories]


async def assert_shared_once(kit: Kit, sid: int) -> None:
    saved = await story(kit, sid)
    assert saved.status == PUBLISHED
    [post] = story_posts(kit)
    assert int(post["id"]) == saved.message_id and post.get("thread")
    assert saved.thread_id == int(post["thread"]["id"])


@pytest.mark.parametrize("status", [500, 429])
async def test_a_story_under_500_or_429_is_shared_once(kit, server, stories_ready, caplog, status):
    server.fail("POST", stories_ready, status, times=1, retry_after=0.05)
    server.fail("POST", THREADS, status, times=1, retry_after=0.05)
    sid, out = await share(kit.member("alice"))
    assert "Your story is shared" in out.replies[-1].text
    await assert_shared_once(kit, sid)
    handled_quietly(caplog)


async def test_when_discord_stays_down_the_draft_is_kept_and_posting_again_shares_once(
    kit, server, stories_ready, caplog
):
    alice = kit.member("alice")
    server.fail("POST", stories_ready, 503, times=None)
    sid, out = await share(alice)
    said = out.replies[-1]
    assert said.ephemeral and "nothing was posted" in said.text and "draft is saved" in said.text
    saved = await story(kit, sid)
    assert saved.status == DRAFT and saved.submitted_at is None and saved.body == STORY
    assert story_posts(kit) == []

    server.clear_rules()
    again = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in again.replies[-1].text
    await assert_shared_once(kit, sid)
    handled_quietly(caplog)


async def test_a_story_discord_took_without_answering_is_shared_once(
    kit, server, stories_ready, caplog
):
    server.hang("POST", stories_ready, times=1, store=True)
    sid, out = await share(kit.member("alice"))
    assert "Your story is shared" in out.replies[-1].text
    await assert_shared_once(kit, sid)
    handled_quietly(caplog)


async def test_a_story_whose_post_never_confirmed_is_not_doubled_when_posted_again(
    kit, server, stories_ready, caplog
):
    alice = kit.member("alice")
    server.hang("POST", stories_ready, times=None, store=True)  # lands, never answered
    sid, out = await share(alice)
    said = out.replies[-1]
    assert said.ephemeral and "draft is saved" in said.text
    assert "Something went wrong" not in said.text
    assert len(story_posts(kit)) == 1  # every try carried the same nonce

    server.clear_rules()  # Discord answers again; the member presses Post once more
    again = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in again.replies[-1].text
    await assert_shared_once(kit, sid)
    handled_quietly(caplog)


# ----- /share into a forum: posts there take no nonce -----------------------------------------
@pytest.fixture
async def forum_ready(kit, server):
    kit.add_channel("circle", kind=15, tags=["Hope"])
    out = await kit.moderator("mo").slash("stories channel", channel="circle")
    assert "Stories will be shared in" in out.reply.text
    return rf"^/channels/{kit.channels['circle']['id']}/threads$"


def forum_posts(kit: Kit) -> list[dict]:
    circle = kit.channels["circle"]["id"]
    return [c for c in list(kit.discord.channels.values()) if c.get("parent_id") == circle]


async def assert_forum_post_once(kit: Kit, sid: int) -> None:
    saved = await story(kit, sid)
    [post] = forum_posts(kit)
    assert saved.status == PUBLISHED and saved.thread_id == int(post["id"]) == saved.message_id
    starter = kit.discord.messages[saved.message_id]
    assert starter["embeds"][0]["footer"]["text"] == f"Story #{sid}"
    guides = [
        m for m in list(kit.discord.messages.values())
        if m["channel_id"] == post["id"] and m["embeds"]
        and m["embeds"][0].get("title") == "Answering with care"
    ]  # fmt: skip
    assert len(guides) == 1, "one values guide in the post"


async def test_a_forum_story_discord_took_without_answering_is_found_not_doubled(
    kit, server, forum_ready, caplog
):
    server.hang("POST", forum_ready, times=1, store=True)
    sid, out = await share(kit.member("alice"))
    assert "Your story is shared" in out.replies[-1].text
    await assert_forum_post_once(kit, sid)
    assert len(server.hits_to("POST", forum_ready)) == 1  # found, never created twice
    handled_quietly(caplog)


async def test_a_forum_story_never_confirmed_is_not_doubled_when_posted_again(
    kit, server, forum_ready, caplog
):
    alice = kit.member("alice")
    server.hang("POST", forum_ready, times=1, store=True)  # lands, never answered
    # the look before posting works; the look after the timeout can't get through
    server.fail("GET", r"^/guilds/\d+/threads/active$", 503, times=None, after=1)
    sid, out = await share(alice)
    said = out.replies[-1]
    assert said.ephemeral and "draft is saved" in said.text and "won't be posted twice" in said.text
    assert (await story(kit, sid)).status == DRAFT
    assert len(forum_posts(kit)) == 1  # Discord has it

    server.clear_rules()  # Discord answers again; the member presses Post once more
    again = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in again.replies[-1].text
    await assert_forum_post_once(kit, sid)
    assert len(server.hits_to("POST", forum_ready)) == 1
    handled_quietly(caplog)


async def test_a_forum_story_discord_never_took_is_posted_on_the_next_try(
    kit, server, forum_ready, caplog
):
    alice = kit.member("alice")
    server.hang("POST", forum_ready, times=1, store=False)  # lost on the way: nothing landed
    sid, out = await share(alice)
    assert "draft is saved" in out.replies[-1].text and forum_posts(kit) == []
    again = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in again.replies[-1].text
    await assert_forum_post_once(kit, sid)
    handled_quietly(caplog)
