"""/privacy tells members the truth, and the retention it promises is what the code does."""

from __future__ import annotations

from datetime import timedelta

from cogs.care.privacy import PURGE_AFTER_LEAVING, REVEAL_OFFER_KEPT


async def test_privacy_explains_what_why_how_long_who_and_how_to_leave(kit):
    out = await kit.member("alice").slash("privacy")
    assert out.reply.ephemeral
    text = out.reply.text
    for heading in (
        "What it stores about you",
        "Why",
        "How long",
        "Who can see it",
        "Your controls",
    ):
        assert heading in text
    for needed in ("/mydata export", "/mydata erase", "This story was removed by its author."):
        assert needed in text
    assert f"{PURGE_AFTER_LEAVING.days} days" in text and "24 hours" in text
    assert all(len(field["value"]) <= 1024 for field in out.reply.embeds[0]["fields"])


async def test_crisis_notice_times_are_forgotten_after_a_day(kit):
    cog = kit.bot.get_cog("Care")
    alice, bob = kit.member("alice"), kit.member("bob")
    await kit.store.care.claim_notice(kit.guild.id, alice.id, kit.clock())
    kit.clock.advance(hours=12)
    await kit.store.care.claim_notice(kit.guild.id, bob.id, kit.clock())
    kit.clock.advance(hours=12)
    result = await cog.maintenance_tick()
    assert result.notices_forgotten == 1
    assert (await kit.store.care.export_member(kit.guild.id, alice.id))["crisis_notices"] == []
    assert len((await kit.store.care.export_member(kit.guild.id, bob.id))["crisis_notices"]) == 1


async def test_unused_reveal_offers_are_forgotten(kit):
    cog = kit.bot.get_cog("Care")
    alice = kit.member("alice")
    await kit.store.care.add_reveal(
        kit.guild.id, alice.id, "https://discord.com/channels/1/2/3", kit.clock()
    )
    kit.clock.advance(days=REVEAL_OFFER_KEPT.days - 1)
    assert (await cog.maintenance_tick()).offers_forgotten == 0
    kit.clock.advance(days=1, seconds=1)
    assert (await cog.maintenance_tick()).offers_forgotten == 1
    assert (await kit.store.care.export_member(kit.guild.id, alice.id))["care_reveals"] == []


async def test_forgetting_a_notice_means_resources_can_be_offered_again(kit):
    alice = kit.member("alice")
    assert await kit.store.care.claim_notice(kit.guild.id, alice.id, kit.clock())
    assert not await kit.store.care.claim_notice(
        kit.guild.id, alice.id, kit.clock() + timedelta(hours=1)
    )
    kit.clock.advance(hours=24)
    await kit.bot.get_cog("Care").maintenance_tick()
    assert await kit.store.care.claim_notice(kit.guild.id, alice.id, kit.clock())
