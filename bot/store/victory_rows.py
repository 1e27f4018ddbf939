"""Victories' rows: `Victory`, a cheer's outcome, the digest's settings and claims, their columns.

Kept apart from the repository so its modules (victories.py, victory_digests.py,
victory_member_data.py) share one definition; features import these from
`bot.store.victories`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.clock import from_epoch

VICTORY_COLUMNS = (
    "victory_id, guild_id, member_id, author_name, text, value_key, public, channel_id, "
    "message_id, created_at"
)
# A history page's victories with their cheers (the primary key makes each count one range).
CHEERS_COLUMN = "(SELECT COUNT(*) FROM cheers c WHERE c.victory_id = victories.victory_id)"
DIGEST_COLUMNS = (
    "digest_id, guild_id, week_start, scheduled_at, period_start, period_end, status, "
    "attempts, nonce, claimed_at, channel_id, message_id, note"
)
# A public victory's card: the victory is saved with the channel its card goes to (step 1),
# the card is posted (2), its message id recorded (3). Public with a channel and no message
# id is a card on its way, or one a stopped process left: found again by this custom id.
CARD_ID_PREFIX = "kindred:cheer:"
# Digest states: claimed (owned, not yet known sent) -> sent | failed; missed and skipped
# are recorded at claim time (too late; nothing to post and nowhere to post it).
CLAIMED, SENT, FAILED, MISSED, SKIPPED = "claimed", "sent", "failed", "missed", "skipped"


@dataclass(frozen=True)
class Victory:
    victory_id: int
    guild_id: int
    member_id: int
    author_name: str
    text: str
    value_key: str | None
    public: bool
    channel_id: int | None
    message_id: int | None
    created_at: datetime
    cheers: int = 0  # read with a history page only (the author sees them there)


def _victory(row: Any) -> Victory:
    return Victory(
        row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8],
        from_epoch(row[9]), row[10] if len(row) > 10 else 0,
    )  # fmt: skip


class CheerStatus(Enum):
    CHEERED = "cheered"
    UNCHEERED = "uncheered"
    OWN = "own"  # members cannot cheer their own victory
    MISSING = "missing"  # removed, or not in this server


@dataclass(frozen=True)
class CheerResult:
    status: CheerStatus
    count: int = 0
    author_name: str = ""
    card_known: bool = True  # False: the card's id was never recorded (a crash after posting)


@dataclass(frozen=True)
class CelebrationSettings:
    guild_id: int
    channel_id: int | None = None
    digest_enabled: bool = True
    digest_weekday: int = 6  # Sunday
    digest_time: str = "18:00"
    next_at: datetime | None = None  # None: not scheduled yet
    next_date: date | None = None
    next_zone: str | None = None
    timezone: str = "UTC"  # the server's, from guilds


def _settings(row: Any) -> CelebrationSettings:
    return CelebrationSettings(
        guild_id=row[0],
        channel_id=row[1],
        digest_enabled=bool(row[2]),
        digest_weekday=row[3],
        digest_time=row[4],
        next_at=from_epoch(row[5]) if row[5] else None,
        next_date=date.fromisoformat(row[6]) if row[6] else None,
        next_zone=row[7],
        timezone=row[8] or "UTC",
    )


SETTINGS_SELECT = (
    "SELECT s.guild_id, s.channel_id, s.digest_enabled, s.digest_weekday, s.digest_time, "
    "s.next_at, s.next_date, s.next_zone, g.timezone "
    "FROM celebration_settings s JOIN guilds g ON g.guild_id = s.guild_id"
)


@dataclass(frozen=True)
class DigestClaim:
    digest_id: int
    guild_id: int
    week_start: date
    scheduled_at: datetime
    period_start: datetime
    period_end: datetime
    status: str
    attempts: int
    nonce: str | None
    claimed_at: datetime
    channel_id: int | None
    message_id: int | None
    note: str | None


def _claim(row: Any) -> DigestClaim:
    return DigestClaim(
        row[0], row[1], date.fromisoformat(row[2]), from_epoch(row[3]), from_epoch(row[4]),
        from_epoch(row[5]), row[6], row[7], row[8], from_epoch(row[9]), row[10], row[11],
        row[12],
    )  # fmt: skip
