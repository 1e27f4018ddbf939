"""The victory buttons that outlive restarts (drawn in `messages.py`): each press is handed
to the feature's one `VictoryFlow`, which checks on the server who may press it."""

from __future__ import annotations

import re

import discord

from bot.ui import IdButton, KindDynamicItem, running_cog
from cogs.victories.flow import VictoryFlow
from cogs.victories.messages import page_button, victory_button


def flow_of(interaction: discord.Interaction) -> VictoryFlow:
    """The loaded feature's flow (it holds the per-card edit queue and the cards in flight)."""
    return running_cog(interaction, "Victories", "Celebrations").flow


class Cheer(IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:cheer:"):
    async def handle(self, interaction: discord.Interaction) -> None:
        await flow_of(interaction).cheer(interaction, self.item_id)


class SharePublicly(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:victories:publish:"
):
    async def handle(self, interaction: discord.Interaction) -> None:
        await flow_of(interaction).share_publicly(interaction, self.item_id)


class HistoryPage(KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:page:(?P<member>[0-9]+):(?P<dir>[ab])(?P<cursor>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    def __init__(self, member_id: int, direction: str, cursor: int, number: int):
        super().__init__(page_button(member_id, direction, cursor, number))
        self.member_id, self.direction, self.cursor, self.number = (
            member_id, direction, cursor, number,
        )  # fmt: skip

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["member"]), match["dir"], int(match["cursor"]), int(match["n"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        where = {"after": self.cursor} if self.direction == "a" else {"before": self.cursor}
        await flow_of(interaction).turn_page(interaction, self.member_id, self.number, **where)


class _VictoryButton(KindDynamicItem):
    """One of your own victories, and the page to return to (see `messages.victory_button`)."""

    _action = ""

    def __init__(self, victory_id: int, before: int, number: int):
        super().__init__(victory_button(self._action, victory_id, before, number))
        self.victory_id, self.before, self.number = victory_id, before, number

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["id"]), int(match["before"]), int(match["n"]))


class RemoveVictory(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:remove:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action = "remove"

    async def handle(self, interaction: discord.Interaction) -> None:
        await flow_of(interaction).ask_remove(
            interaction, self.victory_id, self.before, self.number
        )


class ConfirmRemove(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:confirm:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action = "confirm"

    async def handle(self, interaction: discord.Interaction) -> None:
        await flow_of(interaction).confirm_remove(
            interaction, self.victory_id, self.before, self.number
        )


class KeepVictory(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:keep:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action = "keep"

    async def handle(self, interaction: discord.Interaction) -> None:
        await flow_of(interaction).turn_page(
            interaction,
            interaction.user.id,
            self.number,
            before=self.before or None,
            notice="Kept. Nothing was changed.",
        )


DYNAMIC_ITEMS = (Cheer, HistoryPage, RemoveVictory, ConfirmRemove, KeepVictory, SharePublicly)
