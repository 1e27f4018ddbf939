"""Crisis resources per server, and when a member was last shown them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository, row_dict
from bot.store.guilds import ENSURE_GUILD

NOTICE_INTERVAL = timedelta(hours=24)


@dataclass(frozen=True)
class Resource:
    resource_id: int
    guild_id: int
    name: str
    contact: str
    region: str | None
    created_at: datetime


class CareRepository(Repository):
    member_tables = ("crisis_notices",)

    async def resources(self, guild_id: int) -> list[Resource]:
        rows = await self.store.fetchall(
            "SELECT resource_id, guild_id, name, contact, region, created_at FROM care_resources "
            "WHERE guild_id = ? ORDER BY resource_id",
            (guild_id,),
        )
        return [Resource(r[0], r[1], r[2], r[3], r[4], from_epoch(r[5])) for r in rows]

    async def claim_notice(self, guild_id: int, member_id: int, now: datetime) -> bool:
        """True when the member has not been shown the resources in the last 24 h (and records it)."""
        cutoff = to_epoch(now - NOTICE_INTERVAL)
        async with self.store.transaction() as db:
            await db.execute(ENSURE_GUILD, (guild_id,))
            cursor = await db.execute(
                "INSERT INTO crisis_notices (guild_id, member_id, shown_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, member_id) DO UPDATE SET shown_at = excluded.shown_at "
                "WHERE crisis_notices.shown_at <= ?",
                (guild_id, member_id, to_epoch(now), cutoff),
            )
            return cursor.rowcount > 0

    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        rows = await self.store.fetchall(
            "SELECT * FROM crisis_notices WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return {"crisis_notices": [row_dict(r) for r in rows]}

    async def erase_member(self, guild_id: int, member_id: int) -> None:
        await self.store.execute(
            "DELETE FROM crisis_notices WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
