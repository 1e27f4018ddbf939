"""Times and zones as moderators type them, through /prompts schedule, /settings timezone and
/celebrations digest: kept as HH:MM and IANA names, or refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.schedule import TIME_ERROR


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def schedule(mo, **options):
    options = {"channel": "general", "time": "19:30", "timezone": "Europe/Berlin", **options}
    return await mo.slash("prompts schedule", **options)


# ----- /prompts schedule ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7pm", "19:00"),
        ("7:30 pm", "19:30"),
        ("7.30PM", "19:30"),
        ("19.30", "19:30"),
        ("12am", "00:00"),
        ("noon", "12:00"),
        (" midnight ", "00:00"),
    ],
)
async def test_schedule_keeps_a_typed_time_as_hhmm_and_says_it_back(kit, typed, stored):
    mo = kit.moderator("mo")
    out = await schedule(mo, time=typed)
    assert out.reply.ephemeral
    assert f"**{stored}**" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.post_time == stored


async def test_schedule_at_7pm_posts_at_19_00_local(kit):
    mo = kit.moderator("mo")
    await schedule(mo, time="7pm", timezone="new york")
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert (saved.post_time, saved.timezone) == ("19:00", "America/New_York")
    assert saved.next_post_at == utc(2026, 3, 3, 0, 0)  # Monday 19:00 EST


@pytest.mark.parametrize("typed", ["13pm", "0pm", "7:60", "25:00", "abc", "7"])
async def test_schedule_refuses_an_unreadable_time_and_changes_nothing(kit, typed):
    mo = kit.moderator("mo")
    await schedule(mo, time="07:00")
    before = await kit.store.prompts.get_schedule(kit.guild.id)
    out = await schedule(mo, time=typed)
    assert out.reply.ephemeral
    assert out.reply.content == f"{TIME_ERROR} Nothing was changed."
    assert "7:30 pm" in out.reply.content
    assert await kit.store.prompts.get_schedule(kit.guild.id) == before
    assert out.posts == []


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("new york", "America/New_York"),
        ("germany", "Europe/Berlin"),
        ("eastern time", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("UTC", "UTC"),
    ],
)
async def test_schedule_finds_the_zone_from_a_city_country_or_common_name(kit, typed, zone):
    mo = kit.moderator("mo")
    out = await schedule(mo, timezone=typed)
    assert f"({zone})" in out.reply.text
    assert (await kit.store.prompts.get_schedule(kit.guild.id)).timezone == zone


async def test_schedule_refuses_est_with_the_city_zone_and_changes_nothing(kit):
    mo = kit.moderator("mo")
    await schedule(mo, time="07:00")
    before = await kit.store.prompts.get_schedule(kit.guild.id)
    out = await schedule(mo, time="8pm", timezone="EST")
    assert out.reply.ephemeral
    assert out.reply.content == (
        "EST never changes for summer time; did you mean America/New_York? Nothing was changed."
    )
    assert await kit.store.prompts.get_schedule(kit.guild.id) == before
    assert out.posts == []


async def test_schedule_autocomplete_offers_the_city_zone_for_a_country_or_abbreviation(kit):
    mo = kit.moderator("mo")
    for typed, zone in [("germany", "Europe/Berlin"), ("EST", "America/New_York")]:
        choices = await mo.autocomplete("prompts schedule", "timezone", typed)
        assert choices[0] == {"name": zone, "value": zone}


# ----- /settings timezone -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("new york", "America/New_York"),
        ("New York", "America/New_York"),
        ("japan", "Asia/Tokyo"),
        ("uk", "Europe/London"),
        ("pacific", "America/Los_Angeles"),
    ],
)
async def test_settings_timezone_keeps_the_iana_name(kit, typed, zone):
    mo = kit.moderator("mo")
    out = await mo.slash("settings timezone", zone=typed)
    assert out.reply.ephemeral and f"**{zone}**" in out.reply.text
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == zone


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("EST", "EST never changes for summer time; did you mean America/New_York?"),
        ("pst", "PST never changes for summer time; did you mean America/Los_Angeles?"),
        ("GMT", "GMT never changes for summer time; did you mean Europe/London or UTC?"),
        ("usa", "USA has more than one time zone; did you mean America/New_York,"),
        ("UTC+2", "UTC+2 is a fixed offset that never changes for summer time."),
    ],
)
async def test_settings_timezone_refuses_with_a_suggestion_and_changes_nothing(
    kit, typed, suggestion
):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Asia/Tokyo")
    out = await mo.slash("settings timezone", zone=typed)
    assert out.reply.ephemeral
    assert out.reply.content.startswith(suggestion)
    assert out.reply.content.endswith(" Nothing was changed.")
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"


async def test_settings_timezone_autocomplete_offers_the_city_zone(kit):
    mo = kit.moderator("mo")
    choices = await mo.autocomplete("settings timezone", "zone", "india")
    assert choices[0] == {"name": "Asia/Kolkata", "value": "Asia/Kolkata"}
    choices = await mo.autocomplete("settings timezone", "zone", "cst")
    assert [c["value"] for c in choices[:2]] == ["America/Chicago", "Asia/Shanghai"]


async def test_a_zone_found_by_city_is_what_schedules_default_to(kit):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="berlin")
    out = await mo.slash("prompts schedule", channel="general", time="7:30pm")
    assert "**19:30** (Europe/Berlin)" in out.reply.text
    saved = await kit.store.prompts.get_schedule(kit.guild.id)
    assert saved.next_post_at == utc(2026, 3, 2, 18, 30)  # Monday 19:30 CET


# ----- /celebrations digest ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"), [("6pm", "18:00"), ("7:30 am", "07:30"), ("noon", "12:00")]
)
async def test_digest_keeps_a_typed_time_as_hhmm(kit, typed, stored):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Europe/Berlin")
    out = await mo.slash("celebrations digest", day="Friday", time=typed)
    assert out.reply.ephemeral
    assert f"Fridays at {stored} (Europe/Berlin)" in out.reply.text
    settings = await kit.store.victories.settings(kit.guild.id)
    assert (settings.digest_weekday, settings.digest_time) == (4, stored)


async def test_digest_at_6pm_goes_out_at_18_00_local(kit):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="germany")
    await mo.slash("celebrations digest", day="Friday", time="6pm")
    settings = await kit.store.victories.settings(kit.guild.id)
    assert settings.next_at == utc(2026, 3, 6, 17, 0)  # Friday 18:00 CET


@pytest.mark.parametrize("typed", ["13pm", "0pm", "7:60", "abc"])
async def test_digest_refuses_an_unreadable_time_and_changes_nothing(kit, typed):
    mo = kit.moderator("mo")
    before = await kit.store.victories.settings(kit.guild.id)
    out = await mo.slash("celebrations digest", day="Friday", time=typed)
    assert out.reply.ephemeral
    assert out.reply.content == f"{TIME_ERROR} Nothing was changed."
    assert await kit.store.victories.settings(kit.guild.id) == before
