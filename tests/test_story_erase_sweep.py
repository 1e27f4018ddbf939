"""/mydata erase while a story's post (or review card) is on Discord with its id never saved:
the bot died as Discord took it, or Discord never answered. Nothing recovered it first;
the janitor's sweep still takes it down, and anonymous items are reported on their own.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.store.base import STORY_REMOVED
from bot.store.stories import DRAFT, PENDING, PUBLISHING
from tests.kit import FakeClock, Kit
from tests.test_share import share, story
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture
from tests.test_story_recovery import (
    FORUM_STEPS,
    GUIDE_POST,
    PUBLISH_STEPS,
    REVIEW_STEPS,
    Step,
    crash_posting,
    dies_at,
    post_lands_unanswered,
    posts_of,
    public,
    threads_of,
    written,
)

DISCORD_EPOCH_MS = 1420070400000


@pytest.fixture
def clock() -> FakeClock:
    """The fake Discord's ids count from 1 January 2026: a clock just before keeps its ids
    after the sweep's bound, as Discord's real ids are after a story's real claim."""
    return FakeClock(datetime(2025, 12, 31, 23, 0, tzinfo=UTC))


async def erase(person) -> None:
    asked = await person.slash("mydata erase")
    [button] = [c for c in asked.reply.custom_ids if c.startswith("kindred:mydata:erase:")]
    out = await person.click(button)
    assert "erased everything" in out.reply.text


def cards_of(kit: Kit, sid: int) -> list[dict]:
    approve = f"kindred:story:approve:{sid}"
    return [m for m in public(kit) if approve in str(m["components"])]


def removed_posts(kit: Kit) -> list[dict]:
    return [m for m in public(kit) if m["content"] == STORY_REMOVED]


def snowflake_ms(snowflake: int) -> int:
    return (snowflake >> 22) + DISCORD_EPOCH_MS


async def sweeps_for(kit: Kit, member) -> list:
    jobs = await kit.store.stories.discord_cleanup_for_member(kit.guild.id, member.id)
    return [job for job in jobs if job.action == "sweep"]


@pytest.mark.parametrize("step", [PUBLISH_STEPS[1], FORUM_STEPS[1]], ids=["text channel", "forum"])
async def test_erase_takes_down_a_post_whose_id_a_crash_never_saved(kit, mo, step):
    forum = step in FORUM_STEPS
    if forum:
        kit.add_channel("circle", kind=15, tags=["Hope"])
        await mo.slash("stories channel", channel="circle")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)  # no recovery ran
    saved = await story(kit, sid)
    assert saved.status == PUBLISHING and saved.message_id is None
    assert len(posts_of(kit, sid)) == 1
    [job] = await sweeps_for(kit, alice)
    assert job.content == f"footer=Story #{sid}" and job.anonymous  # she posted anonymously
    assert snowflake_ms(job.message_id) <= saved.claimed_at.timestamp() * 1000
    await erase(alice)
    assert posts_of(kit, sid) == [] and threads_of(kit) == [], "nothing keeps her words"
    assert len(removed_posts(kit)) == 1
    assert await kit.store.stories.stories_of(kit.guild.id, alice.id) == []


async def test_erase_deletes_a_review_card_whose_id_a_crash_never_saved(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, REVIEW_STEPS[1])
    assert (await story(kit, sid)).review_message_id is None and len(cards_of(kit, sid)) == 1
    [job] = await sweeps_for(kit, alice)
    assert job.channel_id == int(kit.channels["mods"]["id"])
    assert job.content == f"button=kindred:story:approve:{sid}" and job.anonymous
    await erase(alice)
    assert cards_of(kit, sid) == []
    assert all("Knocking" not in str(m) for m in public(kit))


async def test_erase_takes_down_an_approved_post_whose_id_a_crash_never_saved(kit, mo, clock):
    alice = kit.member("alice")
    await mo.slash("stories review", mode="on")
    sid, _ = await share(alice)
    approved_at = clock.advance(minutes=50)  # a moderator reads it later (ids: see `clock`)
    with dies_at(kit, PUBLISH_STEPS[1]) as died:
        await mo.click(f"kindred:story:approve:{sid}")
    assert died[0]
    await kit.restart()
    saved = await story(kit, sid)
    assert saved.status == PUBLISHING and saved.message_id is None
    [job] = await sweeps_for(kit, alice)
    assert job.channel_id == int(kit.channels["stories"]["id"])
    # from a minute before the approval, not the older submission: a busy channel's
    # newest messages since then are what the sweep reads
    bound = snowflake_ms(job.message_id) / 1000
    assert approved_at.timestamp() - 61 < bound <= approved_at.timestamp()
    await erase(alice)
    assert posts_of(kit, sid) == [] and threads_of(kit) == []
    [card] = [m for m in public(kit) if m["channel_id"] == kit.channels["mods"]["id"]]
    assert "Knocking" not in str(card) and card["components"] == []


async def test_erase_takes_down_a_post_discord_never_confirmed(kit, mo, monkeypatch):
    alice, sid, out = await post_lands_unanswered(kit, monkeypatch)
    assert "draft is saved" in out.replies[-1].text
    assert (await story(kit, sid)).status == DRAFT and len(posts_of(kit, sid)) == 1
    await erase(alice)
    assert posts_of(kit, sid) == [] and len(removed_posts(kit)) == 1


async def test_a_named_storys_sweep_is_not_anonymous_and_a_finished_one_needs_none(kit, mo):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, PUBLISH_STEPS[1])
    await kit.store.stories.save_draft(  # a second, named story, shared in full
        kit.guild.id, alice.id, kit.clock(), title="Mine", body="x" * 40,
        content_warning=None, anonymous=False, consent=True,
    )  # fmt: skip
    bob = kit.member("bob")
    bob_sid, _ = await share(bob, post_as="named")
    assert (await story(kit, bob_sid)).message_id is not None
    assert await sweeps_for(kit, bob) == []  # its post is recorded: nothing to look for
    [job] = await sweeps_for(kit, alice)
    assert job.content == f"footer=Story #{sid}"


async def test_two_stories_claimed_in_one_second_make_two_sweeps(kit, mo):
    await mo.slash("stories review", mode="on")
    alice, bob = kit.member("alice"), kit.member("bob")
    with dies_at(kit, REVIEW_STEPS[1]):
        sid = await written(alice)
        await alice.click(f"kindred:story:post:{sid}")
    for name in ("execute", "fetchall", "atomic", "snapshot"):
        kit.store.__dict__.pop(name, None)
    [first] = await sweeps_for(kit, alice)
    await kit.restart()
    with dies_at(kit, REVIEW_STEPS[1]):
        other = await written(bob)
        await bob.click(f"kindred:story:post:{other}")
    await kit.restart()
    [second] = await sweeps_for(kit, bob)
    assert (first.channel_id, first.action) == (second.channel_id, second.action)
    assert first.message_id != second.message_id, "a job is unique per channel and bound"
    assert (await story(kit, other)).status == PENDING


REPLY = "Thank you for reading. It still feels strange to say it out loud."


async def test_erase_takes_down_an_authors_reply_whose_id_a_crash_never_saved(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)  # anonymous: she may answer as the original poster
    await alice.click(f"kindred:story:reply:{sid}")
    with dies_at(kit, Step("the reply up, not recorded", "POST", GUIDE_POST, landed=True)) as died:
        await alice.submit_modal(reply=REPLY)
    assert died[0]
    await kit.restart()
    assert [m for m in public(kit) if REPLY in str(m["embeds"])], "the reply is on Discord"
    exported = await kit.store.stories.export_member(kit.guild.id, alice.id)
    assert exported["story_replies"] == [], "its id was never recorded"
    [job] = await sweeps_for(kit, alice)
    saved = await story(kit, sid)
    assert job.channel_id == saved.thread_id and job.anonymous
    await erase(alice)
    assert [m for m in public(kit) if REPLY in str(m)] == [], "her reply is gone"


async def test_a_recorded_reply_needs_no_sweep(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.click(f"kindred:story:reply:{sid}")
    out = await alice.submit_modal(reply=REPLY)
    assert "posted as" in out.replies[-1].text.lower()
    [posted] = [r for r in out.posts if REPLY in r.text]
    assert posted.embeds[0]["footer"]["text"] == f"Original poster · story #{sid}"
    assert await sweeps_for(kit, alice) == []
