"""A server's data is deleted 30 days after Kindred leaves it, or at once from the command line."""

from __future__ import annotations

import asyncio

import pytest

from bot.__main__ import main
from bot.store import Store

LEFT = 4242


async def seed(store: Store, guild_id: int, clock) -> None:
    await store.care.add_resource(guild_id, "Lifeline", "13 11 14", None, clock())
    await store.care.claim_notice(guild_id, 31, clock())
    await store.care.add_reveal(guild_id, 31, "https://discord.com/channels/1/2/3", clock())


async def rows_of(store: Store, guild_id: int) -> int:
    total = 0
    for table, columns in (await store.tables()).items():
        if "guild_id" in columns:
            row = await store.fetchone(
                f"SELECT count(*) FROM {table} WHERE guild_id = ?", (guild_id,)
            )
            total += row[0]
    return total


async def test_data_is_purged_thirty_days_after_the_bot_leaves(kit):
    cog = kit.bot.get_cog("Care")
    await seed(kit.store, LEFT, kit.clock)
    await kit.store.guilds.mark_left(LEFT, kit.clock())
    kit.clock.advance(days=29, hours=23)
    assert (await cog.maintenance_tick()).purged == []
    assert await rows_of(kit.store, LEFT) > 0
    kit.clock.advance(hours=1, seconds=1)
    assert (await cog.maintenance_tick()).purged == [LEFT]
    assert await rows_of(kit.store, LEFT) == 0


async def test_on_guild_remove_starts_the_countdown_and_rejoining_stops_it(kit):
    cog = kit.bot.get_cog("Care")
    await seed(kit.store, kit.guild.id, kit.clock)
    await kit.bot.on_guild_remove(kit.guild)
    assert (await kit.store.guilds.get(kit.guild.id)).left_at == kit.clock()
    await kit.bot.on_guild_join(kit.guild)
    kit.clock.advance(days=31)
    assert (await cog.maintenance_tick()).purged == []
    assert await rows_of(kit.store, kit.guild.id) > 0


async def test_a_server_the_bot_is_back_in_is_never_purged(kit):
    cog = kit.bot.get_cog("Care")
    await seed(kit.store, kit.guild.id, kit.clock)
    await kit.store.guilds.mark_left(kit.guild.id, kit.clock())  # the join event was missed
    kit.clock.advance(days=31)
    result = await cog.maintenance_tick()
    assert result.purged == [] and result.rejoined == [kit.guild.id]
    assert (await kit.store.guilds.get(kit.guild.id)).left_at is None
    assert await rows_of(kit.store, kit.guild.id) > 0


async def test_the_loops_start_with_the_cog_idle_until_ready_and_stop_with_it(kit):
    cog = kit.bot.get_cog("Care")
    assert cog.janitor.is_running() and cog.maintenance.is_running()
    assert cog.janitor.current_loop == 0  # waiting for the gateway: no work in tests
    await kit.bot.remove_cog("Care")
    for _ in range(3):
        await asyncio.sleep(0)  # let the cancellation land
    assert not cog.janitor.is_running() and not cog.maintenance.is_running()


# ----- python -m bot purge-guild ID ------------------------------------------------------------
@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[database]\npath = "k.db"\n', encoding="utf-8")
    return path


async def _seeded_database(path, clock) -> None:
    store = await Store.open(path)
    try:
        await seed(store, 77, clock)
        await seed(store, 78, clock)
    finally:
        await store.close()


def _count(path, guild_id: int, clock) -> int:
    async def count() -> int:
        store = await Store.open(path)
        try:
            return await rows_of(store, guild_id)
        finally:
            await store.close()

    return asyncio.run(count())


def test_purge_guild_deletes_one_server_at_once(config_file, clock, capsys):
    database = config_file.parent / "k.db"
    asyncio.run(_seeded_database(database, clock))
    assert main(["--config", str(config_file), "purge-guild", "77"]) == 0
    assert "server 77: all its data was deleted" in capsys.readouterr().out
    assert _count(database, 77, clock) == 0
    assert _count(database, 78, clock) > 0
    assert main(["--config", str(config_file), "purge-guild", "77"]) == 0
    assert "server 77: nothing was stored" in capsys.readouterr().out


def test_purge_guild_refuses_a_bad_id(config_file, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config_file), "purge-guild", "not-a-number"])
    assert exit_.value.code == 2
    assert "invalid int value" in capsys.readouterr().err
