"""The janitor's sweep: after an erase, a post whose id a crash never saved still comes down.

Only Kindred's own messages that carry the named marker, newer than the bound, are
touched: a card is deleted, a story post is replaced and its thread locked; a review
card with the same footer, another member's message and anything older stay as they are.
"""

from __future__ import annotations

from bot.store.base import STORY_REMOVED, CleanupJob
from bot.store.stories import REMOVED_THREAD_NAME
from cogs.care.janitor import run_cleanup
from tests.kit import GUILD_ID
from tests.kit.fake_discord import snowflake

FOOTER = {"footer": {"text": "Story #7"}, "description": "the words of the story"}
BUTTON = [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Cheer",
                                      "custom_id": "kindred:cheer:41"}]}]  # fmt: skip
REVIEW = [{"type": 1, "components": [{"type": 2, "style": 3, "label": "Approve",
                                      "custom_id": "kindred:story:approve:7"}]}]  # fmt: skip


async def sweep(kit, *jobs: CleanupJob):
    def queue(db):
        return kit.store.care.queue_cleanup_rows(db, GUILD_ID, list(jobs), kit.clock())

    await kit.store.atomic(queue)
    return await run_cleanup(kit.bot, kit.clock(), guild_id=GUILD_ID)


def post(kit, channel: str, **body) -> dict:
    if channel not in kit.channels:
        kit.add_channel(channel)
    return kit.discord.new_message(int(kit.channel(channel).id), body)


async def test_a_card_with_the_named_button_is_deleted_and_nothing_else(kit):
    older = post(kit, "celebrations", components=BUTTON)  # before the bound: not this one
    bound = snowflake()
    card = post(kit, "celebrations", components=BUTTON)
    other = post(kit, "celebrations", components=[{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Cheer", "custom_id": "kindred:cheer:410"}]}])  # fmt: skip
    stranger = post(kit, "celebrations", components=BUTTON)
    kit.discord.messages[int(stranger["id"])]["author"] = {"id": "5", "username": "someone"}

    channel = int(kit.channel("celebrations").id)
    report = await sweep(kit, CleanupJob(channel, bound, "sweep", "kindred:cheer:41"))

    assert report.done == 1
    assert int(card["id"]) not in kit.discord.messages
    # victory 410's card, another member's message and anything older stay
    for kept in (older, other, stranger):
        assert int(kept["id"]) in kit.discord.messages


async def test_a_story_post_is_replaced_and_its_thread_locked_but_its_review_card_is_not(kit):
    bound = snowflake()
    story = post(kit, "stories", embeds=[FOOTER])
    thread = kit.discord.new_thread(int(kit.channel("stories").id), {"name": "My words"},
                                    starter=int(story["id"]))  # fmt: skip
    review = post(kit, "stories", embeds=[FOOTER], components=REVIEW)
    channel = int(kit.channel("stories").id)

    report = await sweep(kit, CleanupJob(channel, bound, "sweep", "footer=Story #7", True))

    assert report.done == 1
    replaced = kit.discord.messages[int(story["id"])]
    assert replaced["content"] == STORY_REMOVED and replaced["embeds"] == []
    locked = kit.discord.channels[int(thread["id"])]
    assert locked["name"] == REMOVED_THREAD_NAME
    assert locked["thread_metadata"]["locked"] and locked["thread_metadata"]["archived"]
    assert kit.discord.messages[int(review["id"])]["embeds"] == [FOOTER]


async def test_a_threadless_story_post_is_replaced_and_the_job_done(kit):
    bound = snowflake()
    story = post(kit, "stories", embeds=[FOOTER])
    channel = int(kit.channel("stories").id)
    report = await sweep(kit, CleanupJob(channel, bound, "sweep", "footer=Story #7"))
    assert report.done == 1 and report.retrying == 0
    assert kit.discord.messages[int(story["id"])]["content"] == STORY_REMOVED


async def test_a_forum_post_is_found_among_the_forums_threads(kit):
    forum = kit.add_channel("story-forum", kind=15)
    stories = kit.add_channel("stories")
    bound = snowflake()
    elsewhere = kit.discord.new_thread(int(stories["id"]), {"name": "Not here"})
    kit.discord.new_message(int(elsewhere["id"]), {"embeds": [FOOTER]},
                            message_id=int(elsewhere["id"]))  # fmt: skip
    thread = kit.discord.new_thread(int(forum["id"]), {"name": "My words"})
    kit.discord.new_message(int(thread["id"]), {"embeds": [FOOTER]}, message_id=int(thread["id"]))

    report = await sweep(kit, CleanupJob(int(forum["id"]), bound, "sweep", "footer=Story #7"))

    assert report.done == 1
    assert kit.discord.messages[int(thread["id"])]["content"] == STORY_REMOVED
    assert kit.discord.channels[int(thread["id"])]["thread_metadata"]["locked"]
    assert kit.discord.messages[int(elsewhere["id"])]["embeds"] == [FOOTER]


async def test_a_refused_sweep_is_retried_and_reported_with_the_channel_only(kit):
    bound = snowflake()
    card = post(kit, "celebrations", components=BUTTON)
    channel = int(kit.channel("celebrations").id)
    kit.discord.fail("DELETE", rf"^/channels/{channel}/messages/{card['id']}$", 403, 50013)

    report = await sweep(kit, CleanupJob(channel, bound, "sweep", "button=kindred:cheer:41"))

    assert report.retrying == 1 and int(card["id"]) in kit.discord.messages
    [link] = report.refused[GUILD_ID]
    assert link.endswith(f"/{GUILD_ID}/{channel}") and str(bound) not in link


async def test_a_reply_with_the_named_footer_is_deleted_and_the_story_left(kit):
    stories = kit.add_channel("stories")
    bound = snowflake()
    reply_footer = {"footer": {"text": "Original poster · story #7"}, "description": "thanks"}
    story = kit.discord.new_message(int(stories["id"]), {"embeds": [FOOTER]})
    reply = kit.discord.new_message(int(stories["id"]), {"embeds": [reply_footer]})
    job = CleanupJob(int(stories["id"]), bound, "sweep", "reply=Original poster · story #7")

    report = await sweep(kit, job)

    assert report.done == 1
    assert int(reply["id"]) not in kit.discord.messages
    assert kit.discord.messages[int(story["id"])]["embeds"] == [FOOTER]
