"""The prompts feature (filled in by its issue)."""

from __future__ import annotations

from discord.ext import commands

from bot.client import KindredBot


class Prompts(commands.Cog):
    def __init__(self, bot: KindredBot):
        self.bot = bot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Prompts(bot))
