"""Moderator settings: the server's time zone, the moderator channel, /settings show and /help.

cog.py  the commands; each feature adds its own lines to /settings show and /help
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.settings.cog import Settings

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Settings(bot))
