"""/celebrations (moderators), /settings show lines, and the victories' member data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.store.victories import CheerStatus
from cogs.care import mydata


def cog(kit):
    return kit.bot.get_cog("Victories")


async def count(kit, table: str) -> int:
    return (await kit.store.fetchone(f"SELECT COUNT(*) FROM {table}"))[0]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("celebrations channel", {"channel": "general"}),
        ("celebrations digest", {"day": "Monday", "time": "09:00"}),
        ("celebrations digest-off", {}),
        ("celebrations digest-on", {}),
        ("celebrations remove", {"victory_id": 1}),
    ],
)
async def test_members_cannot_use_moderator_commands(kit, command, options):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Kept going")
    before = await kit.store.victories.settings(kit.guild.id)
    out = await alice.slash(command, **options)
    assert out.reply.ephemeral and "Manage Server" in out.reply.text
    assert await kit.store.victories.settings(kit.guild.id) == before
    assert await count(kit, "victories") == 1


async def test_the_channel_must_be_one_kindred_can_post_in(kit):
    kit.add_channel("no-files", deny_bot=("attach_files",))
    mo = kit.moderator("mo")
    out = await mo.slash("celebrations channel", channel="no-files")
    assert out.reply.ephemeral and "Attach Files" in out.reply.text
    assert (await kit.store.victories.settings(kit.guild.id)).channel_id is None


async def test_digest_schedule_is_set_in_the_servers_time_zone(kit):
    mo = kit.moderator("mo")
    await mo.slash("settings timezone", zone="Europe/Berlin")
    out = await mo.slash("celebrations digest", day="Friday", time="7:30")
    assert out.reply.ephemeral
    assert "Fridays at 07:30 (Europe/Berlin)" in out.reply.text
    settings = await kit.store.victories.settings(kit.guild.id)
    # The kit's clock is Monday 2 March 2026, 09:00 UTC; Friday 07:30 in Berlin is 06:30 UTC.
    assert settings.next_at == datetime(2026, 3, 6, 6, 30, tzinfo=UTC)
    assert f"<t:{int(settings.next_at.timestamp())}:F>" in out.reply.text


async def test_a_bad_time_is_refused_and_changes_nothing(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("celebrations digest", day="Friday", time="25:00")
    assert (
        out.reply.ephemeral
        and "HH:MM" in out.reply.text
        and "Nothing was changed" in out.reply.text
    )
    settings = await kit.store.victories.settings(kit.guild.id)
    assert (settings.digest_weekday, settings.digest_time) == (6, "18:00")


async def test_digest_off_and_on(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("celebrations digest-off")
    assert out.reply.ephemeral and "off" in out.reply.text
    assert not (await kit.store.victories.settings(kit.guild.id)).digest_enabled
    out = await mo.slash("celebrations digest", day="Monday", time="10:00")
    assert "switched off" in out.reply.text
    out = await mo.slash("celebrations digest-on")
    assert "Mondays at 10:00 (UTC)" in out.reply.text
    settings = await kit.store.victories.settings(kit.guild.id)
    assert settings.digest_enabled and settings.next_at == datetime(2026, 3, 2, 10, tzinfo=UTC)


async def test_settings_show_lists_celebrations(kit):
    kit.add_channel("celebrations")
    mo = kit.moderator("mo")
    await mo.slash("celebrations channel", channel="celebrations")
    out = await mo.slash("settings show")
    assert f"**Celebrations channel:** <#{kit.channel('celebrations').id}>" in out.reply.text
    assert "**Weekly digest:** Sundays at 18:00 (UTC)" in out.reply.text


async def test_moderator_remove_deletes_the_post_and_tells_the_author_privately(kit):
    alice, bob, mo = kit.member("alice"), kit.member("bob"), kit.moderator("mo")
    await alice.slash("celebrate", victory="Posted my neighbour's full address")
    await bob.click("kindred:cheer:1")
    card_id = kit.discord.message_with("kindred:cheer:1")["id"]

    out = await mo.slash("celebrations remove", victory_id=1, reason="Please keep names out")
    assert await count(kit, "victories") == 0 and await count(kit, "cheers") == 0
    [delete] = out.to("/channels/{channel_id}/messages/{message_id}", "DELETE")
    assert delete.path.endswith(card_id)
    [dm] = [p for p in out.posts if p.path == f"/channels/{alice.id + 7}/messages"]
    assert "Posted my neighbour's full address" in dm.text and "Please keep names out" in dm.text
    assert dm.allowed_mentions == {"parse": []}
    reply = out.replies[-1]
    assert reply.ephemeral and "Removed victory #1" in reply.text and "privately" in reply.text


async def test_moderator_is_told_when_the_authors_dms_are_closed(kit):
    alice, mo = kit.member("alice"), kit.moderator("mo")
    kit.discord.closed_dms.add(alice.id + 7)
    await alice.slash("celebrate", victory="A win")
    out = await mo.slash("celebrations remove", victory_id=1)
    assert await count(kit, "victories") == 0
    assert "direct messages are closed" in out.replies[-1].text


async def test_moderators_cannot_remove_private_or_unknown_victories(kit):
    alice, mo = kit.member("alice"), kit.moderator("mo")
    await alice.slash("celebrate", victory="Mine alone", visibility="just me")
    for victory_id in (1, 99):
        out = await mo.slash("celebrations remove", victory_id=victory_id)
        assert out.reply.ephemeral and "no public victory" in out.reply.text
    assert await count(kit, "victories") == 1


# ----- the store and member data ---------------------------------------------------------------
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


async def test_toggle_is_exact_under_concurrency(store):
    import asyncio

    victory = await store.victories.add(1, 10, "Alice", "A win", None, True, NOW)
    results = await asyncio.gather(
        *(store.victories.toggle_cheer(victory.victory_id, 1, m, NOW) for m in range(100, 400))
    )
    assert {r.status for r in results} == {CheerStatus.CHEERED}
    assert max(r.count for r in results) == 300
    assert sorted(r.count for r in results) == list(range(1, 301))  # each saw its own write
    own = await store.victories.toggle_cheer(victory.victory_id, 1, 10, NOW)
    elsewhere = await store.victories.toggle_cheer(victory.victory_id, 2, 100, NOW)
    assert (own.status, elsewhere.status) == (CheerStatus.OWN, CheerStatus.MISSING)
    assert await store.victories.cheer_count(victory.victory_id) == 300


async def test_a_purged_server_is_ensured_again(store):
    await store.victories.add(1, 10, "Alice", "first", None, True, NOW)
    await store.guilds.purge(1)
    victory = await store.victories.add(1, 10, "Alice", "after purge", None, True, NOW)
    assert (await store.victories.get(victory.victory_id)).text == "after purge"


async def test_export_and_erase_cover_victories_cheers_and_quote_choices(store):
    repo = store.victories
    mine = await repo.add(1, 10, "Alice", "my win", "hope", True, NOW)
    await repo.set_message(mine.victory_id, 555, 777)
    theirs = await repo.add(1, 20, "Bob", "bob's win", None, True, NOW)
    await repo.toggle_cheer(theirs.victory_id, 1, 10, NOW)  # alice cheers bob
    await repo.toggle_cheer(mine.victory_id, 1, 20, NOW)  # bob cheers alice
    await repo.set_quotes_allowed(1, 10, False)
    elsewhere = await repo.add(2, 10, "Alice", "other server", None, False, NOW)

    data = await mydata.collect(store, 1, 10, NOW)
    assert [r["text"] for r in data.tables["victories"]] == ["my win"]
    assert [r["victory_id"] for r in data.tables["cheers"]] == [theirs.victory_id]
    assert data.tables["victory_quote_prefs"][0]["allow"] == 0

    jobs = await repo.discord_cleanup_for_member(1, 10)
    assert [(j.channel_id, j.message_id, j.action) for j in jobs] == [(555, 777, "delete")]

    await repo.store.atomic(repo.erase_member_rows, 1, 10)
    await repo.store.atomic(repo.erase_member_rows, 1, 10)
    assert (await mydata.collect(store, 1, 10, NOW)).total == 0
    assert await repo.get(theirs.victory_id) is not None
    assert await repo.cheer_count(theirs.victory_id) == 0
    assert await repo.get(elsewhere.victory_id) is not None


async def test_concurrent_victories_are_each_saved_once_with_their_own_id(store):
    import asyncio

    await store.victories.add(1, 1, "Warm", "up", None, True, NOW)  # ensures server 1
    texts = [f"win {n % 50}" for n in range(600)]  # repeats: the same words, different people
    saved = await asyncio.gather(
        *(
            store.victories.add(1 + n % 2, 100 + n, f"M{n}", text, None, n % 3 > 0, NOW)
            for n, text in enumerate(texts)
        )
    )
    assert len({v.victory_id for v in saved}) == 600
    for victory in saved[::37]:
        stored = await store.victories.get(victory.victory_id)
        assert (stored.member_id, stored.text, stored.public) == (
            victory.member_id,
            victory.text,
            victory.public,
        )
    assert (await store.fetchone("SELECT COUNT(*) FROM victories"))[0] == 601
