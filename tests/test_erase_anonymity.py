"""After /mydata erase, moderators never read the member's name beside their anonymous story.

Discord answers 403 to every cleanup edit here, so moderators are told what is left to
remove: the member's named items in one notice, and the anonymous story on its own, on a
later round, worded without any erase or member.
"""

from __future__ import annotations

from tests.test_mydata import erase_ids
from tests.test_share import share, story
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture


def notices(outcome, kit) -> list:
    return [p for p in outcome.posts if p.path == f"/channels/{kit.channel('mods').id}/messages"]


async def test_a_refused_cleanup_never_lists_an_anonymous_story_beside_the_member(kit, mo):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Walked to the shop and back")
    card_id = str(kit.discord.message_with("kindred:cheer:1")["id"])
    sid, _ = await share(alice)  # anonymous by default
    saved = await story(kit, sid)
    for method, path in (
        ("DELETE", rf"^/channels/\d+/messages/{card_id}$"),
        ("PATCH", rf"^/channels/\d+/messages/{saved.message_id}$"),
        ("PATCH", rf"^/channels/{saved.thread_id}$"),
    ):
        kit.discord.fail(method, path, 403, 50013)

    erase, _ = erase_ids(await alice.slash("mydata erase"))
    out = await alice.click(erase)
    [named] = notices(out, kit)
    assert "a member erased" in named.text.casefold() and card_id in named.text
    for story_part in (str(saved.message_id), str(saved.thread_id)):
        assert story_part not in named.text

    cog = kit.bot.get_cog("Care")
    later = []
    for _ in range(6):
        kit.clock.advance(minutes=20)
        later += notices(await kit.run(cog.cleanup_tick()), kit)
    [anonymous] = later
    assert "anonymous story" in anonymous.text
    assert str(saved.message_id) in anonymous.text
    assert card_id not in anonymous.text
    assert "member" not in anonymous.text.casefold() and "erase" not in anonymous.text.casefold()
    assert str(alice.id) not in anonymous.text and anonymous.allowed_mentions == {"parse": []}

    # after a week of refusals: still apart
    kit.clock.advance(days=8)
    final = notices(await kit.run(cog.cleanup_tick()), kit)
    assert len(final) == 2
    by_hand = {("anonymous" in n.text): n.text for n in final}
    assert card_id in by_hand[False] and str(saved.message_id) not in by_hand[False]
    assert str(saved.message_id) in by_hand[True] and card_id not in by_hand[True]
