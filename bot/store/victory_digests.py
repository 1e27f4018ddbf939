"""The weekly digest: quote preferences, the week in numbers, its schedule and its claims.

A mixin of `VictoryRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository, returned
from bot.store.guilds import ENSURE_GUILD
from bot.store.victory_rows import (
    CLAIMED,
    DIGEST_COLUMNS,
    SETTINGS_SELECT,
    VICTORY_COLUMNS,
    CelebrationSettings,
    DigestClaim,
    Victory,
    _claim,
    _settings,
    _victory,
)


class DigestQueries(Repository):
    # ----- quotes ----------------------------------------------------------------------
    async def set_quotes_allowed(self, guild_id: int, member_id: int, allow: bool) -> None:
        def save(db: sqlite3.Connection) -> None:
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                "INSERT INTO victory_quote_prefs (guild_id, member_id, allow) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, member_id) DO UPDATE SET allow = excluded.allow",
                (guild_id, member_id, int(allow)),
            )

        await self.store.atomic(save)

    async def quotes_allowed(self, guild_id: int, member_id: int) -> bool:
        """Members may be quoted unless they said no."""
        row = await self.store.fetchone(
            "SELECT allow FROM victory_quote_prefs WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return row is None or bool(row[0])

    # ----- the week in numbers ---------------------------------------------------------
    async def value_counts(
        self, guild_id: int, start: datetime, end: datetime
    ) -> dict[str | None, int]:
        """Public victories in [start, end) per value key (None: no value named)."""
        rows = await self.store.fetchall(
            "SELECT value_key, COUNT(*) FROM victories WHERE guild_id = ? AND public = 1 "
            "AND created_at >= ? AND created_at < ? GROUP BY value_key",
            (guild_id, to_epoch(start), to_epoch(end)),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def quotable(
        self, guild_id: int, start: datetime, end: datetime, limit: int = 500
    ) -> list[Victory]:
        """Public victories in [start, end) whose authors have not opted out of quotes."""
        rows = await self.store.fetchall(
            f"SELECT {VICTORY_COLUMNS} FROM victories v WHERE guild_id = ? AND public = 1 "
            "AND created_at >= ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM "
            "victory_quote_prefs p WHERE p.guild_id = v.guild_id AND p.member_id = v.member_id "
            "AND p.allow = 0) ORDER BY victory_id LIMIT ?",
            (guild_id, to_epoch(start), to_epoch(end), limit),
        )
        return [_victory(row) for row in rows]

    # ----- settings and the digest schedule --------------------------------------------
    async def settings(self, guild_id: int) -> CelebrationSettings:
        row = await self.store.fetchone(f"{SETTINGS_SELECT} WHERE s.guild_id = ?", (guild_id,))
        if row is None:
            guild = await self.store.guilds.get(guild_id)
            return CelebrationSettings(guild_id, timezone=guild.timezone)
        return _settings(row)

    async def update_settings(self, guild_id: int, **changes: Any) -> CelebrationSettings:
        """Change channel_id / digest_enabled / digest_weekday / digest_time and the schedule
        (next_at, next_date, next_zone) in one statement."""
        allowed = {
            "channel_id", "digest_enabled", "digest_weekday", "digest_time",
            "next_at", "next_date", "next_zone",
        }  # fmt: skip
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown celebration settings: {sorted(unknown)}")
        values = {key: _db_value(value) for key, value in changes.items()}
        columns = ["guild_id", *values]
        updates = ", ".join(f"{key} = excluded.{key}" for key in values) or "guild_id = guild_id"

        def save(db: sqlite3.Connection) -> CelebrationSettings:
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                f"INSERT INTO celebration_settings ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {updates}",
                (guild_id, *values.values()),
            )
            return _settings(
                db.execute(f"{SETTINGS_SELECT} WHERE s.guild_id = ?", (guild_id,)).fetchone()
            )

        return await self.store.atomic(save)  # the change and the settings now, in one hop

    async def due(self, now: datetime, limit: int = 100) -> list[CelebrationSettings]:
        """Servers whose digest is due (or not yet scheduled), through the next_at index."""
        rows = await self.store.fetchall(
            f"{SETTINGS_SELECT} WHERE s.digest_enabled = 1 AND s.next_at <= ? "
            "AND g.left_at IS NULL ORDER BY s.next_at LIMIT ?",
            (to_epoch(now), limit),
        )
        return [_settings(row) for row in rows]

    async def reschedule(self, guild_id: int, at: datetime, day: date, zone: str) -> None:
        await self.store.execute(
            "UPDATE celebration_settings SET next_at = ?, next_date = ?, next_zone = ? "
            "WHERE guild_id = ?",
            (to_epoch(at), day.isoformat(), zone, guild_id),
        )

    async def last_period_end(self, guild_id: int) -> datetime | None:
        row = await self.store.fetchone(
            "SELECT MAX(period_end) FROM victory_digests WHERE guild_id = ? AND status = 'sent'",
            (guild_id,),
        )
        return from_epoch(row[0]) if row and row[0] is not None else None

    async def claim_digest(
        self,
        guild_id: int,
        week_start: date,
        scheduled_at: datetime,
        period: tuple[datetime, datetime],
        now: datetime,
        next_schedule: tuple[datetime, date, str],
        *,
        nonce: str | None = None,
        status: str = CLAIMED,
        note: str | None = None,
    ) -> DigestClaim | None:
        """Claim this server's digest for the week and move its schedule on, atomically.

        None when the week was already claimed (earlier, or before a restart): the UNIQUE
        key is what makes a digest go out at most once a week. `status` MISSED records a
        digest that was too late, in the same way.
        """
        next_at, next_date, zone = next_schedule

        def claim(db: sqlite3.Connection) -> sqlite3.Row | None:
            cursor = db.execute(
                "INSERT INTO victory_digests (guild_id, week_start, scheduled_at, period_start, "
                "period_end, status, nonce, claimed_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (guild_id, week_start) DO NOTHING RETURNING {DIGEST_COLUMNS}",
                (
                    guild_id, week_start.isoformat(), to_epoch(scheduled_at),
                    to_epoch(period[0]), to_epoch(period[1]), status, nonce, to_epoch(now), note,
                ),
            )  # fmt: skip
            row = returned(cursor)
            db.execute(
                "UPDATE celebration_settings SET next_at = ?, next_date = ?, next_zone = ? "
                "WHERE guild_id = ?",
                (to_epoch(next_at), next_date.isoformat(), zone, guild_id),
            )
            return row

        row = await self.store.atomic(claim)
        return None if row is None else _claim(row)

    async def pending_claims(self, window_start: datetime, limit: int = 100) -> list[DigestClaim]:
        """Claims not yet known sent (a crash, or Discord in trouble) that may still go out."""
        rows = await self.store.fetchall(
            f"SELECT {DIGEST_COLUMNS} FROM victory_digests WHERE status = 'claimed' "
            "AND scheduled_at > ? ORDER BY scheduled_at LIMIT ?",
            (to_epoch(window_start), limit),
        )
        return [_claim(row) for row in rows]

    async def expire_unsent(self, window_start: datetime, note: str) -> list[int]:
        """Claims never sent (no attempt counted, so nothing of them is on Discord) become
        failed once the catch-up window closed; their servers."""
        rows = await self.store.fetchall(
            "UPDATE victory_digests SET status = 'failed', note = ? WHERE status = 'claimed' "
            "AND attempts = 0 AND scheduled_at <= ? RETURNING guild_id",
            (note, to_epoch(window_start)),
        )
        return [row[0] for row in rows]

    async def stale_claims(self, window_start: datetime, limit: int = 100) -> list[DigestClaim]:
        """Claims past the catch-up window whose send was started: the digest may be on
        Discord, so it is looked for before the week is given up."""
        rows = await self.store.fetchall(
            f"SELECT {DIGEST_COLUMNS} FROM victory_digests WHERE status = 'claimed' "
            "AND attempts > 0 AND scheduled_at <= ? ORDER BY scheduled_at LIMIT ?",
            (to_epoch(window_start), limit),
        )
        return [_claim(row) for row in rows]

    async def start_attempt(self, digest_id: int) -> None:
        """Counted before each send: after a crash, attempts > 0 means 'look before re-sending'."""
        await self.store.execute(
            "UPDATE victory_digests SET attempts = attempts + 1 WHERE digest_id = ?", (digest_id,)
        )

    async def finish_digest(
        self,
        digest_id: int,
        status: str,
        *,
        channel_id: int | None = None,
        message_id: int | None = None,
        note: str | None = None,
    ) -> None:
        await self.store.execute(
            "UPDATE victory_digests SET status = ?, channel_id = ?, message_id = ?, note = ? "
            "WHERE digest_id = ? AND status = 'claimed'",
            (status, channel_id, message_id, note, digest_id),
        )

    async def digest(self, digest_id: int) -> DigestClaim | None:
        row = await self.store.fetchone(
            f"SELECT {DIGEST_COLUMNS} FROM victory_digests WHERE digest_id = ?", (digest_id,)
        )
        return None if row is None else _claim(row)

    async def last_digest(self, guild_id: int) -> DigestClaim | None:
        row = await self.store.fetchone(
            f"SELECT {DIGEST_COLUMNS} FROM victory_digests WHERE guild_id = ? "
            "ORDER BY scheduled_at DESC LIMIT 1",
            (guild_id,),
        )
        return None if row is None else _claim(row)


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_epoch(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
