"""Daily values prompts: the moderators' schedule, one post a day with its thread, the
server's own prompts, and members' suggestions.

cog.py          /prompts ... and /suggest; the posting loop
flow.py         PromptPoster: claim, send, record the day's post; catch up; pause; post-now
delivery.py     the Discord side of one day's post: the channel, the send, finding it again
threads.py      opening the reply thread, and mending one a failure left owed
admin.py        the moderators' own prompts: add, edit, retire, list
suggestions.py  a member's suggestion, its review card, approve and reject
buttons.py      Approve / Reject (with a reason) on a review card
messages.py     the prompt embed, thread names, notices, refusals
occurrences.py  when posts are due, and what to catch up after downtime (pure)
rotation.py     which prompt comes next (pure)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.prompts.cog import Prompts

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Prompts(bot))
