"""The store: migrations, refusal of newer databases, serialised concurrent writers."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime

import pytest

from bot.store import Store, StoreError, backup, latest_version, packaged_migrations


async def test_a_new_database_reaches_the_latest_version_with_private_mode(tmp_path):
    path = tmp_path / "kindred.db"
    store = await Store.open(path)
    try:
        assert await store.schema_version() == latest_version()
        assert await store.integrity_check() == "ok"
        assert (await store.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await store.fetchone("PRAGMA foreign_keys"))[0] == 1
        assert (await store.fetchone("PRAGMA synchronous"))[0] == 1  # NORMAL
    finally:
        await store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("start", range(0, latest_version()))
async def test_every_earlier_version_migrates_to_the_latest(tmp_path, start):
    path = tmp_path / "old.db"
    old = await Store.open(path, upto=start)
    assert await old.schema_version() == start
    await old.close()
    store = await Store.open(path)
    try:
        assert await store.schema_version() == latest_version()
        assert await store.integrity_check() == "ok"
        fresh = await Store.open(tmp_path / "fresh.db")
        try:
            assert await store.tables() == await fresh.tables()
        finally:
            await fresh.close()
    finally:
        await store.close()


async def test_a_database_from_a_newer_kindred_is_refused(tmp_path):
    path = tmp_path / "kindred.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(StoreError, match=r"^kindred.db: database schema version \d+ is newer"):
        await Store.open(path)


def test_migrations_are_numbered_without_gaps():
    versions = [version for version, _, _ in packaged_migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_500_concurrent_write_transactions_lose_nothing(store):
    await store.execute("CREATE TABLE burst (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)")
    await store.execute("CREATE TABLE tally (k INTEGER PRIMARY KEY, total INTEGER)")
    await store.execute("INSERT INTO tally VALUES (1, 0)")

    def add_one(db: sqlite3.Connection, number: int) -> None:
        db.execute("INSERT INTO burst (worker, n) VALUES (?, ?)", (number, 1))
        (total,) = db.execute("SELECT total FROM tally WHERE k = 1").fetchone()
        db.execute("UPDATE tally SET total = ? WHERE k = 1", (total + 1,))

    async def worker(number: int) -> None:
        await asyncio.sleep(0)  # invite interleaving with plain statements and reads
        await store.atomic(add_one, number)
        await store.fetchone("SELECT total FROM tally")

    await asyncio.gather(*(worker(n) for n in range(500)))
    assert (await store.fetchone("SELECT COUNT(*) FROM burst"))[0] == 500
    assert (await store.fetchone("SELECT COUNT(DISTINCT worker) FROM burst"))[0] == 500
    assert (await store.fetchone("SELECT total FROM tally"))[0] == 500
    assert await store.integrity_check() == "ok"


async def test_a_transaction_runs_on_the_database_thread_in_one_hop(store):
    """`atomic` relies on aiosqlite running queued calls on its one thread, in order."""
    threads = []

    def work(db: sqlite3.Connection) -> bool:
        threads.append(threading.current_thread())
        return db.in_transaction

    assert await store.atomic(work) is True
    assert threads and threads[0] is not threading.current_thread()
    assert not (await store.fetchone("SELECT 1 WHERE 0"))  # the connection is usable after


async def test_a_failed_transaction_leaves_nothing_behind(store):
    await store.guilds.ensure(1)

    def interrupted(db: sqlite3.Connection) -> None:
        db.execute("UPDATE guilds SET timezone = 'Asia/Tokyo' WHERE guild_id = 1")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        await store.atomic(interrupted)
    assert (await store.guilds.get(1)).timezone == "UTC"
    await store.guilds.set_timezone(1, "Europe/Berlin")  # and the next one commits
    assert (await store.guilds.get(1)).timezone == "Europe/Berlin"


async def test_guild_settings_round_trip_and_purge(store):
    assert (await store.guilds.get(7)).timezone == "UTC"  # defaults before anything is stored
    await store.guilds.set_timezone(7, "Europe/Berlin")
    settings = await store.guilds.set_mod_channel(7, 99)
    assert (settings.timezone, settings.mod_channel_id) == ("Europe/Berlin", 99)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    await store.guilds.mark_left(7, when)
    assert await store.guilds.left_before(datetime(2026, 2, 1, tzinfo=UTC)) == [7]
    await store.guilds.mark_joined(7, when)
    assert await store.guilds.left_before(datetime(2026, 2, 1, tzinfo=UTC)) == []
    assert await store.guilds.purge(7) is True
    assert (await store.guilds.get(7)).timezone == "UTC"


async def test_backup_is_a_consistent_private_copy_while_open(store, tmp_path):
    await store.guilds.set_timezone(42, "Asia/Kathmandu")
    dest = tmp_path / "copy.db"
    backup(store.path, dest)
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            conn.execute("SELECT timezone FROM guilds WHERE guild_id = 42").fetchone()[0]
            == "Asia/Kathmandu"
        )
    with pytest.raises(StoreError, match="already exists"):
        backup(store.path, dest)


async def test_times_are_aware_utc_everywhere(store):
    await store.guilds.mark_left(5, datetime(2026, 5, 1, 12, tzinfo=UTC))
    await store.guilds.ensure(5)
    await store.guilds.mark_left(5, datetime(2026, 5, 1, 12, tzinfo=UTC))
    left = (await store.guilds.get(5)).left_at
    assert left == datetime(2026, 5, 1, 12, tzinfo=UTC) and left.tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        await store.guilds.mark_left(5, datetime(2026, 5, 1, 12))


async def test_a_snapshot_reads_several_tables_in_one_hop_and_writes_nothing(store):
    await store.guilds.set_timezone(5, "Asia/Tokyo")
    now = datetime(2026, 3, 2, tzinfo=UTC)
    await store.prompts.add_prompt(5, "hope", "What gave you hope today?", now, added_by=1)
    own, excluded = await store.prompts.rotation_inputs(5)
    assert [p.text for p in own] == ["What gave you hope today?"] and excluded == frozenset()

    def sneaky(db: sqlite3.Connection) -> None:
        db.execute("UPDATE guilds SET timezone = 'UTC' WHERE guild_id = 5")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await store.snapshot(sneaky)
    assert (await store.guilds.get(5)).timezone == "Asia/Tokyo"
    await store.guilds.set_timezone(5, "Europe/Berlin")  # writes work again afterwards
    assert (await store.guilds.get(5)).timezone == "Europe/Berlin"
