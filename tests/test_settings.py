"""/settings and /help, driven through the kit as members and moderators would."""

from __future__ import annotations


async def test_timezone_is_set_by_a_moderator(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("settings timezone", zone="Europe/Berlin")
    assert out.reply.ephemeral
    assert "Europe/Berlin" in out.reply.text
    assert (await kit.store.guilds.get(kit.guild.id)).timezone == "Europe/Berlin"
