"""/share from the member's side: the modal, the draft, the preview, consent, review, posting.

The helpers at the top are shared by the other tests/test_share_*.py files.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.safety import needs_care
from bot.store.stories import DRAFT, PENDING, PUBLISHED
from bot.text import LABEL_LIMIT, MODAL_TITLE_LIMIT

STORY = "The first winter after my diagnosis I stopped going out. A neighbour kept knocking anyway."
CRISIS = "Lately I don't want to be here anymore and I can't tell anyone at home."
assert not needs_care(STORY) and needs_care(CRISIS), "the safety rules changed: pick new texts"


@pytest.fixture(name="mo")
async def stories_ready(kit):
    """A server where stories are set up: a text channel for them and a moderator channel."""
    kit.add_channel("stories")
    kit.add_channel("mods")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    out = await mo.slash("stories channel", channel="stories")
    assert "Stories will be shared in" in out.reply.text
    return mo


async def write(person, **fields):
    """/share, then fill in the modal (anonymous and ready unless told otherwise)."""
    out = await person.slash("share")
    assert out.modal is not None, f"/share opened no modal: {out.requests}"
    values = {"story": STORY, "title": "Knocking", "post_as": "anonymous", "consent": True}
    values.update(fields)
    return await person.submit_modal(**values)


def story_id(outcome) -> int:
    for custom_id in outcome.reply.custom_ids:
        match = re.fullmatch(r"kindred:story:post:(\d+)", custom_id)
        if match:
            return int(match[1])
    raise AssertionError(f"no preview in {outcome.requests}")


async def share(person, value: str = "hope", **fields):
    """Write, choose a value, press Post: (story id, what Post did)."""
    sid = story_id(await write(person, **fields))
    await person.select(f"kindred:story:value:{sid}", [value])
    return sid, await person.click(f"kindred:story:post:{sid}")


async def story(kit, sid: int):
    return await kit.store.stories.get(kit.guild.id, sid)


def in_channel(outcome, kit, name: str):
    channel_id = kit.channels[name]["id"]
    return [r for r in outcome.requests if r.path.startswith(f"/channels/{channel_id}/")]


# ----- the modal --------------------------------------------------------------------------------
async def test_share_opens_a_modal_built_from_labels_within_discords_limits(kit, mo):
    alice = kit.member("alice")
    out = await alice.slash("share")
    modal = out.modal
    assert modal["custom_id"] == "kindred:story:compose:0"
    assert modal["title"] == "Share your story" and len(modal["title"]) <= MODAL_TITLE_LIMIT
    assert [c["type"] for c in modal["components"]] == [18, 18, 18, 18, 18]
    inner = {c["component"]["custom_id"]: c["component"] for c in modal["components"]}
    assert [inner[k]["type"] for k in ("story", "title", "content_warning", "post_as", "consent")] == [
        4, 4, 4, 21, 23
    ]  # fmt: skip
    assert (inner["story"]["min_length"], inner["story"]["max_length"]) == (20, 4000)
    assert inner["story"]["style"] == 2
    assert inner["title"]["max_length"] == 100
    assert inner["content_warning"]["max_length"] == 100
    assert inner["content_warning"]["required"] is False
    assert [o["value"] for o in inner["post_as"]["options"]] == ["named", "anonymous"]
    for label in modal["components"]:
        assert len(label["label"]) <= LABEL_LIMIT
        assert len(label.get("description", "")) <= 100
    consent = next(c for c in modal["components"] if c["component"]["type"] == 23)
    assert consent["description"] == "I'm ready for this to be read by the community"


async def test_share_is_refused_kindly_until_moderators_choose_a_channel(kit):
    out = await kit.member("alice").slash("share")
    assert out.modal is None
    assert out.reply.ephemeral and "/stories channel" in out.reply.text


# ----- draft and preview --------------------------------------------------------------------
async def test_submitting_saves_a_draft_and_shows_an_exact_preview(kit, mo):
    alice = kit.member("alice")
    out = await write(alice, content_warning="illness", post_as="named")
    preview = out.reply
    assert preview.ephemeral
    sid = story_id(out)
    saved = await story(kit, sid)
    assert (saved.status, saved.title, saved.body) == (DRAFT, "Knocking", STORY)
    assert (saved.content_warning, saved.anonymous, saved.consent) == ("illness", False, True)
    assert await kit.store.stories.author_of(sid) == alice.id
    assert preview.custom_ids == [
        f"kindred:story:value:{sid}",
        f"kindred:story:post:{sid}",
        f"kindred:story:edit:{sid}",
        f"kindred:story:discard:{sid}",
    ]
    story_card, notes = preview.embeds
    assert story_card["title"] == "Knocking"
    assert story_card["description"] == f"||{STORY}||"
    assert "⚠️ **Content warning:** illness" in preview.content
    assert f"shared by <@{alice.id}>" in preview.content
    assert "Choose which value" in notes["description"]
    assert preview.allowed_mentions in (None, {"parse": []})


async def test_choosing_a_value_updates_the_preview_in_place(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice))
    out = await alice.select(f"kindred:story:value:{sid}", ["courage"])
    assert out.callbacks[0].callback_type == 7
    assert "🦁 Courage · shared by Anonymous member" in out.reply.content
    assert (await story(kit, sid)).value_key == "courage"
    chosen = [
        o["value"]
        for c in out.reply.components
        for item in c.get("components", [])
        for o in item.get("options", [])
        if o.get("default")
    ]
    assert chosen == ["courage"]


async def test_a_draft_is_kept_after_an_interrupted_flow_and_offered_again(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice, content_warning="loss", consent=False))
    await kit.restart()  # the client closed, the bot was redeployed: nothing was posted
    out = await alice.slash("share")
    assert out.modal is None and out.reply.ephemeral
    assert "unfinished story" in out.reply.text and "Knocking" in out.reply.text
    assert out.reply.custom_ids == [f"kindred:story:edit:{sid}", "kindred:story:new:0"]
    assert "Continue your draft" in out.reply.text
    out = await alice.click(f"kindred:story:edit:{sid}")
    modal = out.modal
    assert modal["title"] == "Continue your draft"
    inner = {c["component"]["custom_id"]: c["component"] for c in modal["components"]}
    assert inner["story"]["value"] == STORY and inner["title"]["value"] == "Knocking"
    assert inner["content_warning"]["value"] == "loss"
    assert [o.get("default", False) for o in inner["post_as"]["options"]] == [False, True]
    assert inner["consent"].get("default", False) is False
    out = await alice.submit_modal(consent=True, title="Knocking, still")
    assert story_id(out) == sid  # the same draft, updated
    saved = await story(kit, sid)
    assert (saved.title, saved.consent, saved.body) == ("Knocking, still", True, STORY)
    assert len(await kit.store.stories.stories_of(kit.guild.id, alice.id)) == 1


async def test_a_form_submitted_after_a_restart_loses_nothing(kit, mo):
    alice = kit.member("alice")
    assert (await alice.slash("share")).modal is not None
    await kit.restart()
    out = await alice.submit_modal(story=STORY, title="Knocking", post_as="named", consent=True)
    assert out.reply.ephemeral and story_id(out)
    assert (await kit.store.stories.latest_draft(kit.guild.id, alice.id)).body == STORY


async def test_start_a_new_story_keeps_the_old_draft(kit, mo):
    alice = kit.member("alice")
    first = story_id(await write(alice))
    await alice.slash("share")
    out = await alice.click("kindred:story:new:0")
    assert out.modal["custom_id"] == "kindred:story:compose:0"
    second = story_id(await alice.submit_modal(story=STORY + " Again.", title="Two"))
    assert second != first
    assert {s.story_id for s in await kit.store.stories.stories_of(kit.guild.id, alice.id)} == {
        first,
        second,
    }


async def test_discard_deletes_the_draft(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice))
    stale = kit.discord.message_with(f"kindred:story:post:{sid}")  # e.g. in another client
    out = await alice.click(f"kindred:story:discard:{sid}")
    assert "discarded" in out.reply.text and out.reply.components == []
    assert await story(kit, sid) is None
    again = await alice.click(f"kindred:story:post:{sid}", message=stale)
    assert again.reply.ephemeral and "isn't waiting for you" in again.reply.text


# ----- posting ---------------------------------------------------------------------------------
async def test_post_without_consent_explains_and_posts_nothing(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice, consent=False))
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    assert out.reply.ephemeral and "Ready to share?" in out.reply.text
    assert "draft is saved" in out.reply.text
    assert out.posts == [] and (await story(kit, sid)).status == DRAFT


async def test_post_asks_for_a_value_first(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice))
    out = await alice.click(f"kindred:story:post:{sid}")
    assert out.reply.ephemeral and "which value" in out.reply.text
    assert out.posts == [] and (await story(kit, sid)).status == DRAFT


async def test_publish_into_a_text_channel_with_a_thread_and_the_values_guide(kit, mo):
    alice = kit.member("alice")
    sid, out = await share(alice, content_warning="grief")
    saved = await story(kit, sid)
    assert saved.status == PUBLISHED
    post = in_channel(out, kit, "stories")[0]
    assert post.method == "POST" and not post.ephemeral
    assert post.content == "🌱 Hope · shared by Anonymous member\n⚠️ **Content warning:** grief"
    assert post.embeds[0]["title"] == "Knocking"
    assert post.embeds[0]["description"] == f"||{STORY}||"
    assert post.allowed_mentions == {"parse": []}
    thread = out.to("/channels/{channel_id}/messages/{message_id}/threads", "POST")[0]
    assert thread.body["name"] == "Knocking"
    assert saved.thread_id == int(thread.path.split("/")[4]) == saved.message_id
    guide = [r for r in out.posts if r.path == f"/channels/{saved.thread_id}/messages"][0]
    assert "Answering with care" in guide.text and "lived experience" in guide.text.lower()
    assert guide.custom_ids == [f"kindred:story:reply:{sid}"]
    assert "Your story is shared" in out.reply.text and out.reply.components == []


async def test_publish_into_a_forum_as_a_tagged_post(kit, mo):
    kit.add_channel("circle", kind=15, tags=["Courage", "Hope"])
    await mo.slash("stories channel", channel="circle")
    alice = kit.member("alice")
    sid, out = await share(alice, post_as="named")
    created = out.to("/channels/{channel_id}/threads", "POST")[0]
    assert created.path == f"/channels/{kit.channels['circle']['id']}/threads"
    hope_tag = next(
        t["id"] for t in kit.channels["circle"]["available_tags"] if t["name"] == "Hope"
    )
    assert created.body["name"] == "Knocking"
    assert [str(t) for t in created.body["applied_tags"]] == [hope_tag]
    assert created.content == f"🌱 Hope · shared by <@{alice.id}>"
    assert created.embeds[0]["description"] == STORY
    assert created.allowed_mentions == {"parse": []}
    saved = await story(kit, sid)
    assert saved.status == PUBLISHED and saved.post_channel_id == saved.thread_id
    guide = [r for r in out.posts if r.path == f"/channels/{saved.thread_id}/messages"]
    assert guide and "Answering with care" in guide[0].text
    assert guide[0].custom_ids == []  # named stories need no "Reply as author"


async def test_a_channel_the_bot_cannot_use_keeps_the_draft(kit, mo):
    alice = kit.member("alice")
    kit.discord.fail("POST", r"^/channels/\d+/messages$", 403, 50013, times=1)
    sid, out = await share(alice)
    assert "didn't let me post" in out.replies[-1].text
    saved = await story(kit, sid)
    assert saved.status == DRAFT and saved.submitted_at is None
    again = await alice.click(f"kindred:story:post:{sid}")  # no cooldown was spent
    assert (await story(kit, sid)).status == PUBLISHED, again.requests


async def test_one_story_per_ten_minutes_told_kindly_and_kept_across_restarts(kit, mo, clock):
    alice = kit.member("alice")
    await share(alice)
    clock.advance(minutes=5)
    await kit.restart()
    opened = await alice.slash("share")  # told up front, after a restart too
    assert opened.modal is None and "one every 10 minutes" in opened.reply.text
    await alice.click("kindred:story:new:0")  # writing now is still welcome
    values = {"story": STORY, "title": "Second", "post_as": "anonymous", "consent": True}
    sid = story_id(await alice.submit_modal(**values))
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    assert out.reply.ephemeral and "one every 10 minutes" in out.reply.text
    assert "draft is saved" in out.reply.text and "<t:" in out.reply.text
    assert out.posts == [] and (await story(kit, sid)).status == DRAFT
    clock.advance(minutes=5, seconds=1)
    out = await alice.click(f"kindred:story:post:{sid}")
    assert (await story(kit, sid)).status == PUBLISHED


# ----- review --------------------------------------------------------------------------------
async def test_review_queue_approve_publishes_and_tells_the_author(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid, out = await share(alice)
    assert (await story(kit, sid)).status == PENDING
    assert in_channel(out, kit, "stories") == []
    card = in_channel(out, kit, "mods")[0]
    assert "waiting for review" in card.content and "Anonymous member" in card.content
    assert card.custom_ids == [f"kindred:story:approve:{sid}", f"kindred:story:decline:{sid}"]
    assert card.embeds[0]["description"] == STORY
    assert "with the moderators" in out.reply.text

    card_message = kit.discord.message_with(f"kindred:story:approve:{sid}")
    out = await mo.click(f"kindred:story:approve:{sid}")
    assert (await story(kit, sid)).status == PUBLISHED
    assert in_channel(out, kit, "stories")[0].embeds[0]["description"] == STORY
    assert "approved by" in out.reply.text and out.reply.components == []
    dm = [r for r in out.posts if r.path == f"/channels/{alice.id + 7}/messages"]
    assert dm and "now shared" in dm[0].text

    twice = await mo.click(f"kindred:story:approve:{sid}", message=card_message)
    assert twice.reply.ephemeral and "already handled" in twice.reply.text
    assert in_channel(twice, kit, "stories") == []


async def test_decline_opens_a_modal_and_the_reason_reaches_the_author_by_dm(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid, _ = await share(alice)
    out = await mo.click(f"kindred:story:decline:{sid}")
    assert out.modal["custom_id"] == f"kindred:story:decline-reason:{sid}"
    assert all(len(c["label"]) <= LABEL_LIMIT for c in out.modal["components"])
    out = await mo.submit_modal(reason="Could you add a content warning? Thank you for sharing.")
    dm = [r for r in out.posts if r.path == f"/channels/{alice.id + 7}/messages"][0]
    assert "add a content warning" in dm.text and "drafts" in dm.text
    assert "by DM" in out.replies[-1].text and out.replies[-1].ephemeral
    saved = await story(kit, sid)
    assert saved.status == DRAFT and not saved.reason_pending
    card = kit.discord.messages[
        next(int(r.path.split("/")[-1]) for r in out.requests if r.method == "PATCH")
    ]
    assert "declined by" in card["content"] and card["components"] == []
    out = await alice.slash("share")  # the note was delivered: /share offers the draft
    assert "unfinished story" in out.reply.text


async def test_a_declined_reason_waits_for_the_next_share_when_dms_are_closed(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    kit.discord.closed_dms.add(alice.id + 7)
    sid, _ = await share(alice)
    await mo.click(f"kindred:story:decline:{sid}")
    out = await mo.submit_modal(reason="Please leave out the clinic's name.")
    assert "next time they use /share" in out.replies[-1].text
    assert (await story(kit, sid)).reason_pending
    out = await alice.slash("share")
    assert out.modal is None and out.reply.ephemeral
    assert "leave out the clinic's name" in out.reply.text
    assert out.reply.custom_ids == [f"kindred:story:edit:{sid}", "kindred:story:new:0"]
    assert not (await story(kit, sid)).reason_pending
    out = await alice.slash("share")
    assert "clinic" not in out.reply.text and "unfinished story" in out.reply.text


async def test_members_cannot_approve_or_decline(kit, mo):
    await mo.slash("stories review", mode="on")
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice)
    for action in ("approve", "decline"):
        out = await bob.click(f"kindred:story:{action}:{sid}")
        assert out.reply.ephemeral and "Manage Server" in out.reply.text
        assert out.modal is None and out.posts == []
    assert (await story(kit, sid)).status == PENDING


# ----- care --------------------------------------------------------------------------------------
async def test_words_that_need_care_hold_the_story_quietly_whatever_the_review_setting(kit, mo):
    alice = kit.member("alice")
    out = await write(alice, story=CRISIS)
    sid = story_id(out)
    assert "moderator will gently read this" in out.reply.text
    resources = [r for r in out.replies if "You don't have to carry this alone" in r.text]
    assert resources and resources[0].ephemeral
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    saved = await story(kit, sid)
    assert saved.status == PENDING and saved.held_for_care
    assert in_channel(out, kit, "stories") == []
    card, alert = in_channel(out, kit, "mods")
    assert "Held for care" in card.content and "Anonymous member" in card.content
    assert "A member may need care" in alert.text
    assert CRISIS not in alert.text and str(alice.id) not in alert.text
    assert f"/{saved.review_message_id}" in alert.text  # a link to the review card
    offer = [r for r in out.replies if any("kindred:care:reveal:" in c for c in r.custom_ids)]
    assert offer and offer[0].ephemeral


async def test_a_story_too_long_behind_its_warning_still_previews_but_cannot_post(kit, mo):
    alice = kit.member("alice")
    pipes = "||" * 2000  # each pair needs one more character once hidden behind a spoiler
    out = await write(alice, story=pipes, content_warning="pipes")
    sid = story_id(out)
    assert out.reply.ephemeral and len(out.reply.embeds[0]["description"]) <= 4096
    assert "shorten it slightly" in out.reply.text
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    assert out.reply.ephemeral and "shorten it slightly" in out.reply.text
    assert out.posts == [] and (await story(kit, sid)).body == pipes


async def test_the_ten_minute_wait_is_told_when_share_is_opened_before_anything_is_written(
    kit, mo, clock
):
    alice = kit.member("alice")
    await share(alice)
    clock.advance(minutes=4)
    out = await alice.slash("share")
    assert out.modal is None and out.reply.ephemeral
    ends = int((clock.now - timedelta(minutes=4) + timedelta(minutes=10)).timestamp())
    assert "one every 10 minutes" in out.reply.text and f"<t:{ends}:R>" in out.reply.text
    assert out.reply.custom_ids == ["kindred:story:new:0"]  # writing now is still welcome
    assert (await alice.click("kindred:story:new:0")).modal is not None
    clock.advance(minutes=7)
    assert (await alice.slash("share")).modal is not None  # the wait is over: the form opens
