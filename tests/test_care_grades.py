"""The crisis check's two grades through every path members type on: a strong signal gets
the resources card (once a day, then a line and a button), a held story and a quiet note to
moderators; a possible one only a gentle private line with a button: nothing held, no note.

The shipped model is swapped for a tiny one whose words are made up, so these tests say
what each grade does, whatever the trained model learns next: `POSSIBLE` is a text only
the model finds middling, `STRONG` one a rule finds.
"""

from __future__ import annotations

import re

import pytest

from bot import safety
from bot.care import AGAIN_LINE, AUTOMATIC, EMERGENCY_LINE, POSSIBLE_LINE
from bot.safety import Grade, model
from tests.test_care_flows import posts_in, setup_server, write_story

STRONG = "honestly I want to kill myself tonight"  # a rule's clear case
POSSIBLE = "I got through the day but I feel zzdrifting"
CALM = "I went for a walk today and it helped"
NO_PINGS = {"parse": []}
BUTTON = "kindred:care:resources"


@pytest.fixture(autouse=True)
def tiny_model(monkeypatch):
    made_up = model.Model(bias=-10.0, weights={"w:zzdrifting": 200.0}, possible=0.0, strong=50.0)
    monkeypatch.setattr(model, "shipped", lambda: made_up)
    assert safety.assess(POSSIBLE).grade is Grade.POSSIBLE
    assert safety.assess(STRONG).grade is Grade.STRONG
    assert safety.assess(CALM).grade is Grade.NONE


def card(outcome):
    found = [r for r in outcome.replies if "You don't have to carry this alone" in r.text]
    return found[0] if found else None


def gentle(outcome, line=POSSIBLE_LINE):
    found = [r for r in outcome.replies if r.content == line]
    return found[0] if found else None


def care_notes(outcome, kit) -> list:
    return [p for p in posts_in(outcome, kit, "mods") if "A member may need care" in p.text]


def assert_gentle(outcome, line=POSSIBLE_LINE):
    reply = gentle(outcome, line)
    assert reply is not None, [r.text for r in outcome.replies]
    assert reply.ephemeral and BUTTON in reply.custom_ids
    assert reply.allowed_mentions in (None, NO_PINGS)
    assert card(outcome) is None


async def victory(kit, member_id: int) -> tuple:
    [row] = await kit.store.fetchall(
        "SELECT public, message_id FROM victories WHERE member_id = ?", (member_id,)
    )
    return tuple(row)


# ----- the card itself ---------------------------------------------------------------------------
async def test_the_card_leads_with_the_emergency_line_and_says_it_is_automatic(kit):
    await setup_server(kit)
    out = await kit.member("alice").slash("celebrate", victory=STRONG, visibility="just me")
    shown = card(out)
    assert shown.ephemeral
    [embed] = shown.embeds
    assert embed["description"].split("\n\n", 1)[1].startswith(EMERGENCY_LINE)
    assert embed["footer"]["text"] == AUTOMATIC and "not a counsellor" in AUTOMATIC


async def test_the_button_shows_the_resources_to_whoever_presses_it_every_time(kit):
    await setup_server(kit)
    await kit.moderator("mo").slash(
        "care resources add", name="Lifeline", contact="Call 13 11 14", region="Australia"
    )
    bob = kit.member("bob")
    assert_gentle(await bob.slash("celebrate", victory=POSSIBLE, visibility="just me"))
    for _ in range(2):
        out = await bob.click(BUTTON)
        assert out.reply.ephemeral and "Call 13 11 14" in out.reply.text
        assert EMERGENCY_LINE in out.reply.text


# ----- /celebrate ------------------------------------------------------------------------------
async def test_a_public_victory_with_strong_words_is_kept_private_with_a_button(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory=STRONG)
    assert posts_in(out, kit, "wins") == []  # no Cheer card
    assert out.reply.ephemeral and "kept victory #1 in your private history" in out.reply.text
    assert "kindred:victories:publish:1" in out.reply.custom_ids
    assert await victory(kit, alice.id) == (0, None)
    assert card(out).ephemeral
    [note] = care_notes(out, kit)
    assert "kept private for now" in note.text and STRONG not in note.text
    assert note.allowed_mentions == NO_PINGS


async def test_only_its_author_can_share_a_kept_victory_publicly(kit):
    await setup_server(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory=STRONG)
    kept = kit.discord.message_with("kindred:victories:publish:1")
    refused = await bob.click("kindred:victories:publish:1", message=kept)
    assert refused.reply.ephemeral and "Only the person who celebrated" in refused.reply.text
    assert refused.posts == [] and await victory(kit, alice.id) == (0, None)

    shared = await alice.click("kindred:victories:publish:1", message=kept)
    [posted] = posts_in(shared, kit, "wins")
    assert posted.custom_ids == ["kindred:cheer:1"] and posted.allowed_mentions == NO_PINGS
    assert shared.reply.callback_type == 7 and "on its way" in shared.reply.text  # edited
    assert (await victory(kit, alice.id))[0] == 1
    again = await alice.click("kindred:victories:publish:1", message=kept)
    assert "already shared" in again.reply.text and again.posts == []


async def test_a_kept_victory_is_not_counted_in_the_digest_until_public(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    await alice.slash("celebrate", victory=STRONG, value="hope")
    tally = await kit.store.fetchall("SELECT COUNT(*) FROM victories WHERE public = 1")
    assert tally[0][0] == 0


async def test_a_public_victory_with_possible_words_is_posted_with_a_gentle_line(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory=POSSIBLE)
    [posted] = posts_in(out, kit, "wins")
    assert posted.embeds[0]["description"] == POSSIBLE
    assert_gentle(out)
    assert care_notes(out, kit) == []


async def test_a_second_strong_message_in_a_day_still_gets_a_line_and_the_button(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    first = await alice.slash("celebrate", victory=STRONG, visibility="just me")
    assert card(first)
    second = await alice.slash("celebrate", victory=STRONG, visibility="just me")
    assert_gentle(second, AGAIN_LINE)
    assert len(care_notes(second, kit)) == 1  # moderators still hear of it


async def test_a_removed_victory_never_quotes_heavy_words_back(kit):
    await setup_server(kit)
    alice, mo = kit.member("alice"), kit.moderator("mo")
    await alice.slash("celebrate", victory="I made my bed")
    await alice.slash("celebrate", victory=POSSIBLE)  # posted: only a possible signal
    out = await mo.slash("celebrations remove", victory_id=2)
    [dm] = [p for p in out.posts if p.embeds and p.embeds[0]["title"] == "Your victory was removed"]
    assert "zzdrifting" not in dm.text and "#2" in dm.text
    out = await mo.slash("celebrations remove", victory_id=1)
    [dm] = [p for p in out.posts if p.embeds and p.embeds[0]["title"] == "Your victory was removed"]
    assert "I made my bed" in dm.text  # ordinary words are quoted, as before


# ----- /suggest --------------------------------------------------------------------------------
async def test_suggest_strong_tells_moderators_possible_only_the_member(kit):
    await setup_server(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    strong = await alice.slash("suggest", text=STRONG, value="hope")
    assert card(strong).ephemeral and len(care_notes(strong, kit)) == 1
    possible = await bob.slash("suggest", text=POSSIBLE, value="hope")
    assert_gentle(possible)
    assert care_notes(possible, kit) == []


# ----- /share ----------------------------------------------------------------------------------
async def test_a_story_with_possible_words_is_not_held(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    sid, out = await write_story(alice, story=POSSIBLE, post_as="named")
    assert_gentle(out)
    story = await kit.store.stories.get(kit.guild.id, sid)
    assert not story.held_for_care
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    posted = await alice.click(f"kindred:story:post:{sid}")
    assert posts_in(posted, kit, "stories") and care_notes(posted, kit) == []


async def test_a_story_with_strong_words_is_held_and_moderators_told(kit):
    await setup_server(kit)
    alice = kit.member("alice")
    sid, out = await write_story(alice, story=STRONG, post_as="named")
    assert card(out).ephemeral
    story = await kit.store.stories.get(kit.guild.id, sid)
    assert story.held_for_care
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    posted = await alice.click(f"kindred:story:post:{sid}")
    assert posts_in(posted, kit, "stories") == []
    [note] = care_notes(posted, kit)
    assert note.allowed_mentions == NO_PINGS and STRONG not in note.text


async def _anonymous_thread(kit, alice):
    sid, _ = await write_story(alice)
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    await alice.click(f"kindred:story:post:{sid}")
    return sid


async def _reply_as_author(alice, sid: int, text: str):
    opened = await alice.click(f"kindred:story:reply:{sid}")
    assert opened.modal is not None, opened.requests
    return await alice.submit_modal(reply=text)


@pytest.mark.parametrize("words, grade", [(STRONG, "strong"), (POSSIBLE, "possible")])
async def test_an_anonymous_reply_by_grade(kit, words, grade):
    await setup_server(kit)
    alice = kit.member("alice")
    sid = await _anonymous_thread(kit, alice)
    out = await _reply_as_author(alice, sid, words)
    assert any("Original poster" in r.text for r in out.replies)
    notes = care_notes(out, kit)
    if grade == "strong":
        assert card(out).ephemeral and len(notes) == 1
        assert str(alice.id) not in notes[0].text and words not in notes[0].text
        assert any(
            re.match(r"kindred:care:reveal:\d+", c) for r in out.replies for c in r.custom_ids
        )
    else:
        assert_gentle(out)
        assert notes == []
