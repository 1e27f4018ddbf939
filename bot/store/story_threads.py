"""Published stories: taken back, removed, locked, answered, nudged, and found by moderators.

A mixin of `StoryRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_epoch
from bot.store.base import Repository
from bot.store.story_rows import (
    COLUMN_NAMES,
    COLUMNS,
    DELETED,
    MINE,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    REMOVED,
    S_COLUMNS,
    Story,
    _story,
)


class ThreadQueries(Repository):
    # ----- after publishing --------------------------------------------------------------
    async def delete_by_author(self, story_id: int, author_id: int) -> bool:
        """The author took it back: their words are erased, the row keeps the thread link."""
        cursor = await self.store.execute(
            "UPDATE stories SET status = ?, title = '', body = '', content_warning = NULL, "
            f"locked = 1 WHERE story_id = ? AND status IN (?, ?) AND {MINE}",
            (DELETED, story_id, PENDING, PUBLISHED, author_id),
        )
        return cursor.rowcount == 1

    async def remove_by_moderator(self, guild_id: int, story_id: int) -> bool:
        cursor = await self.store.execute(
            "UPDATE stories SET status = ?, locked = 1 WHERE story_id = ? AND guild_id = ? "
            "AND status IN (?, ?, ?)",
            (REMOVED, story_id, guild_id, PENDING, PUBLISHING, PUBLISHED),
        )
        return cursor.rowcount == 1

    async def lock(self, story_id: int, author_id: int) -> bool:
        cursor = await self.store.execute(
            f"UPDATE stories SET locked = 1 WHERE story_id = ? AND status = ? AND {MINE}",
            (story_id, PUBLISHED, author_id),
        )
        return cursor.rowcount == 1

    async def mark_replied(self, thread_id: int, replier_id: int) -> bool:
        """Someone other than the author answered in the story's thread.

        Under an anonymous story every member's message counts, the author's own under
        their name too: otherwise the nudge would single out a story whose only replier
        is its author, and name them by that.
        """
        cursor = await self.store.execute(
            "UPDATE stories SET replied = 1 WHERE thread_id = ? AND replied = 0 AND status = ? "
            f"AND (anonymous = 1 OR NOT {MINE})",
            (thread_id, PUBLISHED, replier_id),
        )
        return cursor.rowcount > 0

    async def due_nudges(self, now: datetime, limit: int = 100) -> list[tuple[Story, int | None]]:
        """Unanswered, unlocked stories past their server's nudge time, with the Listener role."""
        rows = await self.store.fetchall(
            f"SELECT {S_COLUMNS}, "
            "g.listener_role_id FROM stories s JOIN story_settings g USING (guild_id) "
            "WHERE s.status = 'published' AND s.replied = 0 AND s.nudged_at IS NULL "
            "AND s.locked = 0 AND g.nudge_hours > 0 AND s.published_at <= ? - g.nudge_hours * 3600 "
            "ORDER BY s.published_at LIMIT ?",
            (to_epoch(now), limit),
        )
        return [(_story(r), r[len(COLUMN_NAMES)]) for r in rows]

    async def claim_nudge(self, story_id: int, now: datetime) -> bool:
        """Once per story, claimed before it is sent: a restart never nudges twice."""
        cursor = await self.store.execute(
            "UPDATE stories SET nudged_at = ?, nudge_due = 1 WHERE story_id = ? "
            "AND nudged_at IS NULL",
            (to_epoch(now), story_id),
        )
        return cursor.rowcount == 1

    async def owed_nudges(self, limit: int = 100) -> list[tuple[Story, int | None]]:
        """Nudges claimed and never known to be sent (a stop, or Discord refused), with the
        Listener role: each round finishes these first."""
        rows = await self.store.fetchall(
            f"SELECT {S_COLUMNS}, g.listener_role_id FROM stories s "
            "LEFT JOIN story_settings g USING (guild_id) WHERE s.nudge_due = 1 "
            "ORDER BY s.story_id LIMIT ?",
            (limit,),
        )
        return [(_story(r), r[len(COLUMN_NAMES)]) for r in rows]

    async def nudge_sent(self, story_id: int) -> None:
        await self.store.execute("UPDATE stories SET nudge_due = 0 WHERE story_id = ?", (story_id,))

    async def search_shared(self, guild_id: int, typed: str, limit: int = 25) -> list[Story]:
        """Stories moderators may act on (waiting, being posted or shared), newest first."""
        typed = typed.strip()
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE guild_id = ? AND status IN (?, ?, ?) "
            "AND (? = '' OR CAST(story_id AS TEXT) LIKE ? || '%' OR title LIKE '%' || ? || '%') "
            "ORDER BY story_id DESC LIMIT ?",
            (guild_id, PENDING, PUBLISHING, PUBLISHED, typed, typed, typed, limit),
        )
        return [_story(r) for r in rows]
