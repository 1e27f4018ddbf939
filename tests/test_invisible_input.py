"""Text made only of invisible characters is refused kindly on every path, and nothing is kept.

Zero-width spaces, joiners, direction marks, the Braille blank and the Hangul filler all pass
Discord's "required" check and would post a blank card; every field members or moderators
type into treats them as empty.
"""

from __future__ import annotations

import pytest

from bot.visible import shown, shown_line
from tests.test_share import STORY, share, story, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

BLANKS = [
    "\u200b",
    "\u200b\u200c\u200d\u2060",
    " \u200e\u200f \ufeff ",
    "\u2800\u2800\u2800",
    "\u3164",
    "\u115f\u1160",
    "\u00ad\u034f\ufe0f",
    "\u202e\u2066\u2069",
]


async def count(kit, table: str) -> int:
    return (await kit.store.fetchone(f"SELECT count(*) FROM {table}"))[0]


def test_blank_means_nothing_visible_and_anything_visible_is_kept_as_typed():
    for blank in BLANKS:
        assert shown(blank) == "" and shown_line(blank) == ""
    assert shown("  \u200bhi\u200b ") == "\u200bhi\u200b"
    assert shown("🌱") == "🌱" and shown("ا") == "ا" and shown("e\u0301") == "e\u0301"
    assert shown_line(" a \n\n b ") == "a b"


@pytest.mark.parametrize("blank", BLANKS)
async def test_a_blank_victory_is_refused_and_nothing_is_posted(kit, blank):
    out = await kit.member("alice").slash("celebrate", victory=blank)
    assert out.reply.ephemeral and "needs a few words" in out.reply.text
    assert "Nothing was saved" in out.reply.text
    assert out.posts == [] and await count(kit, "victories") == 0


@pytest.mark.parametrize("blank", BLANKS[:4])
async def test_a_blank_suggestion_or_prompt_is_refused(kit, blank):
    kit.add_channel("mods")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    out = await kit.member("alice").slash("suggest", text=blank, value="hope")
    assert out.replies[-1].ephemeral and "empty" in out.replies[-1].text
    out = await mo.slash("prompts add", text=blank, value="hope")
    assert out.replies[-1].ephemeral and "empty" in out.replies[-1].text
    assert out.posts == []
    assert await count(kit, "prompt_suggestions") == 0 and await count(kit, "guild_prompts") == 0


async def test_a_blank_story_title_or_body_cannot_be_posted(kit, mo):
    alice = kit.member("alice")
    out = await write(alice, story="\u200b" * 40)
    assert out.replies[-1].ephemeral and "at least 20 characters" in out.replies[-1].text
    out = await write(kit.member("bob"), title="\u2800\u200b")
    assert "give your story a title" in out.replies[-1].text
    assert [r for r in out.posts if "/threads" in r.path] == []


async def test_a_blank_reply_as_author_or_decline_note_is_refused(kit, mo):
    alice = kit.member("alice")
    sid, _ = await share(alice)
    await alice.click(f"kindred:story:reply:{sid}")
    out = await alice.submit_modal(reply="\u200b\u200d\u3164")
    assert out.reply.ephemeral and out.posts == []
    assert await count(kit, "story_replies") == 0

    await mo.slash("stories review", mode="on")
    second, _ = await share(kit.member("bob"), story=STORY + " Again.")
    await mo.click(f"kindred:story:decline:{second}")
    out = await mo.submit_modal(reason="\u200b \u2060")
    assert out.reply.ephemeral and "short note for the author" in out.reply.text
    assert (await story(kit, second)).decline_reason is None


async def test_a_blank_crisis_resource_is_refused(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("care resources add", name="\u200b", contact="13 11 14")
    assert out.reply.ephemeral and "can't be empty" in out.reply.text
    out = await mo.slash("care resources add", name="Lifeline", contact="\u2800")
    assert out.reply.ephemeral and "can't be empty" in out.reply.text
    assert await count(kit, "care_resources") == 0
