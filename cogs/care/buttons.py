"""The /mydata erase confirmation: Erase and Keep, pressed only by the member who asked, and
still answered after a restart (the custom id carries the member and when it was issued)."""

from __future__ import annotations

import re

import discord

from bot.client import KindredBot
from bot.clock import from_epoch
from bot.errors import GUILD_ONLY, Refusal, saved_or_logged
from bot.ui import IdButton, KindDynamicItem
from cogs.care import mydata
from cogs.care.messages import erased_text

ERASE_TEMPLATE = r"kindred:mydata:erase:(?P<member_id>\d+):(?P<issued>\d+)"
NOT_YOURS = "This button belongs to someone else's request, so nothing was changed."


def _owner_only(interaction: discord.Interaction, member_id: int) -> None:
    if interaction.guild_id is None:
        raise Refusal(GUILD_ONLY)
    if interaction.user.id != member_id:
        raise Refusal(NOT_YOURS)


class EraseButton(
    KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=ERASE_TEMPLATE
):
    """The explicit confirmation for /mydata erase; only the member who asked can press it."""

    def __init__(self, member_id: int, issued: int):
        super().__init__(
            discord.ui.Button(
                label="Erase everything",
                style=discord.ButtonStyle.danger,
                custom_id=f"kindred:mydata:erase:{member_id}:{issued}",
            )
        )
        self.member_id, self.issued = member_id, issued

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> EraseButton:
        return cls(int(match["member_id"]), int(match["issued"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        _owner_only(interaction, self.member_id)
        bot: KindredBot = interaction.client
        if mydata.confirmation_expired(from_epoch(self.issued), bot.clock()):
            raise Refusal(
                "This confirmation is more than 15 minutes old, so nothing was erased. "
                "Run `/mydata erase` again if you still want to."
            )
        erasure = await mydata.erase(bot.store, interaction.guild_id, self.member_id, bot.clock())
        await interaction.response.edit_message(content=erased_text(erasure), embed=None, view=None)
        cog = bot.get_cog("Care")  # it holds the lock the cleanup loop takes too
        if erasure.cleanup_jobs and cog is not None:  # the janitor redoes what isn't saved
            await saved_or_logged(cog.cleanup_tick(guild_id=interaction.guild_id), "cleanup done")


class KeepButton(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:mydata:keep:"
):
    label = "Keep my data"

    async def handle(self, interaction: discord.Interaction) -> None:
        _owner_only(interaction, self.item_id)  # the member who asked
        await interaction.response.edit_message(
            content="Nothing was erased. Your data stays as it was.", embed=None, view=None
        )
