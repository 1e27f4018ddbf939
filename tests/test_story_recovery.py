"""The bot dies at every step boundary of /share's Post and a moderator's Approve, and a new
one starts on the same database: what the author and the moderators see and can do then.

A death is simulated in the kit: as the bot sends the chosen request (after Discord took
it, or before it got there) the process "stops": from that moment neither Discord nor the
database hears from it again, so nothing that would run after a real kill -9 runs (no
undo, no reply). Then `kit.restart()` starts a fresh bot on the same file, as after a
crash. tests/test_faults_story_kill.py does the same with a real process and SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot import sendqueue
from bot.store.base import STORY_REMOVED
from bot.store.stories import DRAFT, PENDING, PUBLISHED, PUBLISHING, REMOVED
from tests.kit import Kit
from tests.test_share import share, story, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

GUIDE = "Answering with care"
ANSWER = r"^/webhooks/\d+/[^/]+/messages/@original$"


class Died(BaseException):
    """The bot process stopped here (a BaseException: no `except Exception` runs after it)."""


@dataclass(frozen=True)
class Step:
    """A step boundary: the bot dies as it sends `method` `path` (a regex built from the
    kit's channel ids), after Discord took it (`landed`) or before."""

    name: str
    method: str
    path: str
    landed: bool

    def regex(self, kit: Kit) -> str:
        ids = {name: channel["id"] for name, channel in kit.channels.items()}
        return self.path.format(**ids)


# The publish steps, in order. {stories} is the channel's id; "the thread" is any other
# channel but the moderators' (the guide is the first message posted there).
POST = r"^/channels/{stories}/messages$"
THREAD = r"^/channels/{stories}/messages/\d+/threads$"
GUIDE_POST = r"^/channels/(?!{stories}/|{mods}/)\d+/messages$"
PUBLISH_STEPS = [
    Step("claimed, the post not sent", "POST", POST, landed=False),
    Step("the post up, not recorded", "POST", POST, landed=True),
    Step("the post recorded, no thread", "POST", THREAD, landed=False),
    Step("the thread open, not recorded", "POST", THREAD, landed=True),
    Step("the thread recorded, no guide", "POST", GUIDE_POST, landed=False),
    Step("the guide up, not published", "POST", GUIDE_POST, landed=True),
    Step("published, nobody told", "PATCH", ANSWER, landed=False),
]
FORUM_POST = r"^/channels/{circle}/threads$"
FORUM_STEPS = [
    Step("claimed, the forum post not sent", "POST", FORUM_POST, landed=False),
    Step("the forum post up, not recorded", "POST", FORUM_POST, landed=True),
    Step("the forum post recorded, no guide", "POST", GUIDE_POST, landed=False),
    Step("the guide up, not published", "POST", GUIDE_POST, landed=True),
]
CARD = r"^/channels/{mods}/messages$"
REVIEW_STEPS = [
    Step("claimed for review, no card", "POST", CARD, landed=False),
    Step("the card up, not recorded", "POST", CARD, landed=True),
]
NOTHING_POSTED = {PUBLISH_STEPS[0].name, FORUM_STEPS[0].name}


def ids(steps: list[Step]) -> list[str]:
    return [step.name for step in steps]


@contextlib.contextmanager
def dies_at(kit: Kit, step: Step) -> Iterator[list[bool]]:
    """Until the block ends, the bot dies as it sends the step's request; yields [died]."""
    fake, store = kit.discord, kit.store
    real_handle = fake.handle
    pattern = re.compile(step.regex(kit))
    died = [False]

    def die() -> None:
        died[0] = True
        for name in ("execute", "fetchall", "atomic", "snapshot"):
            setattr(store, name, _dead)  # this bot's store: the next bot opens its own

    async def handle(route, body, files, params, reason):
        if died[0]:
            raise Died
        path = route.url[len(route.BASE) :]
        if route.method == step.method and pattern.search(path):
            if step.landed:
                await real_handle(route, body, files, params, reason)
            die()
            raise Died
        return await real_handle(route, body, files, params, reason)

    fake.handle = handle
    try:
        yield died
    finally:
        del fake.handle  # the instance attribute: the class's method answers again


async def _dead(*args, **kwargs):
    raise Died


# ----- what is on Discord ------------------------------------------------------------------------
def public(kit: Kit) -> list[dict]:
    return [m for m in list(kit.discord.messages.values()) if not int(m.get("flags") or 0) & 64]


def posts_of(kit: Kit, sid: int) -> list[dict]:
    """The story's posts as members read them (not its review card, not a removed post)."""
    marker = f"Story #{sid}"
    return [
        m
        for m in public(kit)
        if any(e.get("footer", {}).get("text") == marker for e in m["embeds"])
        and "kindred:story:approve:" not in str(m["components"])
    ]


def cards_of(kit: Kit, sid: int) -> list[dict]:
    mods = kit.channels["mods"]["id"]
    return [
        m
        for m in public(kit)
        if m["channel_id"] == mods and f"Story #{sid}" in (m["content"] + str(m["embeds"]))
    ]


def guides_in(kit: Kit, thread_id: int) -> list[dict]:
    return [
        m
        for m in public(kit)
        if m["channel_id"] == str(thread_id) and any(e.get("title") == GUIDE for e in m["embeds"])
    ]


def threads_of(kit: Kit, name: str = "Knocking") -> list[dict]:
    return [c for c in list(kit.discord.channels.values()) if c.get("name") == name]


def dms_to(kit: Kit, person) -> list[dict]:
    return [m for m in public(kit) if m["channel_id"] == str(person.id + 7)]


async def assert_shared_once(kit: Kit, sid: int, *, forum: bool = False) -> None:
    """Published, with its one post, its one thread (recorded) and its one guide."""
    saved = await story(kit, sid)
    assert saved.status == PUBLISHED, saved.status
    [post] = posts_of(kit, sid)
    assert int(post["id"]) == saved.message_id
    if forum:
        assert saved.thread_id == saved.message_id == saved.post_channel_id
    else:
        assert post.get("thread") and int(post["thread"]["id"]) == saved.thread_id
    assert saved.thread_id in kit.discord.channels and len(threads_of(kit)) == 1
    assert len(guides_in(kit, saved.thread_id)) == 1, "one values guide"


async def assert_taken_down(kit: Kit, sid: int, notice: str, *, thread: bool = True) -> None:
    """The post reads `notice` (nothing else of it), its thread is locked and renamed."""
    assert posts_of(kit, sid) == []
    if thread:
        [opened] = threads_of(kit, "Removed story")
        assert opened["thread_metadata"]["locked"] is True
    assert threads_of(kit) == [], "no thread keeps the story's title"
    starters = [m for m in public(kit) if m["content"] == notice]
    assert len(starters) == 1 and starters[0]["embeds"] == [] and starters[0]["components"] == []


# ----- the steps to a crash ----------------------------------------------------------------------
async def written(person) -> int:
    """A draft ready to post (anonymous, consent ticked, a value chosen)."""
    sid = story_id(await write(person))
    await person.select(f"kindred:story:value:{sid}", ["hope"])
    return sid


async def crash_posting(kit: Kit, alice, step: Step) -> int:
    """Alice presses Post and the bot dies at `step`; a new bot starts."""
    sid = await written(alice)
    with dies_at(kit, step) as died:
        await alice.click(f"kindred:story:post:{sid}")
    assert died[0], f"the bot never reached {step.name}"
    await kit.restart()
    return sid


async def crash_approving(kit: Kit, alice, mo, step: Step) -> int:
    """Alice's story waits for review; the bot dies at `step` of mo's Approve."""
    await mo.slash("stories review", mode="on")
    sid, _ = await share(alice)
    assert (await story(kit, sid)).status == PENDING
    with dies_at(kit, step) as died:
        await mo.click(f"kindred:story:approve:{sid}")
    assert died[0], f"the bot never reached {step.name}"
    await kit.restart()
    return sid


@pytest.fixture
async def forum(kit, mo):
    kit.add_channel("circle", kind=15, tags=["Hope"])
    out = await mo.slash("stories channel", channel="circle")
    assert "Stories will be shared in" in out.reply.text
    return mo


def share_cog(kit: Kit):
    return kit.bot.get_cog("Share")


async def recover(kit: Kit) -> int:
    """What the restarted bot does once connected (its recovery loop); how many are left."""
    return await share_cog(kit).recover()


# ----- /share's Post: the author presses again ---------------------------------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS, ids=ids(PUBLISH_STEPS))
async def test_after_a_crash_at_any_step_pressing_post_again_shares_it_once(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    out = await alice.click(f"kindred:story:post:{sid}")
    said = out.replies[-1]
    assert "Your story is shared" in said.text, said.text
    assert "still on its way" not in said.text
    await assert_shared_once(kit, sid)


@pytest.mark.parametrize("step", FORUM_STEPS, ids=ids(FORUM_STEPS))
async def test_after_a_crash_posting_into_a_forum_pressing_post_again_shares_it_once(
    kit, forum, step
):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    out = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in out.replies[-1].text
    await assert_shared_once(kit, sid, forum=True)


# ----- on start: the bot finishes it by itself, and tells the author -----------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS + FORUM_STEPS, ids=ids(PUBLISH_STEPS + FORUM_STEPS))
async def test_on_start_a_half_posted_story_is_finished_or_given_back_and_its_author_told(
    kit, mo, step
):
    forum = step in FORUM_STEPS
    if forum:
        kit.add_channel("circle", kind=15, tags=["Hope"])
        await mo.slash("stories channel", channel="circle")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    assert await recover(kit) == 0
    if step.name in NOTHING_POSTED:  # nothing reached Discord: her draft again
        saved = await story(kit, sid)
        assert (saved.status, saved.submitted_at) == (DRAFT, None)
        assert posts_of(kit, sid) == [] and threads_of(kit) == []
        [dm] = dms_to(kit, alice)
        assert "safe in your drafts" in str(dm["embeds"])
        out = await alice.click(f"kindred:story:post:{sid}")  # and Post works at once
        assert "Your story is shared" in out.replies[-1].text
    elif step.name != PUBLISH_STEPS[-1].name:
        [dm] = dms_to(kit, alice)
        assert "is shared" in str(dm["embeds"]) and "Kindred restarted" in str(dm["embeds"])
    await assert_shared_once(kit, sid, forum=forum)
    page = (await alice.slash("mystories")).reply  # her buttons are back
    assert page.ephemeral and page.custom_ids == [
        f"kindred:story:delete:{sid}",
        f"kindred:story:lock:{sid}",
    ]
    assert await recover(kit) == 0  # nothing left: idempotent
    await assert_shared_once(kit, sid, forum=forum)


async def test_the_recovery_runs_by_itself_once_the_restarted_bot_is_connected(kit, mo):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, PUBLISH_STEPS[3])
    assert (await story(kit, sid)).status == PUBLISHING
    kit.bot._ready.set()  # what the gateway's READY does
    for _ in range(200):
        if (await story(kit, sid)).status == PUBLISHED:
            break
        await asyncio.sleep(0.01)
    await assert_shared_once(kit, sid)
    for _ in range(100):  # nothing is left, so the loop stops asking
        if not share_cog(kit).recovery_loop.is_running():
            break
        await asyncio.sleep(0.01)
    assert not share_cog(kit).recovery_loop.is_running()


# ----- /mystories: the author's buttons come back ------------------------------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS, ids=ids(PUBLISH_STEPS))
async def test_after_a_crash_mystories_finishes_it_and_shows_the_authors_buttons(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    out = await alice.slash("mystories")
    page = out.replies[-1]
    assert page.ephemeral
    if step.name in NOTHING_POSTED:
        assert "Draft" in page.text
        assert page.custom_ids == [f"kindred:story:edit:{sid}", f"kindred:story:delete:{sid}"]
        assert posts_of(kit, sid) == []
    else:
        assert "Shared" in page.text and f"/{(await story(kit, sid)).thread_id}" in page.text
        assert page.custom_ids == [f"kindred:story:delete:{sid}", f"kindred:story:lock:{sid}"]
        await assert_shared_once(kit, sid)
        await alice.click(f"kindred:story:delete:{sid}")  # and they work
        await alice.click(f"kindred:story:confirm-delete:{sid}")
        await assert_taken_down(kit, sid, "This story was removed by its author.")


# ----- moderators can always take it down ---------------------------------------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS + FORUM_STEPS, ids=ids(PUBLISH_STEPS + FORUM_STEPS))
async def test_after_a_crash_a_moderator_can_remove_the_story(kit, mo, step):
    forum = step in FORUM_STEPS
    if forum:
        kit.add_channel("circle", kind=15, tags=["Hope"])
        await mo.slash("stories channel", channel="circle")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    choices = await mo.autocomplete("stories remove", "story_id", str(sid))
    assert [c["value"] for c in choices] == [sid]
    out = await mo.slash("stories remove", story_id=sid)
    said = out.replies[-1]
    assert said.ephemeral and f"Story #{sid} was removed" in said.text, said.text
    assert (await story(kit, sid)).status == REMOVED
    assert all(str(alice.id) not in r.text for r in out.requests)  # anonymous stays anonymous
    if step.name in NOTHING_POSTED:
        assert "had not reached the stories channel" in said.text
        assert posts_of(kit, sid) == [] and threads_of(kit) == []
    else:
        assert "is locked" in said.text
        # removing finishes nothing: a post whose thread never opened has none to lock
        thread = step not in PUBLISH_STEPS[1:3]
        await assert_taken_down(kit, sid, "This story was removed by a moderator.", thread=thread)
    assert "Removed by a moderator" in (await alice.slash("mystories")).reply.text


# ----- erase always takes it down ------------------------------------------------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS + FORUM_STEPS, ids=ids(PUBLISH_STEPS + FORUM_STEPS))
async def test_after_a_crash_erase_takes_the_post_down_and_locks_its_thread(kit, mo, step):
    forum = step in FORUM_STEPS
    if forum:
        kit.add_channel("circle", kind=15, tags=["Hope"])
        await mo.slash("stories channel", channel="circle")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    if "not recorded" in step.name and "thread" not in step.name:
        # Its post is up but unknown: the restarted bot finds it first (it does so on start,
        # before members can press anything); with its post recorded, erase needs nothing.
        await recover(kit)
    asked = await alice.slash("mydata erase")
    [erase] = [c for c in asked.reply.custom_ids if c.startswith("kindred:mydata:erase:")]
    out = await alice.click(erase)
    assert "erased everything" in out.reply.text
    assert await kit.store.stories.stories_of(kit.guild.id, alice.id) == []
    if step.name in NOTHING_POSTED:
        assert posts_of(kit, sid) == [] and threads_of(kit) == []
    else:
        await assert_taken_down(kit, sid, STORY_REMOVED, thread=step != PUBLISH_STEPS[2])
    assert await recover(kit) == 0
    assert posts_of(kit, sid) == []  # nothing comes back


# ----- a post re-sent after the nonce window looks first --------------------------------------
async def test_a_story_reposted_after_a_long_stuck_claim_is_found_not_doubled(kit, mo, clock):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, PUBLISH_STEPS[1])  # up, its id never recorded
    kit.discord.dedupe_nonces = False  # Discord's duplicate check has long expired
    clock.advance(minutes=30)
    out = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in out.replies[-1].text
    stories_path = f"/channels/{kit.channels['stories']['id']}/messages"
    assert [r for r in out.posts if r.path == stories_path] == []  # found, not posted again
    await assert_shared_once(kit, sid)


async def post_lands_unanswered(kit, monkeypatch):
    """Alice presses Post; Discord takes the post but its answer never comes."""
    monkeypatch.setattr(sendqueue, "RETRY_PAUSES", (0.0, 0.0))
    alice = kit.member("alice")
    sid = await written(alice)
    fake, real = kit.discord, kit.discord.handle
    stories_path = f"/channels/{kit.channels['stories']['id']}/messages"

    async def lands_unanswered(route, body, files, params, reason):
        answer = await real(route, body, files, params, reason)
        if route.method == "POST" and route.url.endswith(stories_path):
            raise TimeoutError  # Discord took it; its answer never came
        return answer

    fake.handle = lands_unanswered
    out = await alice.click(f"kindred:story:post:{sid}")
    del fake.handle
    return alice, sid, out


async def test_a_post_discord_never_confirmed_is_looked_for_before_the_next_try(
    kit, mo, monkeypatch
):
    alice, sid, out = await post_lands_unanswered(kit, monkeypatch)
    assert "draft is saved" in out.replies[-1].text and len(posts_of(kit, sid)) == 1
    assert (await story(kit, sid)).status == DRAFT

    kit.discord.dedupe_nonces = False  # by the time she presses again, the nonce is forgotten
    out = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in out.replies[-1].text
    await assert_shared_once(kit, sid)


# ----- a moderator's Approve ---------------------------------------------------------------
@pytest.mark.parametrize("step", PUBLISH_STEPS, ids=ids(PUBLISH_STEPS))
async def test_after_a_crash_during_approve_pressing_approve_again_finishes_it(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_approving(kit, alice, mo, step)
    out = await mo.click(f"kindred:story:approve:{sid}")
    if step == PUBLISH_STEPS[-1]:  # shared; only the card and the author's note were missing
        assert out.reply.ephemeral and "already handled" in out.reply.text
    else:
        assert "approved by" in out.replies[-1].text and out.replies[-1].components == []
    await assert_shared_once(kit, sid)
    [card] = cards_of(kit, sid)
    assert "shared" in card["content"] and card["components"] == []
    [dm] = dms_to(kit, alice)
    assert "now shared" in str(dm["embeds"])


@pytest.mark.parametrize("step", PUBLISH_STEPS, ids=ids(PUBLISH_STEPS))
async def test_on_start_a_half_done_approval_is_finished_or_waits_on_its_card_again(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_approving(kit, alice, mo, step)
    assert await recover(kit) == 0
    [card] = cards_of(kit, sid)
    if step.name in NOTHING_POSTED:  # nothing reached Discord: it waits for a moderator
        assert (await story(kit, sid)).status == PENDING and posts_of(kit, sid) == []
        assert f"kindred:story:approve:{sid}" in str(card["components"])
        assert dms_to(kit, alice) == []
        out = await mo.click(f"kindred:story:approve:{sid}")
        assert "approved by" in out.replies[-1].text
    elif step != PUBLISH_STEPS[-1]:
        assert "approved and shared" in card["content"] and card["components"] == []
        [dm] = dms_to(kit, alice)
        assert "now shared" in str(dm["embeds"])
    await assert_shared_once(kit, sid)


@pytest.mark.parametrize("step", PUBLISH_STEPS, ids=ids(PUBLISH_STEPS))
async def test_after_a_crash_during_approve_a_moderator_can_remove_it(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_approving(kit, alice, mo, step)
    declined = await mo.click(f"kindred:story:decline:{sid}")
    if step != PUBLISHING_DONE:
        assert "Press **Approve** to finish" in declined.reply.text and declined.modal is None
    out = await mo.slash("stories remove", story_id=sid)
    assert f"Story #{sid} was removed" in out.replies[-1].text
    assert (await story(kit, sid)).status == REMOVED
    [card] = cards_of(kit, sid)
    assert card["components"] == [] and "removed by" in card["content"]
    if step.name not in NOTHING_POSTED:
        thread = step not in PUBLISH_STEPS[1:3]
        await assert_taken_down(kit, sid, "This story was removed by a moderator.", thread=thread)
    again = await mo.click(f"kindred:story:approve:{sid}", message=_stale_card(kit, sid))
    assert "already handled" in again.reply.text and posts_of(kit, sid) == []


PUBLISHING_DONE = PUBLISH_STEPS[-1]


def _stale_card(kit: Kit, sid: int) -> dict:
    """The card as a moderator's client may still show it, with its Approve button."""
    [card] = cards_of(kit, sid)
    button = {
        "type": 2,
        "style": 3,
        "label": "Approve",
        "custom_id": f"kindred:story:approve:{sid}",
    }
    return {**card, "components": [{"type": 1, "components": [button]}]}


@pytest.mark.parametrize("step", PUBLISH_STEPS[:-1], ids=ids(PUBLISH_STEPS[:-1]))
async def test_after_a_crash_during_approve_erase_takes_it_all_down(kit, mo, step):
    alice = kit.member("alice")
    sid = await crash_approving(kit, alice, mo, step)
    if step == PUBLISH_STEPS[1]:
        await recover(kit)  # the unrecorded post is found on start
    asked = await alice.slash("mydata erase")
    [erase] = [c for c in asked.reply.custom_ids if c.startswith("kindred:mydata:erase:")]
    await alice.click(erase)
    [card] = cards_of(kit, sid) or [None]
    if card is not None:  # her words are off the card too
        assert "Knocking" not in str(card) and card["components"] == []
    if step.name not in NOTHING_POSTED:
        await assert_taken_down(kit, sid, STORY_REMOVED, thread=step != PUBLISH_STEPS[2])
    assert posts_of(kit, sid) == []


# ----- the review card -------------------------------------------------------------------------
@pytest.mark.parametrize("step", REVIEW_STEPS, ids=ids(REVIEW_STEPS))
async def test_a_crash_before_the_review_card_is_recorded_leaves_one_card(kit, mo, step):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    kit.discord.dedupe_nonces = False
    out = await alice.click(f"kindred:story:post:{sid}")
    assert "with the moderators" in out.replies[-1].text
    [card] = cards_of(kit, sid)
    saved = await story(kit, sid)
    assert saved.status == PENDING and saved.review_message_id == int(card["id"])
    out = await mo.click(f"kindred:story:approve:{sid}")
    assert "approved by" in out.replies[-1].text
    await assert_shared_once(kit, sid)


async def test_an_unrecorded_card_pressed_by_a_moderator_is_recorded_and_works(kit, mo):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, REVIEW_STEPS[1])
    assert (await story(kit, sid)).review_message_id is None
    out = await mo.click(f"kindred:story:approve:{sid}")  # before anything recovered it
    assert "approved by" in out.replies[-1].text
    await assert_shared_once(kit, sid)
    [card] = cards_of(kit, sid)
    assert card["components"] == [] and "approved by" in card["content"]


@pytest.mark.parametrize("step", REVIEW_STEPS, ids=ids(REVIEW_STEPS))
async def test_on_start_a_half_queued_story_is_queued_or_given_back(kit, mo, step):
    await mo.slash("stories review", mode="on")
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, step)
    assert await recover(kit) == 0
    saved = await story(kit, sid)
    if step.landed:
        [card] = cards_of(kit, sid)
        assert saved.status == PENDING and saved.review_message_id == int(card["id"])
        assert "with the moderators" in str(dms_to(kit, alice)[0]["embeds"])
    else:
        assert saved.status == DRAFT and cards_of(kit, sid) == []
        assert "safe in your drafts" in str(dms_to(kit, alice)[0]["embeds"])


# ----- a claim of this very process is still respected ----------------------------------------
async def test_a_claim_this_process_made_waits_its_fifteen_minutes(kit, mo, clock):
    """No crash: a post that is slow (or whose undo a full disk refused) is not taken over
    by a second press; after 15 minutes it is, and looked for first."""
    alice = kit.member("alice")
    sid = await written(alice)
    with dies_at(kit, PUBLISH_STEPS[1]):
        await alice.click(f"kindred:story:post:{sid}")
    # Revive this same bot (as if the disk came back): its claim book still holds the claim.
    for name in ("execute", "fetchall", "atomic", "snapshot"):
        kit.store.__dict__.pop(name, None)
    early = await alice.click(f"kindred:story:post:{sid}")
    assert "still on its way" in early.reply.text and early.reply.ephemeral
    out = await mo.slash("stories remove", story_id=sid)
    assert "being posted right now" in out.reply.text
    clock.advance(minutes=16)
    later = await alice.click(f"kindred:story:post:{sid}")
    assert "Your story is shared" in later.replies[-1].text
    await assert_shared_once(kit, sid)


# ----- when Discord can't be asked, nothing is undone that may have landed --------------------
@pytest.mark.parametrize(
    ("status", "said"),
    [(503, "Discord didn't answer just now"), (403, "Read Message History")],
    ids=["down", "forbidden"],
)
async def test_when_the_channel_cannot_be_looked_in_the_story_waits_and_everyone_is_told(
    kit, mo, status, said
):
    alice = kit.member("alice")
    sid = await crash_posting(kit, alice, PUBLISH_STEPS[1])  # up, its id never recorded
    history = rf"^/channels/{kit.channels['stories']['id']}/messages$"
    kit.discord.fail("GET", history, status=status, code=0 if status == 503 else 50001)
    out = await alice.click(f"kindred:story:post:{sid}")
    told = out.replies[-1]
    assert told.ephemeral and said in told.text and "won't be posted twice" in told.text
    removal = await mo.slash("stories remove", story_id=sid)
    assert said in removal.replies[-1].text and "Nothing was changed" in removal.replies[-1].text
    assert await recover(kit) == 1  # still there: the loop asks again later
    assert (await story(kit, sid)).status == PUBLISHING and len(posts_of(kit, sid)) == 1

    kit.discord.failures.clear()  # Discord answers (or the permission is granted) again
    assert await recover(kit) == 0
    await assert_shared_once(kit, sid)


# ----- an erase while the story is on its way ---------------------------------------------------
async def test_a_story_erased_while_it_is_being_posted_comes_down_again(kit, mo):
    """Discord holds nothing the database doesn't know: the erase wins, the post goes."""
    from cogs.care import mydata

    alice = kit.member("alice")
    sid = await written(alice)
    fake, real = kit.discord, kit.discord.handle
    thread_path = re.compile(step_path(kit, THREAD))

    async def erased_meanwhile(route, body, files, params, reason):
        answer = await real(route, body, files, params, reason)
        if route.method == "POST" and thread_path.search(route.url[len(route.BASE) :]):
            await mydata.erase(kit.store, kit.guild.id, alice.id, kit.clock())
        return answer

    fake.handle = erased_meanwhile
    out = await alice.click(f"kindred:story:post:{sid}")
    del fake.handle
    assert "withdrawn or removed while it was being posted" in out.replies[-1].text
    assert await story(kit, sid) is None
    assert posts_of(kit, sid) == [] and threads_of(kit) == []


def step_path(kit: Kit, path: str) -> str:
    return Step("", "POST", path, landed=False).regex(kit)
