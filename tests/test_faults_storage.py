"""When the disk is full or the database read-only, members hear it kindly and nothing half-saves."""

from __future__ import annotations

import sqlite3

from bot.errors import CANT_SAVE


async def assert_refused_kindly(kit, mo, caplog) -> None:
    out = await mo.slash("settings timezone", zone="Europe/Berlin")
    assert out.reply.ephemeral
    assert out.reply.content == CANT_SAVE
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_read_only_database_is_told_kindly_and_nothing_changes(kit, caplog):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Asia/Tokyo")
    await kit.store.execute("PRAGMA query_only = ON")  # SQLite refuses every write from here
    await assert_refused_kindly(kit, mo, caplog)
    await kit.store.execute("PRAGMA query_only = OFF")
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"
    assert await kit.store.integrity_check() == "ok"


async def test_a_full_disk_is_told_kindly_and_nothing_changes(kit, caplog, monkeypatch):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Asia/Tokyo")
    connection = kit.store._conn
    real_execute = connection.execute

    def full_disk(sql, *args, **kwargs):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")
        return real_execute(sql, *args, **kwargs)

    monkeypatch.setattr(connection, "execute", full_disk)
    await assert_refused_kindly(kit, mo, caplog)
    monkeypatch.setattr(connection, "execute", real_execute)
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Asia/Tokyo"
    assert await kit.store.integrity_check() == "ok"
