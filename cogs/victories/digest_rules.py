"""The weekly digest's rules, without Discord: when it is due, which week it claims, what it says.

Exactly once per server and week: the claim key is the local Monday of the week the digest
falls in (UNIQUE in the database), taken before anything is sent. A digest up to six hours
late (the bot was down at 18:00) still goes out; later than that, the week is let go.
Values appear in library order, never sorted by count: this is not a competition.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.library import Library
from bot.safety import needs_care
from bot.schedule import local_instant, next_occurrence

CATCH_UP = timedelta(hours=6)
QUOTES = 3
QUOTE_LIMIT = 140
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OTHER_LABEL = "Other victories"
OTHER_COLOUR = 0x8C8C8C

TITLE = "This week we lived our values"
EMPTY_TITLE = "A quiet week"
EMPTY_TEXT = (
    "No victories were shared this week, and that's okay. Some weeks are for resting and "
    "simply getting through. When something goes well, however small, `/celebrate` it: "
    "we'd love to cheer you on. 🌱"
)


def week_start(local_day: date) -> date:
    """The claim key: the Monday of the local week the digest belongs to."""
    return local_day - timedelta(days=local_day.weekday())


@dataclass(frozen=True)
class Due:
    """Post now: the digest scheduled for `scheduled_at` (local date `day`)."""

    scheduled_at: datetime
    day: date
    next_at: datetime
    next_day: date

    @property
    def week(self) -> date:
        return week_start(self.day)


@dataclass(frozen=True)
class Later:
    """Nothing to post now: store this as the next digest instant (and record `missed`, a
    digest more than CATCH_UP late, when there is one)."""

    next_at: datetime
    next_day: date
    missed: Due | None = None


def plan(
    now: datetime,
    *,
    weekday: int,
    at: time,
    zone: ZoneInfo,
    zone_name: str,
    stored_at: datetime | None,
    stored_day: date | None,
    stored_zone: str | None,
) -> Due | Later:
    """Decide what a due (or never scheduled) server's digest should do at `now`."""
    days = frozenset({weekday})
    if stored_at is None or stored_day is None:
        return Later(*next_occurrence(now, at, zone, days))
    scheduled, day = stored_at, stored_day
    if stored_zone != zone_name:
        # The server changed its time zone since we scheduled: find this week's instant anew.
        scheduled, day = next_occurrence(now - CATCH_UP, at, zone, days)
        if scheduled > now:
            return Later(scheduled, day)
    due = Due(scheduled, day, *next_occurrence(max(now, scheduled), at, zone, days))
    if now - scheduled >= CATCH_UP:
        return Later(due.next_at, due.next_day, missed=due)
    return due


def period(
    due: Due, at: time, zone: ZoneInfo, last_end: datetime | None
) -> tuple[datetime, datetime]:
    """The victories a digest sums up: since the same moment a week earlier (or since the
    last digest, if that was later), up to its scheduled instant."""
    start = local_instant(due.day - timedelta(days=7), at, zone)
    if last_end is not None and start < last_end < due.scheduled_at:
        start = last_end
    return start, due.scheduled_at


def next_schedule(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> tuple[datetime, date]:
    """The first digest instant after `now` (when moderators change the schedule)."""
    return next_occurrence(now, at, zone, frozenset({weekday}))


@dataclass(frozen=True)
class Tally:
    """One value's line and bar: label, count, colour (0xRRGGBB), emoji (may be empty)."""

    label: str
    count: int
    colour: int
    emoji: str = ""


def tallies(counts: dict[str | None, int], library: Library) -> list[Tally]:
    """Counts per value in library order; unnamed or retired values fold into one line."""
    result = []
    for value in library.values:
        if counts.get(value.key):
            result.append(Tally(value.name, counts[value.key], value.colour, value.emoji))
    known = {value.key for value in library.values}
    other = sum(n for key, n in counts.items() if key not in known)
    if other:
        result.append(Tally(OTHER_LABEL, other, OTHER_COLOUR))
    return result


@dataclass(frozen=True)
class Quote:
    text: str
    author: str


def one_line(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A quote on one line, shortened at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def choose_quotes(
    candidates: Sequence[tuple[str, str, int]], seed: str, k: int = QUOTES
) -> list[Quote]:
    """Up to k quotes from (text, author, member_id), different people first.

    The pick is random but seeded by server and week, so a retried digest says the same;
    never by cheers (no rankings), and never words that sounded like someone in crisis.
    """
    pool = [c for c in candidates if not needs_care(c[0])]
    random.Random(seed).shuffle(pool)
    chosen: list[tuple[str, str, int]] = []
    seen: set[int] = set()
    for candidate in pool:  # one per person first
        if len(chosen) < k and candidate[2] not in seen:
            chosen.append(candidate)
            seen.add(candidate[2])
    for candidate in pool:  # then fill up, if few people shared
        if len(chosen) < k and candidate not in chosen:
            chosen.append(candidate)
    return [Quote(one_line(text), author) for text, author, _ in chosen]


_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")


def escape(text: str) -> str:
    """Show members' words as typed: Discord markdown characters are escaped."""
    return _MARKDOWN.sub(r"\\\1", text)


def digest_text(values: list[Tally], quotes: list[Quote]) -> str:
    """The digest embed's description: counts per value, then the quotes."""
    total = sum(t.count for t in values)
    noun = "victory" if total == 1 else "victories"
    lines = [f"Together we celebrated **{total}** {noun} this week.", ""]
    for tally in values:
        badge = f"{tally.emoji} {tally.label}" if tally.emoji else tally.label
        lines.append(f"{badge}: **{tally.count}**")
    if quotes:
        lines += ["", "**In your words**"]
        lines += [f"> “{escape(q.text)}” — {escape(q.author)}" for q in quotes]
    lines += ["", "Thank you for cheering each other on. 💐"]
    return "\n".join(lines)


MONTHS = (
    "January February March April May June July August September October November December"
).split()


def date_range(first: date, last: date) -> str:
    """'2 – 8 March 2026', '28 February – 6 March 2026', '29 December 2025 – 4 January 2026'."""
    end = f"{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year != last.year:
        return f"{first.day} {MONTHS[first.month - 1]} {first.year} – {end}"
    if first.month != last.month:
        return f"{first.day} {MONTHS[first.month - 1]} – {end}"
    return f"{first.day} – {end}"


def marker(week: date) -> str:
    """The footer that identifies a server's digest for a week, found again after a crash."""
    return f"Weekly digest · week of {week.isoformat()}"


def schedule_text(weekday: int, at: str, zone: str) -> str:
    return f"{DAY_NAMES[weekday]}s at {at} ({zone})"
