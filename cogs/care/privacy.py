"""What Kindred keeps and for how long: the /privacy notice, and the retention rules it states.

The numbers in the notice are the constants the maintenance loop enforces, so the
promise and the behaviour cannot drift apart.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.store import Store
from bot.store.care import NOTICE_INTERVAL

PURGE_AFTER_LEAVING = timedelta(days=30)
REVEAL_OFFER_KEPT = timedelta(days=30)
BACKUPS_KEPT = timedelta(days=30)  # what the README asks operators to keep backups for at most

PRIVACY_TITLE = "Your privacy with Kindred"
PRIVACY_INTRO = (
    "Kindred keeps as little as it can, only to do what you asked of it, and you can take "
    "it with you or erase it at any time. It can't read the server's messages: it only "
    "sees what you give it through its commands, buttons and forms."
)


def privacy_sections() -> list[tuple[str, str]]:
    """(heading, text) pairs for /privacy; each text fits an embed field (1024)."""
    days = PURGE_AFTER_LEAVING.days
    return [
        (
            "What it stores about you",
            "• Victories you celebrate, and the cheers you give\n"
            "• Stories you share, with drafts and whether you posted them anonymously\n"
            "• Prompts you suggest\n"
            "• Settings you choose for yourself\n"
            "• When you were last shown crisis resources: only the time, never your words\n"
            "Your Discord id is stored with each, so it can be shown to you and erased.",
        ),
        (
            "Why",
            "To post what you chose to share, to show you your own history, to keep "
            "anonymous stories anonymous while still letting you manage them, and to offer "
            "help privately no more than once a day.",
        ),
        (
            "How long",
            "Until you erase it, or a moderator removes it. The crisis-resources time is "
            f"forgotten after {int(NOTICE_INTERVAL.total_seconds() // 3600)} hours. If Kindred "
            f"is removed from this server, everything it stored here is deleted {days} days "
            "later.",
        ),
        (
            "Who can see it",
            "What you post publicly is seen by the server, as you chose. Moderators see "
            "stories waiting for review, and never the name behind an anonymous one unless "
            "you press the button to tell them. The person who runs this Kindred bot looks "
            "after the database it is stored in. Nothing is sold or shared with anyone else.",
        ),
        (
            "Your controls",
            "`/mydata export`: everything Kindred keeps about you here, as a file only you "
            "receive.\n`/mydata erase`: delete all of it, after you confirm. Stories you "
            'published are replaced with "This story was removed by its author."; your '
            "victory cards and review cards go, and the cheer counts and weekly digests "
            "that counted you are drawn again without you.",
        ),
        (
            "Backups",
            "An erase wipes your words from Kindred's database files at once, leaving no "
            "copy in the files the bot runs on. Kindred makes no backups of its own. A copy "
            "the person running this bot made earlier (`kindred backup`) still holds what "
            f"was there when it was made, until they delete it; Kindred asks them to keep "
            f"backups no longer than {BACKUPS_KEPT.days} days.",
        ),
    ]


@dataclass
class Maintenance:
    purged: list[int] = field(default_factory=list)  # servers whose data was deleted
    rejoined: list[int] = field(default_factory=list)  # back in the server: countdown cancelled
    notices_forgotten: int = 0
    offers_forgotten: int = 0


async def maintain(store: Store, now: datetime, is_present: Callable[[int], bool]) -> Maintenance:
    """Purge servers left 30+ days ago and forget care rows that have served their purpose.

    `is_present(guild_id)` says whether the bot is in that server now: a server it came
    back to while offline is not purged.
    """
    result = Maintenance()
    for guild_id in await store.guilds.left_before(now - PURGE_AFTER_LEAVING):
        if is_present(guild_id):
            await store.guilds.mark_joined(guild_id, now)
            result.rejoined.append(guild_id)
        elif await store.guilds.purge(guild_id):
            result.purged.append(guild_id)
    result.notices_forgotten = await store.care.forget_notices(now)
    result.offers_forgotten = await store.care.forget_reveals(now - REVEAL_OFFER_KEPT)
    return result
