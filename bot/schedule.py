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
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

TIME_ERROR = "Please give a time like 19:30 or 7:30 pm (HH:MM in 24-hour form, or with am/pm)."

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALL_DAYS: frozenset[int] = frozenset(range(7))
WEEKDAYS: frozenset[int] = frozenset(range(5))
WEEKENDS: frozenset[int] = frozenset({5, 6})

# 19:30, 7.30, 7pm, 7 pm, 7:30 p.m.; ASCII digits only ("١٩:٣٠" is refused, not misread).
_CLOCK = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?(?:\s*([ap])\.?\s*m\.?)?")
_NAMED_TIMES = {"noon": time(12), "midday": time(12), "12 noon": time(12), "midnight": time(0)}
_EVERY_DAY = {"", "daily", "every day", "everyday", "all", "all days"}
_GROUPS = {"weekdays": WEEKDAYS, "weekday": WEEKDAYS, "weekends": WEEKENDS, "weekend": WEEKENDS}
_DAYS_HINT = (
    'Try day names like "mon, wed, fri", a range like "mon-fri", '
    'or "daily", "weekdays" or "weekends".'
)


def parse_hhmm(text: str) -> time:
    """Read a moderator's "19:30", "7:05", "7pm", "7:30 pm", "7.30pm", "noon" or "midnight";
    anything else ("25:00", "13pm", "7:60", "0pm", a bare "7") gets one clear sentence back."""
    text = " ".join(text.lower().split())
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    match = _CLOCK.fullmatch(text)
    if not match or (match[2] is None and match[3] is None):
        raise ValueError(TIME_ERROR)
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:  # 12-hour clock: 12am is midnight, 12pm is noon
        if not 1 <= hour <= 12:
            raise ValueError(TIME_ERROR)
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(TIME_ERROR)
    return time(hour, minute)


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


def _key(text: str) -> str:
    """How typed zone text is compared: lower case, no accents, "_" as a space, one space."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r" ?/ ?", "/", " ".join(text.lower().replace("_", " ").split()))


# What people type for a place -> its zone (lower case, no accents; "x time" reads as "x").
# Abbreviations here are of places without summer time, so the city zone is the same clock.
_PLACES = """
UTC=utc, uct, universal, zulu, coordinated universal time;
Europe/London=uk, united kingdom, britain, great britain, england, scotland, wales, gb;
Europe/Dublin=ireland, republic of ireland, eire; Europe/Paris=france;
Europe/Berlin=germany, deutschland; Europe/Madrid=spain, espana; Europe/Rome=italy, italia;
Europe/Amsterdam=netherlands, the netherlands, holland; Europe/Brussels=belgium;
Europe/Zurich=switzerland; Europe/Vienna=austria; Europe/Lisbon=portugal; Europe/Stockholm=sweden;
Europe/Oslo=norway; Europe/Copenhagen=denmark; Europe/Helsinki=finland; Europe/Warsaw=poland;
Europe/Prague=czechia, czech republic; Europe/Athens=greece;
Europe/Istanbul=turkey, turkiye, istanbul; Europe/Kyiv=ukraine, kiev; Europe/Bucharest=romania;
Europe/Budapest=hungary; Europe/Moscow=msk; Atlantic/Reykjavik=iceland; Asia/Tokyo=japan, jst;
Asia/Kolkata=india, mumbai, bombay, delhi, new delhi, bangalore, bengaluru, chennai;
Asia/Shanghai=china, prc, beijing; Asia/Hong_Kong=hongkong, hkt; Asia/Taipei=taiwan, roc;
Asia/Seoul=south korea, korea, rok, kst; Asia/Singapore=sgt; Asia/Manila=philippines, pht;
Asia/Bangkok=thailand; Asia/Ho_Chi_Minh=vietnam, viet nam; Asia/Kuala_Lumpur=malaysia;
Asia/Jakarta=wib; Asia/Karachi=pakistan, pkt; Asia/Dhaka=bangladesh;
Asia/Dubai=uae, united arab emirates; Asia/Riyadh=saudi arabia; Asia/Jerusalem=israel;
Asia/Tehran=iran; Asia/Kathmandu=nepal; Asia/Colombo=sri lanka;
Africa/Johannesburg=south africa, sast; Africa/Lagos=nigeria, wat; Africa/Nairobi=kenya, eat;
Africa/Maputo=cat; Africa/Cairo=egypt; Africa/Accra=ghana; Africa/Casablanca=morocco;
Australia/Perth=awst; Pacific/Auckland=new zealand, nz, aotearoa; Pacific/Honolulu=hawaii, hst;
America/New_York=eastern, eastern standard time, eastern daylight time, est5edt, nyc;
America/Chicago=central, central standard time, central daylight time, cst6cdt;
America/Denver=mountain, mountain standard time, mountain daylight time, mst7mdt;
America/Phoenix=arizona;
America/Los_Angeles=pacific, pacific standard time, pacific daylight time, pst8pdt;
America/Anchorage=alaska; America/Halifax=atlantic; America/St_Johns=newfoundland;
America/Argentina/Buenos_Aires=argentina; America/Bogota=colombia; America/Lima=peru;
America/Havana=cuba
"""
# Text that must not be taken as it is: what it means -> the zones to offer instead.
_ADVICE = """
{} never changes for summer time: est=America/New_York; cst=America/Chicago Asia/Shanghai; \
mst=America/Denver America/Phoenix; pst=America/Los_Angeles; akst=America/Anchorage; \
nst=America/St_Johns; gmt, gmt0, gmt+0, gmt-0, greenwich=Europe/London UTC; \
wet=Europe/Lisbon; cet, met=Europe/Berlin Europe/Paris; eet=Europe/Athens Europe/Helsinki; \
aest=Australia/Sydney Australia/Brisbane; acst=Australia/Adelaide Australia/Darwin; \
nzst=Pacific/Auckland
{} is summer time only: edt=America/New_York; cdt=America/Chicago; mdt=America/Denver; \
pdt=America/Los_Angeles; akdt=America/Anchorage; adt=America/Halifax; ndt=America/St_Johns; \
cest=Europe/Berlin Europe/Paris; eest=Europe/Athens Europe/Helsinki; west=Europe/Lisbon; \
aedt=Australia/Sydney; acdt=Australia/Adelaide; nzdt=Pacific/Auckland
{} is used for more than one place: ist=Asia/Kolkata Europe/Dublin Asia/Jerusalem; \
ast=America/Halifax Asia/Riyadh; bst=Europe/London Asia/Dhaka
{} has more than one time zone: united states, usa, us=America/New_York \
America/Chicago America/Denver America/Los_Angeles; canada=America/Toronto America/Winnipeg \
America/Edmonton America/Vancouver; australia=Australia/Sydney Australia/Brisbane \
Australia/Adelaide Australia/Perth; brazil=America/Sao_Paulo America/Manaus; \
mexico=America/Mexico_City America/Tijuana; russia=Europe/Moscow Asia/Yekaterinburg \
Asia/Novosibirsk Asia/Vladivostok; indonesia=Asia/Jakarta Asia/Makassar Asia/Jayapura
"""
_OFFSET = re.compile(r"(?:etc/)?(?:utc|gmt)? ?[+-] ?[0-9]{1,2}(?::?[0-9]{2})?")
_CITY_HINT = "Please pick one from the list, or type a city like Berlin or New York."


@functools.cache
def _places() -> dict[str, str]:
    pairs = (entry.partition("=") for entry in " ".join(_PLACES.split()).split("; "))
    return {alias: zone for zone, _, aliases in pairs for alias in aliases.split(", ")}


@functools.cache
def _advice() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Typed key -> (reason with a {} for the text, the zones to suggest)."""
    found = {}
    for line in _ADVICE.strip().splitlines():
        reason, _, entries = line.partition(": ")
        for entry in entries.split("; "):
            keys, _, zones = entry.partition("=")
            found.update((key, (reason, tuple(zones.split()))) for key in keys.split(", "))
    return found


@functools.cache
def _cities() -> dict[str, str]:
    """City -> zone; where two zones share a city, the deeper (current) name wins."""
    best: dict[str, str] = {}
    for name, _, city in _searchable():
        if city not in best or name.count("/") > best[city].count("/"):
            best[city] = name
    return best


@functools.cache
def _names_by_key() -> dict[str, str]:
    return {_key(n): n for n in _zone_names().values()}


def _or(zones: tuple[str, ...]) -> str:
    return zones[0] if len(zones) == 1 else f"{', '.join(zones[:-1])} or {zones[-1]}"


def read_zone(text: str) -> ZoneInfo:
    """A moderator's zone text -> ZoneInfo: an IANA name (any case), a city ("new york",
    "sao paulo"), a country with one zone ("germany") or a common name ("eastern time").

    Otherwise ValueError with one sentence to show: abbreviations like EST and fixed offsets
    like UTC+2 never change for summer time, so they are refused with the city zone to use.
    """
    shown = text.strip()[:60]
    key = _key(text)
    for k in dict.fromkeys((key, key.removesuffix(" time"))):
        if k in _places():
            return ZoneInfo(_places()[k])
        if k in _advice():
            reason, zones = _advice()[k]
            word = k.upper() if len(k) <= 5 else f"'{shown}'"
            raise ValueError(f"{reason.format(word)}; did you mean {_or(zones)}?")
        name = _cities().get(k) or _names_by_key().get(k)  # "singapore": the city, not the alias
        if name and not _OFFSET.fullmatch(k):
            return ZoneInfo(name)
    if _OFFSET.fullmatch(key):
        raise ValueError(
            f"{shown} is a fixed offset that never changes for summer time. Please pick your "
            "city's zone from the list, like Europe/Berlin or America/New_York."
        )
    raise ValueError(f"I don't know the time zone '{shown}'. {_CITY_HINT}")


def zone_or_none(name: str) -> ZoneInfo | None:
    """read_zone's zone, or None where it refuses; never raises. Only names found in the
    tables reach ZoneInfo(), which itself accepts "localtime" (the host's zone) and raises
    four different exception types for "", "../x", "America" and NULs."""
    try:
        return read_zone(name) if isinstance(name, str) else None
    except ValueError:
        return None


def zone_or_utc(name: str) -> ZoneInfo:
    """The server's saved zone (its exact IANA name), or UTC when none or an unknown one is."""
    canonical = _zone_names().get(name.strip().lower()) if isinstance(name, str) else None
    return ZoneInfo(canonical) if canonical else ZoneInfo("UTC")


_LEGACY_PREFIXES = ("Etc/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/", "SystemV/")
_COMMON = tuple(
    "UTC Europe/London Europe/Berlin America/New_York America/Chicago America/Denver "
    "America/Los_Angeles America/Sao_Paulo Africa/Lagos Asia/Kolkata Asia/Tokyo "
    "Australia/Sydney".split()
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


def _stands_for(query: str) -> list[str]:
    """Zones a country, common name or abbreviation stands for: the typed text itself first,
    then (from four letters on) the names that start with it ("germ" -> Europe/Berlin)."""
    words = [*dict.fromkeys((query, query.removesuffix(" time")))]
    if len(query) >= 4:
        words += sorted(w for w in (*_places(), *_advice()) if w.startswith(query))
    found = []
    for word in words:
        found += [_places()[word]] if word in _places() else [*_advice().get(word, ("", ()))[1]]
    return found


def search_zones(typed: str, limit: int = 25) -> list[str]:
    """Zone names for Discord autocomplete: what a country, common name or abbreviation
    stands for ("japan", "eastern", "est") first, then cities starting with `typed`, then
    other names containing it ("new york", "berl", "europe/"), alphabetical within each."""
    query = _key(typed)
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
    return [*dict.fromkeys(_stands_for(query) + prefix + contains)][:limit]


def local_iso(instant: datetime, zone_name: str) -> str:
    """`instant` in ISO-8601 on the named zone's wall clock, with its offset; unknown: UTC."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")  # astimezone would assume host time
    return instant.astimezone(zone_or_utc(zone_name)).isoformat()
