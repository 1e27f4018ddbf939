"""Daily prompts: each server's schedule, the claimed posts, its own prompts and suggestions.

A post is claimed (`UNIQUE(guild_id, local_date)`) before anything is sent and marked sent
with the message id after; the schedule only moves on once its date is resolved (sent,
missed, failed or skipped), so a crash at any moment leaves a row that says what to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import from_epoch, to_epoch
from bot.store.base import CleanupJob, Repository, row_dict
from bot.store.guilds import ENSURE_GUILD
from bot.store.prompt_suggestions import Suggestion, SuggestionQueries, normalised

OWN_PREFIX = "own-"
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
# States a post may be in; "claimed" is the only unresolved one.
CLAIMED, SENT, MISSED, FAILED, SKIPPED = "claimed", "sent", "missed", "failed", "skipped"
RESOLVED = (SENT, MISSED, FAILED, SKIPPED)


def weekday_mask(days: Iterable[int]) -> int:
    return sum(1 << day for day in set(days))


def weekdays_of(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def own_id(prompt_id: int) -> str:
    """The id moderators see for a server's own prompt."""
    return f"{OWN_PREFIX}{prompt_id}"


@dataclass(frozen=True)
class Schedule:
    guild_id: int
    channel_id: int
    post_time: str  # local "HH:MM"
    timezone: str
    weekdays: frozenset[int]  # Monday = 0
    next_post_at: datetime
    next_local_date: date
    paused: bool
    pause_reason: str | None


@dataclass(frozen=True)
class Post:
    """One claimed day; `attempts > 0` means a send was started and may have reached Discord."""

    post_id: int
    guild_id: int
    local_date: date
    state: str
    prompt_id: str | None
    value_key: str | None
    prompt_text: str | None
    cycle: int
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    link: str | None
    nonce: str | None
    attempts: int
    scheduled_at: datetime | None
    claimed_at: datetime
    finished_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class OwnPrompt:
    prompt_id: int
    guild_id: int
    value_key: str
    text: str
    added_by: int | None
    suggested_by: int | None
    created_at: datetime

    @property
    def public_id(self) -> str:
        return own_id(self.prompt_id)


@dataclass(frozen=True)
class RotationState:
    """Where a server is in its rotation just before `local_date`."""

    cycle: int
    used: frozenset[str]  # prompt ids already posted (or being posted) in this cycle
    last_value: str | None  # value of the latest post before the date


SCHEDULE_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, weekdays, next_post_at, next_local_date, "
    "paused, pause_reason"
)
POST_COLUMNS = (
    "post_id, guild_id, local_date, state, prompt_id, value_key, prompt_text, cycle, "
    "channel_id, message_id, thread_id, link, nonce, attempts, scheduled_at, claimed_at, "
    "finished_at, note"
)
OWN_COLUMNS = "prompt_id, guild_id, value_key, text, added_by, suggested_by, created_at"


def _schedule(r) -> Schedule:
    return Schedule(
        r[0],
        r[1],
        r[2],
        r[3],
        weekdays_of(r[4]),
        from_epoch(r[5]),
        date.fromisoformat(r[6]),
        bool(r[7]),
        r[8],
    )


def _post(r) -> Post:
    return Post(
        r[0],
        r[1],
        date.fromisoformat(r[2]),
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
        from_epoch(r[14]),
        from_epoch(r[15]),
        from_epoch(r[16]),
        r[17],
    )


def _own(r) -> OwnPrompt:
    return OwnPrompt(r[0], r[1], r[2], r[3], r[4], r[5], from_epoch(r[6]))


def _epoch_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else to_epoch(moment)


class PromptRepository(SuggestionQueries, Repository):
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
