"""The /share buttons that outlive restarts: each press is handed to the step of `ShareFlow`
that answers it, which checks on the server who may press it."""

from __future__ import annotations

import re

import discord

from bot.ui import KindDynamicItem
from cogs.share.flow import ShareFlow
from cogs.share.messages import STORY_BUTTON_ID, VALUE_SELECT_ID, story_button, value_select

# action -> the step that answers it; every action of messages.ACTIONS has one.
STEPS = {
    "post": ShareFlow.on_post,
    "edit": ShareFlow.on_edit,
    "discard": ShareFlow.on_discard,
    "new": ShareFlow.on_new,
    "approve": ShareFlow.on_approve,
    "decline": ShareFlow.on_decline,
    "reply": ShareFlow.on_reply,
    "delete": ShareFlow.on_delete,
    "confirm-delete": ShareFlow.on_confirm_delete,
    "lock": ShareFlow.on_lock,
    "page": ShareFlow.on_page,
}


class StoryButton(
    KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=STORY_BUTTON_ID
):
    """Every story button (drawn by `messages.story_button`); `new` uses story id 0."""

    def __init__(self, action: str, story_id: int = 0):
        super().__init__(story_button(action, story_id))
        self.action, self.story_id = action, story_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> StoryButton:
        return cls(match["action"], int(match["id"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        await STEPS[self.action](ShareFlow(interaction.client), interaction, self.story_id)


class ValueSelect(
    KindDynamicItem, discord.ui.DynamicItem[discord.ui.Select], template=VALUE_SELECT_ID
):
    """The value menu on the preview (drawn by `messages.value_select`)."""

    def __init__(self, story_id: int):
        super().__init__(value_select(story_id, ()))
        self.story_id = story_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> ValueSelect:
        return cls(int(match["id"]))  # discord.py then fills in what the member chose

    async def handle(self, interaction: discord.Interaction) -> None:
        await ShareFlow(interaction.client).on_value(
            interaction, self.story_id, self.item.values[0]
        )


DYNAMIC_ITEMS = (StoryButton, ValueSelect)
