"""Care: crisis resources, members' own data (export, erase), privacy notes, the janitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.care.cog import Care

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Care(bot))
