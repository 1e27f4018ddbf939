"""Daily prompts' rows: a post's states, the weekday mask, `Schedule`, `Post`, `OwnPrompt`.

Kept apart from the repository so its modules (prompts.py, prompt_posts.py) share one
definition; features import these from `bot.store.prompts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import from_epoch

OWN_PREFIX = "own-"
# States a post may be in; "claimed" is the only unresolved one.
CLAIMED, SENT, MISSED, FAILED, SKIPPED = "claimed", "sent", "missed", "failed", "skipped"
RESOLVED = (SENT, MISSED, FAILED, SKIPPED)


def weekday_mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


def weekdays_of(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def own_id(prompt_id: int) -> str:
    """The id moderators see for a server's own prompt."""
    return f"{OWN_PREFIX}{prompt_id}"


@dataclass(frozen=True)
class Schedule:
    guild_id: int
    channel_id: int
    post_time: str  # local "HH:MM"
    timezone: str
    weekdays: frozenset[int]  # Monday = 0
    next_post_at: datetime
    next_local_date: date
    paused: bool
    pause_reason: str | None


@dataclass(frozen=True)
class Post:
    """One claimed day; `attempts > 0` means a send was started and may have reached Discord."""

    post_id: int
    guild_id: int
    local_date: date
    state: str
    prompt_id: str | None
    value_key: str | None
    prompt_text: str | None
    cycle: int
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    link: str | None
    nonce: str | None
    attempts: int
    scheduled_at: datetime | None
    claimed_at: datetime
    finished_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class OwnPrompt:
    prompt_id: int
    guild_id: int
    value_key: str
    text: str
    added_by: int | None
    suggested_by: int | None
    created_at: datetime

    @property
    def public_id(self) -> str:
        return own_id(self.prompt_id)


@dataclass(frozen=True)
class RotationState:
    """Where a server is in its rotation just before `local_date`."""

    cycle: int
    used: frozenset[str]  # prompt ids already posted (or being posted) in this cycle
    last_value: str | None  # value of the latest post before the date


SCHEDULE_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, weekdays, next_post_at, next_local_date, "
    "paused, pause_reason"
)
POST_COLUMNS = (
    "post_id, guild_id, local_date, state, prompt_id, value_key, prompt_text, cycle, "
    "channel_id, message_id, thread_id, link, nonce, attempts, scheduled_at, claimed_at, "
    "finished_at, note"
)
OWN_COLUMNS = "prompt_id, guild_id, value_key, text, added_by, suggested_by, created_at"


def _schedule(r) -> Schedule:
    return Schedule(
        r[0],
        r[1],
        r[2],
        r[3],
        weekdays_of(r[4]),
        from_epoch(r[5]),
        date.fromisoformat(r[6]),
        bool(r[7]),
        r[8],
    )


def _post(r) -> Post:
    return Post(
        r[0],
        r[1],
        date.fromisoformat(r[2]),
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
        from_epoch(r[14]),
        from_epoch(r[15]),
        from_epoch(r[16]),
        r[17],
    )


def _own(r) -> OwnPrompt:
    return OwnPrompt(r[0], r[1], r[2], r[3], r[4], r[5], from_epoch(r[6]))
