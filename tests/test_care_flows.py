"""Care and privacy through the real features: /share, /celebrate, /suggest, and /mydata on
their rows. The care side only: each feature's own tests cover the rest of its flow."""

from __future__ import annotations

import json
import re

from bot.safety import needs_care
from bot.store.base import STORY_REMOVED

CRISIS = "Lately I don't want to be here anymore and I can't tell anyone at home."
STORY = "The first winter after my diagnosis I stopped going out. A neighbour kept knocking anyway."
assert needs_care(CRISIS) and not needs_care(STORY), "the safety rules changed: pick new texts"


def resources(outcome) -> list:
    return [r for r in outcome.replies if "You don't have to carry this alone" in r.text]


def posts_in(outcome, kit, name: str) -> list:
    channel_id = kit.channels[name]["id"]
    return [p for p in outcome.posts if p.path == f"/channels/{channel_id}/messages"]


async def setup_server(kit):
    for name in ("stories", "mods", "wins"):
        kit.add_channel(name)
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("stories channel", channel="stories")
    await mo.slash("celebrations channel", channel="wins")
    return mo


async def write_story(person, **fields):
    out = await person.slash("share")
    assert out.modal is not None, out.requests
    values = {"story": STORY, "title": "Knocking", "post_as": "anonymous", "consent": True}
    values.update(fields)
    out = await person.submit_modal(**values)
    [sid] = [
        int(m[1])
        for c in out.reply.custom_ids
        if (m := re.fullmatch(r"kindred:story:post:(\d+)", c))
    ]
    return sid, out


async def publish_story(person, **fields):
    sid, _ = await write_story(person, **fields)
    await person.select(f"kindred:story:value:{sid}", ["hope"])
    return sid, await person.click(f"kindred:story:post:{sid}")


# ----- resources from every feature, once a day across all of them ----------------------------
async def test_celebrate_with_heavy_words_brings_resources_privately(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory=CRISIS, visibility="just me")
    [care] = resources(out)
    assert care.ephemeral and "findahelpline.com" in care.text
    assert out.replies.index(care) > 0  # after her own answer
    [alert] = [p for p in posts_in(out, kit, "mods") if "A member may need care" in p.text]
    assert alert.allowed_mentions == {"parse": []}
    assert "private to them" in alert.text and CRISIS not in alert.text


async def test_suggest_with_heavy_words_brings_resources_and_a_quiet_alert(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    out = await alice.slash("suggest", text=CRISIS, value="hope")
    [care] = resources(out)
    assert care.ephemeral
    [alert] = [p for p in posts_in(out, kit, "mods") if "A member may need care" in p.text]
    assert alert.allowed_mentions == {"parse": []}


async def test_the_once_a_day_limit_spans_every_feature(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    assert resources(await alice.slash("celebrate", victory=CRISIS, visibility="just me"))
    _, out = await write_story(alice, story=CRISIS)
    assert resources(out) == []
    assert resources(await alice.slash("suggest", text=CRISIS, value="hope")) == []
    kit.clock.advance(hours=24, seconds=1)
    assert resources(await alice.slash("suggest", text=CRISIS, value="hope"))


async def test_a_held_anonymous_story_can_be_revealed_only_by_its_author(kit):
    await setup_server(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, out = await publish_story(alice, story=CRISIS)
    held = await kit.store.stories.get(kit.guild.id, sid)
    assert held.held_for_care and held.status == "pending"  # held whatever the review setting
    assert not posts_in(out, kit, "stories")
    [alert] = [p for p in posts_in(out, kit, "mods") if "A member may need care" in p.text]
    assert CRISIS not in alert.text and str(alice.id) not in alert.text
    [custom_id] = [
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    ]
    refused = await bob.click(custom_id)
    assert refused.reply.ephemeral and posts_in(refused, kit, "mods") == []
    revealed = await alice.click(custom_id)
    [note] = posts_in(revealed, kit, "mods")
    assert f"<@{alice.id}>" in note.text and note.allowed_mentions == {"parse": []}


# ----- /mydata on the features' rows ----------------------------------------------------------
async def test_export_holds_stories_with_drafts_and_victories(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    await publish_story(alice)
    kit.clock.advance(minutes=11)  # the /share cooldown
    await write_story(alice, title="A draft")
    await alice.slash("celebrate", victory="I called my sister", visibility="just me")
    out = await alice.slash("mydata export")
    [(_, payload)] = [f for r in out.replies for f in r.files]
    sections = json.loads(payload)["sections"]
    assert [s["title"] for s in sections["Stories"]["items"]] == ["Knocking"]
    assert [s["title"] for s in sections["Drafts"]["items"]] == ["A draft"]
    assert sections["Drafts"]["items"][0]["status"] == "draft"
    assert [v["what you wrote"] for v in sections["Victories"]["items"]] == ["I called my sister"]


async def test_erase_replaces_a_published_story_and_removes_the_victory_card(kit):
    await setup_server(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await publish_story(alice)
    story = await kit.store.stories.get(kit.guild.id, sid)
    assert story.message_id and story.thread_id
    await alice.slash("celebrate", victory="I called my sister")
    await bob.slash("celebrate", victory="I slept eight hours")

    asked = await alice.slash("mydata erase")
    [erase] = [c for c in asked.reply.custom_ids if c.startswith("kindred:mydata:erase:")]
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text

    assert kit.discord.messages[story.message_id]["content"] == STORY_REMOVED
    assert kit.discord.messages[story.message_id]["embeds"] == []
    thread = kit.discord.channels[story.thread_id]
    assert thread["thread_metadata"]["locked"] is True and "Knocking" not in thread["name"]
    deletes = [r for r in out.requests if r.method == "DELETE"]
    assert len(deletes) == 1  # alice's victory card; bob's stays
    assert (await kit.store.victories.export_member(kit.guild.id, bob.id))["victories"]
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0
    export = await alice.slash("mydata export")
    assert "keeps nothing about you" in export.replies[-1].text
