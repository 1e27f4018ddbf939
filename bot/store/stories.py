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
from bot.store.base import STORY_REMOVED, CleanupJob, Repository, row_dict, sweep_bound
from bot.store.guilds import ENSURE_GUILD

# The statuses a story moves through: draft -> (pending ->) publishing -> published, and
# from pending/published to deleted (by its author) or removed (by a moderator).
DRAFT, PENDING, PUBLISHING, PUBLISHED = "draft", "pending", "publishing", "published"
DELETED, REMOVED = "deleted", "removed"
DEFAULT_NUDGE_HOURS = 12
REMOVED_THREAD_NAME = "Removed story"
WITHDRAWN = "This story was withdrawn by its author."

COLUMN_NAMES = (
    "story_id guild_id title body content_warning anonymous consent value_key status "
    "held_for_care created_at updated_at submitted_at published_at review_channel_id "
    "review_message_id post_channel_id message_id thread_id replied nudged_at locked "
    "decline_reason reason_pending claimed_at care_note_due reply_claimed_at nudge_due guide_due"
).split()
COLUMNS = ", ".join(COLUMN_NAMES)
S_COLUMNS = ", ".join(f"s.{name}" for name in COLUMN_NAMES)
# aiosqlite's DEBUG statement log would pair stories with authors: bot/store/__init__.py
# keeps that logger at INFO or above.

# "…and it is this author's": a primary-key probe per story (parameter: author_id).
MINE = (
    "EXISTS (SELECT 1 FROM story_authors a WHERE a.story_id = stories.story_id AND a.author_id = ?)"
)
# A new claim's instant, unless an earlier try Discord never confirmed is still open (its
# target kept, no id recorded): that post may be up, and is older (parameter: now).
KEEP_UNCONFIRMED_CLAIM = (
    "CASE WHEN post_channel_id IS NOT NULL OR (review_channel_id IS NOT NULL "
    "AND review_message_id IS NULL) THEN COALESCE(claimed_at, ?) ELSE ? END"
)
# What the story's post carries in its embed footer (cogs/share/messages.py draws it), so that
# Kindred can find a post of it whose id was never recorded.
STORY_MARKER = "Story #{story_id}"
APPROVE_ID = "kindred:story:approve:{story_id}"  # the review card's Approve button
REPLY_MARKER = "Original poster · story #{story_id}"  # the footer of an author's reply

# "…the member's stories in this server": through the (guild_id, author_id) index.
THEIRS = "story_id IN (SELECT story_id FROM story_authors WHERE guild_id = ? AND author_id = ?)"


@dataclass(frozen=True)
class Story:
    story_id: int
    guild_id: int
    title: str
    body: str
    content_warning: str | None
    anonymous: bool
    consent: bool
    value_key: str | None
    status: str
    held_for_care: bool
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    review_channel_id: int | None
    review_message_id: int | None
    post_channel_id: int | None
    message_id: int | None
    thread_id: int | None
    replied: bool
    nudged_at: datetime | None
    locked: bool
    decline_reason: str | None
    reason_pending: bool
    claimed_at: datetime | None = None  # the first claim of the post not yet known on Discord
    care_note_due: bool = False  # held for care: the moderators' note is still to be sent
    reply_claimed_at: datetime | None = None  # an author's reply on its way, not recorded
    nudge_due: bool = False  # its nudge is claimed, and not known to be in the thread
    guide_due: bool = False  # shared, but its values guide is still to be posted


@dataclass(frozen=True)
class StorySettings:
    guild_id: int
    channel_id: int | None = None
    review: bool = False
    listener_role_id: int | None = None
    nudge_hours: int = DEFAULT_NUDGE_HOURS


@dataclass(frozen=True)
class Submission:
    """The outcome of pressing Post: `story` when claimed, else why not."""

    story: Story | None
    last_submitted: datetime | None = None  # set when the member is on cooldown
    not_draft: bool = False  # already posted, discarded or not theirs


def _story(row: Any) -> Story:
    return Story(
        story_id=row[0],
        guild_id=row[1],
        title=row[2],
        body=row[3],
        content_warning=row[4],
        anonymous=bool(row[5]),
        consent=bool(row[6]),
        value_key=row[7],
        status=row[8],
        held_for_care=bool(row[9]),
        created_at=from_epoch(row[10]),
        updated_at=from_epoch(row[11]),
        submitted_at=from_epoch(row[12]),
        published_at=from_epoch(row[13]),
        review_channel_id=row[14],
        review_message_id=row[15],
        post_channel_id=row[16],
        message_id=row[17],
        thread_id=row[18],
        replied=bool(row[19]),
        nudged_at=from_epoch(row[20]),
        locked=bool(row[21]),
        decline_reason=row[22],
        reason_pending=bool(row[23]),
        claimed_at=from_epoch(row[24]),
        care_note_due=bool(row[25]),
        reply_claimed_at=from_epoch(row[26]),
        nudge_due=bool(row[27]),
        guide_due=bool(row[28]),
    )


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


def _get(db: sqlite3.Connection, story_id: int) -> Story:
    """Read a story back inside a transaction (on the database thread)."""
    return _story(
        db.execute(f"SELECT {COLUMNS} FROM stories WHERE story_id = ?", (story_id,)).fetchone()
    )


class StoryRepository(Repository):
    member_tables = ("stories", "story_authors")

    # ----- settings --------------------------------------------------------------------
    async def settings(self, guild_id: int) -> StorySettings:
        row = await self.store.fetchone(
            "SELECT channel_id, review, listener_role_id, nudge_hours FROM story_settings "
            "WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return StorySettings(guild_id)
        return StorySettings(guild_id, row[0], bool(row[1]), row[2], row[3])

    async def _set(self, guild_id: int, column: str, value: Any) -> StorySettings:
        def work(db: sqlite3.Connection):
            db.execute(ENSURE_GUILD, (guild_id,))
            db.execute(
                f"INSERT INTO story_settings (guild_id, {column}) VALUES (?, ?) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column}",
                (guild_id, value),
            )

        await self.store.atomic(work)

        return await self.settings(guild_id)

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

    async def set_value(self, story_id: int, author_id: int, value_key: str) -> bool:
        cursor = await self.store.execute(
            f"UPDATE stories SET value_key = ? WHERE story_id = ? AND status = ? AND {MINE}",
            (value_key, story_id, DRAFT, author_id),
        )
        return cursor.rowcount == 1

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

    async def undelivered_reasons(self, guild_id: int, author_id: int) -> list[Story]:
        rows = await self.store.fetchall(
            f"SELECT {COLUMNS} FROM stories WHERE reason_pending = 1 AND {THEIRS} ORDER BY story_id",
            (guild_id, author_id),
        )
        return [_story(r) for r in rows]

    async def mark_reason_delivered(self, story_id: int) -> None:
        await self.store.execute(
            "UPDATE stories SET reason_pending = 0 WHERE story_id = ?", (story_id,)
        )

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
