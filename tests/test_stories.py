"""The rules of /share and its repository, without Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store.base import STORY_REMOVED, CleanupJob
from bot.store.stories import DELETED, DRAFT, PENDING, PUBLISHED, PUBLISHING, REMOVED
from cogs.share import story_rules as stories

GUILD, OTHER_GUILD = 4001, 4002
ALICE, BOB = 7001, 7002
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "The first winter after the diagnosis I stopped going out. A neighbour kept knocking."


def text(**overrides) -> stories.StoryText:
    fields = dict(title="Knocking", body=BODY, content_warning=None, anonymous=True, consent=True)
    fields.update(overrides)
    return stories.StoryText(**fields)


async def draft(store, author=ALICE, guild=GUILD, at=NOW, **overrides):
    t = text(**overrides)
    return await store.stories.save_draft(
        guild,
        author,
        at,
        title=t.title,
        body=t.body,
        content_warning=t.content_warning,
        anonymous=t.anonymous,
        consent=t.consent,
    )


async def published(store, author=ALICE, guild=GUILD, at=NOW, thread_id=None, **overrides):
    story = await draft(store, author, guild, at, **overrides)
    result = await store.stories.submit(
        story.story_id,
        author,
        at,
        cooldown_after=stories.cooldown_cutoff(at),
        to_review=False,
    )
    assert result.story is not None and result.story.status == PUBLISHING
    await store.stories.mark_published(
        story.story_id,
        channel_id=11,
        message_id=story.story_id * 100,
        thread_id=thread_id or story.story_id * 100,
        now=at,
    )
    return await store.stories.get(guild, story.story_id)


# ----- rules --------------------------------------------------------------------------------
def test_modal_values_are_normalised_and_unchosen_post_as_is_anonymous():
    t = stories.from_modal("  A title  ", BODY, "   ", None, None)
    assert t == stories.StoryText("A title", BODY, None, True, False)
    assert stories.from_modal("t", BODY, "grief", "named", True).anonymous is False


def test_problems_name_each_limit():
    assert stories.problems(text()) == []
    assert "at least 20" in stories.problems(text(body="too short"))[0]
    assert "up to 4000" in stories.problems(text(body="x" * 4001))[0]
    assert "title" in stories.problems(text(title=""))[0]
    assert "100" in stories.problems(text(title="t" * 101))[0]
    assert "content warning" in stories.problems(text(content_warning="w" * 101))[0]
    # whitespace doesn't count towards the minimum
    assert stories.problems(text(body=" " * 30 + "short"))


def test_a_spoiler_cannot_be_ended_early_by_pipes_in_the_story():
    for raw in ("a||b", "a|||b", "||||", "|"):
        hidden = stories.spoiler(raw)
        inner = hidden[2:-2]
        assert "||" not in inner
        assert inner.replace("\u200b", "") == raw


def test_a_story_full_of_pipes_behind_a_warning_is_refused_kindly_not_clipped():
    pipes = "|" * 4000
    assert stories.problems(text(body=pipes)) == []  # shown as written, no spoiler needed
    found = stories.problems(text(body=pipes, content_warning="cw"))
    assert found and "shorten" in found[0]
    fine = "a" * 4000
    assert stories.problems(text(body=fine, content_warning="cw")) == []
    assert len(stories.story_description(fine, "cw")) == 4004


def test_cooldown_is_ten_minutes():
    assert stories.cooldown_ends(NOW) - NOW == timedelta(minutes=10)
    assert stories.cooldown_cutoff(NOW) == NOW - timedelta(minutes=10)


# ----- repository ---------------------------------------------------------------------------
async def test_a_draft_keeps_every_field_and_its_author_apart(store):
    story = await draft(store, content_warning="illness", anonymous=False, consent=False)
    assert (story.title, story.body, story.content_warning) == ("Knocking", BODY, "illness")
    assert (story.anonymous, story.consent, story.status) == (False, False, DRAFT)
    assert story.created_at == NOW
    assert not hasattr(story, "author_id")
    columns = (await store.tables())["stories"]
    assert not any("author" in c or "member" in c for c in columns)
    assert await store.stories.author_of(story.story_id) == ALICE
    assert await store.stories.is_author(story.story_id, ALICE)
    assert not await store.stories.is_author(story.story_id, BOB)


async def test_saving_again_updates_the_members_own_draft_only(store):
    story = await draft(store)
    later = NOW + timedelta(minutes=3)
    again = await store.stories.save_draft(
        GUILD, ALICE, later, title="New", body=BODY, content_warning=None, anonymous=True,
        consent=True, story_id=story.story_id,
    )  # fmt: skip
    assert again.story_id == story.story_id and again.title == "New" and again.updated_at == later
    # someone else's id (a forged custom id) starts their own draft instead
    bobs = await store.stories.save_draft(
        GUILD, BOB, later, title="Bob", body=BODY, content_warning=None, anonymous=True,
        consent=True, story_id=story.story_id,
    )  # fmt: skip
    assert bobs.story_id != story.story_id
    assert (await store.stories.get(GUILD, story.story_id)).title == "New"
    assert not await store.stories.discard(story.story_id, BOB)
    assert not await store.stories.set_value(story.story_id, BOB, "hope")
    assert await store.stories.latest_draft(GUILD, ALICE) == again


async def test_an_edit_of_a_story_already_posted_becomes_a_new_draft(store):
    story = await published(store)
    edited = await store.stories.save_draft(
        GUILD, ALICE, NOW, title="Still mine", body=BODY, content_warning=None, anonymous=True,
        consent=True, story_id=story.story_id,
    )  # fmt: skip
    assert edited.story_id != story.story_id and edited.status == DRAFT
    assert (await store.stories.get(GUILD, story.story_id)).status == PUBLISHED


async def test_submit_needs_the_authors_draft_and_respects_the_cooldown(store):
    first = await published(store)
    second = await draft(store, title="Second")
    soon = NOW + timedelta(minutes=9)
    cutoff = stories.cooldown_cutoff(soon)
    refused = await store.stories.submit(
        second.story_id, ALICE, soon, cooldown_after=cutoff, to_review=False
    )
    assert refused.story is None and refused.last_submitted == NOW
    assert (await store.stories.get(GUILD, second.story_id)).status == DRAFT
    not_theirs = await store.stories.submit(
        second.story_id, BOB, soon, cooldown_after=cutoff, to_review=False
    )
    assert not_theirs.not_draft
    later = NOW + timedelta(minutes=10, seconds=1)
    ok = await store.stories.submit(
        second.story_id, ALICE, later, cooldown_after=stories.cooldown_cutoff(later), to_review=True
    )
    assert ok.story.status == PENDING and ok.story.submitted_at == later
    assert first.status == PUBLISHED


async def test_a_declined_or_failed_submission_costs_no_cooldown(store):
    story = await draft(store)
    cutoff = stories.cooldown_cutoff(NOW)
    await store.stories.submit(story.story_id, ALICE, NOW, cooldown_after=cutoff, to_review=True)
    declined = await store.stories.decline(GUILD, story.story_id, "please add a warning")
    assert declined.status == DRAFT and declined.reason_pending
    assert declined.decline_reason == "please add a warning"
    again = await store.stories.submit(
        story.story_id, ALICE, NOW, cooldown_after=cutoff, to_review=True
    )
    assert again.story is not None and again.story.decline_reason is None
    await store.stories.unsubmit(story.story_id)
    back = await store.stories.get(GUILD, story.story_id)
    assert back.status == DRAFT and back.submitted_at is None


async def test_a_double_click_submits_once(store):
    story = await draft(store)
    cutoff = stories.cooldown_cutoff(NOW)
    results = await asyncio.gather(
        *(
            store.stories.submit(story.story_id, ALICE, NOW, cooldown_after=cutoff, to_review=True)
            for _ in range(5)
        )
    )
    assert sum(r.story is not None for r in results) == 1


async def test_two_moderators_approving_at_once_publish_once(store):
    story = await draft(store)
    cutoff = stories.cooldown_cutoff(NOW)
    await store.stories.submit(story.story_id, ALICE, NOW, cooldown_after=cutoff, to_review=True)
    claims = await asyncio.gather(
        *(store.stories.claim_approval(GUILD, story.story_id) for _ in range(3))
    )
    assert sum(c is not None for c in claims) == 1
    assert await store.stories.claim_approval(OTHER_GUILD, story.story_id) is None
    await store.stories.release_approval(story.story_id)
    assert (await store.stories.get(GUILD, story.story_id)).status == PENDING


async def test_replies_to_a_named_story_count_only_from_someone_other_than_the_author(store):
    story = await published(store, thread_id=555, anonymous=False)
    assert not await store.stories.mark_replied(555, ALICE)
    assert not await store.stories.mark_replied(556, BOB)
    assert await store.stories.mark_replied(555, BOB)
    assert (await store.stories.get(GUILD, story.story_id)).replied


async def test_under_an_anonymous_story_the_authors_own_message_counts_like_anyones(store):
    """Else the nudge would single out a story whose only replier is its author."""
    story = await published(store, thread_id=557, anonymous=True)
    assert await store.stories.mark_replied(557, ALICE)
    assert (await store.stories.get(GUILD, story.story_id)).replied


async def test_due_nudges_follow_each_servers_hours_once(store):
    await store.stories.set_nudge_hours(GUILD, 12)
    await store.stories.set_nudge_hours(OTHER_GUILD, 0)
    mine = await published(store, thread_id=601)
    await published(store, author=BOB, guild=OTHER_GUILD, thread_id=602)
    answered = await published(store, author=BOB, thread_id=603, at=NOW)
    await store.stories.mark_replied(603, ALICE)
    assert await store.stories.due_nudges(NOW + timedelta(hours=11, minutes=59)) == []
    due = await store.stories.due_nudges(NOW + timedelta(hours=12))
    assert [s.story_id for s, _ in due] == [mine.story_id]
    assert answered.story_id not in [s.story_id for s, _ in due]
    assert await store.stories.claim_nudge(mine.story_id, NOW)
    assert not await store.stories.claim_nudge(mine.story_id, NOW)
    assert await store.stories.due_nudges(NOW + timedelta(days=30)) == []


async def test_settings_default_and_change(store):
    defaults = await store.stories.settings(GUILD)
    assert (defaults.channel_id, defaults.review, defaults.listener_role_id) == (None, False, None)
    assert defaults.nudge_hours == 12
    await store.stories.set_channel(GUILD, 10)
    await store.stories.set_review(GUILD, True)
    await store.stories.set_listener_role(GUILD, 20)
    changed = await store.stories.set_nudge_hours(GUILD, 0)
    assert (changed.channel_id, changed.review, changed.listener_role_id) == (10, True, 20)
    assert changed.nudge_hours == 0
    assert (await store.stories.settings(OTHER_GUILD)).channel_id is None


async def test_deleting_erases_the_words_and_only_the_author_can(store):
    story = await published(store)
    assert not await store.stories.delete_by_author(story.story_id, BOB)
    assert await store.stories.delete_by_author(story.story_id, ALICE)
    gone = await store.stories.get(GUILD, story.story_id)
    assert (gone.status, gone.title, gone.body, gone.locked) == (DELETED, "", "", True)
    assert not await store.stories.remove_by_moderator(GUILD, story.story_id)


async def test_moderators_remove_within_their_server(store):
    story = await published(store)
    assert not await store.stories.remove_by_moderator(OTHER_GUILD, story.story_id)
    assert await store.stories.remove_by_moderator(GUILD, story.story_id)
    assert (await store.stories.get(GUILD, story.story_id)).status == REMOVED


async def test_search_shared_hides_drafts(store):
    await draft(store, title="Secret draft")
    shown = await published(store, title="Out loud")
    found = await store.stories.search_shared(GUILD, "")
    assert [s.story_id for s in found] == [shown.story_id]
    assert await store.stories.search_shared(GUILD, "loud")
    assert await store.stories.search_shared(GUILD, str(shown.story_id))
    assert await store.stories.search_shared(GUILD, "Secret") == []


async def test_export_erase_and_the_discord_cleanup(store):
    story = await published(store, thread_id=700)
    pending = await draft(store, title="Waiting", at=NOW + timedelta(minutes=20))
    await store.stories.submit(
        pending.story_id,
        ALICE,
        NOW + timedelta(minutes=20),
        cooldown_after=NOW + timedelta(minutes=10),
        to_review=True,
    )
    await store.stories.set_review_message(pending.story_id, 88, 8800)
    await store.stories.add_author_reply(story.story_id, 700, 7001, "Thank you all.", NOW)
    bobs = await published(store, author=BOB, thread_id=800)

    exported = await store.stories.export_member(GUILD, ALICE)
    assert {r["story_id"] for r in exported["stories"]} == {story.story_id, pending.story_id}
    assert {r["author_id"] for r in exported["story_authors"]} == {ALICE}
    [reply] = exported["story_replies"]
    assert (reply["message_id"], reply["body"]) == (7001, "Thank you all.")

    jobs = await store.stories.discord_cleanup_for_member(GUILD, ALICE)
    # the stories are anonymous: their jobs say so, so moderators hear of them apart
    assert CleanupJob(11, story.message_id, "replace", STORY_REMOVED, True) in jobs
    assert CleanupJob(700, 0, "lock", "Removed story", True) in jobs
    assert any(j.message_id == 8800 and j.action == "replace" and j.anonymous for j in jobs)
    assert CleanupJob(700, 7001, "delete", anonymous=True) in jobs
    assert not any(j.channel_id == 800 for j in jobs)

    await store.atomic(store.stories.erase_member_rows, GUILD, ALICE)
    await store.atomic(store.stories.erase_member_rows, GUILD, ALICE)
    assert await store.stories.stories_of(GUILD, ALICE) == []
    assert await store.stories.export_member(GUILD, ALICE) == {
        "stories": [],
        "story_authors": [],
        "story_replies": [],
    }
    assert await store.stories.get(GUILD, bobs.story_id) is not None
    assert (await store.fetchone("SELECT count(*) FROM story_replies"))[0] == 0


async def test_purging_a_server_removes_its_stories(store):
    await published(store)
    await store.stories.set_channel(GUILD, 10)
    await store.guilds.purge(GUILD)
    for table in ("stories", "story_authors", "story_settings"):
        assert (await store.fetchone(f"SELECT count(*) FROM {table}"))[0] == 0
