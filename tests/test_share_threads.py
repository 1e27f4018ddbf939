"""After a story is shared: reply as author, the nudge, /mystories, and /stories for moderators."""

from __future__ import annotations

import pytest
from discord import app_commands

from bot.store.stories import DELETED, PUBLISHED, REMOVED
from tests.test_share import CRISIS, in_channel, share, story
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

NUDGE = "hasn't had a reply yet"


def thread_posts(outcome, thread_id: int):
    return [r for r in outcome.posts if r.path == f"/channels/{thread_id}/messages"]


def share_cog(kit):
    return kit.bot.get_cog("Share")


# ----- reply as author --------------------------------------------------------------------------
async def test_reply_as_author_posts_as_the_original_poster(kit, mo):
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice)
    saved = await story(kit, sid)

    out = await bob.click(f"kindred:story:reply:{sid}")
    assert out.modal is None and out.reply.ephemeral  # told kindly, privately: it's the author's
    assert "for the person who shared the story" in out.reply.text
    assert str(alice.id) not in str([r.body for r in out.requests])

    out = await alice.click(f"kindred:story:reply:{sid}")
    assert out.modal["custom_id"] == f"kindred:story:reply-send:{sid}"
    out = await alice.submit_modal(reply="Thank you all. Reading these helped more than I can say.")
    posted = thread_posts(out, saved.thread_id)
    assert len(posted) == 1
    assert posted[0].embeds[0]["author"]["name"] == "Original poster"
    assert posted[0].embeds[0]["description"].startswith("Thank you all.")
    assert posted[0].allowed_mentions == {"parse": []}
    assert out.replies[-1].ephemeral and "Original poster" in out.replies[-1].text
    row = await kit.store.fetchone("SELECT story_id FROM story_replies")
    assert row[0] == sid

    # a forged submit from someone else posts nothing
    await bob.click(f"kindred:story:reply:{sid}")
    out = await bob.submit_modal(alice.last_modal, reply="pretending to be the author")
    assert thread_posts(out, saved.thread_id) == []
    assert [r.ephemeral for r in out.replies] == [True]


async def test_an_author_reply_that_needs_care_alerts_moderators_without_the_words(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.click(f"kindred:story:reply:{sid}")
    out = await alice.submit_modal(reply=CRISIS)
    alert = in_channel(out, kit, "mods")
    assert alert and "A member may need care" in alert[0].text
    assert CRISIS not in alert[0].text and str(alice.id) not in alert[0].text
    assert any("kindred:care:reveal:" in c for r in out.replies for c in r.custom_ids)


async def test_reply_as_author_is_closed_once_replies_are_locked(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.slash("mystories")
    await alice.click(f"kindred:story:lock:{sid}")
    out = await alice.click(f"kindred:story:reply:{sid}")
    assert out.modal is None and "closed" in out.reply.text and out.reply.ephemeral


# ----- the nudge ----------------------------------------------------------------------------------
async def test_an_unanswered_story_gets_one_nudge_pinging_only_the_listener_role(kit, mo, clock):
    listeners = kit.add_role("Listeners")
    out = await mo.slash("stories listener-role", role="Listeners")
    assert f"<@&{listeners}>" in out.reply.text
    alice = kit.member("alice")
    sid, _ = await share(alice)
    thread_id = (await story(kit, sid)).thread_id
    cog = share_cog(kit)

    clock.advance(hours=11, minutes=59)
    assert (await kit.run(cog.tick())).posts == []
    clock.advance(minutes=1)
    out = await kit.run(cog.tick())
    nudges = thread_posts(out, thread_id)
    assert len(nudges) == 1 and len(out.posts) == 1
    assert nudges[0].content.startswith(f"<@&{listeners}> ") and NUDGE in nudges[0].content
    assert nudges[0].allowed_mentions == {"parse": [], "roles": [listeners]}

    clock.advance(hours=48)
    await kit.restart()
    assert (await kit.run(share_cog(kit).tick())).posts == []  # once per story, even after restart


async def test_a_reply_from_another_member_means_no_nudge_but_the_authors_own_does_not(
    kit, mo, clock
):
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice, post_as="named")
    thread_id = (await story(kit, sid)).thread_id
    await kit.dispatch_message(thread_id, alice)
    await kit.dispatch_message(int(kit.channels["general"]["id"]), bob)  # elsewhere
    assert not (await story(kit, sid)).replied
    await kit.dispatch_message(thread_id, bob)
    assert (await story(kit, sid)).replied
    clock.advance(hours=13)
    assert (await kit.run(share_cog(kit).tick())).posts == []


async def test_without_a_listener_role_the_nudge_mentions_nobody_and_zero_turns_it_off(
    kit, mo, clock
):
    alice = kit.member("alice")
    out = await mo.slash("stories nudge", hours=2)
    assert "2 hours" in out.reply.text
    sid, _ = await share(alice)
    clock.advance(hours=2)
    nudges = (await kit.run(share_cog(kit).tick())).posts
    assert len(nudges) == 1 and "<@" not in nudges[0].content
    assert nudges[0].allowed_mentions == {"parse": []}

    out = await mo.slash("stories nudge", hours=0)
    assert "won't get a nudge" in out.reply.text
    clock.advance(minutes=11)
    await share(alice, title="Another")
    clock.advance(days=3)
    assert (await kit.run(share_cog(kit).tick())).posts == []


# ----- /mystories -------------------------------------------------------------------------------
async def test_mystories_lists_only_my_stories_one_per_page(kit, mo, clock):
    alice, bob = kit.member("alice"), kit.member("bob")
    first, _ = await share(alice, title="First")
    clock.advance(minutes=11)
    second, _ = await share(alice, title="Second", post_as="named")
    await share(bob, title="Bob's")
    out = await alice.slash("mystories")
    page = out.reply
    assert page.ephemeral and page.embeds[0]["title"] == "Second"
    assert "Story 1 of 2" in page.text and "Bob's" not in page.text
    assert page.custom_ids == [
        f"kindred:story:delete:{second}",
        f"kindred:story:lock:{second}",
        "kindred:story:page:0",
        "kindred:story:page:1",
    ]
    out = await alice.click("kindred:story:page:1")
    assert out.reply.embeds[0]["title"] == "First" and "Story 2 of 2" in out.reply.text
    assert f"kindred:story:delete:{first}" in out.reply.custom_ids
    out = await bob.slash("mystories")
    assert [e["title"] for e in out.reply.embeds] == ["Bob's"]
    empty = await kit.member("carol").slash("mystories")
    assert empty.reply.ephemeral and "/share" in empty.reply.text


async def test_lock_replies_locks_the_thread_and_skips_the_nudge(kit, mo, clock):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    thread_id = (await story(kit, sid)).thread_id
    await alice.slash("mystories")
    out = await alice.click(f"kindred:story:lock:{sid}")
    patch = out.to("/channels/{channel_id}", "PATCH")
    assert patch[0].path == f"/channels/{thread_id}" and patch[0].body["locked"] is True
    assert (await story(kit, sid)).locked
    assert out.replies[-1].ephemeral and "locked" in out.replies[-1].text
    page = (await alice.slash("mystories")).reply
    lock = next(
        c for row in page.components for c in row["components"] if c["custom_id"].endswith("lock:1")
    )
    assert lock["disabled"] is True
    clock.advance(hours=13)
    assert (await kit.run(share_cog(kit).tick())).posts == []  # no nudge into a locked thread


async def test_delete_replaces_the_post_and_locks_the_thread(kit, mo):
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice)
    saved = await story(kit, sid)
    await alice.slash("mystories")
    out = await bob.click(f"kindred:story:delete:{sid}")  # not bob's: nothing happens
    assert "isn't waiting for you" in out.reply.text and (await story(kit, sid)).status == PUBLISHED
    out = await alice.click(f"kindred:story:delete:{sid}")
    assert out.reply.ephemeral and out.reply.custom_ids == [f"kindred:story:confirm-delete:{sid}"]
    assert (await story(kit, sid)).status == PUBLISHED  # only asked so far
    out = await alice.click(f"kindred:story:confirm-delete:{sid}")
    thread = out.to("/channels/{channel_id}", "PATCH")[0]
    assert thread.path == f"/channels/{saved.thread_id}"
    assert thread.body["locked"] is True and thread.body["name"] == "Removed story"
    edit = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")[0]
    assert edit.path == f"/channels/{saved.post_channel_id}/messages/{saved.message_id}"
    assert edit.body["content"] == "This story was removed by its author."
    assert edit.body["embeds"] == [] and edit.body["components"] == []
    gone = await story(kit, sid)
    assert (gone.status, gone.body, gone.title) == (DELETED, "", "")
    assert "removed" in out.reply.text


async def test_deleting_a_story_waiting_for_review_withdraws_it(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.slash("mystories")
    await alice.click(f"kindred:story:delete:{sid}")
    out = await alice.click(f"kindred:story:confirm-delete:{sid}")
    card = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")[0]
    assert "withdrawn by its author" in card.body["content"] and card.body["components"] == []
    assert (await story(kit, sid)).status == DELETED


# ----- moderators -------------------------------------------------------------------------------
MODERATOR_COMMANDS = [
    ("stories channel", {"channel": "general"}),
    ("stories review", {"mode": "on"}),
    ("stories listener-role", {}),
    ("stories nudge", {"hours": 1}),
    ("stories remove", {"story_id": 1}),
]


@pytest.mark.parametrize(("command", "options"), MODERATOR_COMMANDS)
async def test_members_cannot_use_moderator_commands(kit, mo, command, options):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    before = await kit.store.stories.settings(kit.guild.id)
    out = await alice.slash(command, **options)
    assert out.reply.ephemeral and "Manage Server" in out.reply.text
    assert await kit.store.stories.settings(kit.guild.id) == before
    assert (await story(kit, sid)).status == PUBLISHED and out.posts == []


def test_moderator_commands_are_hidden_guild_only_and_described(kit):
    group = kit.bot.tree.get_command("stories")
    assert group.default_permissions.manage_guild and group.guild_only
    for name in ("share", "mystories"):
        assert kit.bot.tree.get_command(name).guild_only
    commands = [
        c
        for c in kit.bot.tree.walk_commands()
        if isinstance(c, app_commands.Command) and c.binding is share_cog(kit)
    ]
    assert {c.qualified_name for c in commands} == {
        "share",
        "mystories",
        "stories channel",
        "stories review",
        "stories listener-role",
        "stories nudge",
        "stories remove",
    }
    assert group.description
    for command in commands:
        assert command.description
        for parameter in command.parameters:
            assert parameter.description and parameter.description != "…", parameter.name


async def test_channel_accepts_text_or_forum_and_names_a_missing_permission(kit, mo):
    kit.add_channel("forum", kind=15)
    out = await mo.slash("stories channel", channel="forum")
    assert out.reply.ephemeral and (
        await kit.store.stories.settings(kit.guild.id)
    ).channel_id == int(kit.channels["forum"]["id"])
    kit.add_channel("closed", deny_bot=("manage_threads",))
    out = await mo.slash("stories channel", channel="closed")
    assert out.reply.ephemeral and "Manage Threads" in out.reply.text
    assert (await kit.store.stories.settings(kit.guild.id)).channel_id == int(
        kit.channels["forum"]["id"]
    )


async def test_review_listener_role_and_nudge_settings_show_up(kit, mo):
    role = kit.add_role("Listeners")
    out = await mo.slash("stories review", mode="on")
    assert "read each story" in out.reply.text and out.reply.ephemeral
    await mo.slash("stories listener-role", role="Listeners")
    await mo.slash("stories nudge", hours=24)
    shown = (await mo.slash("settings show")).reply.text
    assert "**Story review:** on" in shown and f"<@&{role}>" in shown
    assert "after 24 h" in shown and f"<#{kit.channels['stories']['id']}>" in shown
    out = await mo.slash("stories listener-role")
    assert "mention nobody" in out.reply.text
    assert (await kit.store.stories.settings(kit.guild.id)).listener_role_id is None
    out = await mo.slash("stories review", mode="off")
    assert not (await kit.store.stories.settings(kit.guild.id)).review
    out = await mo.slash("stories listener-role", role="@everyone")
    assert "Nothing was changed" in out.reply.text


async def test_review_on_without_a_moderator_channel_says_what_to_do(kit):
    kit.add_channel("stories")
    mo = kit.moderator("mo")
    await mo.slash("stories channel", channel="stories")
    out = await mo.slash("stories review", mode="on")
    assert "/settings mod-channel" in out.reply.text
    alice = kit.member("alice")
    sid, out = await share(alice)
    assert "no moderator channel" in out.reply.text and out.posts == []


async def test_moderators_remove_a_story_without_seeing_its_author(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice, title="Winter")
    saved = await story(kit, sid)
    choices = await mo.autocomplete("stories remove", "story_id", "win")
    assert choices == [{"name": f"#{sid} · Winter (Shared)", "value": sid}]
    out = await mo.slash("stories remove", story_id=sid)
    edit = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")[0]
    assert edit.body["content"] == "This story was removed by a moderator."
    assert out.to("/channels/{channel_id}", "PATCH")[0].body["locked"] is True
    assert (await story(kit, sid)).status == REMOVED
    assert out.replies[-1].ephemeral and "was removed" in out.replies[-1].text
    assert all(str(alice.id) not in r.text for r in out.requests)
    again = await mo.slash("stories remove", story_id=sid)
    assert "already removed" in again.reply.text
    missing = await mo.slash("stories remove", story_id=9999)
    assert "no shared story #9999" in missing.reply.text
    assert saved.status == PUBLISHED


async def test_moderators_remove_a_story_waiting_for_review(kit, mo):
    await mo.slash("stories review", mode="on")
    sid, _ = await share(kit.member("alice"))
    out = await mo.slash("stories remove", story_id=sid)
    card = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")[0]
    assert "removed by" in card.body["content"] and card.body["components"] == []
    assert (await story(kit, sid)).status == REMOVED
    assert "review queue" in out.replies[-1].text


async def test_help_lists_the_story_commands(kit, mo):
    text = (await kit.member("alice").slash("help")).reply.text
    assert "`/share`" in text and "`/mystories`" in text
    assert "Stories (moderators)" in text and "`/stories remove`" in text


async def test_mydata_export_gives_back_what_the_author_posted_as_original_poster(kit, mo):
    import json

    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.click(f"kindred:story:reply:{sid}")
    await alice.submit_modal(reply="Thank you for holding this with me.")
    out = await alice.slash("mydata export")
    [reply] = [r for r in out.replies if r.files]
    assert reply.ephemeral and "1 reply you posted as the author" in reply.text
    [(_, payload)] = reply.files
    sections = json.loads(payload)["sections"]
    [row] = sections["Replies you posted as the author"]["items"]
    assert row["what you wrote"] == "Thank you for holding this with me."
    assert row["story number"] == str(sid)
    assert row["when"]["utc"].startswith("20")  # a readable time, like every other row
