"""Victories, cheers, quote preferences and the weekly digest's schedule and claims.

Hot paths are one hop to the database thread each (a /celebrate is one INSERT shared with
the others saved meanwhile, a cheer one `atomic` transaction), because under a burst every
await on the shared connection is queueing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from typing import Any

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository
from bot.store.guilds import ENSURE_GUILD
from bot.store.victory_digests import DigestQueries
from bot.store.victory_member_data import MemberDataQueries, sweep_job
from bot.store.victory_rows import (
    CARD_ID_PREFIX,
    CHEERS_COLUMN,
    CLAIMED,
    DIGEST_COLUMNS,
    FAILED,
    MISSED,
    SENT,
    SETTINGS_SELECT,
    SKIPPED,
    VICTORY_COLUMNS,
    CelebrationSettings,
    CheerResult,
    CheerStatus,
    DigestClaim,
    Victory,
    _victory,
)

ENSURE_SETTINGS = (
    "INSERT INTO celebration_settings (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING"
)
INSERTED = "guild_id, member_id, author_name, text, value_key, public, channel_id, created_at"
INSERT_VICTORIES = f"INSERT INTO victories ({INSERTED})"
ROW_MARKS = "(?, ?, ?, ?, ?, ?, ?, ?)"
ONE_ROW = f"VALUES {ROW_MARKS}"
BATCH_LIMIT = 100  # 800 parameters, far below SQLite's limit

# Everything features (and tests) import from here, wherever it is defined.
__all__ = [
    "ENSURE_SETTINGS",
    "INSERTED",
    "INSERT_VICTORIES",
    "ROW_MARKS",
    "ONE_ROW",
    "BATCH_LIMIT",
    "VICTORY_COLUMNS",
    "DIGEST_COLUMNS",
    "CARD_ID_PREFIX",
    "CLAIMED",
    "SENT",
    "FAILED",
    "MISSED",
    "SKIPPED",
    "SETTINGS_SELECT",
    "Victory",
    "CheerStatus",
    "CheerResult",
    "CelebrationSettings",
    "DigestClaim",
    "VictoryRepository",
    "sweep_job",
]


def _insert_first(db: sqlite3.Connection, params: tuple) -> int:
    """A server's first victory in this process: make sure its rows exist, then insert."""
    guild_id = params[0]
    db.execute(ENSURE_GUILD, (guild_id,))
    db.execute(ENSURE_SETTINGS, (guild_id,))
    return db.execute(f"{INSERT_VICTORIES} {ONE_ROW}", params).lastrowid


class VictoryRepository(DigestQueries, MemberDataQueries, Repository):
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
            f"SELECT {VICTORY_COLUMNS}, {CHEERS_COLUMN} FROM victories "
            f"WHERE guild_id = ? AND member_id = ?{public}{where} "
            f"ORDER BY victory_id {order} LIMIT ?",
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
