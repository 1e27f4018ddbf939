"""/share: lived-experience stories, from draft to review, post, replies and nudge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.share.cog import Share

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Share(bot))
