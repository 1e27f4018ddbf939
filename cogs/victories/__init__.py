"""Celebrated victories: /celebrate, cheers, history, removal, and the weekly digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.victories.cog import Victories

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Victories(bot))
