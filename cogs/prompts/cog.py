"""Daily values prompts: the posting loop, /prompts (moderators) and /suggest (members)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.care import alert_moderators, offer_care
from bot.checks import ModeratorGroup, moderator_choices
from bot.client import KindredBot
from bot.errors import Refusal, saved_or_logged, send_ephemeral
from bot.render import kind_embed
from bot.schedule import search_zones
from bot.text import MESSAGE_LIMIT, chunk_lines, clip
from bot.ui import answer, send_pages, think
from cogs.prompts import admin, suggestions
from cogs.prompts.buttons import ApproveSuggestion, RejectSuggestion, review_buttons
from cogs.prompts.flow import PromptPoster
from cogs.prompts.messages import long_date, prompt_embed

log = logging.getLogger("kindred.prompts")

TICK_SECONDS = 30
LIST_PAGE = 1800  # characters per page of /prompts list: a readable screenful


class Prompts(commands.Cog):
    help_title = "Daily prompts"

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.poster = PromptPoster(bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ApproveSuggestion, RejectSuggestion)
        self.post_loop.start()

    async def cog_unload(self) -> None:
        self.post_loop.cancel()
        self.bot.remove_dynamic_items(ApproveSuggestion, RejectSuggestion)

    # ----- the loop ---------------------------------------------------------------------
    async def tick(self, now=None) -> int:
        """Post what is due now; the loop calls this, tests call it with a moved clock."""
        return await self.poster.tick(now)

    @tasks.loop(seconds=TICK_SECONDS)
    async def post_loop(self) -> None:
        try:
            await self.tick()
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("daily prompt tick failed")

    @post_loop.before_loop
    async def before_post_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def settings_lines(self, guild_id: int) -> list[str]:
        schedule = await self.bot.store.prompts.get_schedule(guild_id)
        if schedule is None:
            return ["**Daily prompts:** not scheduled (`/prompts schedule`)"]
        line = f"**Daily prompts:** {admin.describe(schedule)}"
        if schedule.paused:
            return [f"{line} · **paused** ({schedule.pause_reason or 'by a moderator'})"]
        return [f"{line} · next {admin.when(schedule.next_post_at)}"]

    # ----- /prompts ------------------------------------------------------------------------
    prompts = ModeratorGroup(
        name="prompts", description="Schedule and curate this server's daily values prompts"
    )

    @prompts.command(name="schedule", description="Set where and when the daily prompt is posted")
    @app_commands.describe(
        channel="The text or forum channel for the prompts",
        time="Local time, like 19:30, 7:30 pm or noon",
        days="Which days, like mon-fri or mon, wed, fri (default: every day)",
        timezone="A city or IANA time zone, like Berlin or Europe/Berlin (default: the server's)",
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
        time: str,
        days: str | None = None,
        timezone: str | None = None,
    ) -> None:
        await think(interaction)
        result = await admin.set_schedule(
            self.poster,
            interaction.guild_id,
            channel=channel,
            time_text=time,
            days_text=days,
            zone_text=timezone,
            now=self.bot.clock(),
        )
        schedule = result.schedule
        text = (
            f"Daily prompts will be posted {admin.describe(schedule)}. "
            f"The first one: {admin.when(schedule.next_post_at)}."
        )
        if result.zone_from_settings:
            text += (
                f"\n-# {schedule.timezone} is this server's time zone (`/settings timezone`); "
                "pass `timezone:` to use another."
            )
        if result.was_paused:
            text += "\nThis also resumes them: they were paused."
        await answer(interaction, text)

    @schedule.autocomplete("timezone")
    @moderator_choices
    async def timezone_choices(self, interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in search_zones(current)]

    @prompts.command(name="pause", description="Pause the daily prompts until you resume them")
    async def pause(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        await admin.pause(self.poster, interaction.guild_id, self.bot.clock())
        await answer(interaction, "Daily prompts are paused. `/prompts resume` starts them again.")

    @prompts.command(name="resume", description="Resume paused daily prompts")
    async def resume(self, interaction: discord.Interaction) -> None:
        schedule = await admin.resume(self.poster, interaction.guild, self.bot.clock())
        await interaction.response.send_message(
            f"Daily prompts are back on, posted {admin.describe(schedule)}. "
            f"The next one: {admin.when(schedule.next_post_at)}.",
            ephemeral=True,
        )

    @prompts.command(name="skip", description="Skip the next daily prompt")
    async def skip(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        skipped, schedule = await admin.skip(self.poster, interaction.guild_id, self.bot.clock())
        await answer(
            interaction,
            f"Skipped the prompt for **{long_date(skipped.local_date)}**. "
            f"The next one: {admin.when(schedule.next_post_at)}.",
        )

    @prompts.command(name="post-now", description="Post today's prompt right now")
    async def post_now(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        post = await self.poster.post_now(interaction.guild, self.bot.clock())
        await interaction.followup.send(
            f"Posted today's prompt: {post.link}\n-# It counts as today's post, so the "
            "schedule carries on from the next day.",
            ephemeral=True,
        )

    @prompts.command(name="preview", description="See the next prompt before it is posted")
    async def preview(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        upcoming = await self.poster.upcoming(interaction.guild_id, self.bot.clock())
        if upcoming is None:
            raise Refusal("This server's rotation is empty. Add a prompt with `/prompts add`.")
        schedule = upcoming.schedule
        if schedule is None:
            intro = "Daily prompts aren't scheduled yet (`/prompts schedule`); this one is next:"
        elif schedule.paused:
            intro = (
                f"Daily prompts are paused; when they resume, the prompt for "
                f"**{long_date(upcoming.local_date)}** will be:"
            )
        else:
            intro = (
                f"Next up, for **{long_date(upcoming.local_date)}**, posting "
                f"{admin.when(schedule.next_post_at)}:"
            )
        embed = prompt_embed(upcoming.value, upcoming.prompt.text, upcoming.local_date)
        await answer(interaction, f"{intro} `{upcoming.prompt.id}`", embed=embed)

    @prompts.command(name="add", description="Add this server's own prompt to the rotation")
    @app_commands.describe(
        text="An open question about members' own experience, up to 300 characters",
        value="The value it invites members to talk about",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 300],
        value: str,
    ) -> None:
        await think(interaction)
        prompt, chosen = await admin.add_prompt(
            self.poster, interaction.guild_id, text, value, interaction.user.id, self.bot.clock()
        )
        await answer(
            interaction,
            f"Added `{prompt.public_id}` under **{chosen.badge}**; it joins this server's "
            f"rotation.\n> {prompt.text}",
        )

    @prompts.command(name="remove", description="Take a prompt out of this server's rotation")
    @app_commands.describe(
        prompt_id="The prompt's id, like empathy-03 or own-2 (see /prompts list)"
    )
    async def remove(self, interaction: discord.Interaction, prompt_id: str) -> None:
        removed = await admin.remove_prompt(
            self.poster, interaction.guild_id, prompt_id, self.bot.clock()
        )
        how = (
            "It was this server's own prompt and is deleted."
            if removed.id.startswith("own-")
            else "It stays in the shared library but won't be posted here."
        )
        await interaction.response.send_message(
            f"Removed `{removed.id}` from this server's rotation. {how}\n> {clip(removed.text, 300)}",
            ephemeral=True,
        )

    @remove.autocomplete("prompt_id")
    @moderator_choices
    async def prompt_id_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().casefold()
        items = await admin.rotation(self.poster, interaction.guild_id)
        found = [
            item.prompt
            for item in items
            if needle in item.prompt.id or needle in item.prompt.text.casefold()
        ]
        return [
            app_commands.Choice(name=clip(f"{p.id} · {p.text}", 100), value=p.id)
            for p in found[:25]
        ]

    @prompts.command(name="list", description="List the prompts in this server's rotation")
    @app_commands.describe(value="Only the prompts for this value")
    async def list_prompts(
        self, interaction: discord.Interaction, value: str | None = None
    ) -> None:
        chosen = admin.require_value(self.bot, value) if value else None
        items = await admin.rotation(self.poster, interaction.guild_id)
        lines = admin.prompt_lines(self.bot, items, chosen)
        count = sum(1 for item in items if chosen is None or item.prompt.value == chosen.key)
        title = f"{chosen.badge} prompts" if chosen else "This server's prompts"
        pages = [
            kind_embed(f"{title} ({count})", page.strip()) for page in chunk_lines(lines, LIST_PAGE)
        ]
        await send_pages(interaction, pages)

    @prompts.command(name="values", description="The values, what they mean, and prompt counts")
    async def values(self, interaction: discord.Interaction) -> None:
        items = await admin.rotation(self.poster, interaction.guild_id)
        lines = admin.value_lines(self.bot, items)
        pages = [kind_embed("The values", page) for page in chunk_lines(lines, LIST_PAGE)]
        await send_pages(interaction, pages)

    @prompts.command(name="history", description="Recent daily prompts, with dates and links")
    async def history(self, interaction: discord.Interaction) -> None:
        posts = await self.bot.store.prompts.history(interaction.guild_id)
        if not posts:
            raise Refusal("No daily prompts have been posted here yet.")
        lines = admin.history_lines(self.bot, posts)
        pages = [kind_embed("Recent daily prompts", page) for page in chunk_lines(lines, LIST_PAGE)]
        await send_pages(interaction, pages)

    @add.autocomplete("value")
    @list_prompts.autocomplete("value")
    @moderator_choices
    async def value_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return value_choices(self.bot, current)

    # ----- /suggest ------------------------------------------------------------------------
    @app_commands.command(
        name="suggest", description="Suggest a daily prompt; moderators review it"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        text="An open question about members' own experience, up to 300 characters",
        value="The value it invites members to talk about",
    )
    async def suggest(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 300],
        value: str,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        notices, notice_ids = await suggestions.waiting_notices(
            self.poster, interaction.guild, interaction.user.id
        )
        try:
            answer = await self._suggest(interaction, text, value)
        except Refusal as refusal:
            answer = refusal.message
        if notices:
            answer = clip(
                f"{answer}\n\n**News about your earlier suggestions**\n{notices}", MESSAGE_LIMIT
            )
        await send_ephemeral(interaction, answer)
        if notice_ids:
            await saved_or_logged(
                self.bot.store.prompts.notice_delivered(notice_ids), "suggestion news as shown"
            )
        if (await offer_care(self.bot, interaction, text)).strong:
            await alert_moderators(
                self.bot,
                interaction.guild_id,
                f"<@{interaction.user.id}> suggested a prompt whose words sounded heavy. They "
                "were shown the crisis resources privately; a kind check-in may help.",
            )

    async def _suggest(self, interaction: discord.Interaction, text: str, value: str) -> str:
        submitted = await suggestions.submit(
            self.poster, interaction.guild, interaction.user.id, text, value, self.bot.clock()
        )
        suggestion = submitted.suggestion
        await suggestions.send_for_review(
            self.poster, submitted, review_buttons(suggestion.suggestion_id)
        )
        return (
            f"Thank you! Your suggestion for **{submitted.value.badge}** went to the moderators. "
            "You'll hear back by DM (or here, next time, if your DMs are closed).\n"
            f"> {suggestion.text}"
        )

    @suggest.autocomplete("value")
    async def suggest_value_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return value_choices(self.bot, current)


def value_choices(bot: KindredBot, current: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=value.badge, value=value.key)
        for value in bot.library.search_values(current, limit=25)
    ]
