"""What every repository shares: its store, and the member-data contract.

A repository that keeps rows about a member lists those tables in `member_tables` and
implements `export_member` / `erase_member_rows`, so `/mydata` can never miss a table
(a test compares `member_tables` with the schema).

A repository whose rows stand for messages Kindred posted (a published story, a victory
card) also overrides `discord_cleanup_for_member`: `/mydata erase` calls it BEFORE
erasing, then queues the returned `CleanupJob`s and erases every repository's rows in ONE
transaction, so a failing disk leaves all of it or none. Discord is cleaned afterwards by a
janitor that retries what fails, so the erase never waits on Discord.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from bot.store import Store


T = TypeVar("T")

# What a published story becomes when its author erases their data.
STORY_REMOVED = "This story was removed by its author."

DISCORD_EPOCH_MS = 1_420_070_400_000  # Discord ids count milliseconds from 2015
SWEEP_MARGIN = 60  # seconds before its claim that a swept post may carry (clocks differ)


def sweep_bound(claimed_at: int, item_id: int) -> int:
    """A sweep's `message_id`: the smallest Discord id of the claim's instant (a minute
    early) with the item's id in its low 22 bits, so two items claimed in one second in one
    channel make two jobs (a job is unique per channel, message and action)."""
    ms = (claimed_at - SWEEP_MARGIN) * 1000 - DISCORD_EPOCH_MS
    return (max(ms, 0) << 22) | (item_id & 0x3FFFFF)


CleanupAction = Literal["delete", "replace", "lock", "rename", "refresh", "sweep"]


@dataclass(frozen=True)
class CleanupJob:
    """One change to make on Discord when a member erases their data.

    - "delete": delete message `message_id` in channel (or thread) `channel_id`.
    - "replace": edit message `message_id` so it reads only `content` (embeds,
      attachments and buttons removed), e.g. `CleanupJob(thread_id, starter_id,
      "replace", STORY_REMOVED)` for a story posted as a forum post or thread.
    - "lock": lock and archive the thread `channel_id` (`message_id` is 0); when
      `content` is given the thread is also renamed to it (a thread's name may hold
      the member's words).
    - "rename": rename the thread `channel_id` to `content`, leaving it open (peers
      answered in it; only its name held the member's words).
    - "refresh": draw Kindred's own message `message_id` again from the database once the
      member's rows are gone; `content` is "kind:id" (e.g. "cheers:12" for a victory
      card's count, "digest:3" for a weekly digest), handled by the feature that posted it.
    - "sweep": a post whose message id was never saved (the process died while Discord
      was taking it). Look at Kindred's own messages in `channel_id` (and, in a forum, its
      posts) newer than the snowflake `message_id`, and take down those that `content`
      names: "footer=<text>" is a post whose embed footer reads exactly that and which has
      no buttons (replaced with STORY_REMOVED, its thread locked); "reply=<text>" the same
      match for a reply of theirs (deleted); "<id>" or "button=<id>" is a card with a
      button whose custom id is that, or goes on after a ":" (deleted). `message_id` is
      `sweep_bound(...)`.
    Jobs for one erase run in the order delete, replace, lock. A job whose message or
    channel is already gone counts as done; any other failure is retried later.
    `anonymous` marks a job for something the member posted anonymously: moderators hear
    about it on its own, never beside the member's named items.
    """

    channel_id: int
    message_id: int
    action: CleanupAction
    content: str | None = None
    anonymous: bool = False


class PerGuild(Generic[T]):
    """A server's settings as every interaction reads them, held in memory so that reading
    them costs no trip to the database.

    The repository that writes them calls `remember` (or `forget`) once its write has
    landed, and a read that started before a write never keeps what it read
    (`_generation`), so a read after a write always sees it. One process only: a second
    process writing the same database (another shard, `kindred purge-guild`) is not seen here
    until a restart.
    """

    def __init__(self, most: int = 20_000):
        self._held: dict[int, T] = {}
        self._generation = 0
        self._most = most  # past this, the older half is forgotten (10,000 servers fit)

    async def get(self, guild_id: int, load: Callable[[int], Awaitable[T]]) -> T:
        held = self._held.get(guild_id)
        if held is not None:
            return held
        generation = self._generation
        loaded = await load(guild_id)
        if generation == self._generation:
            if len(self._held) >= self._most:
                for old in list(self._held)[: self._most // 2]:
                    del self._held[old]
            self._held[guild_id] = loaded
        return loaded

    def remember(self, guild_id: int, settings: T) -> None:
        """After a write that read the settings back in its own transaction: they are the
        newest, and a read that started before the write must not replace them."""
        self._generation += 1
        self._held[guild_id] = settings

    def forget(self, guild_id: int | None = None) -> None:
        """After a write of one server's settings (None: of every server)."""
        self._generation += 1
        if guild_id is None:
            self._held.clear()
        else:
            self._held.pop(guild_id, None)


class Repository:
    member_tables: tuple[str, ...] = ()

    def __init__(self, store: Store):
        self.store = store

    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the member in this server, table name -> rows as plain dicts.

        Keyed by the real table names in `member_tables`; times stay epoch seconds.
        """
        return {}

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        """Delete every row about the member in this server; must be idempotent.

        Runs inside the caller's transaction (plain sqlite3, see `Store.atomic`). Afterwards
        no row of `member_tables` names the member: delete the row, or clear the id where
        the row belongs to someone else (a moderator's `reviewed_by`).
        """
        return None

    async def discord_cleanup_for_member(self, guild_id: int, member_id: int) -> list[CleanupJob]:
        """What to change on Discord for the member's rows, asked before they are erased.

        Optional: the default is nothing. Override when rows stand for posted messages
        (replace a published story with STORY_REMOVED and lock its thread, delete a
        victory card). Read-only: must not change the database.
        """
        return []


def row_dict(row: Any) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}


def returned(cursor: sqlite3.Cursor) -> sqlite3.Row | None:
    """The one row an INSERT/DELETE ... RETURNING gave; closing the cursor finishes the
    statement, so its change is part of the transaction before the next one runs."""
    row = cursor.fetchone()
    cursor.close()
    return row
