"""One place that turns any failure into one kind sentence for the member.

The member never sees exception text; the log gets the traceback with the
interaction id, which the member can quote to a moderator.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable

import discord
from discord import app_commands

from bot.observe import context
from bot.observe.metrics import custom_id_label

log = logging.getLogger("kindred.errors")

NOT_MODERATOR = (
    "Only moderators with the Manage Server permission can use this. Nothing was changed."
)
GUILD_ONLY = "This works inside a server, not in direct messages."
CANT_SAVE = "Kindred can't save right now; nothing was changed. Please try again in a little while."


class Refusal(app_commands.AppCommandError):
    """A kind, expected 'no' (bad input, not allowed): its message goes to the member as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def permission_names(names: list[str]) -> str:
    """`["send_messages"]` -> "Send Messages", as Discord's own settings name it."""
    return ", ".join(name.replace("_", " ").title() for name in names)


def member_message(interaction: discord.Interaction, error: BaseException) -> str:
    """The sentence a member sees for `error`."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and (
        isinstance(error.__cause__, Refusal)
    ):
        error = error.__cause__
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, Refusal):
        return error.message
    if isinstance(error, app_commands.NoPrivateMessage):
        return GUILD_ONLY
    if isinstance(error, app_commands.MissingPermissions):
        return NOT_MODERATOR
    if isinstance(error, app_commands.BotMissingPermissions):
        return (
            f"I need the {permission_names(error.missing_permissions)} permission here; "
            "a moderator can grant it in the channel settings."
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Let's take a breath first: you can do this again in {int(error.retry_after) + 1} seconds."
    if isinstance(error, app_commands.TransformerError):
        return f"That value for this option didn't work ({str(error.value)[:80]!r}). Please check it and try again."
    if isinstance(error, app_commands.CheckFailure):
        return "This can't be used here, or not by you. Nothing was changed."
    if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
        return CANT_SAVE
    return (
        "Something went wrong on our side, and nothing was changed. If it keeps happening, "
        f"please tell a moderator and quote this id: {interaction.id}."
    )


def _is_expected(error: BaseException) -> bool:
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return isinstance(
        error,
        Refusal
        | app_commands.NoPrivateMessage
        | app_commands.CheckFailure
        | app_commands.CommandOnCooldown
        | app_commands.TransformerError,
    )


def _what(interaction: discord.Interaction) -> str:
    """What was used, never what was typed: "/settings timezone", or a button's or modal's
    custom id up to its first number ("kindred:story:post"), never option values."""
    command = getattr(interaction, "command", None)
    if command is not None:
        return f"/{command.qualified_name}"
    return custom_id_label(str((interaction.data or {}).get("custom_id", "")))


def _reason(error: BaseException) -> str:
    """The refusal's class: the Refusal inside discord.py's wrappers, not the wrapper."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    elif isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, Refusal):
        error = error.__cause__
    return type(error).__name__


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Log (with traceback for the unexpected) and tell the member, ephemerally. A refusal's
    line names the command or button and the reason's class; never a member's words."""
    if _is_expected(error):
        context.mark(context.REFUSED)
        log.info(
            "interaction %s %s refused: %s", interaction.id, _what(interaction), _reason(error)
        )
    else:
        context.mark(context.FAILED)
        # The exact wording is pinned by tests/test_observe_http.py; JSON lines name the
        # command beside it (`command`), and the traceback follows.
        log.error("interaction %s failed", interaction.id, exc_info=error)
    await send_ephemeral(interaction, member_message(interaction, error))


async def send_ephemeral(interaction: discord.Interaction, content: str, **kwargs) -> None:
    """Answer or follow up, whichever is still possible; never raise."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException:
        log.warning("interaction %s: could not deliver the error message", interaction.id)


async def saved_or_logged(write: Awaitable[object], what: str) -> bool:
    """Bookkeeping after the member already has their answer (a notice marked delivered, a
    cleanup job done): a full disk must not turn what was done into an error for them. The
    log gets the traceback; the loops that own the bookkeeping try again later."""
    try:
        await write
    except sqlite3.Error:
        log.error("could not save that %s", what, exc_info=True)
        return False
    return True
