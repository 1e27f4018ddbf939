"""Members' prompt suggestions: stored, limited to a few waiting per member, decided once.

A mixin of `PromptRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository
from bot.store.guilds import ENSURE_GUILD

PENDING_SUGGESTIONS_MAX = 3


def normalised(text: str) -> str:
    """What counts as the same prompt: case and spacing do not make a new one."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Suggestion:
    suggestion_id: int
    guild_id: int
    member_id: int
    value_key: str
    text: str
    state: str  # pending | approved | rejected
    created_at: datetime
    review_channel_id: int | None
    review_message_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    reason: str | None
    prompt_id: int | None
    notice_pending: bool


SUGGESTION_COLUMNS = (
    "suggestion_id, guild_id, member_id, value_key, text, state, created_at, "
    "review_channel_id, review_message_id, decided_by, decided_at, reason, prompt_id, "
    "notice_pending"
)


def _suggestion(r) -> Suggestion:
    return Suggestion(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        from_epoch(r[6]),
        r[7],
        r[8],
        r[9],
        from_epoch(r[10]),
        r[11],
        r[12],
        bool(r[13]),
    )


def _read(db: sqlite3.Connection, suggestion_id: int) -> sqlite3.Row:
    """A suggestion's row, read inside the transaction that changed it."""
    return db.execute(
        f"SELECT {SUGGESTION_COLUMNS} FROM prompt_suggestions WHERE suggestion_id = ?",
        (suggestion_id,),
    ).fetchone()


class SuggestionQueries(Repository):
    async def suggest(
        self,
        guild_id: int,
        member_id: int,
        value_key: str,
        text: str,
        now: datetime,
        *,
        limit: int = PENDING_SUGGESTIONS_MAX,
    ) -> Suggestion | None:
        """Store a suggestion; None when the member already has `limit` waiting for review."""

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO prompt_suggestions (guild_id, member_id, value_key, text, "
                "created_at) SELECT ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM "
                "prompt_suggestions WHERE guild_id = ? AND member_id = ? AND state = 'pending') < ?",
                (guild_id, member_id, value_key, text, to_epoch(now), guild_id, member_id, limit),
            )
            if cursor.rowcount == 0:
                return None
            return _read(db, cursor.lastrowid)

        row = await self.store.atomic(work)
        return None if row is None else _suggestion(row)

    async def get_suggestion(self, suggestion_id: int) -> Suggestion | None:
        row = await self.store.fetchone(
            f"SELECT {SUGGESTION_COLUMNS} FROM prompt_suggestions WHERE suggestion_id = ?",
            (suggestion_id,),
        )
        return None if row is None else _suggestion(row)

    async def pending_count(self, guild_id: int, member_id: int) -> int:
        row = await self.store.fetchone(
            "SELECT COUNT(*) FROM prompt_suggestions WHERE guild_id = ? AND member_id = ? "
            "AND state = 'pending'",
            (guild_id, member_id),
        )
        return int(row[0])

    async def set_review_message(
        self, suggestion_id: int, channel_id: int, message_id: int
    ) -> None:
        await self.store.execute(
            "UPDATE prompt_suggestions SET review_channel_id = ?, review_message_id = ? "
            "WHERE suggestion_id = ?",
            (channel_id, message_id, suggestion_id),
        )

    async def withdraw(self, suggestion_id: int) -> None:
        """Forget a suggestion that never reached the moderators."""
        await self.store.execute(
            "DELETE FROM prompt_suggestions WHERE suggestion_id = ? AND state = 'pending'",
            (suggestion_id,),
        )

    async def approve_into_prompts(
        self, suggestion_id: int, moderator_id: int, now: datetime
    ) -> tuple[Suggestion, int | None] | None:
        """Approve a pending suggestion into the server's prompts, atomically: the
        suggestion and the new prompt's id.

        None when it was no longer pending; the id is None when the server already had
        the same text (nothing new to add).
        """

        def work(db: sqlite3.Connection):
            row = db.execute(
                "SELECT text FROM prompt_suggestions WHERE suggestion_id = ?", (suggestion_id,)
            ).fetchone()
            if row is None:
                return None
            cursor = db.execute(
                "UPDATE prompt_suggestions SET state = 'approved', decided_by = ?, "
                "decided_at = ?, notice_pending = 1 WHERE suggestion_id = ? AND state = 'pending'",
                (moderator_id, to_epoch(now), suggestion_id),
            )
            if cursor.rowcount == 0:
                return None
            cursor = db.execute(
                "INSERT INTO guild_prompts (guild_id, value_key, text, normalised, added_by, "
                "suggested_by, created_at) SELECT guild_id, value_key, text, ?, ?, member_id, ? "
                "FROM prompt_suggestions WHERE suggestion_id = ? "
                "ON CONFLICT (guild_id, normalised) DO NOTHING",
                (normalised(row[0]), moderator_id, to_epoch(now), suggestion_id),
            )
            prompt_id = cursor.lastrowid if cursor.rowcount else None
            if prompt_id is not None:
                db.execute(
                    "UPDATE prompt_suggestions SET prompt_id = ? WHERE suggestion_id = ?",
                    (prompt_id, suggestion_id),
                )
            return _read(db, suggestion_id), prompt_id

        approved = await self.store.atomic(work)
        return None if approved is None else (_suggestion(approved[0]), approved[1])

    async def reject(
        self, suggestion_id: int, moderator_id: int, reason: str | None, now: datetime
    ) -> Suggestion | None:
        """None when the suggestion was no longer pending."""
        cursor = await self.store.execute(
            "UPDATE prompt_suggestions SET state = 'rejected', decided_by = ?, decided_at = ?, "
            "reason = ?, notice_pending = 1 WHERE suggestion_id = ? AND state = 'pending'",
            (moderator_id, to_epoch(now), reason, suggestion_id),
        )
        if cursor.rowcount == 0:
            return None
        return await self.get_suggestion(suggestion_id)

    async def notice_delivered(self, suggestion_ids: Iterable[int]) -> None:
        await self.store.executemany(
            "UPDATE prompt_suggestions SET notice_pending = 0 WHERE suggestion_id = ?",
            [(i,) for i in suggestion_ids],
        )

    async def undelivered_notices(self, guild_id: int, member_id: int) -> list[Suggestion]:
        """Decisions the member has not heard about (their DMs were closed)."""
        rows = await self.store.fetchall(
            f"SELECT {SUGGESTION_COLUMNS} FROM prompt_suggestions WHERE guild_id = ? "
            "AND member_id = ? AND notice_pending = 1 ORDER BY decided_at",
            (guild_id, member_id),
        )
        return [_suggestion(r) for r in rows]
