"""Forged custom ids: a button's id is typed by whoever sends the interaction.

Discord delivers whatever custom id a client claims was pressed, on whatever message it
names. Each button therefore re-checks on our side who may press it and whether what it
names exists. Here people press buttons that are not theirs, that name something gone or
never made, or that carry garbage; every press must be refused with one kind, private
sentence, post or edit nothing, and leave the database exactly as it was.

Cheering is the one button meant for others: cheering someone else's victory is fine.
"""

from __future__ import annotations

import copy
import re

import pytest

from bot.errors import NOT_MODERATOR
from bot.store.stories import PENDING, PUBLISHED
from bot.ui import UNKNOWN_BUTTON
from tests.kit import Kit, Outcome
from tests.test_hostile_fuzz import assert_pings_nobody, assert_within_discord_limits, error_logs
from tests.test_share import CRISIS, STORY, share, story_id, write

__all__ = ["error_logs"]  # the fixture, shared with the fuzz

CHEER = "kindred:cheer:{}"
GONE_VICTORY = "That victory has been removed"
GONE_STORY = "That story isn't waiting for you any more"
HUGE = "99999999999999999999999"  # more than SQLite's 64-bit integers hold


# ----- helpers ----------------------------------------------------------------------------------
async def snapshot(kit: Kit) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a press."""
    found = {}
    for table in await kit.store.tables():
        found[table] = sorted(
            (tuple(row) for row in await kit.store.fetchall(f"SELECT * FROM {table}")), key=repr
        )
    return found


def forged(message: dict, old: str, new: str) -> dict:
    """A copy of a real message whose component `old` now claims the custom id `new`."""
    copied = copy.deepcopy(message)

    def rewrite(components: list[dict]) -> None:
        for component in components:
            if component.get("custom_id") == old:
                component["custom_id"] = new
            rewrite(component.get("components", []))
            for key in ("component", "accessory"):
                if key in component:
                    rewrite([component[key]])

    rewrite(copied["components"])
    assert new in str(copied["components"]), f"{old} is not on that message"
    return copied


def button_message(kit: Kit, custom_id: str, *, select: bool = False) -> dict:
    """A bot message in #general carrying one button (or menu) with any custom id."""
    if select:
        component = {
            "type": 3,
            "custom_id": custom_id,
            "options": [{"label": "Hope", "value": "hope"}],
        }
    else:
        component = {"type": 2, "style": 2, "label": "Press", "custom_id": custom_id}
    body = {"content": "", "components": [{"type": 1, "components": [component]}]}
    return kit.discord.new_message(kit.channel("general").id, body)


def assert_refused(out: Outcome, errors: list, *words: str) -> None:
    """One kind, private answer holding `words`; nothing posted, edited or deleted; no crash."""
    for request in out.requests:
        assert_within_discord_limits(request)
        assert_pings_nobody(request)
    assert not errors, [record.getMessage() for record in errors]
    assert out.replies, (
        f"no answer at all (Discord would say the interaction failed): {out.requests}"
    )
    for reply in out.replies:
        assert reply.ephemeral, reply
        assert "went wrong on our side" not in reply.text, reply
    for word in words:
        assert word in out.reply.text, (word, out.reply.text)
    assert out.modal is None, out.modal
    assert [r.callback_type for r in out.callbacks if r.callback_type in (6, 7)] == []
    assert [r for r in out.requests if r.route.startswith("/channels/")] == [], out.requests


@pytest.fixture
async def mo(kit):
    kit.add_channel("mods")
    kit.add_channel("stories")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("stories channel", channel="stories")
    return mo


# ----- cheers -----------------------------------------------------------------------------------
async def test_cheering_someone_elses_victory_is_welcome(kit, error_logs):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="I went for a walk")
    out = await bob.click(CHEER.format(1))
    assert out.replies == [] and [r.callback_type for r in out.callbacks] == [6]
    assert [tuple(r) for r in await kit.store.fetchall("SELECT * FROM cheers")] == [
        (1, bob.id, int(kit.clock.now.timestamp()))
    ]
    assert not error_logs


@pytest.mark.parametrize(
    ("custom_id", "words"),
    [
        (CHEER.format(424242), GONE_VICTORY),  # never existed
        (CHEER.format(2), GONE_VICTORY),  # removed by its author
        ("kindred:cheer:abc", UNKNOWN_BUTTON),
        ("kindred:cheer:-1", UNKNOWN_BUTTON),
        ("kindred:cheer:", UNKNOWN_BUTTON),
        ("kindred:cheer:1:2", UNKNOWN_BUTTON),
        (f"kindred:cheer:{HUGE}", UNKNOWN_BUTTON),
    ],
)
async def test_forged_cheers_are_refused_and_change_nothing(kit, error_logs, custom_id, words):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="I went for a walk")
    await alice.slash("celebrate", victory="I called my sister")
    card = kit.discord.message_with(CHEER.format(1))
    await alice.slash("victories")
    await alice.click("kindred:victories:remove:2:0:1")
    await alice.click("kindred:victories:confirm:2:0:1")
    assert await kit.store.victories.get(2) is None
    before = await snapshot(kit)
    error_logs.clear()
    out = await bob.click(custom_id, message=forged(card, CHEER.format(1), custom_id))
    assert_refused(out, error_logs, words)
    assert await snapshot(kit) == before


# ----- victories: only your own can be removed -----------------------------------------------------
@pytest.mark.parametrize("action", ["remove", "confirm"])
async def test_another_members_remove_buttons_are_refused(kit, error_logs, action):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="I went for a walk", visibility="just me")
    page = (await alice.slash("victories")).reply
    assert "kindred:victories:remove:1:0:1" in page.custom_ids
    message = kit.discord.message_with("kindred:victories:remove:1:0:1")
    custom_id = f"kindred:victories:{action}:1:0:1"
    before = await snapshot(kit)
    out = await bob.click(
        custom_id, message=forged(message, "kindred:victories:remove:1:0:1", custom_id)
    )
    assert_refused(out, error_logs, "only remove your own victories", "Nothing was changed")
    assert await snapshot(kit) == before


# ----- stories: only their author may act on them ---------------------------------------------------
async def alices_stories(kit: Kit, mo) -> tuple[object, int, int]:
    """Alice has a shared story (named) and a draft; (alice, shared id, draft id)."""
    alice = kit.member("alice")
    shared, _ = await share(alice, post_as="named")
    assert (await kit.store.stories.get(kit.guild.id, shared)).status == PUBLISHED
    kit.clock.advance(minutes=11)  # past the ten-minute pause between stories
    draft = story_id(await write(alice, title="Still writing"))
    return alice, shared, draft


@pytest.mark.parametrize(
    ("action", "which"),
    [
        ("delete", "shared"),
        ("confirm-delete", "shared"),
        ("lock", "shared"),
        ("delete", "draft"),
        ("confirm-delete", "draft"),
        ("edit", "draft"),
        ("post", "draft"),
        ("discard", "draft"),
    ],
)
async def test_another_members_story_buttons_are_refused(kit, mo, error_logs, action, which):
    alice, shared, draft = await alices_stories(kit, mo)
    bob = kit.member("bob")
    target = shared if which == "shared" else draft
    page = (await alice.slash("mystories")).reply  # her own page, with her Delete button
    real = next(c for c in page.custom_ids if c.startswith("kindred:story:delete:"))
    custom_id = f"kindred:story:{action}:{target}"
    message = forged(kit.discord.message_with(real), real, custom_id)
    before = await snapshot(kit)
    out = await bob.click(custom_id, message=message)
    assert_refused(out, error_logs, GONE_STORY)
    assert await snapshot(kit) == before


async def test_another_members_value_menu_is_refused(kit, mo, error_logs):
    alice, _, draft = await alices_stories(kit, mo)
    bob = kit.member("bob")
    preview = kit.discord.message_with(f"kindred:story:value:{draft}")
    before = await snapshot(kit)
    out = await bob.select(f"kindred:story:value:{draft}", ["courage"], message=preview)
    assert_refused(out, error_logs, GONE_STORY)
    assert await snapshot(kit) == before


async def test_a_forged_edit_of_another_members_draft_never_touches_it(kit, mo, error_logs):
    alice, _, draft = await alices_stories(kit, mo)
    bob = kit.member("bob")
    theirs = await kit.store.stories.get(kit.guild.id, draft)
    modal = copy.deepcopy((await bob.slash("share")).modal)
    modal["custom_id"] = f"kindred:story:compose:{draft}"
    out = await bob.submit_modal(modal, story=STORY + " Not hers.", title="Mine", consent=True)
    assert out.reply.ephemeral and not error_logs
    assert await kit.store.stories.get(kit.guild.id, draft) == theirs
    assert await kit.store.stories.author_of(draft) == alice.id
    mine = story_id(out)  # the words became Bob's own new draft
    assert mine != draft and await kit.store.stories.author_of(mine) == bob.id


async def test_reply_as_author_pressed_by_anyone_else_does_nothing(kit, mo, error_logs):
    """Reply-as-author is on the public thread: anyone else's press gets the same kind private
    sentence (as tests/test_share_threads.py asks), and a forged reply form posts nothing."""
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice, post_as="anonymous")
    before = await snapshot(kit)
    for person in (bob, mo):
        out = await person.click(f"kindred:story:reply:{sid}")
        assert out.modal is None and out.reply.ephemeral
        assert "for the person who shared the story" in out.reply.text
        assert [r for r in out.requests if r.route.startswith("/channels/")] == []
    form = {
        "custom_id": f"kindred:story:reply-send:{sid}",
        "title": "Reply as the original poster",
        "components": [
            {
                "type": 18,
                "label": "Your reply",
                "component": {"type": 4, "custom_id": "reply", "style": 2},
            }
        ],
    }
    out = await bob.submit_modal(form, reply="pretending to be the author")
    assert [r for r in out.requests if r.route.startswith("/channels/")] == []
    assert await snapshot(kit) == before and not error_logs


async def test_only_the_anonymous_author_can_reveal_themselves(kit, mo, error_logs):
    alice, bob = kit.member("alice"), kit.member("bob")
    _, out = await share(alice, story=CRISIS, post_as="anonymous")
    reveal = next(
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    )
    message = kit.discord.message_with(reveal)
    before = await snapshot(kit)
    for person in (bob, mo):
        out = await person.click(reveal, message=message)
        assert_refused(out, error_logs, "Only the person who wrote this", "Nothing was shared")
    assert await snapshot(kit) == before


# ----- moderator buttons pressed by members -------------------------------------------------------
async def test_members_cannot_decide_suggestions(kit, mo, error_logs):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("suggest", text="What helped you today?", value="hope")
    before = await snapshot(kit)
    for person in (alice, bob):  # not even on their own suggestion
        for action in ("approve", "reject"):
            out = await person.click(f"kindred:suggest:{action}:1")
            assert_refused(out, error_logs, NOT_MODERATOR)
    await mo.click("kindred:suggest:reject:1")  # a moderator's form is open...
    out = await bob.submit_modal(mo.last_modal, reason="forged by a member")  # ...and forged
    assert_refused(out, error_logs, NOT_MODERATOR)
    assert await snapshot(kit) == before
    assert (await kit.store.prompts.get_suggestion(1)).state == "pending"


async def test_members_cannot_approve_or_decline_stories(kit, mo, error_logs):
    await mo.slash("stories review", mode="on")
    alice, bob = kit.member("alice"), kit.member("bob")
    sid, _ = await share(alice)
    assert (await kit.store.stories.get(kit.guild.id, sid)).status == PENDING
    before = await snapshot(kit)
    for person in (alice, bob):
        for action in ("approve", "decline"):
            out = await person.click(f"kindred:story:{action}:{sid}")
            assert_refused(out, error_logs, NOT_MODERATOR)
    await mo.click(f"kindred:story:decline:{sid}")
    out = await bob.submit_modal(mo.last_modal, reason="forged by a member")
    assert_refused(out, error_logs, NOT_MODERATOR)
    assert await snapshot(kit) == before
    story = await kit.store.stories.get(kit.guild.id, sid)
    assert (story.status, story.decline_reason) == (PENDING, None)


# ----- garbage on every kind of button ----------------------------------------------------------------
BUTTONS = [
    "kindred:cheer:{}",
    "kindred:victories:remove:{}:0:1",
    "kindred:victories:confirm:1:{}:1",
    "kindred:victories:keep:1:0:{}",
    "kindred:victories:page:{}:b1:2",
    "kindred:story:delete:{}",
    "kindred:story:lock:{}",
    "kindred:story:edit:{}",
    "kindred:story:approve:{}",
    "kindred:story:decline:{}",
    "kindred:story:reply:{}",
    "kindred:suggest:approve:{}",
    "kindred:suggest:reject:{}",
    "kindred:care:reveal:{}",
    "kindred:story:value:{}",
    "kindred:mydata:erase:{}:1",
    "kindred:mydata:keep:{}",
    "kindred:victories:publish:{}",
]
# Buttons whose id carries nothing to forge: anyone may press them (the resources button).
FIXED_BUTTONS = ["kindred:care:resources"]


GARBAGE = ["abc", "-1", "", " 1", "1.5", "١٢", HUGE]  # the Arabic-Indic "12" is \d to re


@pytest.mark.parametrize("template", BUTTONS)
async def test_garbage_in_any_custom_id_is_refused_kindly(kit, mo, error_logs, template):
    """Pressed by a moderator, so that no permission check hides how the id is handled."""
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="I went for a walk")
    await alice.slash("suggest", text="What helped you today?", value="hope")
    await share(alice)
    select = template.startswith("kindred:story:value:")
    for garbage in GARBAGE:
        custom_id = template.format(garbage)
        message = button_message(kit, custom_id, select=select)
        before = await snapshot(kit)
        error_logs.clear()
        if select:
            out = await mo.select(custom_id, ["hope"], message=message)
        else:
            out = await mo.click(custom_id, message=message)
        assert_refused(out, error_logs, UNKNOWN_BUTTON)
        assert await snapshot(kit) == before, custom_id


async def test_a_forged_form_with_an_impossible_story_id_is_refused(kit, mo, error_logs):
    alice = kit.member("alice")
    modal = copy.deepcopy((await alice.slash("share")).modal)
    modal["custom_id"] = f"kindred:story:compose:{HUGE}"
    before = await snapshot(kit)
    out = await alice.submit_modal(modal, story=STORY, title="Forged", consent=True)
    assert_refused(out, error_logs, UNKNOWN_BUTTON)
    assert await snapshot(kit) == before


def test_every_button_template_is_covered_here(kit):
    """A new kind of button joins BUTTONS, so that garbage in its id is tried too."""
    templates = {
        kind.__name__: kind.__discord_ui_compiled_template__.pattern
        for kind in kit.bot._button_kinds
    }
    probes = [t.format("7") for t in BUTTONS] + FIXED_BUTTONS
    for name, pattern in templates.items():
        assert any(re.fullmatch(pattern, probe) for probe in probes), (name, pattern)
