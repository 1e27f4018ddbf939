"""Care and privacy: /care resources (moderators), /values, /privacy, /mydata export|erase,
and the loops that finish erasures on Discord and purge servers Kindred left.
"""

from __future__ import annotations

import asyncio
import io
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.care import (
    CONTACT_LIMIT,
    MAX_RESOURCES,
    NAME_LIMIT,
    REGION_LIMIT,
    RevealButton,
    ShowResources,
    add_resource,
    resource_lines,
    resources_embed,
)
from bot.checks import ModeratorGroup, moderator_choices
from bot.client import KindredBot
from bot.clock import to_epoch
from bot.errors import Refusal
from bot.render import kind_embed
from bot.store.base import STORY_REMOVED
from bot.text import EMBED_FIELD_VALUE_LIMIT, chunk_lines, clip
from bot.ui import answer, dynamic_view, send_pages, think
from cogs.care import mydata
from cogs.care.buttons import EraseButton, KeepButton
from cogs.care.janitor import run_cleanup
from cogs.care.messages import PEER_SUPPORT_LINE, value_embed
from cogs.care.privacy import PRIVACY_INTRO, PRIVACY_TITLE, maintain, privacy_sections

log = logging.getLogger("kindred.care")


class MemberGroup(app_commands.Group):
    """A group about the member's data in one server: usable only inside a server."""

    def __init__(self, **kwargs):
        super().__init__(guild_only=True, **kwargs)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True


class Care(commands.Cog):
    help_title = "Care and privacy"

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self._cleaning = asyncio.Lock()  # the loop and an erase must not run one job twice

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RevealButton, ShowResources, EraseButton, KeepButton)
        self.janitor.start()
        self.maintenance.start()

    async def cog_unload(self) -> None:
        self.janitor.cancel()
        self.maintenance.cancel()
        self.bot.remove_dynamic_items(RevealButton, ShowResources, EraseButton, KeepButton)

    # ----- background work: plain methods the loops (and tests) call ------------------
    async def cleanup_tick(self, *, guild_id: int | None = None):
        """Finish Discord-side cleanup that is due (all servers, or one right after an erase)."""
        async with self._cleaning:
            return await run_cleanup(self.bot, self.bot.clock(), guild_id=guild_id)

    async def maintenance_tick(self):
        """Purge servers left 30+ days ago; forget care rows that have served their purpose."""
        result = await maintain(
            self.bot.store, self.bot.clock(), lambda gid: self.bot.get_guild(gid) is not None
        )
        for guild_id in result.purged:
            log.info("purged every row of server %s, 30 days after Kindred left it", guild_id)
        return result

    @tasks.loop(minutes=5)
    async def janitor(self) -> None:
        try:
            await self.cleanup_tick()
        except Exception:
            log.exception("the cleanup loop failed; it runs again in 5 minutes")

    @tasks.loop(hours=1)
    async def maintenance(self) -> None:
        try:
            await self.maintenance_tick()
        except Exception:
            log.exception("the maintenance loop failed; it runs again in an hour")

    @janitor.before_loop
    @maintenance.before_loop
    async def _until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def settings_lines(self, guild_id: int) -> list[str]:
        resources = await self.bot.store.care.resources(guild_id)
        lines = [
            f"**Crisis resources:** {len(resources)} of this server's own"
            if resources
            else "**Crisis resources:** Kindred's defaults (add your own with "
            "`/care resources add`)"
        ]
        pending = await self.bot.store.care.pending_cleanup(guild_id)
        if pending:
            lines.append(f"**Removals still to finish after erasures:** {pending} (retrying)")
        return lines

    # ----- /care resources (moderators) -----------------------------------------------
    care = ModeratorGroup(name="care", description="Crisis care settings for this server")
    resources = ModeratorGroup(
        name="resources",
        description="The crisis resources Kindred shows privately to members who need them",
        parent=care,
    )

    @resources.command(name="add", description="Add a crisis resource (a helpline, a service)")
    @app_commands.describe(
        name="What it is called, e.g. Samaritans (up to 80 characters)",
        contact="How to reach it: a number, a text line or a website (up to 200 characters)",
        region="Where it applies, e.g. UK and Ireland (optional, up to 40 characters)",
    )
    async def resources_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, NAME_LIMIT],
        contact: app_commands.Range[str, 1, CONTACT_LIMIT],
        region: app_commands.Range[str, 1, REGION_LIMIT] | None = None,
    ) -> None:
        await think(interaction)
        first = not await self.bot.store.care.resources(interaction.guild_id)
        added = await add_resource(self.bot, interaction.guild_id, name, contact, region)
        text = f"Added resource #{added.resource_id}. This is what members will see:"
        if first:
            text += (
                "\nMembers now see this server's resources instead of Kindred's defaults, "
                "so consider adding a line for your local emergency number too."
            )
        embed = await resources_embed(self.bot, interaction.guild_id)
        await answer(interaction, text, embed=embed)

    @resources.command(name="remove", description="Remove one of this server's crisis resources")
    @app_commands.describe(resource_id="The resource's number, shown by /care resources list")
    async def resources_remove(
        self, interaction: discord.Interaction, resource_id: app_commands.Range[int, 1]
    ) -> None:
        removed = await self.bot.store.care.remove_resource(interaction.guild_id, resource_id)
        if removed is None:
            raise Refusal(
                f"This server has no resource #{resource_id}. `/care resources list` shows "
                "them with their numbers. Nothing was changed."
            )
        text = f"Removed resource #{removed.resource_id}, **{discord.utils.escape_markdown(removed.name)}**."
        if not await self.bot.store.care.resources(interaction.guild_id):
            text += " That was the last one, so members will see Kindred's default resources again."
        await interaction.response.send_message(text, ephemeral=True)

    @resources_remove.autocomplete("resource_id")
    @moderator_choices
    async def resource_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        typed = current.strip().casefold().lstrip("#")
        choices = []
        for r in await self.bot.store.care.resources(interaction.guild_id):
            label = f"#{r.resource_id} {r.name}" + (f" ({r.region})" if r.region else "")
            if typed in label.casefold():
                choices.append(app_commands.Choice(name=clip(label, 100), value=r.resource_id))
        return choices[:25]

    @resources.command(name="list", description="Show the crisis resources members will see")
    async def resources_list(self, interaction: discord.Interaction) -> None:
        own = await self.bot.store.care.resources(interaction.guild_id)
        if own:
            lines = [
                f"`#{r.resource_id}` {line}"
                for r, line in zip(own, resource_lines(own), strict=True)
            ]
            head = (
                f"This server lists {len(own)} of at most {MAX_RESOURCES} resources. Members "
                "see them privately when something they write sounds like they may be in "
                "crisis. Remove one with `/care resources remove`."
            )
        else:
            lines = resource_lines(own)
            head = (
                "This server hasn't added its own resources, so members see Kindred's "
                "defaults below. Add local ones with `/care resources add`; once you do, "
                "they replace the defaults."
            )
        pages = [
            kind_embed("Crisis resources", f"{head}\n\n{chunk}")
            for chunk in chunk_lines(lines, 4096 - len(head) - 2)
        ]
        await send_pages(interaction, pages)

    # ----- /values -----------------------------------------------------------------------
    @app_commands.command(
        name="values", description="The values behind peer support, and what each means"
    )
    @app_commands.describe(value="One value to read about (leave empty to see them all)")
    async def values(self, interaction: discord.Interaction, value: str | None = None) -> None:
        library = self.bot.library
        if value is None or not value.strip():
            lines = [f"{v.emoji} **{v.name}**: {v.description}" for v in library.values]
            footer = "Use /values value: to read more about one."
            pages = [
                kind_embed("The values behind peer support", f"*{PEER_SUPPORT_LINE}*\n\n{chunk}")
                for chunk in chunk_lines(lines, 3800)
            ]
            for page in pages:
                page.set_footer(text=footer)
            await send_pages(interaction, pages)
            return
        found = library.value(value)
        if found is None:
            close = ", ".join(v.name for v in library.search_values(value, limit=5))
            hint = f" Did you mean {close}?" if close else " Pick one from the list as you type."
            raise Refusal(f"I don't know a value called '{clip(value.strip(), 60)}'.{hint}")
        await interaction.response.send_message(
            embed=value_embed(self.bot.library, found), ephemeral=True
        )

    @values.autocomplete("value")
    async def value_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=clip(f"{v.name}: {v.description}", 100), value=v.key)
            for v in self.bot.library.search_values(current, limit=25)
        ]

    # ----- /privacy ----------------------------------------------------------------------
    @app_commands.command(
        name="privacy",
        description="What Kindred keeps about you, why, and how to export or erase it",
    )
    async def privacy(self, interaction: discord.Interaction) -> None:
        embed = kind_embed(PRIVACY_TITLE, PRIVACY_INTRO)
        for heading, text in privacy_sections():
            embed.add_field(name=heading, value=clip(text, EMBED_FIELD_VALUE_LIMIT), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # ----- /mydata -----------------------------------------------------------------------
    mydata_group = MemberGroup(
        name="mydata", description="Your own data in this server: take a copy, or erase it"
    )

    @mydata_group.command(
        name="export",
        description="Get everything Kindred keeps about you here, as a file only you see",
    )
    async def mydata_export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await mydata.collect(
            self.bot.store, interaction.guild_id, interaction.user.id, self.bot.clock()
        )
        if not data.total:
            await interaction.followup.send(
                "Kindred keeps nothing about you in this server, so there is nothing to export.",
                ephemeral=True,
            )
            return
        limit = getattr(interaction, "filesize_limit", None) or 8 * 1024 * 1024
        packed = mydata.export_file(data, limit)
        if packed is None:
            raise Refusal(
                "Your data is larger than Discord lets me send in one file. Please ask a "
                "moderator to contact the people who run this bot for a copy."
            )
        name, payload = packed
        await interaction.followup.send(
            clip(
                "Here is everything Kindred keeps about you in this server "
                f"({mydata.describe_export(data)}). Only you can see this file. It starts "
                "with a short summary, and each time in it is shown in UTC and in the "
                "server's time zone.",
                2000,
            ),
            file=discord.File(io.BytesIO(payload), filename=name),
            ephemeral=True,
        )

    @mydata_group.command(
        name="erase", description="Delete everything Kindred keeps about you here (asks first)"
    )
    async def mydata_erase(self, interaction: discord.Interaction) -> None:
        await think(interaction)
        data = await mydata.collect(
            self.bot.store, interaction.guild_id, interaction.user.id, self.bot.clock()
        )
        if not data.total:
            await answer(
                interaction,
                "Kindred keeps nothing about you in this server, so there is nothing to erase.",
            )
            return
        embed = kind_embed(
            "Erase your data in this server?",
            f"Kindred keeps: {mydata.describe_export(data)}.\n\n"
            "Erasing deletes all of it, including drafts and anonymous stories, and can't be "
            f'undone. Stories you published will read "{STORY_REMOVED}" '
            "If you'd like a copy first, use `/mydata export`.\n\n"
            "This confirmation works for 15 minutes.",
        )
        issued = to_epoch(self.bot.clock())
        view = dynamic_view(
            EraseButton(interaction.user.id, issued), KeepButton(interaction.user.id)
        )
        await answer(interaction, embed=embed, view=view)
