"""Daily posts: each day claimed once before it is sent, then resolved, and the rotation's state.

A mixin of `PromptRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime

from bot.clock import to_epoch
from bot.store.base import Repository
from bot.store.guilds import ENSURE_GUILD
from bot.store.prompt_rows import (
    CLAIMED,
    FAILED,
    MISSED,
    POST_COLUMNS,
    SKIPPED,
    Post,
    RotationState,
    _post,
)


def _epoch_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else to_epoch(moment)


class PostQueries(Repository):
    # ----- posts (claims) ----------------------------------------------------------------
    async def get_post(self, guild_id: int, local_date: date) -> Post | None:
        row = await self.store.fetchone(
            f"SELECT {POST_COLUMNS} FROM prompt_posts WHERE guild_id = ? AND local_date = ?",
            (guild_id, local_date.isoformat()),
        )
        return None if row is None else _post(row)

    async def claim(
        self,
        guild_id: int,
        local_date: date,
        *,
        prompt_id: str,
        value_key: str,
        prompt_text: str,
        cycle: int,
        channel_id: int,
        nonce: str,
        scheduled_at: datetime | None,
        now: datetime,
        take_over: tuple[str, ...] = (),
    ) -> Post | None:
        """Claim the day for this prompt; None when the day is already taken.

        `take_over` lists resolved states that may be claimed again (a moderator's
        post-now after a missed or failed day); "sent" and "claimed" never are.
        """
        allowed = tuple(state for state in take_over if state in (MISSED, FAILED, SKIPPED))
        on_conflict = "DO NOTHING"
        if allowed:
            marks = ", ".join("?" for _ in allowed)
            on_conflict = (
                "DO UPDATE SET state = 'claimed', prompt_id = excluded.prompt_id, "
                "value_key = excluded.value_key, prompt_text = excluded.prompt_text, "
                "cycle = excluded.cycle, channel_id = excluded.channel_id, "
                "message_id = NULL, thread_id = NULL, link = NULL, nonce = excluded.nonce, attempts = 0, "
                "scheduled_at = excluded.scheduled_at, claimed_at = excluded.claimed_at, "
                f"finished_at = NULL, note = NULL WHERE prompt_posts.state IN ({marks})"
            )

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO prompt_posts (guild_id, local_date, state, prompt_id, value_key, "
                "prompt_text, cycle, channel_id, nonce, scheduled_at, claimed_at) "
                "VALUES (?, ?, 'claimed', ?, ?, ?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (guild_id, local_date) {on_conflict}",
                (
                    guild_id,
                    local_date.isoformat(),
                    prompt_id,
                    value_key,
                    prompt_text,
                    cycle,
                    channel_id,
                    nonce,
                    _epoch_or_none(scheduled_at),
                    to_epoch(now),
                    *allowed,
                ),
            )
            return cursor.rowcount > 0

        if not await self.store.atomic(work):
            return None
        return await self.get_post(guild_id, local_date)

    async def start_attempt(self, post_id: int) -> None:
        """Record, before sending, that a send is starting: after a crash it may have landed."""
        await self.store.execute(
            "UPDATE prompt_posts SET attempts = attempts + 1 WHERE post_id = ? AND state = ?",
            (post_id, CLAIMED),
        )

    async def mark_sent(
        self,
        post_id: int,
        *,
        message_id: int,
        thread_id: int | None,
        link: str,
        now: datetime,
        next_post: tuple[datetime, date] | None = None,
    ) -> None:
        """The post is out; move the schedule on (when given) in the same transaction."""

        def work(db: sqlite3.Connection):
            db.execute(
                "UPDATE prompt_posts SET state = 'sent', message_id = ?, thread_id = ?, "
                "link = ?, finished_at = ?, note = NULL WHERE post_id = ?",
                (message_id, thread_id, link, to_epoch(now), post_id),
            )
            if next_post is not None:
                db.execute(
                    "UPDATE prompt_schedules SET next_post_at = ?, next_local_date = ?, "
                    "updated_at = ? WHERE guild_id = "
                    "(SELECT guild_id FROM prompt_posts WHERE post_id = ?)",
                    (to_epoch(next_post[0]), next_post[1].isoformat(), to_epoch(now), post_id),
                )

        await self.store.atomic(work)

    async def threadless(self, since: datetime) -> list[Post]:
        """Text-channel posts sent since `since` whose reply thread Discord didn't open
        (an outage after the post landed): owed a thread, oldest first."""
        rows = await self.store.fetchall(
            f"SELECT {POST_COLUMNS} FROM prompt_posts WHERE state = 'sent' "
            "AND thread_id IS NULL AND message_id IS NOT NULL AND finished_at >= ? "
            "ORDER BY post_id",
            (to_epoch(since),),
        )
        return [_post(row) for row in rows]

    async def set_thread(self, post_id: int, thread_id: int) -> None:
        await self.store.execute(
            "UPDATE prompt_posts SET thread_id = ? WHERE post_id = ?", (thread_id, post_id)
        )

    async def fail(
        self, post_id: int, note: str, now: datetime, *, pause_reason: str | None = None
    ) -> None:
        """Nothing could be posted (channel gone, permission lost); pause when asked to."""

        def work(db: sqlite3.Connection):
            db.execute(
                "UPDATE prompt_posts SET state = 'failed', note = ?, finished_at = ? "
                "WHERE post_id = ? AND state = 'claimed'",
                (note, to_epoch(now), post_id),
            )
            if pause_reason is not None:
                db.execute(
                    "UPDATE prompt_schedules SET paused = 1, pause_reason = ?, updated_at = ? "
                    "WHERE guild_id = (SELECT guild_id FROM prompt_posts WHERE post_id = ?)",
                    (pause_reason, to_epoch(now), post_id),
                )

        await self.store.atomic(work)

    async def release(self, post_id: int) -> None:
        """Give an unsent claim back (nothing reached Discord), so the day stays open."""
        await self.store.execute(
            "DELETE FROM prompt_posts WHERE post_id = ? AND state = 'claimed'", (post_id,)
        )

    async def resolve_days(
        self,
        guild_id: int,
        days: Iterable[tuple[date, datetime | None]],
        state: str,
        note: str,
        now: datetime,
        next_post: tuple[datetime, date] | None,
    ) -> None:
        """Record days as missed or skipped (an unsent claim for one becomes so too), and
        move the schedule on, in one transaction."""
        if state not in (MISSED, SKIPPED):
            raise ValueError(f"days are resolved as missed or skipped, not {state!r}")

        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            db.executemany(
                "INSERT INTO prompt_posts (guild_id, local_date, state, scheduled_at, "
                "claimed_at, finished_at, note) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, local_date) DO UPDATE SET state = excluded.state, "
                "note = excluded.note, finished_at = excluded.finished_at "
                "WHERE prompt_posts.state = 'claimed'",
                [
                    (
                        guild_id,
                        day.isoformat(),
                        state,
                        _epoch_or_none(at),
                        to_epoch(now),
                        to_epoch(now),
                        note,
                    )
                    for day, at in days
                ],
            )
            if next_post is not None:
                db.execute(
                    "UPDATE prompt_schedules SET next_post_at = ?, next_local_date = ?, "
                    "updated_at = ? WHERE guild_id = ?",
                    (
                        to_epoch(next_post[0]),
                        next_post[1].isoformat(),
                        to_epoch(now),
                        guild_id,
                    ),
                )

        await self.store.atomic(work)

    async def taken_dates(self, guild_id: int, since: date) -> set[date]:
        """Local dates from `since` on that already have a row (any state)."""
        rows = await self.store.fetchall(
            "SELECT local_date FROM prompt_posts WHERE guild_id = ? AND local_date >= ?",
            (guild_id, since.isoformat()),
        )
        return {date.fromisoformat(r[0]) for r in rows}

    async def rotation_state(self, guild_id: int, before: date) -> RotationState:
        row = await self.store.fetchone(
            "SELECT MAX(cycle) FROM prompt_posts WHERE guild_id = ? AND prompt_id IS NOT NULL "
            "AND state IN ('claimed', 'sent')",
            (guild_id,),
        )
        cycle = int(row[0] or 1)
        used = await self.store.fetchall(
            "SELECT prompt_id FROM prompt_posts WHERE guild_id = ? AND cycle = ? "
            "AND prompt_id IS NOT NULL AND state IN ('claimed', 'sent')",
            (guild_id, cycle),
        )
        last = await self.store.fetchone(
            "SELECT value_key FROM prompt_posts WHERE guild_id = ? AND local_date < ? "
            "AND value_key IS NOT NULL AND state IN ('claimed', 'sent') "
            "ORDER BY local_date DESC LIMIT 1",
            (guild_id, before.isoformat()),
        )
        return RotationState(
            cycle, frozenset(r[0] for r in used), None if last is None else last[0]
        )

    async def history(self, guild_id: int, limit: int = 60) -> list[Post]:
        rows = await self.store.fetchall(
            f"SELECT {POST_COLUMNS} FROM prompt_posts WHERE guild_id = ? "
            "ORDER BY local_date DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_post(r) for r in rows]
