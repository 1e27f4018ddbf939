"""The suggestion review's buttons and the Reject form. Their custom ids carry only the
suggestion id (`kindred:suggest:approve:12`), so buttons on old review messages keep working
after restarts; who may press them is checked on every press.
"""

from __future__ import annotations

import discord

from bot.checks import require_moderator
from bot.ui import IdButton, KindModal, dynamic_view, running_cog
from cogs.prompts import suggestions
from cogs.prompts.flow import PromptPoster
from cogs.prompts.messages import REASON_MAX, review_embed, told


def poster_of(interaction: discord.Interaction) -> PromptPoster:
    return running_cog(interaction, "Prompts", "Daily prompts").poster


class ApproveSuggestion(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:suggest:approve:"
):
    """Approve: the suggestion joins the server's prompts. Works after restarts."""

    label, style = "Approve", discord.ButtonStyle.success

    async def handle(self, interaction: discord.Interaction) -> None:
        require_moderator(interaction)
        poster = poster_of(interaction)
        bot = poster.bot
        suggestion, prompt = await suggestions.approve(
            bot, interaction.guild_id, self.item_id, interaction.user.id, bot.clock()
        )
        value = bot.library.value(suggestion.value_key)
        await interaction.response.edit_message(embed=review_embed(suggestion, value), view=None)
        delivered = await suggestions.tell_member(poster, suggestion, interaction.guild.name)
        added = (
            f"Approved and added as `{prompt.public_id}`."
            if prompt
            else "Approved; this server already had the same prompt, so nothing new was added."
        )
        await interaction.followup.send(f"{added} {told(delivered)}", ephemeral=True)


class RejectSuggestion(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:suggest:reject:"
):
    """Reject: opens a modal for an optional note to the member. Works after restarts."""

    label, style = "Reject", discord.ButtonStyle.danger

    async def handle(self, interaction: discord.Interaction) -> None:
        require_moderator(interaction)
        await suggestions.decidable(interaction.client, interaction.guild_id, self.item_id)
        await interaction.response.send_modal(RejectModal(self.item_id))


class RejectModal(KindModal, title="Reject this suggestion"):
    def __init__(self, suggestion_id: int):
        super().__init__(custom_id=f"kindred:suggest:reason:{suggestion_id}")
        self.item_id = suggestion_id
        self.reason = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=REASON_MAX,
            placeholder="Optional. A kind word about why helps them try again.",
        )
        self.add_item(
            discord.ui.TextDisplay(
                "The member hears about the decision by DM (or on their next /suggest if "
                "their DMs are closed), with your note if you write one."
            )
        )
        self.add_item(
            discord.ui.Label(text="A note for the member (optional)", component=self.reason)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        require_moderator(interaction)
        poster = poster_of(interaction)
        bot = poster.bot
        rejected = await suggestions.reject(
            bot,
            interaction.guild_id,
            self.item_id,
            interaction.user.id,
            self.reason.value,
            bot.clock(),
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await suggestions.edit_review(poster, rejected)
        delivered = await suggestions.tell_member(poster, rejected, interaction.guild.name)
        await interaction.followup.send(f"Rejected. {told(delivered)}", ephemeral=True)


def review_buttons(suggestion_id: int) -> discord.ui.View:
    """Approve and Reject, for the suggestion's review message."""
    return dynamic_view(ApproveSuggestion(suggestion_id), RejectSuggestion(suggestion_id))
