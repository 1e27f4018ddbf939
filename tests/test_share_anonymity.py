"""Anonymous stories never leak their author; a long story survives every hop untouched."""

from __future__ import annotations

import json
import logging

from bot.store.stories import DELETED, PUBLISHED
from tests.test_share import CRISIS, STORY, share, story, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture


def leaks(kit, caplog, person) -> list[str]:
    """Every captured request body or path, and every log record, naming `person`."""
    needles = (str(person.id), person.name.casefold())
    found = []
    for request in kit.discord.requests:
        if request.route == "/users/@me/channels":
            # Opening a DM to deliver the author's own note: addressed to them, seen by no one.
            assert request.body == {"recipient_id": person.id}
            continue
        haystack = (
            request.path
            + json.dumps(request.body, ensure_ascii=False)
            + "".join(data.decode("utf-8", "replace") for _, data in request.files)
        ).casefold()
        found += [f"{request!r}" for needle in needles if needle in haystack]
    for record in caplog.records:
        text = (record.getMessage() + (record.exc_text or "")).casefold()
        found += [f"log {record.name}: {record.getMessage()}" for n in needles if n in text]
    return found


async def test_an_anonymous_story_never_names_its_author_anywhere(kit, mo, clock, caplog):
    caplog.set_level(logging.DEBUG)
    wren, bob = kit.member("wren"), kit.member("bob")
    kit.add_role("Listeners")
    await mo.slash("stories listener-role", role="Listeners")
    await mo.slash("stories review", mode="on")

    # write, change it, post it into review
    sid = story_id(await write(wren, content_warning="illness"))
    await wren.select(f"kindred:story:value:{sid}", ["courage"])
    await wren.click(f"kindred:story:edit:{sid}")
    await wren.submit_modal(title="Knocking, still")
    await wren.click(f"kindred:story:post:{sid}")
    await mo.click(f"kindred:story:approve:{sid}")
    assert (await story(kit, sid)).status == PUBLISHED
    thread_id = (await story(kit, sid)).thread_id

    # the thread: the author answers, the nudge, a peer answers
    await bob.click(f"kindred:story:reply:{sid}")
    await wren.click(f"kindred:story:reply:{sid}")
    await wren.submit_modal(reply="Thank you for reading. It still feels strange to say it.")
    clock.advance(hours=13)
    nudge = await kit.run(kit.bot.get_cog("Share").tick())
    assert nudge.posts and nudge.posts[0].allowed_mentions["roles"]
    await kit.dispatch_message(thread_id, bob)
    assert (await story(kit, sid)).replied

    # a second story that needs care: held, moderators alerted, then declined with a note
    clock.advance(minutes=11)
    second, _ = await share(wren, story=CRISIS, title="Tonight")
    await mo.click(f"kindred:story:decline:{second}")
    await mo.submit_modal(reason="We'd love to share this once you're safe. Please reach out.")
    await wren.slash("share")

    # moderators look around; the author manages their stories
    await mo.slash("settings show")
    await mo.autocomplete("stories remove", "story_id", "")
    await wren.slash("mystories")
    await wren.click("kindred:story:page:1")
    await wren.click(f"kindred:story:lock:{sid}")
    await wren.click(f"kindred:story:delete:{sid}")
    await wren.click(f"kindred:story:confirm-delete:{sid}")

    assert (await story(kit, sid)).status == DELETED
    assert (await story(kit, second)).decline_reason and (await story(kit, second)).held_for_care
    assert await kit.store.fetchone("SELECT 1 FROM story_replies WHERE story_id = ?", (sid,))
    assert len(kit.discord.requests) > 40 and caplog.records
    assert leaks(kit, caplog, wren) == []
    # the check itself can see a leak: a named story puts the author's id in its byline
    clock.advance(minutes=11)
    await wren.slash("share")
    await wren.click("kindred:story:new:0")
    signed = story_id(
        await wren.submit_modal(story=STORY, title="Signed", post_as="named", consent=True)
    )
    await wren.select(f"kindred:story:value:{signed}", ["hope"])
    await wren.click(f"kindred:story:post:{signed}")
    assert leaks(kit, caplog, wren)


LONG_PIECE = (
    "**Held** _on_ `one day` at a time 🌱🦁💛 @everyone @here <@123> <@&456> ~~no~~ "
    "||not a spoiler|| > still here\n# heading\n- item\n"
)


async def test_a_4000_character_story_round_trips_exactly_and_pings_nobody(kit, mo):
    body = (LONG_PIECE * (4000 // len(LONG_PIECE) + 1))[:3999] + "🌱"
    assert len(body) == 4000
    alice = kit.member("alice")
    out = await write(alice, story=body, title="@everyone 🌱 **one day**", post_as="named")
    sid = story_id(out)
    assert out.reply.embeds[0]["description"] == body  # the preview shows it as it will appear
    await alice.click(f"kindred:story:edit:{sid}")
    modal_story = next(
        c["component"]
        for c in alice.last_modal["components"]
        if c["component"]["custom_id"] == "story"
    )
    assert modal_story["value"] == body
    await alice.submit_modal()  # unchanged
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    saved = await story(kit, sid)
    assert saved.status == PUBLISHED and saved.body == body
    post = next(r for r in out.posts if r.embeds and r.embeds[0].get("title", "").startswith("@"))
    assert post.embeds[0]["description"] == body
    assert post.embeds[0]["title"] == "@everyone 🌱 **one day**"
    assert "@everyone" not in (post.content or "")
    for request in out.posts + out.replies:
        assert request.allowed_mentions in (None, {"parse": []}), request
    assert all(r.allowed_mentions == {"parse": []} for r in out.posts)


async def test_declining_an_anonymous_story_tells_moderators_nothing_that_depends_on_its_author(
    kit, mo
):
    """DM open or closed, moderators read the same words, and before any DM is tried."""
    await mo.slash("stories review", mode="on")
    seen = []
    for name, dms_open in (("alice", True), ("carol", False)):
        author = kit.member(name)
        if not dms_open:
            kit.discord.closed_dms.add(author.id + 7)
        sid, _ = await share(author)
        await mo.click(f"kindred:story:decline:{sid}")
        out = await mo.submit_modal(reason="Could you leave out the street name?")
        paths = [r.path for r in out.requests]
        dm_at = paths.index("/users/@me/channels")
        card_edit = next(r for r in out.requests if r.method == "PATCH" and "/messages/" in r.path)
        told_moderator = out.requests.index(card_edit)
        assert told_moderator < dm_at and out.replies[-1].ephemeral
        assert paths.index(out.replies[-1].path) < dm_at
        seen.append((card_edit.body["content"].replace(f"#{sid} ", "#N "), out.replies[-1].text))
        assert (await story(kit, sid)).reason_pending is (not dms_open)
    assert seen[0] == seen[1]
    assert "DM" in seen[0][1] and "/share" in seen[0][1]
