"""Members suggest prompts; moderators approve or reject them; members hear back.

A member has at most 3 suggestions waiting per server. A decision reaches the member by
DM; when their DMs are closed it waits and is shown on their next `/suggest`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.checks import missing_permissions, mod_channel
from bot.errors import Refusal, saved_or_logged
from bot.library import Value
from bot.sendqueue import recorded_or_taken_down
from bot.store.prompt_suggestions import PENDING_SUGGESTIONS_MAX, Suggestion
from bot.store.prompts import OwnPrompt
from bot.visible import shown
from cogs.prompts.admin import UNCHANGED, require_prompt_text, require_value, same_in_rotation
from cogs.prompts.flow import PromptPoster
from cogs.prompts.messages import REASON_MAX, decision_text, review_embed

log = logging.getLogger("kindred.prompts")

REVIEW_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


@dataclass(frozen=True)
class Submitted:
    suggestion: Suggestion
    value: Value
    review_channel: discord.TextChannel


async def submit(
    poster: PromptPoster, guild: discord.Guild, member_id: int, text: str, value_typed: str, now
) -> Submitted:
    """Validate and store a suggestion; the caller posts it for review."""
    bot = poster.bot
    value = require_value(bot, value_typed)
    text = require_prompt_text(text)
    settings = await bot.store.guilds.get(guild.id)
    channel = mod_channel(bot, guild.id, settings)
    if not isinstance(channel, discord.TextChannel):
        raise Refusal(
            "Suggestions go to the moderators' channel, and this server hasn't set one up yet. "
            "Please ask a moderator to choose one with `/settings mod-channel`. Nothing was sent."
        )
    if missing_permissions(channel, REVIEW_PERMISSIONS):
        raise Refusal(
            "I can't reach the moderators' channel right now (a permission is missing there). "
            "Please let a moderator know. Nothing was sent."
        )
    if await same_in_rotation(poster, guild.id, text) is not None:
        raise Refusal(
            "That prompt is already in this server's rotation. Thank you all the same! "
            "Nothing was sent."
        )
    suggestion = await bot.store.prompts.suggest(guild.id, member_id, value.key, text, now)
    if suggestion is None:
        raise Refusal(
            f"You already have {PENDING_SUGGESTIONS_MAX} suggestions waiting for the "
            "moderators. Once they've looked at one, you can suggest another. Nothing was sent."
        )
    return Submitted(suggestion, value, channel)


async def send_for_review(
    poster: PromptPoster, submitted: Submitted, view: discord.ui.View
) -> None:
    """Post the suggestion in the moderators' channel, with its buttons, and record where.
    Withdrawn when either fails, so no suggestion waits where moderators can't see it."""
    bot = poster.bot
    suggestion = submitted.suggestion
    try:
        message = await poster.queue.call(
            submitted.review_channel.send,
            embed=review_embed(suggestion, submitted.value),
            view=view,
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException:
        await bot.store.prompts.withdraw(suggestion.suggestion_id)
        raise Refusal(
            "I couldn't reach the moderators' channel just now. Please try again in a "
            "little while. Nothing was sent."
        ) from None
    try:
        await recorded_or_taken_down(
            bot.store.prompts.set_review_message(
                suggestion.suggestion_id, message.channel.id, message.id
            ),
            message,
        )
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            await bot.store.prompts.withdraw(suggestion.suggestion_id)
        raise


async def decidable(bot, guild_id: int, suggestion_id: int) -> Suggestion:
    suggestion = await bot.store.prompts.get_suggestion(suggestion_id)
    if suggestion is None or suggestion.guild_id != guild_id:
        raise Refusal("I can't find that suggestion any more. Nothing was changed.")
    if suggestion.state != "pending":
        raise Refusal(
            f"This suggestion was already {suggestion.state} by <@{suggestion.decided_by}>. "
            f"{UNCHANGED}"
        )
    return suggestion


async def approve(
    bot, guild_id: int, suggestion_id: int, moderator_id: int, now: datetime
) -> tuple[Suggestion, OwnPrompt | None]:
    await decidable(bot, guild_id, suggestion_id)
    result = await bot.store.prompts.approve(suggestion_id, moderator_id, now)
    if result is None:  # another moderator was a moment faster
        await decidable(bot, guild_id, suggestion_id)
        raise Refusal(f"This suggestion was already decided. {UNCHANGED}")
    return result


async def reject(
    bot, guild_id: int, suggestion_id: int, moderator_id: int, reason: str | None, now
) -> Suggestion:
    await decidable(bot, guild_id, suggestion_id)
    reason = shown(reason) or None
    if reason is not None and len(reason) > REASON_MAX:  # only a forged submit: Discord checks
        raise Refusal(
            f"The note can be up to {REASON_MAX} characters (it has {len(reason)}). {UNCHANGED}"
        )
    rejected = await bot.store.prompts.reject(suggestion_id, moderator_id, reason, now)
    if rejected is None:
        await decidable(bot, guild_id, suggestion_id)
        raise Refusal(f"This suggestion was already decided. {UNCHANGED}")
    return rejected


async def tell_member(poster: PromptPoster, suggestion: Suggestion, guild_name: str) -> bool:
    """DM the member the decision; when their DMs are closed it waits for their next
    /suggest. True when delivered."""
    try:
        channel = await poster.queue.call(
            poster.bot.create_dm, discord.Object(suggestion.member_id)
        )
        await poster.queue.call(
            channel.send,
            decision_text(suggestion, guild_name),
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException as error:
        log.info("suggestion %s: DM not delivered (%s)", suggestion.suggestion_id, error.code)
        return False
    await saved_or_logged(
        poster.repo.notice_delivered([suggestion.suggestion_id]), "suggestion news as delivered"
    )
    return True


async def waiting_notices(
    poster: PromptPoster, guild: discord.Guild, member_id: int
) -> tuple[str, list[int]]:
    """Decisions the member missed because their DMs were closed: the text to show them and
    the suggestion ids to mark delivered once shown."""
    notices = await poster.repo.undelivered_notices(guild.id, member_id)
    text = "\n\n".join(decision_text(n, guild.name) for n in notices)
    return text, [n.suggestion_id for n in notices]


async def edit_review(poster: PromptPoster, suggestion: Suggestion) -> None:
    """Show the decision on the review message and take its buttons away."""
    if not suggestion.review_channel_id or not suggestion.review_message_id:
        return
    channel = poster.bot.get_channel(suggestion.review_channel_id)
    if channel is None:
        return
    value = poster.bot.library.value(suggestion.value_key)
    try:
        await poster.queue.call(
            channel.get_partial_message(suggestion.review_message_id).edit,
            embed=review_embed(suggestion, value),
            view=None,
        )
    except discord.HTTPException:
        log.info("suggestion %s: review message not updated", suggestion.suggestion_id)
