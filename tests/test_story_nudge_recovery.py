"""The unanswered-story nudge is claimed before it is sent. The bot dies between the claim
and the post (or after Discord took the post, before it was recorded), or Discord refuses
it: the next round posts it once, pinging only the Listener role, never twice.
"""

from __future__ import annotations

import pytest

from tests.test_share import share, story
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture
from tests.test_story_recovery import Died, Step, dies_at, public

NUDGE = "hasn't had a reply yet"


def share_cog(kit):
    return kit.bot.get_cog("Share")


def nudges_in(kit, thread_id: int) -> list[dict]:
    return [m for m in public(kit) if m["channel_id"] == str(thread_id) and NUDGE in m["content"]]


def nudge_posts(outcome, thread_id: int) -> list:
    return [r for r in outcome.posts if r.path == f"/channels/{thread_id}/messages"]


async def unanswered(kit, mo, clock) -> tuple[int, int]:
    """A shared story past its nudge time, in a server with a Listener role."""
    listeners = kit.add_role("Listeners")
    await mo.slash("stories listener-role", role="Listeners")
    sid, _ = await share(kit.member("alice"))
    clock.advance(hours=12)
    return (await story(kit, sid)).thread_id, listeners


@pytest.mark.parametrize("landed", [False, True], ids=["nudge not sent", "nudge sent, unrecorded"])
async def test_a_nudge_a_stop_interrupted_is_posted_once_next_round(kit, mo, clock, landed):
    thread_id, listeners = await unanswered(kit, mo, clock)
    nudge = Step("the nudge", "POST", rf"^/channels/{thread_id}/messages$", landed=landed)
    with dies_at(kit, nudge) as died, pytest.raises(Died):
        await share_cog(kit).tick()
    assert died[0]
    await kit.restart()
    out = await kit.run(share_cog(kit).tick())
    posted = nudge_posts(out, thread_id)
    assert len(posted) == (0 if landed else 1), "found, not posted again"
    for request in posted:
        assert request.allowed_mentions == {"parse": [], "roles": [listeners]}
    assert len(nudges_in(kit, thread_id)) == 1
    clock.advance(hours=48)
    assert nudge_posts(await kit.run(share_cog(kit).tick()), thread_id) == []


async def test_a_nudge_discord_refused_is_posted_next_round(kit, mo, clock):
    thread_id, _ = await unanswered(kit, mo, clock)
    kit.discord.fail("POST", rf"^/channels/{thread_id}/messages$", status=503, code=0, times=3)
    assert await share_cog(kit).tick() == 0
    assert nudges_in(kit, thread_id) == []
    kit.discord.failures.clear()
    assert await share_cog(kit).tick() == 1
    assert len(nudges_in(kit, thread_id)) == 1
    assert await share_cog(kit).tick() == 0 and len(nudges_in(kit, thread_id)) == 1


async def test_a_thread_gone_gives_its_nudge_up(kit, mo, clock):
    thread_id, _ = await unanswered(kit, mo, clock)
    kit.discord.fail("POST", rf"^/channels/{thread_id}/messages$", status=404, code=10003)
    assert await share_cog(kit).tick() == 0
    kit.discord.failures.clear()
    assert await share_cog(kit).tick() == 0 and nudges_in(kit, thread_id) == []
