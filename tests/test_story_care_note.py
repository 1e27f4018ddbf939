"""A story held for care: its review card, then the moderators' quiet note. The bot dies
between the two (the note not sent, or sent and not recorded) and a new one starts: the
note reaches the moderators once, quietly, and only where @everyone can't read it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from bot import sendqueue
from bot.care import CARE_NOTE_TITLE
from bot.store.stories import PENDING
from tests.kit import Kit
from tests.test_share import CRISIS, story, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture
from tests.test_story_recovery import Died, _dead, public, recover

STORES = ("execute", "fetchall", "atomic", "snapshot")


def is_note(body) -> bool:
    return isinstance(body, dict) and CARE_NOTE_TITLE in str(body.get("embeds"))


@contextlib.contextmanager
def dies_at_the_note(kit: Kit, *, landed: bool) -> Iterator[list[bool]]:
    """The bot dies as it sends the care note (after Discord took it, when `landed`)."""
    fake, real = kit.discord, kit.discord.handle
    died = [False]

    async def handle(route, body, files, params, reason):
        if died[0]:
            raise Died
        if route.method == "POST" and is_note(body):
            if landed:
                await real(route, body, files, params, reason)
            died[0] = True
            for name in STORES:
                setattr(kit.store, name, _dead)
            raise Died
        return await real(route, body, files, params, reason)

    fake.handle = handle
    try:
        yield died
    finally:
        del fake.handle


def notes_of(kit: Kit, sid: int) -> list[dict]:
    """The care notes about story `sid` on Discord, wherever they are."""
    opening = f"Story #{sid} "
    return [
        m
        for m in public(kit)
        if any(
            e.get("title") == CARE_NOTE_TITLE and e.get("description", "").startswith(opening)
            for e in m["embeds"]
        )
    ]


def cards_of(kit: Kit, sid: int) -> list[dict]:
    """The story's review cards (the note links one, and names the story too)."""
    approve = f"kindred:story:approve:{sid}"
    return [m for m in public(kit) if approve in str(m["components"])]


def note_requests(outcome) -> list:
    return [r for r in outcome.posts if CARE_NOTE_TITLE in r.text]


async def held_and_crashed(kit: Kit, alice, *, landed: bool, post_as: str = "anonymous") -> int:
    """Alice posts a story held for care; the bot dies at its note; a new bot starts."""
    sid = story_id(await write(alice, story=CRISIS, post_as=post_as))
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    with dies_at_the_note(kit, landed=landed) as died:
        await alice.click(f"kindred:story:post:{sid}")
    assert died[0], "the bot never reached the care note"
    await kit.restart()
    saved = await story(kit, sid)
    [card] = cards_of(kit, sid)
    assert saved.status == PENDING and saved.review_message_id == int(card["id"])
    assert saved.care_note_due
    return sid


def assert_quiet_note(kit: Kit, sid: int, alice, *, named: bool) -> None:
    """One note, in the moderator channel, linking the card; the author only when named."""
    [note] = notes_of(kit, sid)
    assert note["channel_id"] == kit.channels["mods"]["id"]
    saved_card = cards_of(kit, sid)[0]
    text = str(note["embeds"])
    assert f"/{saved_card['id']}" in text
    assert CRISIS not in text
    assert (f"<@{alice.id}>" in text) is named
    if not named:
        assert str(alice.id) not in text


@pytest.mark.parametrize("landed", [False, True], ids=["note not sent", "note sent, not recorded"])
@pytest.mark.parametrize("post_as", ["anonymous", "named"])
async def test_on_start_a_held_storys_lost_note_reaches_moderators_once(kit, mo, landed, post_as):
    alice = kit.member("alice")
    sid = await held_and_crashed(kit, alice, landed=landed, post_as=post_as)
    out = await kit.run(recover(kit))
    sent = note_requests(out)
    assert len(sent) == (0 if landed else 1)  # a note that landed is found, not sent again
    for request in sent:
        assert request.allowed_mentions == {"parse": []}, "nobody is pinged"
    assert_quiet_note(kit, sid, alice, named=post_as == "named")
    assert not (await story(kit, sid)).care_note_due
    again = await kit.run(recover(kit))
    assert note_requests(again) == [] and len(notes_of(kit, sid)) == 1


async def test_pressing_post_again_sends_the_lost_note_once_and_offers_the_reveal(kit, mo):
    alice = kit.member("alice")
    sid = await held_and_crashed(kit, alice, landed=False)
    out = await alice.click(f"kindred:story:post:{sid}")
    assert any("with the moderators" in r.text for r in out.replies)
    [sent] = note_requests(out)
    assert sent.allowed_mentions == {"parse": []}
    offer = [r for r in out.replies if any("kindred:care:reveal:" in c for c in r.custom_ids)]
    assert offer and offer[0].ephemeral
    assert_quiet_note(kit, sid, alice, named=False)
    assert await recover(kit) == 0 and len(notes_of(kit, sid)) == 1


async def test_a_lost_note_is_never_sent_where_everyone_can_read(kit, mo):
    alice = kit.member("alice")
    sid = await held_and_crashed(kit, alice, landed=False, post_as="named")
    kit.set_private("mods", False)  # a moderator opened the channel meanwhile
    out = await kit.run(recover(kit))
    assert note_requests(out) == [] and notes_of(kit, sid) == []
    assert all(str(alice.id) not in r.text for r in out.requests)
    assert not (await story(kit, sid)).care_note_due, "not owed forever"
    assert await recover(kit) == 0


async def test_a_note_discord_refused_is_sent_by_the_recovery_loop_later(
    kit, mo, clock, monkeypatch
):
    monkeypatch.setattr(sendqueue, "RETRY_PAUSES", (0.0, 0.0))
    alice = kit.member("alice")
    sid = story_id(await write(alice, story=CRISIS))
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    fake, real = kit.discord, kit.discord.handle

    async def times_out(route, body, files, params, reason):
        if route.method == "POST" and is_note(body):
            raise TimeoutError  # never reached Discord
        return await real(route, body, files, params, reason)

    fake.handle = times_out
    out = await alice.click(f"kindred:story:post:{sid}")
    del fake.handle
    assert any("with the moderators" in r.text for r in out.replies)  # she isn't troubled
    assert notes_of(kit, sid) == [] and (await story(kit, sid)).care_note_due
    assert await recover(kit) == 1  # owed, and this process claimed it lately: later
    clock.advance(minutes=16)
    assert await recover(kit) == 0
    assert_quiet_note(kit, sid, alice, named=False)


async def test_a_held_story_sends_its_note_once_without_a_crash(kit, mo):
    alice = kit.member("alice")
    sid = story_id(await write(alice, story=CRISIS))
    await alice.select(f"kindred:story:value:{sid}", ["hope"])
    out = await alice.click(f"kindred:story:post:{sid}")
    [sent] = note_requests(out)
    assert sent.allowed_mentions == {"parse": []}
    assert not (await story(kit, sid)).care_note_due
    assert await recover(kit) == 0 and len(notes_of(kit, sid)) == 1
