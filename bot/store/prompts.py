"""Daily prompts: each server's schedule, the claimed posts, its own prompts and suggestions.

A post is claimed (`UNIQUE(guild_id, local_date)`) before anything is sent and marked sent
with the message id after; the schedule only moves on once its date is resolved (sent,
missed, failed or skipped), so a crash at any moment leaves a row that says what to do.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.clock import to_epoch
from bot.store.base import CleanupJob, Repository, row_dict
from bot.store.guilds import ENSURE_GUILD
from bot.store.prompt_posts import PostQueries
from bot.store.prompt_rows import (
    CLAIMED,
    FAILED,
    MISSED,
    OWN_COLUMNS,
    OWN_PREFIX,
    POST_COLUMNS,
    RESOLVED,
    SCHEDULE_COLUMNS,
    SENT,
    SKIPPED,
    OwnPrompt,
    Post,
    RotationState,
    Schedule,
    _own,
    _schedule,
    own_id,
    weekday_mask,
    weekdays_of,
)
from bot.store.prompt_suggestions import Suggestion, SuggestionQueries, normalised

# What stands where a member's words were, once they erased their data.
SUGGESTION_ERASED = "This suggestion was withdrawn: the member who made it erased their data."
PROMPT_ERASED = (
    "This prompt was withdrawn by the member who suggested it. The replies stay with the "
    "people who wrote them."
)
# Daily posts whose prompt a member suggested: ("own-12", ...) for their approved ones.
THEIR_PROMPT_POSTS = (
    "guild_id = ? AND prompt_id IN "
    "(SELECT 'own-' || prompt_id FROM guild_prompts WHERE guild_id = ? AND suggested_by = ?)"
)

# Everything features (and tests) import from here, wherever it is defined.
__all__ = [
    "OWN_PREFIX",
    "SUGGESTION_ERASED",
    "PROMPT_ERASED",
    "THEIR_PROMPT_POSTS",
    "CLAIMED",
    "SENT",
    "MISSED",
    "FAILED",
    "SKIPPED",
    "RESOLVED",
    "weekday_mask",
    "weekdays_of",
    "own_id",
    "Schedule",
    "Post",
    "OwnPrompt",
    "RotationState",
    "SCHEDULE_COLUMNS",
    "POST_COLUMNS",
    "OWN_COLUMNS",
    "Suggestion",
    "normalised",
    "PromptRepository",
]


class PromptRepository(PostQueries, SuggestionQueries, Repository):
    member_tables = ("prompt_suggestions", "guild_prompts")

    # ----- schedules -------------------------------------------------------------------
    async def get_schedule(self, guild_id: int) -> Schedule | None:
        row = await self.store.fetchone(
            f"SELECT {SCHEDULE_COLUMNS} FROM prompt_schedules WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _schedule(row)

    async def save_schedule(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        weekdays: frozenset[int],
        next_post_at: datetime,
        next_local_date: date,
        now: datetime,
    ) -> Schedule:
        """Create or replace the server's schedule; saving one always (re)starts it."""

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                "INSERT INTO prompt_schedules (guild_id, channel_id, post_time, timezone, "
                "weekdays, next_post_at, next_local_date, paused, pause_reason, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
                "post_time = excluded.post_time, timezone = excluded.timezone, "
                "weekdays = excluded.weekdays, next_post_at = excluded.next_post_at, "
                "next_local_date = excluded.next_local_date, paused = 0, pause_reason = NULL, "
                "updated_at = excluded.updated_at",
                (
                    guild_id,
                    channel_id,
                    post_time,
                    timezone,
                    weekday_mask(weekdays),
                    to_epoch(next_post_at),
                    next_local_date.isoformat(),
                    to_epoch(now),
                ),
            )

        await self.store.atomic(work)

        return await self.get_schedule(guild_id)

    async def due(self, now: datetime, limit: int = 1000) -> list[Schedule]:
        """Running schedules whose next post is at or before `now`, oldest first.

        A range scan on `prompt_schedules_due`: the cost follows what is due, not how many
        servers there are.
        """
        rows = await self.store.fetchall(
            f"SELECT {SCHEDULE_COLUMNS} FROM prompt_schedules "
            "WHERE next_post_at <= ? AND paused = 0 ORDER BY next_post_at LIMIT ?",
            (to_epoch(now), limit),
        )
        return [_schedule(r) for r in rows]

    async def move_schedule(
        self, guild_id: int, next_post_at: datetime, next_local_date: date, now: datetime
    ) -> None:
        await self.store.execute(
            "UPDATE prompt_schedules SET next_post_at = ?, next_local_date = ?, updated_at = ? "
            "WHERE guild_id = ?",
            (to_epoch(next_post_at), next_local_date.isoformat(), to_epoch(now), guild_id),
        )

    async def pause(self, guild_id: int, reason: str | None, now: datetime) -> bool:
        """Pause a running schedule; False when there is none or it is already paused."""
        cursor = await self.store.execute(
            "UPDATE prompt_schedules SET paused = 1, pause_reason = ?, updated_at = ? "
            "WHERE guild_id = ? AND paused = 0",
            (reason, to_epoch(now), guild_id),
        )
        return cursor.rowcount > 0

    async def resume(
        self, guild_id: int, next_post_at: datetime, next_local_date: date, now: datetime
    ) -> bool:
        cursor = await self.store.execute(
            "UPDATE prompt_schedules SET paused = 0, pause_reason = NULL, next_post_at = ?, "
            "next_local_date = ?, updated_at = ? WHERE guild_id = ? AND paused = 1",
            (to_epoch(next_post_at), next_local_date.isoformat(), to_epoch(now), guild_id),
        )
        return cursor.rowcount > 0

    # ----- the server's own prompts -------------------------------------------------------
    async def add_prompt(
        self,
        guild_id: int,
        value_key: str,
        text: str,
        now: datetime,
        *,
        added_by: int | None,
        suggested_by: int | None = None,
    ) -> OwnPrompt | None:
        """The new prompt, or None when the server already has the same text."""

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO guild_prompts (guild_id, value_key, text, normalised, added_by, "
                "suggested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, normalised) DO NOTHING",
                (
                    guild_id,
                    value_key,
                    text,
                    normalised(text),
                    added_by,
                    suggested_by,
                    to_epoch(now),
                ),
            )
            return cursor.lastrowid if cursor.rowcount else None

        prompt_id = await self.store.atomic(work)
        return None if prompt_id is None else await self.get_own(guild_id, prompt_id)

    async def get_own(self, guild_id: int, prompt_id: int) -> OwnPrompt | None:
        row = await self.store.fetchone(
            f"SELECT {OWN_COLUMNS} FROM guild_prompts WHERE guild_id = ? AND prompt_id = ?",
            (guild_id, prompt_id),
        )
        return None if row is None else _own(row)

    async def own_prompts(self, guild_id: int) -> list[OwnPrompt]:
        rows = await self.store.fetchall(
            f"SELECT {OWN_COLUMNS} FROM guild_prompts WHERE guild_id = ? ORDER BY prompt_id",
            (guild_id,),
        )
        return [_own(r) for r in rows]

    async def remove_own(self, guild_id: int, prompt_id: int) -> bool:
        cursor = await self.store.execute(
            "DELETE FROM guild_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )
        return cursor.rowcount > 0

    async def exclude(self, guild_id: int, library_id: str, now: datetime) -> bool:
        """Take a library prompt out of this server's rotation; False if it already was."""

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO guild_prompt_exclusions (guild_id, prompt_id, removed_at) "
                "VALUES (?, ?, ?) ON CONFLICT (guild_id, prompt_id) DO NOTHING",
                (guild_id, library_id, to_epoch(now)),
            )
            return cursor.rowcount > 0

        return await self.store.atomic(work)

    async def rotation_inputs(self, guild_id: int) -> tuple[list[OwnPrompt], frozenset[str]]:
        """The server's own prompts and the library prompts it took out, in one hop."""

        def read(db: sqlite3.Connection) -> tuple[list, list]:
            own = db.execute(
                f"SELECT {OWN_COLUMNS} FROM guild_prompts WHERE guild_id = ? ORDER BY prompt_id",
                (guild_id,),
            ).fetchall()
            excluded = db.execute(
                "SELECT prompt_id FROM guild_prompt_exclusions WHERE guild_id = ?", (guild_id,)
            ).fetchall()
            return own, excluded

        own, excluded = await self.store.snapshot(read)
        return [_own(r) for r in own], frozenset(r[0] for r in excluded)

    async def excluded(self, guild_id: int) -> frozenset[str]:
        rows = await self.store.fetchall(
            "SELECT prompt_id FROM guild_prompt_exclusions WHERE guild_id = ?", (guild_id,)
        )
        return frozenset(r[0] for r in rows)

    async def approve(
        self, suggestion_id: int, moderator_id: int, now: datetime
    ) -> tuple[Suggestion, OwnPrompt | None] | None:
        """Approve a pending suggestion: it joins the server's own prompts (None when it was
        no longer pending; the prompt is None when the server already had that text)."""
        approved = await self.approve_into_prompts(suggestion_id, moderator_id, now)
        if approved is None:
            return None
        suggestion, prompt_id = approved
        prompt = None if prompt_id is None else await self.get_own(suggestion.guild_id, prompt_id)
        return suggestion, prompt

    # ----- the member-data contract -------------------------------------------------------
    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        suggestions = await self.store.fetchall(
            "SELECT * FROM prompt_suggestions WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        # Decisions they made as a moderator: their part only, not the suggester's words.
        decided = await self.store.fetchall(
            "SELECT suggestion_id, guild_id, state, decided_by, decided_at "
            "FROM prompt_suggestions WHERE guild_id = ? AND decided_by = ? AND member_id != ?",
            (guild_id, member_id, member_id),
        )
        prompts = await self.store.fetchall(
            "SELECT prompt_id, guild_id, value_key, text, added_by, suggested_by, created_at "
            "FROM guild_prompts WHERE guild_id = ? AND (suggested_by = ? OR added_by = ?)",
            (guild_id, member_id, member_id),
        )
        return {
            "prompt_suggestions": [row_dict(r) for r in suggestions + decided],
            "guild_prompts": [row_dict(r) for r in prompts],
        }

    async def discord_cleanup_for_member(self, guild_id: int, member_id: int) -> list[CleanupJob]:
        """Their words on Discord: every review card of their suggestions, and each daily
        post made from a suggestion of theirs (the thread's name is the value and the date,
        and peers' answers in it are theirs, so the thread stays open)."""
        cards = await self.store.fetchall(
            "SELECT review_channel_id, review_message_id FROM prompt_suggestions "
            "WHERE guild_id = ? AND member_id = ? AND review_message_id IS NOT NULL",
            (guild_id, member_id),
        )
        posts = await self.store.fetchall(
            f"SELECT channel_id, message_id, thread_id FROM prompt_posts WHERE {THEIR_PROMPT_POSTS} "
            "AND message_id IS NOT NULL ORDER BY post_id",
            (guild_id, guild_id, member_id),
        )
        return [CleanupJob(c, m, "replace", SUGGESTION_ERASED) for c, m in cards] + [
            # a forum post's starter message lives in its thread, whose id it shares
            CleanupJob(thread if thread == message else channel, message, "replace", PROMPT_ERASED)
            for channel, message, thread in posts
        ]

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        """Their suggestions go, and so do the prompts made from them (out of the rotation,
        their text out of past days' records); a moderator's decisions and the prompts they
        added for the server stay, without their id."""
        db.execute(
            f"UPDATE prompt_posts SET prompt_text = NULL WHERE {THEIR_PROMPT_POSTS} "
            "AND state != 'claimed'",
            (guild_id, guild_id, member_id),
        )
        db.execute(
            "DELETE FROM prompt_suggestions WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        db.execute(
            "DELETE FROM guild_prompts WHERE guild_id = ? AND suggested_by = ?",
            (guild_id, member_id),
        )
        db.execute(
            "UPDATE guild_prompts SET added_by = NULL WHERE guild_id = ? AND added_by = ?",
            (guild_id, member_id),
        )
        db.execute(
            "UPDATE prompt_suggestions SET decided_by = NULL WHERE guild_id = ? AND decided_by = ?",
            (guild_id, member_id),
        )
