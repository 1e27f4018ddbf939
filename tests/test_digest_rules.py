"""The digest's pure rules: when it is due, which week it claims, what it says."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.library import load_library
from cogs.victories import digest_rules as digest

UTC_ZONE = ZoneInfo("UTC")
AT = time(18, 0)
SUNDAY = 6
SCHEDULED = datetime(2026, 3, 8, 18, tzinfo=UTC)


def plan(now, **stored):
    defaults = {
        "stored_at": SCHEDULED,
        "stored_day": date(2026, 3, 8),
        "stored_zone": "UTC",
    }
    defaults.update(stored)
    return digest.plan(now, weekday=SUNDAY, at=AT, zone=UTC_ZONE, zone_name="UTC", **defaults)


def test_an_unscheduled_server_is_scheduled_for_the_next_digest():
    result = plan(datetime(2026, 3, 2, 9, tzinfo=UTC), stored_at=None, stored_day=None)
    assert result == digest.Later(SCHEDULED, date(2026, 3, 8))


@pytest.mark.parametrize("late", [timedelta(0), timedelta(hours=5, minutes=59)])
def test_a_digest_up_to_six_hours_late_is_due(late):
    result = plan(SCHEDULED + late)
    assert isinstance(result, digest.Due)
    assert (result.scheduled_at, result.day, result.week) == (
        SCHEDULED,
        date(2026, 3, 8),
        date(2026, 3, 2),
    )
    assert result.next_at == SCHEDULED + timedelta(days=7)


def test_a_digest_six_hours_late_is_missed_and_the_schedule_moves_on():
    result = plan(SCHEDULED + timedelta(hours=6))
    assert isinstance(result, digest.Later) and result.missed is not None
    assert result.missed.week == date(2026, 3, 2)
    assert result.next_at == SCHEDULED + timedelta(days=7)


def test_a_time_zone_change_recomputes_this_weeks_digest():
    # Scheduled 18:00 UTC; the server moved to Moscow, where Sunday 18:00 is 15:00 UTC:
    # three hours ago, inside the catch-up window, so it goes out now.
    result = digest.plan(
        SCHEDULED,
        weekday=SUNDAY,
        at=AT,
        zone=ZoneInfo("Europe/Moscow"),
        zone_name="Europe/Moscow",
        stored_at=SCHEDULED,
        stored_day=date(2026, 3, 8),
        stored_zone="UTC",
    )
    assert isinstance(result, digest.Due)
    assert result.scheduled_at == datetime(2026, 3, 8, 15, tzinfo=UTC)
    # ... and to Los Angeles, where it is still hours away.
    result = digest.plan(
        SCHEDULED,
        weekday=SUNDAY,
        at=AT,
        zone=ZoneInfo("America/Los_Angeles"),
        zone_name="America/Los_Angeles",
        stored_at=SCHEDULED,
        stored_day=date(2026, 3, 8),
        stored_zone="UTC",
    )
    assert result == digest.Later(datetime(2026, 3, 9, 1, tzinfo=UTC), date(2026, 3, 8))


def test_the_week_is_keyed_by_its_local_monday():
    assert digest.week_start(date(2026, 3, 8)) == date(2026, 3, 2)
    assert digest.week_start(date(2026, 3, 2)) == date(2026, 3, 2)
    assert digest.week_start(date(2026, 3, 4)) == date(2026, 3, 2)


def test_the_period_is_the_week_before_and_never_overlaps_the_last_digest():
    due = digest.Due(SCHEDULED, date(2026, 3, 8), SCHEDULED + timedelta(days=7), date(2026, 3, 15))
    assert digest.period(due, AT, UTC_ZONE, None) == (SCHEDULED - timedelta(days=7), SCHEDULED)
    last = datetime(2026, 3, 4, 18, tzinfo=UTC)  # moderators moved the digest mid-week
    assert digest.period(due, AT, UTC_ZONE, last) == (last, SCHEDULED)


def test_the_period_spans_a_dst_change_by_the_wall_clock():
    berlin = ZoneInfo("Europe/Berlin")  # clocks go forward on 29 March 2026
    end = datetime(2026, 4, 5, 16, tzinfo=UTC)  # Sunday 18:00 CEST
    due = digest.Due(end, date(2026, 4, 5), end, date(2026, 4, 12))
    start, _ = digest.period(due, AT, berlin, None)
    assert start == datetime(2026, 3, 29, 16, tzinfo=UTC)  # Sunday 18:00 CEST too
    due = digest.Due(
        datetime(2026, 3, 29, 16, tzinfo=UTC), date(2026, 3, 29), end, date(2026, 4, 5)
    )
    assert digest.period(due, AT, berlin, None)[0] == datetime(2026, 3, 22, 17, tzinfo=UTC)


def test_tallies_follow_the_library_and_fold_unknown_values():
    library = load_library()
    tallies = digest.tallies({"courage": 2, "empathy": 1, None: 3, "retired": 1}, library)
    assert [(t.label, t.count) for t in tallies] == [
        ("Empathy", 1),
        ("Courage", 2),
        (digest.OTHER_LABEL, 4),
    ]
    assert digest.tallies({}, library) == []


def test_quotes_prefer_different_people_and_skip_words_that_need_care():
    candidates = [
        ("First of Ann", "Ann", 1),
        ("Second of Ann", "Ann", 1),
        ("Ben's", "Ben", 2),
        ("i wanna die but I got up", "Cal", 3),
    ]
    quotes = digest.choose_quotes(candidates, seed="g:w")
    authors = [q.author for q in quotes]
    assert len(quotes) == 3 and set(authors) == {"Ann", "Ben"}
    assert all("wanna die" not in q.text for q in quotes)
    assert digest.choose_quotes(candidates, seed="g:w") == quotes  # the same on a retry


def test_quotes_are_one_short_line():
    text = "word " * 60 + "\n# heading"
    line = digest.one_line(text)
    assert "\n" not in line and len(line) <= digest.QUOTE_LIMIT and line.endswith("…")
    assert digest.one_line("  short\nand sweet ") == "short and sweet"


def test_digest_text_escapes_markdown_in_members_words():
    text = digest.digest_text(
        [digest.Tally("Hope", 1, 0, "🌱")], [digest.Quote("**bold** > quote", "_ann_")]
    )
    assert "\\*\\*bold\\*\\* \\> quote” — \\_ann\\_" in text
    assert "**1** victory this week" in text


def test_date_ranges_read_naturally():
    assert digest.date_range(date(2026, 3, 2), date(2026, 3, 8)) == "2 – 8 March 2026"
    assert digest.date_range(date(2026, 2, 28), date(2026, 3, 6)) == "28 February – 6 March 2026"
    assert (
        digest.date_range(date(2025, 12, 29), date(2026, 1, 4))
        == "29 December 2025 – 4 January 2026"
    )
