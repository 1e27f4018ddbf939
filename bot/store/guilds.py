"""Per-server settings shared by every feature, and the bot's own key/value bookkeeping."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.store.base import PerGuild, Repository

ENSURE_GUILD = "INSERT INTO guilds (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING"
SELECT = "SELECT guild_id, timezone, mod_channel_id, left_at FROM guilds"


@dataclass(frozen=True)
class GuildSettings:
    guild_id: int
    timezone: str = "UTC"
    mod_channel_id: int | None = None
    left_at: datetime | None = None


def _settings(row) -> GuildSettings:
    return GuildSettings(row[0], row[1], row[2], from_epoch(row[3]))


class GuildRepository(Repository):
    def __init__(self, store):
        super().__init__(store)
        self.held = PerGuild[GuildSettings]()

    async def get(self, guild_id: int) -> GuildSettings:
        """A server we have never stored reads as the defaults (from memory once read)."""
        return await self.held.get(guild_id, self._load)

    async def _load(self, guild_id: int) -> GuildSettings:
        row = await self.store.fetchone(f"{SELECT} WHERE guild_id = ?", (guild_id,))
        return GuildSettings(guild_id) if row is None else _settings(row)

    async def ensure(self, guild_id: int) -> None:
        await self.store.execute(ENSURE_GUILD, (guild_id,))

    async def set_timezone(self, guild_id: int, zone: str) -> GuildSettings:
        return await self._write_and_read(
            guild_id,
            "INSERT INTO guilds (guild_id, timezone) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET timezone = excluded.timezone",
            (guild_id, zone),
        )

    async def set_mod_channel(self, guild_id: int, channel_id: int | None) -> GuildSettings:
        return await self._write_and_read(
            guild_id,
            "INSERT INTO guilds (guild_id, mod_channel_id) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET mod_channel_id = excluded.mod_channel_id",
            (guild_id, channel_id),
        )

    async def _write_and_read(self, guild_id: int, sql: str, params: tuple) -> GuildSettings:
        """One change and the settings as they now are, in one trip to the database."""

        def work(db: sqlite3.Connection) -> GuildSettings:
            db.execute(sql, params)
            return _settings(db.execute(f"{SELECT} WHERE guild_id = ?", (guild_id,)).fetchone())

        settings = await self.store.atomic(work)
        self.held.remember(guild_id, settings)
        return settings

    async def mark_joined(self, guild_id: int, at: datetime) -> None:
        """The bot is (back) in the server: cancel any pending purge."""
        await self.store.execute(
            "INSERT INTO guilds (guild_id, joined_at) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET left_at = NULL",
            (guild_id, to_epoch(at)),
        )
        self.held.forget(guild_id)

    async def mark_left(self, guild_id: int, at: datetime) -> None:
        await self.store.execute(
            "UPDATE guilds SET left_at = ? WHERE guild_id = ?", (to_epoch(at), guild_id)
        )
        self.held.forget(guild_id)

    async def left_before(self, cutoff: datetime) -> list[int]:
        rows = await self.store.fetchall(
            "SELECT guild_id FROM guilds WHERE left_at IS NOT NULL AND left_at < ?",
            (to_epoch(cutoff),),
        )
        return [row[0] for row in rows]

    async def purge(self, guild_id: int) -> bool:
        """Delete the server and, by ON DELETE CASCADE, everything it holds."""
        cursor = await self.store.execute("DELETE FROM guilds WHERE guild_id = ?", (guild_id,))
        self.store.forget_settings(guild_id)
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
