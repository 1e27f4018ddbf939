"""Helpers shared by the daily-prompt tests (no tests here): reading posts, more servers."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date

import discord

from tests.kit import BOT_ID, Kit, Outcome, Request, channel_payload, snowflake

MARKER = re.compile(r"^Daily prompt · (\d{4}-\d{2}-\d{2})$")


def prompts_cog(kit: Kit):
    cog = kit.bot.get_cog("Prompts")
    assert cog is not None
    return cog


async def tick(kit: Kit) -> Outcome:
    """One scheduler pass at the kit's clock, as the 30-second loop would run it."""
    return await kit.run(prompts_cog(kit).tick())


def marker_of(request: Request) -> date | None:
    for embed in request.embeds:
        found = MARKER.match(embed.get("footer", {}).get("text", ""))
        if found:
            return date.fromisoformat(found.group(1))
    return None


def prompt_posts(outcome: Outcome) -> list[Request]:
    """The daily prompt posts in an outcome (channel messages and forum posts)."""
    return [r for r in outcome.posts if marker_of(r) is not None]


def channel_of(request: Request) -> int:
    return int(request.path.split("/")[2])


async def set_mod_channel(kit: Kit, mo) -> int:
    if "mods" not in kit.channels:
        kit.add_channel("mods")
    out = await mo.slash("settings mod-channel", channel="mods")
    assert out.reply.ephemeral
    return int(kit.channels["mods"]["id"])


def deny_bot(kit: Kit, name: str, *permissions: str) -> None:
    """Take permissions away from the bot in an existing channel (as a moderator might)."""
    deny = discord.Permissions(**dict.fromkeys(permissions, True))
    kit.channels[name]["permission_overwrites"] = [
        {"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(deny.value)}
    ]
    kit.guild = kit.bot._connection._add_guild_from_data(kit.guild_payload())


def delete_channel(kit: Kit, name: str) -> int:
    channel = kit.channels.pop(name)
    kit.guild = kit.bot._connection._add_guild_from_data(kit.guild_payload())
    return int(channel["id"])


@dataclass
class OtherGuild:
    """Another server the bot is in, with its own channels (the kit's people act in the
    kit's server only, so these are driven through the core)."""

    id: int
    channels: dict[str, dict] = field(default_factory=dict)

    def payload(self, kit: Kit) -> dict:
        payload = copy.deepcopy(kit.guild_payload())
        bot_role = snowflake() if not hasattr(self, "_role") else self._role
        self._role = bot_role
        payload["id"] = str(self.id)
        payload["roles"] = [
            {**payload["roles"][0], "id": str(self.id)},
            {**payload["roles"][1], "id": str(bot_role)},
        ]
        payload["members"][0]["roles"] = [str(bot_role)]
        payload["channels"] = list(self.channels.values())
        return payload

    def attach(self, kit: Kit) -> discord.Guild:
        """Add (or, after a restart, re-add) this server to the bot's cache."""
        return kit.bot._connection._add_guild_from_data(self.payload(kit))

    def channel(self, kit: Kit, name: str):
        return kit.bot.get_guild(self.id).get_channel(int(self.channels[name]["id"]))


def other_guild(kit: Kit, channels: dict[str, int], tags: list[str] = ()) -> OtherGuild:
    guild = OtherGuild(snowflake())
    for position, (name, kind) in enumerate(channels.items()):
        channel_id = snowflake()
        channel = channel_payload(
            channel_id, name, kind=kind, guild_id=guild.id, position=position, tags=tags
        )
        guild.channels[name] = channel
        kit.discord.channels[channel_id] = channel
    guild.attach(kit)
    return guild
