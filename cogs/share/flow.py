"""The /share flow, from a member's draft to a published thread and everything after.

Stateless (everything lives in the store), so a button pressed tomorrow, after a restart,
lands here just as well. Each part of the journey is its own module; `ShareFlow` is all of
them, and answers the /share forms.
"""

from __future__ import annotations

import discord

from bot.errors import GUILD_ONLY, Refusal
from bot.ui import UNKNOWN_BUTTON, impossible_id
from cogs.share.drafting import Drafting
from cogs.share.forms import COMPOSE, DECLINE, MODAL_ID, REPLY, modal_values
from cogs.share.mystories import MyStories
from cogs.share.replies import Replies
from cogs.share.resume import Resuming
from cogs.share.review import Review


class ShareFlow(Drafting, Review, Replies, MyStories, Resuming):
    """Every step of /share; buttons.py maps each button to one of them."""

    async def on_modal(self, interaction: discord.Interaction) -> bool:
        """Answer a /share modal submit; False when the modal isn't ours."""
        custom_id = (interaction.data or {}).get("custom_id", "")
        match = MODAL_ID.match(custom_id)
        if match is None:
            return False
        if interaction.guild_id is None:
            raise Refusal(GUILD_ONLY)
        if impossible_id(custom_id):
            raise Refusal(UNKNOWN_BUTTON)
        values = modal_values((interaction.data or {}).get("components", []))
        handler = {COMPOSE: self.save, REPLY: self.reply, DECLINE: self.decline}[match["kind"]]
        await handler(interaction, int(match["id"]), values)
        return True
