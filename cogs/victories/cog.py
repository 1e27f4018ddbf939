"""/celebrate, /victories, /celebrate-quotes, /celebrations and the weekly digest loop.

Each command translates an interaction into a call on the feature's `VictoryFlow` (or the
digest poster) and its result into a reply. Opting out of digest quotes is its own small
command, `/celebrate-quotes allow:`, so that `/victories [member:]` stays a plain history.
A public victory's card is posted in recorded steps (`cards.py`); one a stopped process left
on its way is finished on start by the recovery loop.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import ModeratorGroup, require_can_post
from bot.client import KindredBot
from bot.errors import Refusal
from bot.recovery import FinishesHalfDone
from bot.schedule import TIME_ERROR
from bot.text import clip
from bot.ui import answer, think
from cogs.victories.buttons import DYNAMIC_ITEMS
from cogs.victories.digest_post import DIGEST_PERMISSIONS, DigestPoster
from cogs.victories.digest_rules import DAY_NAMES, schedule_text
from cogs.victories.flow import VictoryFlow
from cogs.victories.victory_rules import REASON_LIMIT, TEXT_LIMIT

log = logging.getLogger("kindred.victories")

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Victories(FinishesHalfDone, commands.Cog):
    half_done = "half-posted victory cards"
    help_title = "Celebrations"

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.digests = DigestPoster(bot)
        self.flow = VictoryFlow(bot)

    @property
    def repo(self):
        return self.bot.store.victories

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.card_refreshers.update(cheers=self.flow.redraw_cheers, digest=self.digests.redraw)
        self.digest_loop.start()
        self.recovery_loop.start()

    async def cog_unload(self) -> None:
        self.digest_loop.cancel()
        self.recovery_loop.cancel()
        for kind in ("cheers", "digest"):
            self.bot.card_refreshers.pop(kind, None)
        self.flow.close()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # ----- the weekly digest loop ------------------------------------------------------------
    @tasks.loop(minutes=1)
    async def digest_loop(self) -> None:
        await self.tick()

    @digest_loop.before_loop
    async def before_digest_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def tick(self, now=None) -> int:
        """One scheduler step (tests call this with the kit's clock moved)."""
        try:
            return await self.digests.tick(now or self.bot.clock())
        except Exception:
            log.exception("the weekly digest tick failed")
            return 0

    # ----- cards a stopped process left on their way -----------------------------------------
    async def recover(self) -> int:
        """Tests and the kill test call this directly after a restart; how many are left."""
        return await self.flow.cards.recover()

    # ----- /celebrate ------------------------------------------------------------------------
    @app_commands.command(
        name="celebrate",
        description="Share a victory, big or small: publicly to be cheered, or just for you",
    )
    @app_commands.guild_only()
    @app_commands.describe(
        victory="What went well? 1 to 1000 characters; mentions in it never ping anyone",
        value="The value you lived (optional): pick one from the list",
        visibility="public (default): posted for the server to cheer. just me: private, in your history",
    )
    async def celebrate(
        self,
        interaction: discord.Interaction,
        victory: app_commands.Range[str, 1, TEXT_LIMIT],
        value: str | None = None,
        visibility: Literal["public", "just me"] = "public",
    ) -> None:
        await self.flow.celebrate(interaction, victory, value, visibility)

    @celebrate.autocomplete("value")
    async def value_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=clip(v.badge, 100), value=v.key)
            for v in self.bot.library.search_values(current)
        ]

    # ----- /victories ------------------------------------------------------------------------
    @app_commands.command(
        name="victories",
        description="See your victories (private ones too), or another member's public ones",
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Whose public victories to see; leave empty for your own history")
    async def victories(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        target = member or interaction.user
        if target.bot:
            raise Refusal("Bots don't celebrate victories here; try a member of the server.")
        embed, view = await self.flow.history(interaction, target.id, name=target.display_name)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    # ----- /celebrate-quotes -----------------------------------------------------------------
    @app_commands.command(
        name="celebrate-quotes",
        description="Choose whether the weekly digest may quote your public victories",
    )
    @app_commands.guild_only()
    @app_commands.describe(
        allow="yes: you may be quoted, with your name (the default). no: never quote me. Empty: show"
    )
    async def celebrate_quotes(
        self, interaction: discord.Interaction, allow: Literal["yes", "no"] | None = None
    ) -> None:
        guild_id, member_id = interaction.guild_id, interaction.user.id
        if allow is not None:
            await self.repo.set_quotes_allowed(guild_id, member_id, allow == "yes")
        allowed = (
            (allow == "yes")
            if allow is not None
            else await self.repo.quotes_allowed(guild_id, member_id)
        )
        if allowed:
            text = (
                "The weekly digest may quote your public victories, with your name. "
                "`/celebrate-quotes allow:no` stops that at any time."
            )
        else:
            text = (
                "The weekly digest will never quote your victories. They still count, without "
                "your name or words, in its tally of values. `/celebrate-quotes allow:yes` "
                "changes this."
            )
        prefix = "Done. " if allow is not None else ""
        await interaction.response.send_message(prefix + text, ephemeral=True)

    # ----- /celebrations (moderators) --------------------------------------------------------
    celebrations = ModeratorGroup(
        name="celebrations", description="Where victories are posted, and the weekly digest"
    )

    @celebrations.command(
        name="channel", description="Choose the channel for public victories and the weekly digest"
    )
    @app_commands.describe(channel="A text channel Kindred can post in, with embeds and images")
    async def set_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        require_can_post(channel, DIGEST_PERMISSIONS)
        await self.repo.update_settings(interaction.guild_id, channel_id=channel.id)
        self.flow.remember_channel(interaction.guild_id, channel.id)
        await interaction.response.send_message(
            f"Public victories and the weekly digest will go to {channel.mention}.", ephemeral=True
        )

    @celebrations.command(
        name="digest",
        description="Set the weekly digest's day and time (in the server's time zone)",
    )
    @app_commands.describe(
        day="The day of the week it goes out",
        time="The time it goes out, HH:MM in 24-hour form, like 18:00",
    )
    async def digest_schedule(
        self, interaction: discord.Interaction, day: Weekday, time: app_commands.Range[str, 1, 10]
    ) -> None:
        await think(interaction)
        try:
            settings = await self.digests.configure(
                interaction.guild_id,
                self.bot.clock(),
                digest_weekday=DAY_NAMES.index(day),
                digest_time=time,
            )
        except ValueError:
            raise Refusal(f"{TIME_ERROR} Nothing was changed.") from None
        text = f"The weekly digest will go out on {self._schedule(settings)}."
        if settings.digest_enabled:
            text += f" The next one: <t:{int(settings.next_at.timestamp())}:F>."
        else:
            text += " It's switched off right now; `/celebrations digest-on` switches it on."
        await answer(interaction, text)

    @celebrations.command(name="digest-off", description="Stop the weekly digest in this server")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        await self.repo.update_settings(interaction.guild_id, digest_enabled=False)
        await interaction.response.send_message(
            "The weekly digest is off. Members can still celebrate and cheer; "
            "`/celebrations digest-on` brings the digest back.",
            ephemeral=True,
        )

    @celebrations.command(name="digest-on", description="Start (or restart) the weekly digest")
    async def digest_on(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        settings = await self.digests.configure(
            interaction.guild_id, self.bot.clock(), digest_enabled=True
        )
        await answer(
            interaction,
            f"The weekly digest is on: {self._schedule(settings)}. "
            f"The next one: <t:{int(settings.next_at.timestamp())}:F>.",
        )

    @celebrations.command(
        name="remove",
        description="Remove a public victory and its post; its author is told privately",
    )
    @app_commands.describe(
        victory_id="The number in the post's footer (Victory #123)",
        reason="Optional: a short reason, shared with the author",
    )
    async def remove(
        self,
        interaction: discord.Interaction,
        victory_id: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 1, REASON_LIMIT] | None = None,
    ) -> None:
        await self.flow.remove_by_moderator(interaction, victory_id, reason)

    # ----- /settings show and /help ----------------------------------------------------------
    def _schedule(self, settings) -> str:
        return schedule_text(settings.digest_weekday, settings.digest_time, settings.timezone)

    async def settings_lines(self, guild_id: int) -> list[str]:
        settings = await self.repo.settings(guild_id)
        channel = (
            f"<#{settings.channel_id}>" if settings.channel_id else "wherever `/celebrate` is used"
        )
        digest = self._schedule(settings) if settings.digest_enabled else "off"
        lines = [f"**Celebrations channel:** {channel}", f"**Weekly digest:** {digest}"]
        status = await self.digests.status_line(guild_id)
        return lines + ([status] if status else [])
