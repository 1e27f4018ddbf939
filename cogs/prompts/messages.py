"""What members and moderators read of the daily prompts: the post and its thread's name,
dates, the notes kept in history, why a post could not go out, and the suggestion review.

Kept apart from the steps that send them, so the wording can change without touching the
exactly-once posting. The footer `marker` is also how a post is found again after a crash:
never change its form.
"""

from __future__ import annotations

from datetime import date

import discord

from bot.errors import Refusal, permission_names
from bot.library import Value
from bot.render import kind_embed
from bot.sendqueue import Undeliverable
from bot.store.prompt_suggestions import Suggestion
from bot.text import THREAD_NAME_LIMIT, clip

TEXT_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
)
FORUM_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MISSED_NOTE = "Kindred was offline at the time (more than 6 hours late)"
UNREACHABLE_NOTE = "Discord could not be reached for more than 6 hours"
LEFT_NOTE = "Kindred is no longer in this server"
PAUSED_TITLE = "Daily prompts are paused"
NO_SCHEDULE = (
    "Daily prompts aren't set up here yet. A moderator can start them with "
    "`/prompts schedule channel: time:`."
)
BUSY = "Today's prompt is being posted right now; please check the channel in a moment."
UNCONFIRMED = (
    "Discord didn't confirm the post in time. Please check the channel in a minute; "
    "using /prompts post-now again is safe and never posts twice."
)
REASON_MAX = 1000  # a moderator's note to the member, as the Reject form allows


# ----- the daily post ---------------------------------------------------------------------------
def long_date(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def marker(day: date) -> str:
    """The footer that identifies a server's post for a day, found again after a crash."""
    return f"Daily prompt · {day.isoformat()}"


def thread_name(value: Value, day: date) -> str:
    return clip(f"{value.name} · {day.day} {MONTHS[day.month - 1]} {day.year}", THREAD_NAME_LIMIT)


def prompt_embed(value: Value, text: str, day: date, *, forum: bool = False) -> discord.Embed:
    where = "replies below" if forum else "thread below"
    embed = kind_embed(
        value.badge,
        f"{text}\n\n*Share from your own experience in the {where}. Small moments count, and "
        "listening is welcome too.*",
        colour=value.colour,
    )
    embed.set_footer(text=marker(day))
    return embed


def channel_link(channel_id: int) -> str:
    return f"<#{channel_id}>"


# ----- failures -------------------------------------------------------------------------------
def channel_gone(channel_id: int) -> Undeliverable:
    return Undeliverable(
        f"the prompt channel {channel_link(channel_id)} no longer exists, or I can't see it",
        "Please choose a channel with `/prompts schedule`.",
    )


def missing(channel_id: int, names: list[str]) -> Undeliverable:
    return Undeliverable(
        f"I'm missing the {permission_names(names)} permission in {channel_link(channel_id)}",
        "Please grant it in the channel settings, then use `/prompts resume`.",
        "Please grant it in the channel settings and try again.",
    )


def refused(channel_id: int, error: discord.HTTPException) -> Undeliverable:
    if isinstance(error, discord.NotFound):
        return channel_gone(channel_id)
    if isinstance(error, discord.Forbidden):
        return Undeliverable(
            f"Discord refused my post in {channel_link(channel_id)}: I'm missing a permission "
            f"there (I need {permission_names(list(TEXT_PERMISSIONS))})",
            "Please check the channel's permissions for Kindred, then use `/prompts resume`.",
            "Please check the channel's permissions for Kindred and try again.",
        )
    return Undeliverable(
        f"Discord refused my post in {channel_link(channel_id)} (error {error.code})",
        "Please check the channel's settings (a forum may require a tag), then use "
        "`/prompts resume`.",
        "Please check the channel's settings (a forum may require a tag) and try again.",
    )


def rotation_empty() -> Undeliverable:
    return Undeliverable(
        "this server has no prompts left in its rotation",
        "Please add some with `/prompts add`, then use `/prompts resume`.",
    )


def value_gone(value_key: str | None) -> Undeliverable:
    return Undeliverable(
        f"the value '{value_key}' is no longer in the values library",
        "Please tell the bot's operator; `/prompts skip` moves on to the next day.",
    )


def paused_notice(problem: Undeliverable) -> str:
    return f"I couldn't post the daily prompt: {problem.note}. {problem.fix}"


# ----- /prompts post-now -----------------------------------------------------------------------
def already_posted(link: str | None) -> Refusal:
    return Refusal(
        f"Today's prompt is already posted: {link or 'see /prompts history'}. "
        "There's one prompt per day, so nothing new was posted."
    )


def found_posted(link: str | None) -> Refusal:
    return Refusal(f"Today's prompt was already posted: {link}. Nothing new was posted.")


def not_posted(problem: Undeliverable) -> Refusal:
    return Refusal(f"I couldn't post: {problem.note}. {problem.fix_now} Nothing was posted.")


# ----- suggestions -----------------------------------------------------------------------------
def review_embed(suggestion: Suggestion, value: Value | None) -> discord.Embed:
    embed = kind_embed(
        f"Prompt suggestion #{suggestion.suggestion_id}",
        suggestion.text,
        colour=value.colour if value else 0x999999,
    )
    embed.add_field(name="Value", value=value.badge if value else suggestion.value_key)
    embed.add_field(name="Suggested by", value=f"<@{suggestion.member_id}>")
    if suggestion.state == "pending":
        embed.set_footer(
            text="Approve adds it to this server's daily prompts. "
            "Reject lets you send the member an optional note."
        )
    else:
        verb = "Approved" if suggestion.state == "approved" else "Rejected"
        decision = f"{verb} by <@{suggestion.decided_by}>"
        if suggestion.state == "approved" and suggestion.prompt_id:
            decision += f" · added as `own-{suggestion.prompt_id}`"
        if suggestion.reason:
            decision += f"\nNote to the member: {clip(suggestion.reason, 900)}"
        embed.add_field(name="Decision", value=decision, inline=False)
    return embed


def decision_text(suggestion: Suggestion, guild_name: str) -> str:
    quoted = clip(suggestion.text, 300)
    if suggestion.state == "approved":
        return (
            f"Your prompt suggestion in **{guild_name}** was approved and joins the daily "
            f"prompts. Thank you for sharing it!\n> {quoted}"
        )
    text = (
        f"The moderators of **{guild_name}** decided not to add your prompt suggestion this "
        f"time. Thank you for offering it.\n> {quoted}"
    )
    if suggestion.reason:
        text += f"\nTheir note: {clip(suggestion.reason, REASON_MAX)}"
    return text


def told(delivered: bool) -> str:
    if delivered:
        return "I let them know by DM."
    return "Their DMs are closed, so they'll see it the next time they use /suggest."
