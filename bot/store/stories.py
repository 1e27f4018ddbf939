"""Stories: drafts, the review queue, published threads, and who wrote what (kept apart).

A `Story` never carries its author. Only the methods named for the author (`is_author`,
`author_of`, `drafts`/`stories_of`, and the writes that take `author_id`) read
`story_authors`, so a moderator path cannot show who wrote an anonymous story by accident.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_epoch, to_epoch
from bot.store.base import (
    STORY_REMOVED,
    CleanupJob,
    PerGuild,
    Repository,
    returned,
    row_dict,
    sweep_bound,
)
from bot.store.guilds import ENSURE_GUILD
from bot.store.story_posting import PostingQueries
from bot.store.story_rows import (
    APPROVE_ID,
    COLUMN_NAMES,
    COLUMNS,
    DEFAULT_NUDGE_HOURS,
    DELETED,
    DRAFT,
    KEEP_UNCONFIRMED_CLAIM,
    MINE,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    REMOVED,
    REMOVED_THREAD_NAME,
    REPLY_MARKER,
    S_COLUMNS,
    STORY_MARKER,
    THEIRS,
    WITHDRAWN,
    Story,
    StorySettings,
    Submission,
    _get,
    _story,
)
from bot.store.story_threads import ThreadQueries

# Everything features (and tests) import from here, wherever it is defined.
__all__ = [
    "DRAFT",
    "PENDING",
    "PUBLISHING",
    "PUBLISHED",
    "DELETED",
    "REMOVED",
    "DEFAULT_NUDGE_HOURS",
    "REMOVED_THREAD_NAME",
    "WITHDRAWN",
    "COLUMN_NAMES",
    "COLUMNS",
    "S_COLUMNS",
    "MINE",
    "KEEP_UNCONFIRMED_CLAIM",
    "STORY_MARKER",
    "APPROVE_ID",
    "REPLY_MARKER",
    "THEIRS",
    "Story",
    "StorySettings",
    "Submission",
    "StoryRepository",
]


def _story_cleanup(story: Story) -> list[CleanupJob]:
    """What erase changes on Discord for one story: its post, its thread, its review card."""
    hidden = story.anonymous  # reported on its own, never beside the member's name
    on_discord = story.status in (PUBLISHING, PUBLISHED)
    jobs = []
    if on_discord and story.message_id:
        jobs.append(
            CleanupJob(story.post_channel_id, story.message_id, "replace", STORY_REMOVED, hidden)
        )
    # A text post whose thread a crash kept from being recorded may have one all the same:
    # a thread started from a message has the message's id (none there: the job is done).
    thread_id = story.thread_id or (story.message_id if story.status == PUBLISHING else None)
    if (on_discord or story.status in (DELETED, REMOVED)) and thread_id:
        jobs.append(CleanupJob(thread_id, 0, "lock", REMOVED_THREAD_NAME, hidden))
    if story.status in (PENDING, PUBLISHING) and story.review_message_id:
        # an approval a crash left half done still shows the card with the story on it
        jobs.append(
            CleanupJob(
                story.review_channel_id, story.review_message_id, "replace", WITHDRAWN, hidden
            )
        )
    return jobs + _unknown_posts(story) + _unknown_reply(story)


def _unknown_reply(story: Story) -> list[CleanupJob]:
    """An author's reply the process died sending (its id never recorded): swept by its
    footer in the thread (every reply of theirs there is theirs to erase)."""
    if story.reply_claimed_at is None or not story.thread_id:
        return []
    marker = "reply=" + REPLY_MARKER.format(story_id=story.story_id)
    return [_sweep(story, story.thread_id, marker, story.reply_claimed_at)]


def _unknown_posts(story: Story) -> list[CleanupJob]:
    """Sweeps for what may be on Discord with no id recorded: a post or review card the
    process died sending (or Discord never confirmed), found by its marker after the claim."""
    if story.status not in (DRAFT, PENDING, PUBLISHING):
        return []
    jobs = []
    if story.post_channel_id and not story.message_id:  # a claim's target, nothing recorded
        marker = "footer=" + STORY_MARKER.format(story_id=story.story_id)
        jobs.append(_sweep(story, story.post_channel_id, marker))
    if story.review_channel_id and not story.review_message_id:
        marker = "button=" + APPROVE_ID.format(story_id=story.story_id)
        jobs.append(_sweep(story, story.review_channel_id, marker))
    return jobs


def _sweep(story: Story, channel_id: int, marker: str, since: datetime | None = None) -> CleanupJob:
    """Look after the claim (or, failing a record of one, the submission) for the marker."""
    claimed = since or story.claimed_at or story.submitted_at or story.created_at
    bound = sweep_bound(to_epoch(claimed), story.story_id)
    return CleanupJob(channel_id, bound, "sweep", marker, story.anonymous)


@dataclass(frozen=True)
class Opening:
    """What /share opens on (see `StoryRepository.opening`)."""

    declined: list[Story]
    draft: Story | None
    last_submitted: datetime | None


SETTINGS = (
    "SELECT channel_id, review, listener_role_id, nudge_hours FROM story_settings "
    "WHERE guild_id = ?"
)


def _story_settings(guild_id: int, row: Any) -> StorySettings:
    if row is None:
        return StorySettings(guild_id)
    return StorySettings(guild_id, row[0], bool(row[1]), row[2], row[3])


class StoryRepository(PostingQueries, ThreadQueries, Repository):
    member_tables = ("stories", "story_authors")

    def __init__(self, store):
        super().__init__(store)
        self.held = PerGuild[StorySettings]()

    # ----- settings --------------------------------------------------------------------
    async def settings(self, guild_id: int) -> StorySettings:
        """Read from memory once read; `_set` forgets what it changed."""
        return await self.held.get(guild_id, self._load_settings)

    async def _load_settings(self, guild_id: int) -> StorySettings:
        return _story_settings(guild_id, await self.store.fetchone(SETTINGS, (guild_id,)))

    async def _set(self, guild_id: int, column: str, value: Any) -> StorySettings:
        """One change and the settings as they now are, in one trip to the database."""

        def work(db: sqlite3.Connection) -> StorySettings:
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                f"INSERT INTO story_settings (guild_id, {column}) VALUES (?, ?) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}",
                (guild_id, value),
            )
            return _story_settings(guild_id, db.execute(SETTINGS, (guild_id,)).fetchone())

        settings = await self.store.atomic(work)
        self.held.remember(guild_id, settings)
        return settings

    async def set_channel(self, guild_id: int, channel_id: int | None) -> StorySettings:
        return await self._set(guild_id, "channel_id", channel_id)

    async def set_review(self, guild_id: int, review: bool) -> StorySettings:
        return await self._set(guild_id, "review", int(review))

    async def set_listener_role(self, guild_id: int, role_id: int | None) -> StorySettings:
        return await self._set(guild_id, "listener_role_id", role_id)

    async def set_nudge_hours(self, guild_id: int, hours: int) -> StorySettings:
        return await self._set(guild_id, "nudge_hours", hours)

    # ----- drafts (author-facing) ------------------------------------------------------
    async def save_draft(
        self,
        guild_id: int,
        author_id: int,
        now: datetime,
        *,
        title: str,
        body: str,
        content_warning: str | None,
        anonymous: bool,
        consent: bool,
        held_for_care: bool = False,
        story_id: int | None = None,
    ) -> Story:
        """Keep what the member typed, at once. Updates their draft `story_id` when it is
        still a draft of theirs; otherwise (new, or already posted meanwhile) starts a new one,
        so a stale edit never loses words."""
        at = to_epoch(now)
        fields = (title, body, content_warning, int(anonymous), int(consent), int(held_for_care))

        def work(db: sqlite3.Connection):
            if story_id is not None:
                cursor = db.execute(
                    "UPDATE stories SET title = ?, body = ?, content_warning = ?, anonymous = ?, "
                    "consent = ?, held_for_care = ?, updated_at = ?, reason_pending = 0 "
                    f"WHERE story_id = ? AND guild_id = ? AND status = ? AND {MINE}",
                    (*fields, at, story_id, guild_id, DRAFT, author_id),
                )
                if cursor.rowcount == 1:
                    return _get(db, story_id)
            db.execute(ENSURE_GUILD, (guild_id,))
            cursor = db.execute(
                "INSERT INTO stories (guild_id, title, body, content_warning, anonymous, consent, "
                "held_for_care, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, *fields, at, at),
            )
            new_id = cursor.lastrowid
            db.execute(
                "INSERT INTO story_authors (story_id, guild_id, author_id) VALUES (?, ?, ?)",
                (new_id, guild_id, author_id),
            )
            return _get(db, new_id)

        return await self.store.atomic(work)

    async def latest_draft(self, guild_id: int, author_id: int) -> Story | None:
        row = await self.store.fetchone(
            f"SELECT {COLUMNS} FROM stories WHERE status = ? AND {THEIRS} "
            "ORDER BY updated_at DESC, story_id DESC LIMIT 1",
            (DRAFT, guild_id, author_id),
        )
        return None if row is None else _story(row)

    async def set_value(self, story_id: int, author_id: int, value_key: str) -> Story | None:
        """The author's draft with its value chosen (one hop); None when it isn't theirs or
        no longer a draft."""
        sql = (
            f"UPDATE stories SET value_key = ? WHERE story_id = ? AND status = ? AND {MINE} "
            f"RETURNING {COLUMNS}"
        )
        row = await self.store.atomic(
            lambda db: returned(db.execute(sql, (value_key, story_id, DRAFT, author_id)))
        )
        return None if row is None else _story(row)

    async def own(self, guild_id: int, story_id: int, member_id: int) -> Story | None:
        """The story, only when `member_id` wrote it: one read where `get` and `is_author`
        were two."""
        row = await self.store.fetchone(
            f"SELECT {COLUMNS} FROM stories WHERE story_id = ? AND guild_id = ? AND {MINE}",
            (story_id, guild_id, member_id),
        )
        return None if row is None else _story(row)

    async def opening(self, guild_id: int, author_id: int) -> Opening:
        """What /share opens on, in one snapshot: the declined stories whose note the author
        hasn't seen yet, their latest draft, and when they last submitted a story."""

        def read(db: sqlite3.Connection) -> Opening:
            declined = db.execute(
                f"SELECT {COLUMNS} FROM stories WHERE reason_pending = 1 AND {THEIRS} "
                "ORDER BY story_id",
                (guild_id, author_id),
            ).fetchall()
            draft = db.execute(
                f"SELECT {COLUMNS} FROM stories WHERE status = ? AND {THEIRS} "
                "ORDER BY updated_at DESC, story_id DESC LIMIT 1",
                (DRAFT, guild_id, author_id),
            ).fetchone()
            (last,) = db.execute(
                "SELECT MAX(s.submitted_at) FROM stories s JOIN story_authors a USING (story_id) "
                "WHERE a.guild_id = ? AND a.author_id = ? AND s.status != ?",
                (guild_id, author_id, DRAFT),
            ).fetchone()
            return Opening(
                [_story(r) for r in declined],
                None if draft is None else _story(draft),
                from_epoch(last),
            )

        return await self.store.snapshot(read)

    async def discard(self, story_id: int, author_id: int) -> bool:
        """Delete a draft for good (its author row goes with it)."""
        cursor = await self.store.execute(
            f"DELETE FROM stories WHERE story_id = ? AND status = ? AND {MINE}",
            (story_id, DRAFT, author_id),
        )
        return cursor.rowcount == 1

    async def is_author(self, story_id: int, member_id: int) -> bool:
        row = await self.store.fetchone(
            "SELECT 1 FROM story_authors WHERE story_id = ? AND author_id = ?",
            (story_id, member_id),
        )
        return row is not None

    async def author_of(self, story_id: int) -> int | None:
        """Only for reaching the author (a DM) or naming a story they chose to sign."""
        row = await self.store.fetchone(
            "SELECT author_id FROM story_authors WHERE story_id = ?", (story_id,)
        )
        return None if row is None else row[0]

    async def stories_of(self, guild_id: int, author_id: int) -> list[Story]:
        """Everything the member wrote here, newest first (drafts included)."""
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE {THEIRS} ORDER BY created_at DESC, story_id DESC",
            (guild_id, author_id),
        )
        return [_story(r) for r in rows]

    async def mark_reason_delivered(self, story_id: int) -> None:
        await self.store.execute(
            "UPDATE stories SET reason_pending = 0 WHERE story_id = ?", (story_id,)
        )

    # ----- member data ---------------------------------------------------------------------
    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        stories = await self.store.fetchall(
            f"SELECT * FROM stories WHERE {THEIRS} ORDER BY story_id",
            (guild_id, member_id),
        )
        authors = await self.store.fetchall(
            "SELECT * FROM story_authors WHERE guild_id = ? AND author_id = ? ORDER BY story_id",
            (guild_id, member_id),
        )
        replies = await self.store.fetchall(
            "SELECT r.* FROM story_replies r JOIN story_authors a USING (story_id) "
            "WHERE a.guild_id = ? AND a.author_id = ? ORDER BY r.message_id",
            (guild_id, member_id),
        )
        return {
            "stories": [row_dict(r) for r in stories],
            "story_authors": [row_dict(r) for r in authors],
            "story_replies": [row_dict(r) for r in replies],
        }

    async def discord_cleanup_for_member(self, guild_id: int, member_id: int) -> list[CleanupJob]:
        """Their words on Discord: the post, the thread's name (their title), the review
        card, and anything posted for them as the original poster. A story a crash left
        half published counts with whatever of it was already recorded."""
        jobs = []
        for story in await self.stories_of(guild_id, member_id):
            jobs += _story_cleanup(story)
        rows = await self.store.fetchall(
            "SELECT r.channel_id, r.message_id, s.anonymous FROM story_replies r "
            "JOIN story_authors a USING (story_id) JOIN stories s USING (story_id) "
            "WHERE a.guild_id = ? AND a.author_id = ? ORDER BY r.message_id",
            (guild_id, member_id),
        )
        jobs += [CleanupJob(row[0], row[1], "delete", anonymous=bool(row[2])) for row in rows]
        return jobs

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        """Their stories go, words and all; story_authors rows follow by cascade."""
        db.execute(f"DELETE FROM stories WHERE {THEIRS}", (guild_id, member_id))
