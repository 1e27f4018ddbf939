"""Care: crisis resources (moderators), /values, /privacy, members' own data, the janitor.

cog.py        /care resources, /values, /privacy, /mydata export|erase; the janitor loops
buttons.py    Erase and Keep on the /mydata erase confirmation
messages.py   a value explained; what an erasure did
mydata.py     what Kindred keeps about a member, exported or erased (pure)
export_sections.py  the export's sections and plain labels, table by table (pure)
export_format.py    the readable export file: summary, ids as text, times in both zones (pure)
privacy.py    the /privacy text and the purge of servers Kindred left (pure)
janitor.py    takes down on Discord what an erasure asked for, retrying until done
sweep.py      finds posts whose id a crash never saved, by their marker
The crisis check itself, and offering resources, live in bot/safety and bot/care.py: every
feature uses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.care.cog import Care

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Care(bot))
