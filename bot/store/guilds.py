"""Per-server settings shared by every feature, and the bot's own key/value bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository

ENSURE_GUILD = "INSERT INTO guilds (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING"


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    timezone: str = "UTC"
    mod_channel_id: int | None = None
    left_at: datetime | None = None


class GuildRepository(Repository):
    async def get(self, guild_id: int) -> GuildSettings:
        """A server we have never stored reads as the defaults."""
        row = await self.store.fetchone(
            "SELECT guild_id, timezone, mod_channel_id, left_at FROM guilds WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(row[0], row[1], row[2], from_epoch(row[3]))

    async def ensure(self, guild_id: int) -> None:
        await self.store.execute(ENSURE_GUILD, (guild_id,))

    async def set_timezone(self, guild_id: int, zone: str) -> GuildSettings:
        await self.store.execute(
            "INSERT INTO guilds (guild_id, timezone) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone",
            (guild_id, zone),
        )
        return await self.get(guild_id)

    async def set_mod_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        await self.store.execute(
            "INSERT INTO guilds (guild_id, mod_channel_id) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET mod_channel_id = excluded.mod_channel_id",
            (guild_id, channel_id),
        )
        return await self.get(guild_id)

    async def mark_joined(self, guild_id: int, at: datetime) -> None:
        """The bot is (back) in the server: cancel any pending purge."""
        await self.store.execute(
            "INSERT INTO guilds (guild_id, joined_at) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET left_at = NULL",
            (guild_id, to_epoch(at)),
        )

    async def mark_left(self, guild_id: int, at: datetime) -> None:
        await self.store.execute(
            "UPDATE guilds SET left_at = ? WHERE guild_id = ?", (to_epoch(at), guild_id)
        )

    async def left_before(self, cutoff: datetime) -> list[int]:
        rows = await self.store.fetchall(
            "SELECT guild_id FROM guilds WHERE left_at IS NOT NULL AND left_at < ?",
            (to_epoch(cutoff),),
        )
        return [row[0] for row in rows]

    async def purge(self, guild_id: int) -> bool:
        """Delete the server and, by ON DELETE CASCADE, everything it holds."""
        cursor = await self.store.execute("DELETE FROM guilds WHERE guild_id = ?", (guild_id,))
        await self.store.forget_deleted()
        return cursor.rowcount > 0


class MetaRepository(Repository):
    async def get(self, key: str) -> str | None:
        row = await self.store.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row[0]

    async def set(self, key: str, value: str) -> None:
        await self.store.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
