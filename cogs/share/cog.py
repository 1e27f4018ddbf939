"""/share, /mystories and /stories: lived-experience stories, told safely.

The flow itself lives in cogs/share/flow.py (so buttons pressed after a restart find it);
this cog wires commands, the modal listener, the reply counter, the nudge loop and the
recovery after a restart (stories a stopped process left half posted) to it.
"""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import ModeratorGroup, moderator_choices, require_can_post
from bot.client import KindredBot
from bot.errors import Refusal, report_error
from bot.recovery import FinishesHalfDone
from bot.text import clip
from cogs.share import story_rules as stories
from cogs.share.buttons import DYNAMIC_ITEMS
from cogs.share.flow import ShareFlow
from cogs.share.publish_base import channel_needs

log = logging.getLogger("kindred.share")


class Share(FinishesHalfDone, commands.Cog):
    half_done = "half-posted stories"
    help_title = "Stories"

    def __init__(self, bot: KindredBot):
        self.bot = bot

    @property
    def flow(self) -> ShareFlow:
        return ShareFlow(self.bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.nudge_loop.start()
        self.recovery_loop.start()

    async def cog_unload(self) -> None:
        self.nudge_loop.cancel()
        self.recovery_loop.cancel()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # ----- members -----------------------------------------------------------------------------
    @app_commands.command(
        name="share", description="Share a piece of your lived experience, named or anonymously"
    )
    @app_commands.guild_only()
    async def share(self, interaction: discord.Interaction) -> None:
        await self.flow.start(interaction)

    @app_commands.command(
        name="mystories", description="See your stories here, delete one or lock its replies"
    )
    @app_commands.guild_only()
    async def mystories(self, interaction: discord.Interaction) -> None:
        await self.flow.show_mine(interaction)

    # ----- moderators ---------------------------------------------------------------------------
    manage = ModeratorGroup(name="stories", description="Set up and look after shared stories")

    @manage.command(name="channel", description="Choose where stories are shared")
    @app_commands.describe(channel="A text channel (a thread per story) or a forum (a post each)")
    async def set_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | discord.ForumChannel
    ) -> None:
        require_can_post(channel, channel_needs(channel))
        settings = await self.bot.store.stories.set_channel(interaction.guild_id, channel.id)
        review = (
            "A moderator reviews each story first."
            if settings.review
            else "Stories are shared as soon as their author posts them; "
            "`/stories review mode:on` lets moderators read them first."
        )
        await interaction.response.send_message(
            f"Stories will be shared in {channel.mention}. {review}", ephemeral=True
        )

    @manage.command(name="review", description="Whether a moderator reads each story first")
    @app_commands.describe(mode="on: stories wait in the moderator channel for approval")
    async def review(self, interaction: discord.Interaction, mode: Literal["on", "off"]) -> None:
        await self.bot.store.stories.set_review(interaction.guild_id, mode == "on")
        if mode == "off":
            text = (
                "Stories are now shared as soon as their author posts them. Stories whose "
                "words suggest someone may be struggling still wait for a moderator."
            )
        else:
            text = "A moderator will now read each story before it's shared."
            guild = await self.bot.store.guilds.get(interaction.guild_id)
            if guild.mod_channel_id is None:
                text += (
                    " Stories wait in the moderator channel, which isn't set yet: please "
                    "choose one with `/settings mod-channel`."
                )
        await interaction.response.send_message(text, ephemeral=True)

    @manage.command(
        name="listener-role", description="The role gently mentioned when a story goes unanswered"
    )
    @app_commands.describe(role="Members who like to listen; leave empty to mention nobody")
    async def listener_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        if role is not None and (role.is_default() or role.managed):
            raise Refusal(
                "Please choose a role members can be given, not @everyone or a bot's role. "
                "Nothing was changed."
            )
        await self.bot.store.stories.set_listener_role(
            interaction.guild_id, role.id if role else None
        )
        if role is None:
            text = "The nudge for unanswered stories will mention nobody."
        else:
            text = (
                f"The nudge for unanswered stories will mention {role.mention}, and only that role."
            )
            me = interaction.guild.me
            if not role.mentionable and not (me and me.guild_permissions.mention_everyone):
                text += (
                    " That role can't be mentioned yet: turn on *Allow anyone to @mention this "
                    "role* in its settings, or its members won't be notified."
                )
        await interaction.response.send_message(text, ephemeral=True)

    @manage.command(
        name="nudge", description="Hours a story waits for a first reply before a nudge"
    )
    @app_commands.describe(hours=f"0 to {stories.MAX_NUDGE_HOURS}; 0 turns the nudge off")
    async def nudge(
        self,
        interaction: discord.Interaction,
        hours: app_commands.Range[int, 0, stories.MAX_NUDGE_HOURS],
    ) -> None:
        await self.bot.store.stories.set_nudge_hours(interaction.guild_id, hours)
        text = (
            "Unanswered stories won't get a nudge."
            if hours == 0
            else f"A story with no reply after {hours} hour{'s' if hours != 1 else ''} gets one "
            "gentle nudge in its thread."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @manage.command(name="remove", description="Take down a shared story or one waiting for review")
    @app_commands.describe(story_id="The story's number (start typing its title)")
    async def remove(self, interaction: discord.Interaction, story_id: int) -> None:
        await self.flow.remove(interaction, story_id)

    @remove.autocomplete("story_id")
    @moderator_choices
    async def remove_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        found = await self.bot.store.stories.search_shared(interaction.guild_id, str(current))
        return [
            app_commands.Choice(
                name=clip(f"#{s.story_id} · {s.title} ({stories.STATUS_LABELS[s.status]})", 100),
                value=s.story_id,
            )
            for s in found
        ]

    async def settings_lines(self, guild_id: int) -> list[str]:
        settings = await self.bot.store.stories.settings(guild_id)
        role = f"<@&{settings.listener_role_id}>" if settings.listener_role_id else "none"
        nudge = f"after {settings.nudge_hours} h" if settings.nudge_hours else "off"
        return [
            f"**Stories channel:** {f'<#{settings.channel_id}>' if settings.channel_id else 'not set'}",
            f"**Story review:** {'on' if settings.review else 'off'}",
            f"**Listener role:** {role}",
            f"**Unanswered-story nudge:** {nudge}",
        ]

    # ----- events -------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Our modals are answered here (not kept in memory), so a restart loses no words."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        try:
            await self.flow.on_modal(interaction)
        except Exception as error:  # every failure gets its kind sentence
            await report_error(interaction, error)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self.flow.note_reply(message)

    @tasks.loop(minutes=5)
    async def nudge_loop(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("the unanswered-story nudge failed; trying again next round")

    @nudge_loop.before_loop
    async def before_nudge_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def tick(self) -> int:
        """One round of the nudge: tests call this directly after moving the clock."""
        return await self.flow.nudge_unanswered()

    async def recover(self) -> int:
        """Finish or give back half-posted stories; tests call this directly after a restart.
        Returns how many are still left."""
        return await self.flow.recover_unposted()
