"""Daily values prompts: schedule, posting, threads, the moderators' own prompts, suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.prompts.cog import Prompts

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Prompts(bot))
