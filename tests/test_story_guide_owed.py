"""Discord refuses a shared story's values guide (the first message of its thread, and for
an anonymous story the author's only way to answer as the original poster): the story is
shared all the same, and the recovery loop posts the guide once Discord takes it.
"""

from __future__ import annotations

from tests.test_share import share, story
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture
from tests.test_story_recovery import GUIDE_POST, guides_in, recover, step_path


async def test_a_refused_guide_is_posted_later_once_with_the_authors_reply_button(kit, mo):
    kit.discord.fail("POST", step_path(kit, GUIDE_POST), status=503, code=0)
    alice = kit.member("alice")
    sid, out = await share(alice)
    assert "Your story is shared" in out.replies[-1].text
    saved = await story(kit, sid)
    assert guides_in(kit, saved.thread_id) == [] and saved.guide_due
    assert await recover(kit) == 1  # Discord still refuses: asked again later

    kit.discord.failures.clear()
    assert await recover(kit) == 0
    [guide] = guides_in(kit, saved.thread_id)
    assert f"kindred:story:reply:{sid}" in str(guide["components"])
    assert not (await story(kit, sid)).guide_due
    assert await recover(kit) == 0 and len(guides_in(kit, saved.thread_id)) == 1
    out = await alice.click(f"kindred:story:reply:{sid}")  # and it works
    assert out.modal["custom_id"] == f"kindred:story:reply-send:{sid}"


async def test_an_owed_guide_whose_thread_is_gone_is_owed_no_more(kit, mo):
    kit.discord.fail("POST", step_path(kit, GUIDE_POST), status=503, code=0)
    sid, _ = await share(kit.member("alice"))
    saved = await story(kit, sid)
    kit.discord.failures.clear()
    del kit.discord.channels[saved.thread_id]  # a moderator deleted the thread
    assert await recover(kit) == 0
    assert not (await story(kit, sid)).guide_due
