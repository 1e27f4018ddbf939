"""What a stopped process left half done is finished on start: a cog mixin for the loop."""

from __future__ import annotations

import logging

from discord.ext import tasks

log = logging.getLogger("kindred.recovery")


class FinishesHalfDone:
    """Once the bot is connected, `recover()` (the feature's own), and again every 5
    minutes until nothing is left: Discord may be down at a start. The cog starts
    `recovery_loop` in `cog_load` and cancels it in `cog_unload`."""

    half_done = "half-done work"  # what the log calls it when a round fails

    @tasks.loop(minutes=5)
    async def recovery_loop(self) -> None:
        try:
            left = await self.recover()
        except Exception:
            log.exception("finishing %s failed; trying again next round", self.half_done)
            return
        if left == 0:
            self.recovery_loop.stop()

    @recovery_loop.before_loop
    async def before_recovery_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def recover(self) -> int:
        """Finish or undo what is half done; how many are still left."""
        raise NotImplementedError
