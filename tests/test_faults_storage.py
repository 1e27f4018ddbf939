"""When the disk is full or the database read-only, members hear it kindly and nothing half-saves.

Each flow below is first run on a healthy disk to count the writes it makes. Then, for
every one of those writes, a fresh server runs the flow with the disk failing from that
write on: the member is told "Kindred can't save right now; nothing was changed", the log
has the traceback, no row differs from before, nothing stays on Discord that the database
does not know about, and `PRAGMA integrity_check` is ok. When the disk is healthy again,
doing the same thing once more works, exactly once.

A fault after a flow's point of no return (the victory was saved and the member told so,
the post is up) may leave what was done, never half of it: the flow's `partial` says what
may stay, and what the member must have been told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.errors import CANT_SAVE
from tests.kit import FakeClock, Kit
from tests.kit.disk import everything, failing_disk
from tests.test_prompts_support import tick

WIN = "I went for a walk today"
STORY = "The first winter after my diagnosis I stopped going out. A neighbour kept knocking."


@dataclass
class Flow:
    """set_up (healthy) -> context; act(kit, context) is what fails; landed checks the retry.

    `partial` judges a fault after the flow's point of no return, when something was
    already saved or posted: it asserts what the member was told matches what is kept,
    and returns whether doing it again is still expected to land. Without one, any change
    is a defect."""

    set_up: Callable[[Kit], Awaitable[Any]]
    act: Callable[[Kit, Any], Awaitable[Any]]
    landed: Callable[[Kit, Any], Awaitable[None]]
    partial: Callable[[Kit, Any, Any], Awaitable[bool]] | None = None
    answers: bool = True  # False: a background job, which only logs


async def rows(kit: Kit, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in await kit.store.fetchall(sql, params)]


def messages_in(kit: Kit, name: str) -> list[dict]:
    channel_id = kit.channels[name]["id"]
    return [m for m in kit.discord.messages.values() if m["channel_id"] == channel_id]


async def with_channels(kit: Kit, *, forum: bool = False):
    for name in ("mods", "wins"):
        kit.add_channel(name)
    kit.add_channel("stories", kind=15 if forum else 0)
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("celebrations channel", channel="wins")
    await mo.slash("stories channel", channel="stories")
    return mo, kit.member("alice"), kit.member("bob")


# ----- the flows --------------------------------------------------------------------------------
async def celebrate(kit, people):
    return await people[1].slash("celebrate", victory=WIN, visibility="public")


async def celebrated_once(kit, people):
    assert await rows(kit, "SELECT text FROM victories") == [(WIN,)]
    [(victory_id, message_id)] = await rows(kit, "SELECT victory_id, message_id FROM victories")
    [card] = messages_in(kit, "wins")
    assert int(card["id"]) == message_id and f"kindred:cheer:{victory_id}" in str(card)


async def card_came_down(kit, people, outcome) -> bool:
    """The card's id couldn't be saved: the card came down, the victory stayed in history."""
    assert await rows(kit, "SELECT text, message_id FROM victories") == [(WIN, None)]
    assert messages_in(kit, "wins") == []
    told = outcome.replies[-1]
    assert told.ephemeral and "can't save right now" in told.text
    assert "kept in your history" in told.text
    return False  # it is saved: doing it again would be a second victory


async def done_once(kit, first, sql: str):
    """The server set up and `first` done: (people, the id of the one row it made)."""
    people = await with_channels(kit)
    await first(kit, people)
    [(row_id,)] = await rows(kit, sql)
    return people, row_id


async def a_public_victory(kit):
    return await done_once(kit, celebrate, "SELECT victory_id FROM victories")


async def cheer(kit, context):
    (_, _, bob), victory_id = context
    return await bob.click(f"kindred:cheer:{victory_id}")


async def cheered_once(kit, context):
    (_, _, bob), victory_id = context
    assert await rows(kit, "SELECT victory_id, member_id FROM cheers") == [(victory_id, bob.id)]


async def draft_story(kit, people):
    alice = people[1]
    await alice.slash("share")
    return await alice.submit_modal(story=STORY, title="Knocking", consent=True)


async def drafted_once(kit, people):
    assert await rows(kit, "SELECT title, body FROM stories") == [("Knocking", STORY)]


async def story_to_post(kit, *, forum: bool = False, review: bool = False):
    people = await with_channels(kit, forum=forum)
    if review:
        await people[0].slash("stories review", mode="on")
    await draft_story(kit, people)
    [(story_id,)] = await rows(kit, "SELECT story_id FROM stories")
    await people[1].select(f"kindred:story:value:{story_id}", ["hope"])
    return people, story_id


async def story_to_post_in_a_forum(kit):
    return await story_to_post(kit, forum=True)


async def story_to_review(kit):
    return await story_to_post(kit, review=True)


async def post_story(kit, context):
    (_, alice, _), story_id = context
    return await alice.click(f"kindred:story:post:{story_id}")


def story_posts(kit: Kit) -> list[dict]:
    """The published story's post, wherever it is (a forum post is its own channel)."""
    return [
        m
        for m in kit.discord.messages.values()
        if any((e.get("footer") or {}).get("text") == "Story #1" for e in m["embeds"])
        and m["channel_id"] != kit.channels["mods"]["id"]
        and not int(m.get("flags") or 0) & 64  # the author's private preview
    ]


def review_cards(kit: Kit) -> list[dict]:
    return [m for m in messages_in(kit, "mods") if "kindred:story:approve:" in str(m)]


async def post_came_down(kit, context, outcome) -> bool:
    """Posted, but not recorded: the post came down; the claim stays until it is stale."""
    assert story_posts(kit) == [] and review_cards(kit) == []
    assert await rows(kit, "SELECT status, review_message_id FROM stories") in (
        [("publishing", None)], [("pending", None)]
    )  # fmt: skip
    assert outcome.replies[-1].text == CANT_SAVE
    early = await post_story(kit, context)
    assert "still on its way" in early.reply.text and early.reply.ephemeral
    kit.clock.advance(minutes=16)  # then the author's Post works again
    return True


async def posted_once(kit, context):
    [(status, message_id, thread_id)] = await rows(
        kit, "SELECT status, message_id, thread_id FROM stories"
    )
    assert status == "published"
    [post] = story_posts(kit)
    assert int(post["id"]) == message_id and thread_id in kit.discord.channels
    assert review_cards(kit) == []


async def reviewed_once(kit, context):
    [(status, card_id)] = await rows(kit, "SELECT status, review_message_id FROM stories")
    [card] = review_cards(kit)
    assert status == "pending" and int(card["id"]) == card_id
    assert story_posts(kit) == []


async def suggest(kit, people):
    return await people[1].slash("suggest", text="What gave you hope this week?", value="hope")


async def suggested_once(kit, people):
    """The newest suggestion has its card; no card stands for a suggestion not kept."""
    shown = await rows(
        kit, "SELECT suggestion_id, text FROM prompt_suggestions WHERE review_message_id NOT NULL"
    )
    assert [text for _, text in shown] == ["What gave you hope this week?"]
    cards = [m for m in messages_in(kit, "mods") if "kindred:suggest:approve:" in str(m)]
    assert len(cards) == 1 and f"kindred:suggest:approve:{shown[0][0]}" in str(cards[0])


async def card_never_shown(kit, people, outcome) -> bool:
    """The card's id couldn't be saved (nor the suggestion withdrawn): the card came down,
    the member heard nothing was sent, and the row no moderator can see waits harmlessly."""
    assert [m for m in messages_in(kit, "mods") if "kindred:suggest:" in str(m)] == []
    assert await rows(kit, "SELECT state, review_message_id FROM prompt_suggestions") == [
        ("pending", None)
    ]
    assert outcome.replies[-1].text == CANT_SAVE
    return True


async def suggestion_to_approve(kit):
    return await done_once(kit, suggest, "SELECT suggestion_id FROM prompt_suggestions")


async def approve(kit, context):
    (mo, _, _), suggestion_id = context
    return await mo.click(f"kindred:suggest:approve:{suggestion_id}")


async def approved_but_news_unmarked(kit, context, outcome) -> bool:
    """Approved and told; only "the member has heard" couldn't be saved (they may hear twice)."""
    await approved_once(kit, context)
    assert "Approved and added" in outcome.replies[-1].text
    return False


async def approved_once(kit, context):
    assert await rows(kit, "SELECT state FROM prompt_suggestions") == [("approved",)]
    assert await rows(kit, "SELECT text FROM guild_prompts") == [("What gave you hope this week?",)]


async def add_prompt(kit, people):
    return await people[0].slash("prompts add", text="Who showed you kindness?", value="empathy")


async def prompt_added_once(kit, people):
    assert await rows(kit, "SELECT text FROM guild_prompts") == [("Who showed you kindness?",)]


async def add_resource(kit, people):
    return await people[0].slash("care resources add", name="Samaritans", contact="116 123")


async def resource_added_once(kit, people):
    assert await rows(kit, "SELECT name, contact FROM care_resources") == [
        ("Samaritans", "116 123")
    ]


async def set_zone(kit, people):
    return await people[0].slash("settings timezone", zone="Europe/Berlin")


async def zone_set(kit, people):
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Europe/Berlin"


async def remove_victory(kit, context):
    (mo, _, _), victory_id = context
    return await mo.slash("celebrations remove", victory_id=victory_id, reason="Off topic")


async def removed_once(kit, context):
    assert await rows(kit, "SELECT victory_id FROM victories") == []
    assert messages_in(kit, "wins") == []


async def data_to_erase(kit):
    people = await with_channels(kit)
    await celebrate(kit, people)
    await draft_story(kit, people)
    asked = await people[1].slash("mydata erase")
    [erase] = [c for c in asked.reply.custom_ids if c.startswith("kindred:mydata:erase:")]
    return people, erase


async def erase(kit, context):
    (_, alice, _), custom_id = context
    return await alice.click(custom_id)


async def erased_with_cleanup_unmarked(kit, context, outcome) -> bool:
    """Erased and told; only "cleanup done" couldn't be saved: the janitor finishes it."""
    await erased(kit, context)
    assert "erased everything" in outcome.replies[-1].text
    await kit.bot.get_cog("Care").cleanup_tick()
    assert await kit.store.care.pending_cleanup(kit.guild.id) == 0
    return False


async def erased(kit, context):
    (_, alice, _), _ = context
    assert await rows(kit, "SELECT 1 FROM victories WHERE member_id = ?", (alice.id,)) == []
    assert await rows(kit, "SELECT 1 FROM story_authors WHERE author_id = ?", (alice.id,)) == []
    assert messages_in(kit, "wins") == []


DAY = date(2026, 3, 2)


async def schedule_prompts(kit):
    mo = kit.moderator("mo")
    await mo.slash("prompts schedule", channel="general", time="19:30", timezone="Europe/Berlin")
    kit.clock.set(datetime(2026, 3, 2, 18, 30, tzinfo=UTC))


async def post_prompt(kit, _):
    return await tick(kit)


async def claimed(kit, _, outcome) -> bool:
    """A claimed day: the next tick finds the post or makes it, once (as after kill -9)."""
    return True


async def prompt_posted_once(kit, _):
    await tick(kit)
    marker = f"Daily prompt · {DAY.isoformat()}"
    posts = [m for m in kit.discord.messages.values() if marker in str(m["embeds"])]
    assert len(posts) == 1, f"{len(posts)} posts for one day"
    post = await kit.store.prompts.get_post(kit.guild.id, DAY)
    assert post.state == "sent" and post.message_id == int(posts[0]["id"])


FLOWS = {
    "celebrate": Flow(with_channels, celebrate, celebrated_once, card_came_down),
    "cheer": Flow(a_public_victory, cheer, cheered_once),
    "share-draft": Flow(with_channels, draft_story, drafted_once),
    "share-post": Flow(story_to_post, post_story, posted_once, post_came_down),
    "share-post-forum": Flow(story_to_post_in_a_forum, post_story, posted_once, post_came_down),
    "share-for-review": Flow(story_to_review, post_story, reviewed_once, post_came_down),
    "suggest": Flow(with_channels, suggest, suggested_once, card_never_shown),
    "approve-suggestion": Flow(
        suggestion_to_approve, approve, approved_once, approved_but_news_unmarked
    ),
    "prompts-add": Flow(with_channels, add_prompt, prompt_added_once),
    "care-resources-add": Flow(with_channels, add_resource, resource_added_once),
    "settings-timezone": Flow(with_channels, set_zone, zone_set),
    "celebrations-remove": Flow(a_public_victory, remove_victory, removed_once),
    "mydata-erase": Flow(data_to_erase, erase, erased, erased_with_cleanup_unmarked),
    "daily-prompt": Flow(schedule_prompts, post_prompt, prompt_posted_once, claimed, answers=False),
}


# ----- the proof ----------------------------------------------------------------------------------
async def fresh_kit(tmp_path, name: str) -> tuple[Kit, pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    folder = tmp_path / name
    folder.mkdir()
    return await Kit.start(folder, patch, clock=FakeClock()), patch


def discord_state(kit: Kit) -> list[tuple]:
    """What the server can see on Discord: every public message's id, content and embeds."""
    return sorted(
        (m["id"], m.get("content"), str(m.get("embeds")))
        for m in kit.discord.messages.values()
        if not int(m.get("flags") or 0) & 64
    )


async def writes_made(tmp_path, flow: Flow) -> int:
    kit, patch = await fresh_kit(tmp_path, "healthy")
    try:
        context = await flow.set_up(kit)
        with failing_disk(kit.store) as disk:
            await flow.act(kit, context)
        await flow.landed(kit, context)
        return disk.writes
    finally:
        await kit.close()
        patch.undo()


@pytest.mark.parametrize("error", ["full", "read-only"])
@pytest.mark.parametrize("name", list(FLOWS))
async def test_a_failing_disk_at_any_write_changes_nothing_and_the_retry_lands_once(
    tmp_path, caplog, name, error
):
    flow = FLOWS[name]
    writes = await writes_made(tmp_path, flow)
    assert writes > 0, f"{name} made no write: nothing to prove"
    problems = []
    for fail_from in range(1, writes + 1):
        kit, patch = await fresh_kit(tmp_path, f"fail-{fail_from}")
        try:
            problems += await fail_at(kit, caplog, flow, error, fail_from, f"{name} ({writes})")
        finally:
            await kit.close()
            patch.undo()
    assert not problems, "\n".join(problems)


async def fail_at(kit: Kit, caplog, flow: Flow, error: str, fail_from: int, name: str) -> list[str]:
    """Run the flow with the disk failing from write `fail_from`; what went wrong, if anything."""
    context = await flow.set_up(kit)
    rows_before, seen_before = await everything(kit.store), discord_state(kit)
    caplog.clear()
    with failing_disk(kit.store, error) as disk:
        disk.fail_from = fail_from
        outcome = await flow.act(kit, context)
    failed = disk.statements[fail_from - 1] if len(disk.statements) >= fail_from else "?"
    where = f"{name}, disk {error} from write {fail_from} ({failed})"
    problems = []
    if not any(r.exc_info for r in caplog.records if r.levelname == "ERROR"):
        problems.append(f"{where}: nothing logged")
    if await kit.store.integrity_check() != "ok":
        problems.append(f"{where}: integrity check failed")
    rows_after = await everything(kit.store)
    changed = [t for t in rows_after if rows_after[t] != rows_before.get(t)]
    if discord_state(kit) != seen_before:
        changed.append("Discord")
    again = True
    if not changed and flow.answers:
        last = outcome.replies[-1] if outcome.replies else None
        if last is None or not last.ephemeral or last.text != CANT_SAVE:
            problems.append(f"{where}: told {last and last.text!r}")
    elif changed:
        try:
            assert flow.partial is not None, f"changed {changed}"
            again = await flow.partial(kit, context, outcome)
        except AssertionError as failure:
            return [*problems, f"{where}: half done: {failure}"]
    if again:
        try:
            await flow.act(kit, context)  # the disk is healthy again: the same thing works
            await flow.landed(kit, context)
        except AssertionError as failure:
            problems.append(f"{where}: the retry did not land once: {failure}")
    return problems
