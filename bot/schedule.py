"""Pure time math for daily prompts and weekly digests: no Discord, no database.

Everything that leaves this module is an aware UTC instant plus the local date it belongs
to. Local datetimes are a trap: Python compares and subtracts two datetimes that share a
ZoneInfo by wall clock alone, ignoring the offset, so 01:30 EDT and 01:30 EST on the night
clocks fall back compare equal although they are an hour apart.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

TIME_ERROR = "Time must be HH:MM in 24-hour form, like 19:30."

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WEEKDAYS: frozenset[int] = frozenset(range(5))
WEEKENDS: frozenset[int] = frozenset({5, 6})

_HHMM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_EVERY_DAY = {"", "daily", "every day", "everyday", "all", "all days"}
_GROUPS = {"weekdays": WEEKDAYS, "weekday": WEEKDAYS, "weekends": WEEKENDS, "weekend": WEEKENDS}
_DAYS_HINT = (
    'Try day names like "mon, wed, fri", a range like "mon-fri", '
    'or "daily", "weekdays" or "weekends".'
)


def parse_hhmm(text: str) -> time:
    """Read a moderator's "19:30" or "7:05"; anything else gets one clear sentence back."""
    match = _HHMM.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(TIME_ERROR)
    return time(int(match[1]), int(match[2]))


def format_hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _day(word: str) -> int:
    """One day word -> 0..6: "mon", "Monday", "tues", "thurs", "mondays"; else ValueError."""
    word = {"weds": "wed"}.get(word, word)
    if len(word) > 6 and word.endswith("s") and word[:-1] in _FULL_NAMES:
        word = word[:-1]
    matches = [i for i, full in enumerate(_FULL_NAMES) if len(word) >= 2 and full.startswith(word)]
    if len(matches) != 1:
        raise ValueError(word)
    return matches[0]


def _bad_part(part: str) -> ValueError:
    shown = part if len(part) <= 30 else part[:29] + "…"
    return ValueError(f'I couldn\'t read "{shown}" as a day. {_DAYS_HINT}')


def parse_weekdays(text: str | None) -> frozenset[int]:
    """Read "mon,wed,fri", "Mon Wed Fri", "mon-fri" (wrapping, so "fri-mon" works),
    "weekdays", "weekends" or "daily" into weekday numbers, Monday = 0."""
    text = re.sub(r"\s*-\s*", "-", (text or "").strip().lower())
    if text in _EVERY_DAY:
        return ALL_DAYS
    days: set[int] = set()
    for part in re.split(r"[\s,;/&+]+", text):
        if part in ("", "and"):
            continue
        if part in _GROUPS:
            days |= _GROUPS[part]
            continue
        try:
            ends = [_day(word) for word in part.split("-")]
        except ValueError:
            raise _bad_part(part) from None
        if len(ends) > 2:
            raise _bad_part(part)
        first, last = ends[0], ends[-1]
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    if not days:
        raise _bad_part(text)
    return frozenset(days)


def format_weekdays(days: frozenset[int]) -> str:
    """The words parse_weekdays reads back: "every day", "weekdays", "Mon, Wed, Fri"."""
    if not days <= ALL_DAYS:
        raise ValueError(f"weekdays are 0..6, got {sorted(days)}")
    named = {ALL_DAYS: "every day", WEEKDAYS: "weekdays", WEEKENDS: "weekends"}
    if days in named:
        return named[days]
    return ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(days)) or "no days"


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the wall clock in `zone` shows `at` on `day`.

    Ambiguous times (clocks fall back) give the first occurrence. Times that never happen
    (clocks spring forward) give the instant of the jump, the first wall time after the gap,
    so a prompt set inside the gap still goes out that day, as early as it can.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # exists; fold=0 is the earlier of two if it is ambiguous
    # In a gap zoneinfo applies the offset from before the jump for fold=0 and from after it
    # for fold=1, which lands on either side of the jump but on neither wall time. Search the
    # whole seconds between them (tz transitions are whole seconds) for the jump itself.
    lo = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())  # before the jump
    hi = math.floor(first.timestamp()) + 1  # after the jump
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) > wall:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def local_date_of(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date on the wall in `zone` at `instant` (which must be aware)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")  # astimezone would assume host time
    return instant.astimezone(zone).date()


def _swallowed(
    day: date, instant: datetime, at: time, zone: ZoneInfo, days: frozenset[int]
) -> bool:
    """True when a gap pushed `day`'s post onto the next allowed day's own instant.

    Only a zone skipping a whole date does that (Pacific/Apia skipped 2011-12-30, so its
    00:00 is 2011-12-31 00:00): one post goes out then, for the date that exists.
    """
    if local_date_of(instant, zone) == day:
        return False
    following = day + timedelta(days=1)
    return following.weekday() in days and local_instant(following, at, zone) <= instant


def next_occurrence(
    after: datetime, at: time, zone: ZoneInfo, weekdays: frozenset[int] = ALL_DAYS
) -> tuple[datetime, date]:
    """The first (UTC instant, local date) strictly after `after` on an allowed weekday.

    Stepping from each result to the next visits every allowed local date once, in order,
    across DST changes. Claim posts by the returned date, not the instant's: a time inside a
    gap just before midnight (America/Nuuk jumps 23:00 -> 00:00) posts the day before's
    prompt at 00:00 the next day.
    """
    if not weekdays:
        raise ValueError("weekdays must not be empty")
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    # Start a day early: a time in a gap before midnight lands on the next date.
    day = local_date_of(after, zone) - timedelta(days=1)
    for _ in range(16):
        if day.weekday() in weekdays:
            instant = local_instant(day, at, zone)
            if instant > after and not _swallowed(day, instant, at, zone, weekdays):
                return instant, day
        day += timedelta(days=1)
    raise AssertionError("unreachable: an allowed weekday comes within a week")


# Names that load but are not places: the host's own zone, and tzdata's placeholder.
_NOT_PLACES = {"localtime", "posixrules", "Factory"}


@functools.cache
def _zone_names() -> dict[str, str]:
    """Lower-cased name -> canonical IANA name, for every zone that is a real place."""
    return {n.lower(): n for n in available_timezones() if n not in _NOT_PLACES}


def zone_or_none(name: str) -> ZoneInfo | None:
    """A ZoneInfo for a known IANA name (any case), else None; never raises.

    Looking the name up first matters: ZoneInfo() itself accepts "localtime" (the host's
    zone) and raises four different exception types for "", "../x", "America" and NULs.
    """
    canonical = _zone_names().get(name.strip().lower()) if isinstance(name, str) else None
    return ZoneInfo(canonical) if canonical else None


def zone_or_utc(name: str) -> ZoneInfo:
    """The server's zone, or UTC when none (or an unknown one) is saved."""
    return zone_or_none(name) or ZoneInfo("UTC")


_LEGACY_PREFIXES = ("Etc/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/", "SystemV/")
_COMMON = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@functools.cache
def _searchable() -> tuple[tuple[str, str, str], ...]:
    """(name, name lower-cased, city with spaces) for zones worth offering, sorted by name.

    Backward-compatible aliases without a "/" (e.g. "GB", "Japan") and the legacy country
    folders are left out; "Etc/GMT+5" is also out because its sign is the opposite of what
    people expect.
    """
    names = [
        n
        for n in _zone_names().values()
        if n == "UTC" or ("/" in n and not n.startswith(_LEGACY_PREFIXES))
    ]
    return tuple(
        (n, n.lower(), n.rsplit("/", 1)[-1].lower().replace("_", " ")) for n in sorted(names)
    )


def search_zones(typed: str, limit: int = 25) -> list[str]:
    """Zone names for Discord autocomplete: cities starting with `typed` first, then other
    names containing it ("new york", "berl", "europe/"), alphabetical within each group."""
    query = " ".join(typed.lower().replace("_", " ").split())
    if limit <= 0:
        return []
    if not query:
        return [n for n in _COMMON if n in _zone_names().values()][:limit]
    underscored = query.replace(" ", "_")
    prefix, contains = [], []
    for name, lower, city in _searchable():
        if city.startswith(query):
            prefix.append(name)
        elif query in city or underscored in lower:
            contains.append(name)
    return (prefix + contains)[:limit]
