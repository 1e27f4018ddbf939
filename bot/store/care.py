"""Care and privacy rows: crisis resources per server, when a member was last shown them,
anonymous authors' offers to reveal themselves, and Discord cleanup still owed after an erase.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import from_epoch, to_epoch
from bot.store.base import CleanupJob, Repository, returned, row_dict
from bot.store.guilds import ENSURE_GUILD

NOTICE_INTERVAL = timedelta(hours=24)
# Delete before replace before lock: a locked, archived thread refuses edits.
# Deletes and replaces first, then locks and renames; refreshes last, once the rest is done.
ACTION_ORDER = (
    "CASE action WHEN 'delete' THEN 0 WHEN 'replace' THEN 1 WHEN 'refresh' THEN 3 ELSE 2 END"
)


@dataclass(frozen=True)
class Resource:
    resource_id: int
    guild_id: int
    name: str
    contact: str
    region: str | None
    created_at: datetime


@dataclass(frozen=True)
class Reveal:
    reveal_id: int
    guild_id: int
    member_id: int
    link: str
    created_at: datetime
    revealed_at: datetime | None


@dataclass(frozen=True)
class QueuedCleanup:
    job_id: int
    guild_id: int
    job: CleanupJob
    attempts: int
    created_at: datetime


RESOURCE_COLUMNS = "resource_id, guild_id, name, contact, region, created_at"
REVEAL_COLUMNS = "reveal_id, guild_id, member_id, link, created_at, revealed_at"


def _resource(r) -> Resource:
    return Resource(r[0], r[1], r[2], r[3], r[4], from_epoch(r[5]))


def _reveal(r) -> Reveal:
    return Reveal(r[0], r[1], r[2], r[3], from_epoch(r[4]), from_epoch(r[5]))


class CareRepository(Repository):
    member_tables = ("crisis_notices", "care_reveals")

    # ----- crisis resources ------------------------------------------------------------
    async def resources(self, guild_id: int) -> list[Resource]:
        rows = await self.store.fetchall(
            f"SELECT {RESOURCE_COLUMNS} FROM care_resources WHERE guild_id = ? "
            "ORDER BY resource_id",
            (guild_id,),
        )
        return [_resource(r) for r in rows]

    async def add_resource(
        self, guild_id: int, name: str, contact: str, region: str | None, at: datetime
    ) -> Resource | None:
        """The new resource, or None when the server already lists this name in this region."""

        def add(db: sqlite3.Connection) -> sqlite3.Row | None:
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO care_resources (guild_id, name, contact, region, created_at) "
                f"VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING {RESOURCE_COLUMNS}",
                (guild_id, name, contact, region, to_epoch(at)),
            )
            return returned(cursor)

        row = await self.store.atomic(add)
        return None if row is None else _resource(row)

    async def remove_resource(self, guild_id: int, resource_id: int) -> Resource | None:
        """The removed resource, or None when this server has no such resource."""

        def remove(db: sqlite3.Connection) -> sqlite3.Row | None:
            cursor = db.execute(
                "DELETE FROM care_resources WHERE guild_id = ? AND resource_id = ? "
                f"RETURNING {RESOURCE_COLUMNS}",
                (guild_id, resource_id),
            )
            return returned(cursor)

        row = await self.store.atomic(remove)
        return None if row is None else _resource(row)

    # ----- when a member was last shown them -----------------------------------------
    async def claim_notice(self, guild_id: int, member_id: int, now: datetime) -> bool:
        """True when the member has not been shown the resources in the last 24 h (and records it)."""
        cutoff = to_epoch(now - NOTICE_INTERVAL)

        def claim(db: sqlite3.Connection) -> bool:
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO crisis_notices (guild_id, member_id, shown_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, member_id) DO UPDATE SET shown_at = excluded.shown_at "
                "WHERE crisis_notices.shown_at <= ?",
                (guild_id, member_id, to_epoch(now), cutoff),
            )
            return cursor.rowcount > 0

        return await self.store.atomic(claim)

    async def forget_notices(self, now: datetime) -> int:
        """Drop notices older than the 24 h they are needed for; returns how many."""
        cursor = await self.store.execute(
            "DELETE FROM crisis_notices WHERE shown_at <= ?", (to_epoch(now - NOTICE_INTERVAL),)
        )
        return cursor.rowcount

    # ----- anonymous authors' offers to reveal themselves ----------------------------
    async def add_reveal(self, guild_id: int, member_id: int, link: str, at: datetime) -> int:
        def add(db: sqlite3.Connection) -> int:
            db.execute(ENSURE_GUILD, (guild_id,))
            return db.execute(
                "INSERT INTO care_reveals (guild_id, member_id, link, created_at) "
                "VALUES (?, ?, ?, ?)",
                (guild_id, member_id, link, to_epoch(at)),
            ).lastrowid

        return await self.store.atomic(add)

    async def reveal(self, reveal_id: int) -> Reveal | None:
        row = await self.store.fetchone(
            f"SELECT {REVEAL_COLUMNS} FROM care_reveals WHERE reveal_id = ?", (reveal_id,)
        )
        return None if row is None else _reveal(row)

    async def mark_revealed(self, reveal_id: int, at: datetime) -> bool:
        """True the first time only, so moderators hear it once."""
        cursor = await self.store.execute(
            "UPDATE care_reveals SET revealed_at = ? WHERE reveal_id = ? AND revealed_at IS NULL",
            (to_epoch(at), reveal_id),
        )
        return cursor.rowcount > 0

    async def unmark_revealed(self, reveal_id: int) -> None:
        """Undo `mark_revealed` when the note could not reach the moderators."""
        await self.store.execute(
            "UPDATE care_reveals SET revealed_at = NULL WHERE reveal_id = ?", (reveal_id,)
        )

    async def forget_reveals(self, before: datetime) -> int:
        cursor = await self.store.execute(
            "DELETE FROM care_reveals WHERE created_at < ?", (to_epoch(before),)
        )
        return cursor.rowcount

    # ----- Discord cleanup owed after an erase ---------------------------------------
    async def queue_cleanup(self, guild_id: int, jobs: Iterable[CleanupJob], at: datetime) -> int:
        """Queue jobs (due now); a job already queued is kept once. Returns how many are new."""
        jobs = list(jobs)
        if not jobs:
            return 0
        return await self.store.atomic(self.queue_cleanup_rows, guild_id, jobs, at)

    @staticmethod
    def queue_cleanup_rows(
        db: sqlite3.Connection, guild_id: int, jobs: Iterable[CleanupJob], at: datetime
    ) -> int:
        """`queue_cleanup` inside the caller's transaction."""
        jobs = list(jobs)
        if jobs:
            db.execute(ENSURE_GUILD, (guild_id,))
        added = 0
        for j in jobs:
            added += db.execute(
                "INSERT INTO discord_cleanup (guild_id, channel_id, message_id, action, "
                "content, anonymous, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel_id, message_id, action) DO UPDATE SET "
                "content = excluded.content, next_attempt_at = excluded.next_attempt_at, "
                "anonymous = max(anonymous, excluded.anonymous)",
                (guild_id, j.channel_id, j.message_id, j.action, j.content, int(j.anonymous),
                 to_epoch(at), to_epoch(at)),
            ).rowcount  # fmt: skip
        return added

    async def due_cleanup(
        self, now: datetime, *, guild_id: int | None = None, limit: int = 50
    ) -> list[QueuedCleanup]:
        """Jobs due by `now`, oldest first, deletes and replaces before locks."""
        where = "next_attempt_at <= ?" + ("" if guild_id is None else " AND guild_id = ?")
        params = (to_epoch(now),) + (() if guild_id is None else (guild_id,))
        rows = await self.store.fetchall(
            "SELECT job_id, guild_id, channel_id, message_id, action, content, attempts, "
            f"created_at, anonymous FROM discord_cleanup WHERE {where} "
            f"ORDER BY {ACTION_ORDER}, job_id LIMIT ?",
            (*params, limit),
        )
        return [
            QueuedCleanup(
                r[0], r[1], CleanupJob(r[2], r[3], r[4], r[5], bool(r[8])), r[6], from_epoch(r[7])
            )
            for r in rows
        ]

    async def pending_cleanup(self, guild_id: int) -> int:
        row = await self.store.fetchone(
            "SELECT count(*) FROM discord_cleanup WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0])

    async def finish_cleanup(self, job_id: int) -> None:
        await self.store.execute("DELETE FROM discord_cleanup WHERE job_id = ?", (job_id,))

    async def retry_cleanup(self, job_id: int, next_at: datetime, error: str) -> None:
        """Count a failed try; `error` is a code like 'http 403/50013', never message text."""
        await self.store.execute(
            "UPDATE discord_cleanup SET attempts = attempts + 1, next_attempt_at = ?, "
            "last_error = ? WHERE job_id = ?",
            (to_epoch(next_at), error, job_id),
        )

    # ----- the member-data contract ----------------------------------------------------
    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        result = {}
        for table in self.member_tables:
            rows = await self.store.fetchall(
                f"SELECT * FROM {table} WHERE guild_id = ? AND member_id = ?",
                (guild_id, member_id),
            )
            result[table] = [row_dict(r) for r in rows]
        return result

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        for table in self.member_tables:
            db.execute(
                f"DELETE FROM {table} WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
            )
