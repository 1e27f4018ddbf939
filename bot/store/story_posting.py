"""Stories on their way out: submitting, review, publishing, and the claims that survive a crash.

A mixin of `StoryRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.clock import from_epoch, to_epoch
from bot.store.base import Repository
from bot.store.story_rows import (
    COLUMNS,
    DRAFT,
    KEEP_UNCONFIRMED_CLAIM,
    MINE,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    Story,
    Submission,
    _get,
    _story,
)


class PostingQueries(Repository):
    # ----- submitting and publishing ----------------------------------------------------
    async def submit(
        self,
        story_id: int,
        author_id: int,
        now: datetime,
        *,
        cooldown_after: datetime,
        to_review: bool,
        channel_id: int | None = None,
    ) -> Submission:
        """Claim a draft for posting, unless the member submitted another story after
        `cooldown_after`. One transaction, so a double click posts once.

        `channel_id` is where it goes (the stories channel, or the moderators' when it is
        reviewed): kept with the claim, so whoever finishes it after a crash looks there."""

        def work(db: sqlite3.Connection):
            row = db.execute(
                f"SELECT {COLUMNS} FROM stories WHERE story_id = ? AND status = ? AND {MINE}",
                (story_id, DRAFT, author_id),
            ).fetchone()
            if row is None:
                return Submission(None, not_draft=True)
            story = _story(row)
            (last,) = db.execute(
                "SELECT MAX(s.submitted_at) FROM stories s JOIN story_authors a USING (story_id) "
                "WHERE a.guild_id = ? AND a.author_id = ? AND s.status != ?",
                (story.guild_id, author_id, DRAFT),
            ).fetchone()
            if last is not None and last > to_epoch(cooldown_after):
                return Submission(None, last_submitted=from_epoch(last))
            reviewed = to_review or story.held_for_care
            db.execute(
                "UPDATE stories SET status = ?, submitted_at = ?, decline_reason = NULL, "
                f"reason_pending = 0, claimed_at = {KEEP_UNCONFIRMED_CLAIM}, care_note_due = ?, "
                "review_channel_id = ?, review_message_id = NULL, "
                "post_channel_id = ?, message_id = NULL, thread_id = NULL WHERE story_id = ?",
                (
                    PENDING if reviewed else PUBLISHING,
                    to_epoch(now),
                    to_epoch(now),
                    to_epoch(now),
                    int(story.held_for_care),
                    channel_id if reviewed else None,
                    None if reviewed else channel_id,
                    story_id,
                ),
            )
            return Submission(_get(db, story_id))

        return await self.store.atomic(work)

    async def unsubmit(self, story_id: int, *, unconfirmed: bool = False) -> None:
        """Posting failed, or never reached Discord: give the member their draft back, with
        no cooldown spent. `unconfirmed`: Discord never answered, so the post may be there
        after all; the target channel is kept, for the next try to look in first."""
        keep = "post_channel_id" if unconfirmed else "NULL"
        keep_review = "review_channel_id" if unconfirmed else "NULL"
        await self.store.execute(
            "UPDATE stories SET status = ?, submitted_at = NULL, care_note_due = 0, "
            f"review_channel_id = {keep_review}, "
            f"review_message_id = NULL, post_channel_id = {keep}, message_id = NULL, "
            "thread_id = NULL WHERE story_id = ? AND status IN (?, ?)",
            (DRAFT, story_id, PENDING, PUBLISHING),
        )

    async def unposted(self, *, after: int = 0, limit: int = 200) -> list[Story]:
        """Claims that may be half done, in story order after `after`: publishing, or
        pending without a recorded review card. After a crash these are finished or
        undone (see cogs/share/publish.py)."""
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE story_id > ? AND (status = ? "
            "OR (status = ? AND review_message_id IS NULL)) ORDER BY story_id LIMIT ?",
            (after, PUBLISHING, PENDING, limit),
        )
        return [_story(r) for r in rows]

    async def care_notes_due(self, *, after: int = 0, limit: int = 200) -> list[Story]:
        """Stories held for care whose review card is up and whose moderators' note was
        never sent (the process stopped between the two, or Discord refused it)."""
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE care_note_due = 1 AND story_id > ? "
            "AND review_message_id IS NOT NULL ORDER BY story_id LIMIT ?",
            (after, limit),
        )
        return [_story(r) for r in rows]

    async def care_note_sent(self, story_id: int) -> None:
        await self.store.execute(
            "UPDATE stories SET care_note_due = 0 WHERE story_id = ?", (story_id,)
        )

    async def get(self, guild_id: int, story_id: int) -> Story | None:
        row = await self.store.fetchone(
            f"SELECT {COLUMNS} FROM stories WHERE story_id = ? AND guild_id = ?",
            (story_id, guild_id),
        )
        return None if row is None else _story(row)

    async def by_thread(self, thread_id: int) -> Story | None:
        row = await self.store.fetchone(
            f"SELECT {COLUMNS} FROM stories WHERE thread_id = ?", (thread_id,)
        )
        return None if row is None else _story(row)

    async def set_review_message(self, story_id: int, channel_id: int, message_id: int) -> bool:
        """The review card is up. False when the story stopped waiting for it meanwhile
        (erased, removed): the card must come down again."""
        cursor = await self.store.execute(
            "UPDATE stories SET review_channel_id = ?, review_message_id = ? WHERE story_id = ? "
            "AND status IN (?, ?)",
            (channel_id, message_id, story_id, PENDING, PUBLISHING),
        )
        return cursor.rowcount == 1

    async def claim_approval(
        self,
        guild_id: int,
        story_id: int,
        channel_id: int | None = None,
        now: datetime | None = None,
    ) -> Story | None:
        """pending -> publishing, once: two moderators approving at once publish once.
        `channel_id` is where it goes and `now` when, kept for whoever finishes it (or
        erases it) after a crash."""
        at = to_epoch(now) if now is not None else None
        cursor = await self.store.execute(
            "UPDATE stories SET status = ?, post_channel_id = ?, message_id = NULL, "
            "thread_id = NULL, claimed_at = CASE WHEN post_channel_id IS NOT NULL "
            "THEN COALESCE(claimed_at, ?) ELSE COALESCE(?, claimed_at) END "
            "WHERE story_id = ? AND guild_id = ? AND status = ?",
            (PUBLISHING, channel_id, at, at, story_id, guild_id, PENDING),
        )
        return await self.get(guild_id, story_id) if cursor.rowcount == 1 else None

    async def release_approval(self, story_id: int, *, unconfirmed: bool = False) -> None:
        """The approval didn't reach Discord: the story waits for a moderator again
        (`unconfirmed`: keeping the target channel, as in `unsubmit`)."""
        keep = "post_channel_id" if unconfirmed else "NULL"
        await self.store.execute(
            f"UPDATE stories SET status = ?, post_channel_id = {keep}, message_id = NULL, "
            "thread_id = NULL WHERE story_id = ? AND status = ?",
            (PENDING, story_id, PUBLISHING),
        )

    async def record_posted(
        self, story_id: int, *, channel_id: int, message_id: int, thread_id: int | None = None
    ) -> bool:
        """What is already on Discord for a story still being published, step by step, so
        a crash leaves nothing erase or a moderator can't find. False when the story is no
        longer being published (erased, removed): what was posted must come down."""
        cursor = await self.store.execute(
            "UPDATE stories SET post_channel_id = ?, message_id = ?, "
            "thread_id = COALESCE(?, thread_id) WHERE story_id = ? AND status = ?",
            (channel_id, message_id, thread_id, story_id, PUBLISHING),
        )
        return cursor.rowcount == 1

    async def mark_published(
        self,
        story_id: int,
        *,
        channel_id: int,
        message_id: int,
        thread_id: int,
        now: datetime,
        guide_due: bool = False,
    ) -> bool:
        """publishing -> published; False when it stopped being published meanwhile.
        `guide_due`: Discord refused its values guide, to be posted later."""
        cursor = await self.store.execute(
            "UPDATE stories SET status = ?, post_channel_id = ?, message_id = ?, thread_id = ?, "
            "published_at = ?, guide_due = ? WHERE story_id = ? AND status = ?",
            (
                PUBLISHED,
                channel_id,
                message_id,
                thread_id,
                to_epoch(now),
                int(guide_due),
                story_id,
                PUBLISHING,
            ),
        )
        return cursor.rowcount == 1

    async def guides_due(self, *, after: int = 0, limit: int = 200) -> list[Story]:
        """Shared stories whose values guide Discord refused (see `mark_published`)."""
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE guide_due = 1 AND story_id > ? "
            "ORDER BY story_id LIMIT ?",
            (after, limit),
        )
        return [_story(r) for r in rows]

    async def guide_posted(self, story_id: int) -> None:
        await self.store.execute("UPDATE stories SET guide_due = 0 WHERE story_id = ?", (story_id,))

    async def decline(self, guild_id: int, story_id: int, reason: str) -> Story | None:
        """pending -> draft with the moderator's reason, so the author keeps their words."""
        cursor = await self.store.execute(
            "UPDATE stories SET status = ?, decline_reason = ?, reason_pending = 1 "
            "WHERE story_id = ? AND guild_id = ? AND status = ?",
            (DRAFT, reason, story_id, guild_id, PENDING),
        )
        return await self.get(guild_id, story_id) if cursor.rowcount == 1 else None

    async def add_author_reply(
        self, story_id: int, channel_id: int, message_id: int, body: str, now: datetime
    ) -> None:
        """A reply posted as "Original poster": where it is (to take it down on erase) and
        what it says (to give it back on export). Its claim is done with."""

        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO story_replies (message_id, story_id, channel_id, body, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
                (message_id, story_id, channel_id, body, to_epoch(now)),
            )
            db.execute("UPDATE stories SET reply_claimed_at = NULL WHERE story_id = ?", (story_id,))

        await self.store.atomic(work)

    async def claim_reply(self, story_id: int, now: datetime) -> None:
        """An author's reply is about to be sent: until it is recorded, erase looks for it
        in the thread from here (an earlier unrecorded one keeps its older instant)."""
        await self.store.execute(
            "UPDATE stories SET reply_claimed_at = COALESCE(reply_claimed_at, ?) "
            "WHERE story_id = ?",
            (to_epoch(now), story_id),
        )
