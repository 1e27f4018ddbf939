"""/prompts, driven through the kit as moderators (and, refused, members) would use it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from discord import app_commands

from bot.errors import NOT_MODERATOR
from bot.schedule import TIME_ERROR
from tests.test_prompts_support import marker_of, prompt_posts, prompts_cog, tick


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def schedule(mo, **options):
    options = {"channel": "general", "time": "19:30", "timezone": "Europe/Berlin", **options}
    return await mo.slash("prompts schedule", **options)


def no_posts(out) -> bool:
    return out.posts == []


MEMBER_REFUSED = [
    ("prompts schedule", {"channel": "general", "time": "19:30"}),
    ("prompts pause", {}),
    ("prompts resume", {}),
    ("prompts skip", {}),
    ("prompts post-now", {}),
    ("prompts preview", {}),
    ("prompts add", {"text": "What gave you hope this week?", "value": "hope"}),
    ("prompts remove", {"prompt_id": "hope-01"}),
    ("prompts list", {}),
    ("prompts values", {}),
    ("prompts history", {}),
]


@pytest.mark.parametrize(("command", "options"), MEMBER_REFUSED, ids=[c for c, _ in MEMBER_REFUSED])
async def test_members_without_manage_server_are_refused_and_nothing_changes(kit, command, options):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await schedule(mo)
    before = await kit.store.prompts.get_schedule(kit.guild.id)
    out = await alice.slash(command, **options)
    assert out.reply.ephemeral and out.reply.content == NOT_MODERATOR
    assert no_posts(out)
    assert await kit.store.prompts.get_schedule(kit.guild.id) == before
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []
    assert await kit.store.prompts.excluded(kit.guild.id) == frozenset()
    assert await kit.store.prompts.history(kit.guild.id) == []


def test_every_prompts_command_and_option_has_help_text_and_is_for_moderators(kit):
    group = kit.bot.tree.get_command("prompts")
    assert isinstance(group, app_commands.Group)
    assert group.guild_only and group.default_permissions.manage_guild
    names = {command.name for command in group.commands}
    assert names == {
        "schedule", "pause", "resume", "skip", "post-now", "preview",
        "add", "remove", "list", "values", "history",
    }  # fmt: skip
    suggest = kit.bot.tree.get_command("suggest")
    assert suggest.guild_only and suggest.default_permissions is None
    for command in [*group.commands, suggest]:
        assert command.description and command.description != "…", command.name
        for parameter in command.parameters:
            assert parameter.description and parameter.description != "…", parameter.name
    schedule_options = {
        p.display_name: p.required for p in group.get_command("schedule").parameters
    }
    assert schedule_options == {"channel": True, "time": True, "days": False, "timezone": False}


# ----- /prompts schedule -----------------------------------------------------------------
async def test_schedule_saves_the_next_post_as_utc_and_says_when(kit):
    mo = kit.moderator("mo")
    out = await schedule(mo, days="mon-fri")
    assert out.reply.ephemeral
    assert "19:30" in out.reply.text and "Europe/Berlin" in out.reply.text
    assert "weekdays" in out.reply.text
    first = utc(2026, 3, 2, 18, 30)  # Monday 19:30 CET
    assert f"<t:{int(first.timestamp())}:F>" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.channel_id == int(kit.channels["general"]["id"])
    assert saved.next_post_at == first and saved.next_local_date == date(2026, 3, 2)
    assert saved.weekdays == frozenset(range(5)) and not saved.paused


async def test_schedule_defaults_to_the_servers_time_zone(kit):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="America/New_York")
    out = await mo.slash("prompts schedule", channel="general", time="08:00", days="sat")
    assert "America/New_York" in out.reply.text and "/settings timezone" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.timezone == "America/New_York"
    assert saved.next_post_at == utc(2026, 3, 7, 13, 0)  # Saturday 08:00 EST


async def test_schedule_accepts_a_forum_channel(kit):
    mo = kit.moderator("mo")
    kit.add_channel("prompts-forum", kind=15, tags=["Hope"])
    out = await schedule(mo, channel="prompts-forum")
    assert "will be posted" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.channel_id == int(kit.channels["prompts-forum"]["id"])


BAD_SCHEDULES = [
    ({"time": "25:00"}, TIME_ERROR),
    ({"time": "13pm"}, TIME_ERROR),
    ({"time": "19:60"}, TIME_ERROR),
    ({"days": "funday"}, 'I couldn\'t read "funday" as a day.'),
    ({"timezone": "Mars/Olympus"}, "I don't know the time zone 'Mars/Olympus'"),
    ({"channel": "locked"}, "I'm missing the Send Messages"),
    ({"channel": "no-threads"}, "I'm missing the Create Public Threads permission there"),
]


@pytest.mark.parametrize(("options", "message"), BAD_SCHEDULES)
async def test_bad_schedule_input_gets_a_clear_message_and_changes_nothing(kit, options, message):
    mo = kit.moderator("mo")
    kit.add_channel("locked", deny_bot=("send_messages",))
    kit.add_channel("no-threads", deny_bot=("create_public_threads",))
    await schedule(mo, time="07:00")
    before = await kit.store.prompts.get_schedule(kit.guild.id)
    out = await schedule(mo, **options)
    assert out.reply.ephemeral
    assert message in out.reply.content
    assert await kit.store.prompts.get_schedule(kit.guild.id) == before
    assert no_posts(out)


async def test_timezone_autocomplete_offers_iana_names(kit):
    mo = kit.moderator("mo")
    choices = await mo.autocomplete("prompts schedule", "timezone", "berl")
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in choices


# ----- pause / resume / skip ---------------------------------------------------------------
async def test_pause_and_resume(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("prompts pause")
    assert out.reply.ephemeral and "/prompts schedule" in out.reply.text  # nothing to pause
    await schedule(mo)
    out = await mo.slash("prompts pause")
    assert out.reply.ephemeral and "paused" in out.reply.text
    assert (await kit.store.prompts.get_schedule(kit.guild.id)).paused
    out = await mo.slash("prompts pause")
    assert "already paused" in out.reply.text

    kit.clock.set(utc(2026, 3, 2, 18, 30))
    assert prompt_posts(await tick(kit)) == []

    kit.clock.set(utc(2026, 3, 4, 10, 0))
    out = await mo.slash("prompts resume")
    assert out.reply.ephemeral and "back on" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert not saved.paused and saved.next_local_date == date(2026, 3, 4)  # no catching up
    out = await mo.slash("prompts resume")
    assert "already running" in out.reply.text


async def test_resume_refuses_while_the_bot_still_cannot_post(kit):
    mo = kit.moderator("mo")
    kit.add_channel("quiet")
    await schedule(mo, channel="quiet")
    await mo.slash("prompts pause")
    from tests.test_prompts_support import deny_bot

    deny_bot(kit, "quiet", "embed_links")
    out = await mo.slash("prompts resume")
    assert "Embed Links" in out.reply.text
    assert (await kit.store.prompts.get_schedule(kit.guild.id)).paused


async def test_skip_skips_only_the_next_prompt(kit):
    mo = kit.moderator("mo")
    await schedule(mo)
    out = await mo.slash("prompts skip")
    assert out.reply.ephemeral and "Monday 2 March 2026" in out.reply.text
    tuesday = utc(2026, 3, 3, 18, 30)
    assert f"<t:{int(tuesday.timestamp())}:F>" in out.reply.text
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    assert prompt_posts(await tick(kit)) == []
    kit.clock.set(tuesday)
    assert [marker_of(r) for r in prompt_posts(await tick(kit))] == [date(2026, 3, 3)]
    skipped = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2))
    assert skipped.state == "skipped"
    await mo.slash("prompts pause")
    out = await mo.slash("prompts skip")
    assert "paused" in out.reply.text


# ----- post-now and preview -------------------------------------------------------------------
async def test_post_now_posts_today_once_through_the_same_path(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("prompts post-now")
    assert out.reply.ephemeral and "/prompts schedule" in out.reply.text and no_posts(out)
    await schedule(mo)
    out = await mo.slash("prompts post-now")
    posts = prompt_posts(out)
    assert len(posts) == 1 and marker_of(posts[0]) == date(2026, 3, 2)
    assert posts[0].allowed_mentions == {"parse": []}
    assert out.to("/channels/{channel_id}/messages/{message_id}/threads", "POST")
    assert out.reply.ephemeral and "https://discord.com/channels/" in out.reply.text
    out = await mo.slash("prompts post-now")
    assert "already posted" in out.reply.text and no_posts(out)
    # Today's post counts for today: the 19:30 one does not come on top.
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    assert prompt_posts(await tick(kit)) == []
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.next_local_date == date(2026, 3, 3)


async def test_post_now_names_a_missing_permission_and_posts_nothing(kit):
    mo = kit.moderator("mo")
    await schedule(mo)
    from tests.test_prompts_support import deny_bot

    deny_bot(kit, "general", "send_messages")
    out = await mo.slash("prompts post-now")
    assert out.reply.ephemeral and "Send Messages" in out.reply.text and no_posts(out)
    assert await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 2)) is None
    assert not (await kit.store.prompts.get_schedule(kit.guild.id)).paused


async def test_preview_shows_exactly_the_prompt_that_is_posted_next(kit):
    mo = kit.moderator("mo")
    await schedule(mo)
    out = await mo.slash("prompts preview")
    assert out.reply.ephemeral and "Monday 2 March 2026" in out.reply.text
    previewed = out.reply.embeds[0]
    kit.clock.set(utc(2026, 3, 2, 18, 30))
    posted = prompt_posts(await tick(kit))[0].embeds[0]
    assert (previewed["title"], previewed["description"]) == (
        posted["title"],
        posted["description"],
    )
    out = await mo.slash("prompts preview")
    assert "Tuesday 3 March 2026" in out.reply.text
    assert out.reply.embeds[0]["description"] != posted["description"]


# ----- the server's own prompts -----------------------------------------------------------------
async def test_add_puts_a_servers_own_prompt_in_the_rotation(kit):
    mo = kit.moderator("mo")
    text = "What small ritual helps you feel hopeful on a grey morning?"
    out = await mo.slash("prompts add", text=text, value="hope")
    assert out.reply.ephemeral and "`own-1`" in out.reply.text
    own = await kit.store.prompts.own_prompts(kit.guild.id)
    assert [(p.value_key, p.text, p.added_by) for p in own] == [("hope", text, mo.id)]
    out = await mo.slash("prompts list", value="hope")
    assert "own-1" in out.reply.text and "added here" in out.reply.text


BAD_ADDS = [
    ({"text": "What helps?", "value": "bravery-ish"}, "I don't know the value 'bravery-ish'"),
    ({"text": "x" * 301, "value": "hope"}, "at most 300 characters, and this one is 301"),
    ({"text": "   ", "value": "hope"}, "The prompt is empty"),
]


@pytest.mark.parametrize(("options", "message"), BAD_ADDS)
async def test_bad_add_input_gets_a_clear_message_and_changes_nothing(kit, options, message):
    mo = kit.moderator("mo")
    out = await mo.slash("prompts add", **options)
    assert out.reply.ephemeral and message in out.reply.content
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []


async def test_add_refuses_a_prompt_already_in_the_rotation(kit):
    mo = kit.moderator("mo")
    existing = kit.bot.library.prompts_for("empathy")[0]
    out = await mo.slash("prompts add", text=existing.text.upper(), value="hope")
    assert f"`{existing.id}`" in out.reply.text
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []


async def test_value_options_autocomplete_from_the_library(kit):
    mo = kit.moderator("mo")
    choices = await mo.autocomplete("prompts add", "value", "emp", text="x")
    assert choices[0]["value"] == "empathy" and "Empathy" in choices[0]["name"]
    everything = await mo.autocomplete("prompts list", "value", "")
    assert len(everything) == len(kit.bot.library.values)


async def test_remove_deletes_own_prompts_and_hides_library_ones(kit):
    mo = kit.moderator("mo")
    await mo.slash("prompts add", text="What does hope sound like to you?", value="hope")
    out = await mo.slash("prompts remove", prompt_id="own-1")
    assert out.reply.ephemeral and "deleted" in out.reply.text
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []
    out = await mo.slash("prompts remove", prompt_id="HOPE-01")
    assert "won't be posted here" in out.reply.text
    assert await kit.store.prompts.excluded(kit.guild.id) == {"hope-01"}
    out = await mo.slash("prompts list", value="hope")
    assert "hope-01" not in out.reply.text and "hope-02" in out.reply.text
    out = await mo.slash("prompts remove", prompt_id="hope-01")
    assert "There's no prompt `hope-01`" in out.reply.text
    out = await mo.slash("prompts remove", prompt_id="nothing-99")
    assert out.reply.ephemeral and "/prompts list" in out.reply.text


async def test_removed_prompts_are_never_posted(kit):
    mo = kit.moderator("mo")
    keep = {"hope-01", "empathy-01"}
    for prompt in kit.bot.library.prompts:
        if prompt.id not in keep:
            await kit.store.prompts.exclude(kit.guild.id, prompt.id, kit.clock())
    await schedule(mo)
    out = await mo.slash("prompts remove", prompt_id="empathy-01")
    assert "Removed `empathy-01`" in out.reply.text
    for day in (2, 3, 4):  # a rotation of two would show empathy-01 within two days
        kit.clock.set(utc(2026, 3, day, 18, 30))
        await tick(kit)
        posted = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, day))
        assert posted.state == "sent" and posted.prompt_id == "hope-01"


async def test_remove_autocomplete_matches_ids_and_text(kit):
    mo = kit.moderator("mo")
    choices = await mo.autocomplete("prompts remove", "prompt_id", "hope-0")
    assert choices and all(c["value"].startswith("hope-0") for c in choices)
    assert all(len(c["name"]) <= 100 for c in choices)


async def test_the_last_prompt_is_kept(kit):
    mo = kit.moderator("mo")
    last = kit.bot.library.prompts[0]
    for prompt in kit.bot.library.prompts[1:]:
        await kit.store.prompts.exclude(kit.guild.id, prompt.id, kit.clock())
    out = await mo.slash("prompts remove", prompt_id=last.id)
    assert "last prompt" in out.reply.text
    assert last.id not in await kit.store.prompts.excluded(kit.guild.id)


# ----- reading ----------------------------------------------------------------------------------
async def test_list_is_paginated_and_ephemeral(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("prompts list")
    assert out.reply.ephemeral
    total = len(kit.bot.library.prompts)
    assert f"({total})" in out.reply.embeds[0]["title"]
    labels = [c.get("label") for c in out.reply.components[0]["components"]]
    assert labels == ["Previous", "Next"]
    assert len(out.reply.embeds[0]["description"]) <= 4096
    out = await mo.slash("prompts list", value="courage-ish")
    assert "I don't know the value" in out.reply.text


async def test_values_lists_descriptions_and_counts(kit):
    mo = kit.moderator("mo")
    await mo.slash("prompts add", text="When did hope surprise you?", value="hope")
    out = await mo.slash("prompts values")
    assert out.reply.ephemeral
    for value in kit.bot.library.values:
        assert value.name in out.reply.text and value.description in out.reply.text
    hope = len(kit.bot.library.prompts_for("hope")) + 1
    assert f"{hope} prompts (1 added here)" in out.reply.text


async def test_history_lists_recent_posts_with_dates_and_links(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("prompts history")
    assert out.reply.ephemeral and "No daily prompts" in out.reply.text
    await schedule(mo)
    await mo.slash("prompts skip")
    kit.clock.set(utc(2026, 3, 3, 18, 30))
    await tick(kit)
    out = await mo.slash("prompts history")
    text = out.reply.text
    assert out.reply.ephemeral
    assert "Tuesday 3 March 2026" in text and "posted" in text
    post = await kit.store.prompts.get_post(kit.guild.id, date(2026, 3, 3))
    assert f"]({post.link})" in text and str(post.message_id) in post.link
    assert "Monday 2 March 2026" in text and "skipped" in text
    assert text.index("Tuesday") < text.index("Monday")  # newest first


async def test_settings_show_and_help_mention_the_daily_prompts(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("settings show")
    assert "Daily prompts:** not scheduled" in out.reply.text
    await schedule(mo)
    out = await mo.slash("settings show")
    assert "19:30" in out.reply.text and "Europe/Berlin" in out.reply.text
    out = await mo.slash("help")
    assert "/prompts schedule" in out.reply.text and "/suggest" in out.reply.text


async def test_the_loop_waits_for_the_gateway_and_stops_with_the_cog(kit):
    cog = prompts_cog(kit)
    task = cog.post_loop.get_task()
    assert cog.post_loop.is_running() and not task.done()
    assert cog.post_loop.current_loop == 0  # never ran: the bot is not ready in tests
    await kit.bot.remove_cog("Prompts")
    await asyncio.wait([task], timeout=5)
    assert task.cancelled()
