"""The kit itself: modals in the Label shape, DynamicItem buttons, DMs, failures."""

from __future__ import annotations

import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import KindDynamicItem, KindModal


class EchoModal(KindModal, title="Tell us"):
    story = discord.ui.Label(
        text="Your story",
        component=discord.ui.TextInput(custom_id="story", style=discord.TextStyle.paragraph),
    )
    post_as = discord.ui.Label(
        text="Post as",
        component=discord.ui.RadioGroup(
            custom_id="post_as",
            options=[
                discord.RadioGroupOption(label="My name", value="named", default=True),
                discord.RadioGroupOption(label="Anonymously", value="anonymous"),
            ],
        ),
    )
    consent = discord.ui.Label(text="Ready", component=discord.ui.Checkbox(custom_id="consent"))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        story = self.story.component.value
        post_as = self.post_as.component.value
        consent = self.consent.component.value
        await interaction.response.send_message(f"{story}|{post_as}|{consent}", ephemeral=True)


class Ping(
    KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=r"kit:ping:(?P<n>\d+)"
):
    def __init__(self, n: int):
        super().__init__(discord.ui.Button(label="Ping", custom_id=f"kit:ping:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["n"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        if self.n == 0:
            raise RuntimeError("boom")
        await interaction.response.send_message(f"pong {self.n}", ephemeral=True)


class KitCog(commands.Cog):
    @app_commands.command(name="kit-modal", description="test")
    async def kit_modal(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(EchoModal())

    @app_commands.command(name="kit-button", description="test")
    async def kit_button(self, interaction: discord.Interaction, n: int) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Ping(n))
        await interaction.channel.send("press", view=view)
        await interaction.response.send_message("sent", ephemeral=True)


async def add_kit_cog(kit):
    await kit.bot.add_cog(KitCog())
    kit.bot.add_dynamic_items(Ping)


async def test_modal_submit_in_label_shape(kit):
    await add_kit_cog(kit)
    alice = kit.member("alice")
    out = await alice.slash("kit-modal")
    assert out.modal["title"] == "Tell us"
    out = await alice.submit_modal(story="hello @everyone", post_as="anonymous", consent=True)
    assert out.reply.content == "hello @everyone|anonymous|True"
    await alice.slash("kit-modal")
    out = await alice.submit_modal(story="again")
    assert out.reply.content == "again|named|False"


async def test_dynamic_item_survives_restart_and_errors_are_kind(kit):
    await add_kit_cog(kit)
    alice = kit.member("alice")
    out = await alice.slash("kit-button", n=5)
    assert out.posts[0].custom_ids == ["kit:ping:5"]
    assert out.posts[0].allowed_mentions == {"parse": []}
    await kit.restart()
    await add_kit_cog(kit)
    out = await alice.click("kit:ping:5")
    assert out.reply.content == "pong 5" and out.reply.ephemeral
    await alice.slash("kit-button", n=0)
    out = await alice.click("kit:ping:0")
    assert out.reply.ephemeral and "quote this id" in out.reply.content
    assert "boom" not in out.reply.content
