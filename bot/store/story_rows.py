"""Stories' rows: the statuses a story moves through, its columns and markers, `Story`.

Kept apart from the repository so its modules (stories.py, story_posting.py,
story_threads.py) share one definition; features import these from `bot.store.stories`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_epoch

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


def _get(db: sqlite3.Connection, story_id: int) -> Story:
    """Read a story back inside a transaction (on the database thread)."""
    return _story(
        db.execute(f"SELECT {COLUMNS} FROM stories WHERE story_id = ?", (story_id,)).fetchone()
    )
