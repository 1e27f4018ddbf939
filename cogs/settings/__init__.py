"""Moderator settings: channels, roles, time zone, and what Kindred can see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.settings.cog import Settings

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Settings(bot))
