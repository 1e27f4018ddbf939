"""Victories, cheers, quote preferences and the weekly digest's schedule and claims.

Hot paths are one hop to the database thread each (a /celebrate is one INSERT shared with
the others saved meanwhile, a cheer one `atomic` transaction), because under a burst every
await on the shared connection is queueing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.clock import from_epoch, to_epoch
from bot.store.base import CleanupJob, Repository, returned, row_dict, sweep_bound
from bot.store.guilds import ENSURE_GUILD

ENSURE_SETTINGS = (
    "INSERT INTO celebration_settings (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING"
)
INSERTED = "guild_id, member_id, author_name, text, value_key, public, channel_id, created_at"
INSERT_VICTORIES = f"INSERT INTO victories ({INSERTED})"
ROW_MARKS = "(?, ?, ?, ?, ?, ?, ?, ?)"
ONE_ROW = f"VALUES {ROW_MARKS}"
BATCH_LIMIT = 100  # 800 parameters, far below SQLite's limit
VICTORY_COLUMNS = (
    "victory_id, guild_id, member_id, author_name, text, value_key, public, channel_id, "
    "message_id, created_at"
)
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


def _victory(row: Any) -> Victory:
    return Victory(
        row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8],
        from_epoch(row[9]),
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


def _insert_first(db: sqlite3.Connection, params: tuple) -> int:
    """A server's first victory in this process: make sure its rows exist, then insert."""
    guild_id = params[0]
    db.execute(ENSURE_GUILD, (guild_id,))
    db.execute(ENSURE_SETTINGS, (guild_id,))
    return db.execute(f"{INSERT_VICTORIES} {ONE_ROW}", params).lastrowid


class VictoryRepository(Repository):
    member_tables = ("victories", "cheers", "victory_quote_prefs")

    def __init__(self, store):
        super().__init__(store)
        # Servers whose guilds/settings rows this process has ensured: saves two statements
        # on every /celebrate. A purged server fails the foreign key once and is re-ensured.
        self._ensured: set[int] = set()
        self._pending: list[tuple[tuple, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    # ----- victories ---------------------------------------------------------------
    async def add(
        self,
        guild_id: int,
        member_id: int,
        author_name: str,
        text: str,
        value_key: str | None,
        public: bool,
        at: datetime,
        channel_id: int | None = None,
    ) -> Victory:
        """Save a victory; the returned row has its id (the Cheer button needs it). A public
        one names the channel its card goes to: the first step of posting it, recorded."""
        channel_id = channel_id if public else None
        params = (
            guild_id, member_id, author_name, text, value_key, int(public), channel_id,
            to_epoch(at),
        )  # fmt: skip
        victory_id = None
        if guild_id in self._ensured:
            try:
                victory_id = await self._insert_batched(params)
            except sqlite3.IntegrityError:
                self._ensured.discard(guild_id)  # the server was purged meanwhile
        if victory_id is None:
            victory_id = await self.store.atomic(_insert_first, params)
            self._ensured.add(guild_id)
        return Victory(
            victory_id, guild_id, member_id, author_name, text, value_key, public, channel_id,
            None, from_epoch(params[-1]),
        )  # fmt: skip

    async def _insert_batched(self, params: tuple) -> int:
        """Group commit: victories saved while an INSERT is running share the next one.

        Every statement on the shared connection is a hop to its thread; under a burst of
        /celebrate one multi-row INSERT per hop keeps the queue short. Alone, a victory is
        written at once, as a batch of one.
        """
        future = asyncio.get_running_loop().create_future()
        self._pending.append((params, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:BATCH_LIMIT], self._pending[BATCH_LIMIT:]
            rows = [params for params, _ in batch]
            try:
                saved = await self.store.fetchall(
                    f"{INSERT_VICTORIES} VALUES {', '.join([ROW_MARKS] * len(rows))} "
                    f"RETURNING victory_id, {INSERTED}",
                    [value for row in rows for value in row],
                )
                ids: dict[tuple, list[int]] = {}
                for row in saved:  # match by content: RETURNING promises no order
                    ids.setdefault(tuple(row)[1:], []).append(row[0])
                results = [ids[params].pop(0) for params in rows]
            except Exception as error:  # each caller sees it (a purged server: they retry)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), victory_id in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(victory_id)

    async def set_message(self, victory_id: int, channel_id: int, message_id: int) -> bool:
        """Record a posted card; False when the victory is gone or no longer public (removed
        or erased meanwhile): then the card must come down again."""
        row = await self.store.fetchone(
            "UPDATE victories SET channel_id = ?, message_id = ? WHERE victory_id = ? "
            "AND public = 1 RETURNING victory_id",
            (channel_id, message_id, victory_id),
        )
        return row is not None

    async def adopt_card(self, victory_id: int, channel_id: int, message_id: int) -> bool:
        """A press on a card whose id was never recorded (the process died after posting
        it): record it. False when the victory already knows its card, or is gone."""
        row = await self.store.fetchone(
            "UPDATE victories SET channel_id = ?, message_id = ? WHERE victory_id = ? "
            "AND public = 1 AND message_id IS NULL RETURNING victory_id",
            (channel_id, message_id, victory_id),
        )
        return row is not None

    async def make_public(
        self, victory_id: int, guild_id: int, member_id: int, channel_id: int | None = None
    ) -> Victory | None:
        """The author chose to share a victory that was kept private: None unless it is
        theirs, in this server, and still private. `channel_id`: where its card goes."""
        row = await self.store.fetchone(
            f"UPDATE victories SET public = 1, channel_id = ? WHERE victory_id = ? "
            f"AND guild_id = ? AND member_id = ? AND public = 0 RETURNING {VICTORY_COLUMNS}",
            (channel_id, victory_id, guild_id, member_id),
        )
        return None if row is None else _victory(row)

    async def unposted(self, limit: int = 500) -> list[Victory]:
        """Public victories whose card is on its way (or was, when a process stopped):
        a channel named, no message recorded. Oldest first."""
        rows = await self.store.fetchall(
            f"SELECT {VICTORY_COLUMNS} FROM victories WHERE public = 1 AND message_id IS NULL "
            "AND channel_id IS NOT NULL ORDER BY victory_id LIMIT ?",
            (limit,),
        )
        return [_victory(row) for row in rows]

    async def make_private(self, victory_id: int) -> None:
        """The public post could not be made: keep the words, privately."""
        await self.store.execute(
            "UPDATE victories SET public = 0, channel_id = NULL, message_id = NULL "
            "WHERE victory_id = ?",
            (victory_id,),
        )

    async def get(self, victory_id: int) -> Victory | None:
        row = await self.store.fetchone(
            f"SELECT {VICTORY_COLUMNS} FROM victories WHERE victory_id = ?", (victory_id,)
        )
        return None if row is None else _victory(row)

    async def remove(
        self,
        victory_id: int,
        guild_id: int,
        *,
        member_id: int | None = None,
        public_only: bool = False,
    ) -> Victory | None:
        """Delete one victory (and, by cascade, its cheers); the deleted row, or None."""
        conditions = ["victory_id = ?", "guild_id = ?"]
        params: list[Any] = [victory_id, guild_id]
        if member_id is not None:
            conditions.append("member_id = ?")
            params.append(member_id)
        if public_only:
            conditions.append("public = 1")
        row = await self.store.fetchone(
            f"DELETE FROM victories WHERE {' AND '.join(conditions)} RETURNING {VICTORY_COLUMNS}",
            params,
        )
        return None if row is None else _victory(row)

    async def history(
        self,
        guild_id: int,
        member_id: int,
        *,
        include_private: bool,
        limit: int,
        before: int | None = None,
        after: int | None = None,
    ) -> list[Victory]:
        """A member's victories by keyset, one indexed range read at any depth.

        Newest first below `before` (or from the newest); with `after`, the `limit` entries
        just newer than it, oldest first (the caller turns them round).
        """
        public = "" if include_private else " AND public = 1"
        where, order, bound = "", "DESC", ()
        if after is not None:
            where, order, bound = " AND victory_id > ?", "ASC", (after,)
        elif before is not None:
            where, bound = " AND victory_id < ?", (before,)
        rows = await self.store.fetchall(
            f"SELECT {VICTORY_COLUMNS} FROM victories WHERE guild_id = ? AND member_id = ?"
            f"{public}{where} ORDER BY victory_id {order} LIMIT ?",
            (guild_id, member_id, *bound, limit),
        )
        return [_victory(row) for row in rows]

    async def last_public_channel(self, guild_id: int) -> int | None:
        """Where the newest public victory was posted (the digest's fallback channel)."""
        row = await self.store.fetchone(
            "SELECT channel_id FROM victories WHERE guild_id = ? AND public = 1 "
            "AND channel_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
            (guild_id,),
        )
        return None if row is None else row[0]

    # ----- cheers --------------------------------------------------------------------
    async def toggle_cheer(
        self, victory_id: int, guild_id: int, member_id: int, at: datetime
    ) -> CheerResult:
        """Add the member's cheer, or take it back, and read the count in the same transaction."""

        def toggle(db: sqlite3.Connection) -> CheerResult:
            row = db.execute(
                "SELECT member_id, author_name, message_id FROM victories "
                "WHERE victory_id = ? AND guild_id = ?",
                (victory_id, guild_id),
            ).fetchone()
            if row is None:
                return CheerResult(CheerStatus.MISSING)
            if row[0] == member_id:
                return CheerResult(
                    CheerStatus.OWN, author_name=row[1], card_known=row[2] is not None
                )
            cursor = db.execute(
                "INSERT INTO cheers (victory_id, member_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (victory_id, member_id) DO NOTHING",
                (victory_id, member_id, to_epoch(at)),
            )
            status = CheerStatus.CHEERED
            if cursor.rowcount == 0:
                db.execute(
                    "DELETE FROM cheers WHERE victory_id = ? AND member_id = ?",
                    (victory_id, member_id),
                )
                status = CheerStatus.UNCHEERED
            (count,) = db.execute(
                "SELECT COUNT(*) FROM cheers WHERE victory_id = ?", (victory_id,)
            ).fetchone()
            return CheerResult(status, int(count), row[1], row[2] is not None)

        return await self.store.atomic(toggle)

    async def cheer_count(self, victory_id: int) -> int:
        row = await self.store.fetchone(
            "SELECT COUNT(*) FROM cheers WHERE victory_id = ?", (victory_id,)
        )
        return int(row[0])

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

        def save(db: sqlite3.Connection) -> None:
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                f"INSERT INTO celebration_settings ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {updates}",
                (guild_id, *values.values()),
            )

        await self.store.atomic(save)
        return await self.settings(guild_id)

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

    # ----- the member-data contract ----------------------------------------------------
    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        victories = await self.store.fetchall(
            "SELECT * FROM victories WHERE guild_id = ? AND member_id = ? ORDER BY victory_id",
            (guild_id, member_id),
        )
        cheers = await self.store.fetchall(
            "SELECT c.* FROM cheers c JOIN victories v ON v.victory_id = c.victory_id "
            "WHERE v.guild_id = ? AND c.member_id = ? ORDER BY c.victory_id",
            (guild_id, member_id),
        )
        prefs = await self.store.fetchall(
            "SELECT * FROM victory_quote_prefs WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return {
            "victories": [row_dict(r) for r in victories],
            "cheers": [row_dict(r) for r in cheers],
            "victory_quote_prefs": [row_dict(r) for r in prefs],
        }

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        """Their victories (with the cheers on them), their cheers, their quote choice.

        Posted messages stay on Discord: deleting those is the caller's job.
        """
        db.execute(
            "DELETE FROM cheers WHERE member_id = ? AND victory_id IN "
            "(SELECT victory_id FROM victories WHERE guild_id = ?)",
            (member_id, guild_id),
        )
        db.execute(
            "DELETE FROM victories WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        db.execute(
            "DELETE FROM victory_quote_prefs WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )

    async def discord_cleanup_for_member(self, guild_id: int, member_id: int) -> list[CleanupJob]:
        """Their public victory cards are deleted (a card whose id a crash kept from being
        recorded is swept: found by its button); the cards of others they cheered show the
        count without them; every weekly digest that counted or quoted one of their public
        victories is drawn again without it."""
        cards = await self.store.fetchall(
            "SELECT channel_id, message_id FROM victories WHERE guild_id = ? AND member_id = ? "
            "AND channel_id IS NOT NULL AND message_id IS NOT NULL ORDER BY victory_id",
            (guild_id, member_id),
        )
        cheered = await self.store.fetchall(
            "SELECT v.victory_id, v.channel_id, v.message_id FROM cheers c "
            "JOIN victories v ON v.victory_id = c.victory_id WHERE v.guild_id = ? "
            "AND c.member_id = ? AND v.member_id != c.member_id AND v.message_id IS NOT NULL "
            "ORDER BY v.victory_id",
            (guild_id, member_id),
        )
        digests = await self.store.fetchall(
            "SELECT d.digest_id, d.channel_id, d.message_id FROM victory_digests d "
            "WHERE d.guild_id = ? AND d.status = 'sent' AND d.message_id IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM victories v WHERE v.guild_id = d.guild_id "
            "AND v.member_id = ? AND v.public = 1 AND v.created_at >= d.period_start "
            "AND v.created_at < d.period_end) ORDER BY d.digest_id",
            (guild_id, member_id),
        )
        unknown = await self.store.fetchall(
            "SELECT victory_id, channel_id, created_at FROM victories WHERE guild_id = ? "
            "AND member_id = ? AND public = 1 AND channel_id IS NOT NULL AND message_id IS NULL "
            "ORDER BY victory_id",
            (guild_id, member_id),
        )
        return (
            [CleanupJob(row[0], row[1], "delete") for row in cards]
            + [sweep_job(*row) for row in unknown]
            + [CleanupJob(row[1], row[2], "refresh", f"cheers:{row[0]}") for row in cheered]
            + [CleanupJob(row[1], row[2], "refresh", f"digest:{row[0]}") for row in digests]
        )


def sweep_job(victory_id: int, channel_id: int, created_at: int) -> CleanupJob:
    """A card that may be on Discord with its id never recorded (a process stopped between
    posting and recording it): the janitor deletes Kindred's messages in the channel, after
    the moment the victory was saved, whose buttons name this victory.

    `message_id` is a snowflake lower bound: the instant (a minute early, for clock skew) in
    its time bits, the victory id in its low 22 bits, so that two victories saved in the same
    second in one channel make two jobs (a job is unique per channel, message and action).
    """
    bound = sweep_bound(created_at, victory_id)
    return CleanupJob(channel_id, bound, "sweep", f"{CARD_ID_PREFIX}{victory_id}")


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_epoch(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
