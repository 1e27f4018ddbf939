"""Celebrated victories: /celebrate, cheers, history, removal, and the weekly digest.

cog.py            /celebrate, /victories, /celebrate-quotes, /celebrations ...; the loops
flow.py           VictoryFlow: save and post a victory, cheer, page, remove, tell the author
cards.py          a victory's card, in recorded steps, finished after a crash
digest_post.py    the weekly digest: claim before send, exactly once per server and week
buttons.py        Cheer, history pages, remove / confirm / keep, share publicly anyway
messages.py       the card, history pages, texts, and the buttons drawn
victory_rules.py  a victory's limits, the value picked, history pages (pure)
digest_rules.py   when a digest is due and what it says (pure)
chart.py          the digest's bar chart, drawn with Pillow (pure)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.victories.cog import Victories

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Victories(bot))
