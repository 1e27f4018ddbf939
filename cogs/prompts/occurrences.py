"""When a server's daily prompts fall: the next day, the catch-up after an outage, the first
free day. Pure date logic on a schedule, without Discord or the database, so it is tested
alone; `bot.schedule` does the time-zone math.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.schedule import next_occurrence, parse_hhmm, zone_or_utc
from bot.store.prompts import Schedule

CATCH_UP = timedelta(hours=6)  # a post later than this is recorded as missed
MAX_CATCH_UP_DAYS = 62  # days recorded as missed after a long outage; older ones are dropped


@dataclass(frozen=True)
class Occurrence:
    at: datetime  # UTC
    local_date: date


@dataclass(frozen=True)
class CatchUp:
    missed: tuple[Occurrence, ...]
    post: Occurrence | None


def following(schedule: Schedule, after: datetime) -> Occurrence:
    instant, day = next_occurrence(
        after, parse_hhmm(schedule.post_time), zone_or_utc(schedule.timezone), schedule.weekdays
    )
    return Occurrence(instant, day)


def catch_up(schedule: Schedule, now: datetime) -> CatchUp:
    """Split the due days from the schedule's next one up to `now`: the newest day posts if
    it is less than 6 hours late; every other due day is missed."""
    due = [Occurrence(schedule.next_post_at, schedule.next_local_date)]
    while len(due) < MAX_CATCH_UP_DAYS:
        nxt = following(schedule, due[-1].at)
        if nxt.at > now:
            break
        due.append(nxt)
    newest = due[-1]
    if now - newest.at < CATCH_UP:
        return CatchUp(tuple(due[:-1]), newest)
    return CatchUp(tuple(due), None)


def first_free(
    schedule: Schedule, after: datetime, taken: set[date], limit: int = 400
) -> Occurrence:
    """The first occurrence after `after` whose local date has no post row yet."""
    occurrence = following(schedule, after)
    for _ in range(limit):
        if occurrence.local_date not in taken:
            return occurrence
        occurrence = following(schedule, occurrence.at)
    return occurrence
