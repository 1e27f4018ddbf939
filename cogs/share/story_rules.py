"""The rules of /share, free of Discord: limits, cooldown, nudge timing, and the words we use.

Kept apart from the cog so the rules are tested directly and read in one place.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.base import STORY_REMOVED
from bot.store.stories import (
    DELETED,
    DRAFT,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    REMOVED,
    Story,
)
from bot.text import spoiler
from bot.visible import shown

STORY_MIN = 20
STORY_MAX = 4000
TITLE_MAX = 100
WARNING_MAX = 100
REPLY_MAX = 4000
REASON_MAX = 1000
EMBED_DESCRIPTION_LIMIT = 4096

COOLDOWN = timedelta(minutes=10)
MAX_NUDGE_HOURS = 168

ANONYMOUS_NAME = "Anonymous member"
ORIGINAL_POSTER = "Original poster"
REMOVED_BY_AUTHOR = STORY_REMOVED
REMOVED_BY_MODERATOR = "This story was removed by a moderator."

GUIDE_TITLE = "Answering with care"
VALUES_GUIDE = (
    "Someone trusted this community with a piece of their life. If it speaks to you:",
    "💛 **Empathy first.** Let them know they were heard: “that sounds so hard” goes a long way.",
    "🤝 **Respect their path.** Their story is theirs: no judging, no fixing, no diagnosing.",
    "🧭 **Offer your lived experience, not advice.** “When I went through something like this, "
    "what helped me was…” reaches further than “you should…”.",
    "🌱 **Leave room for hope.** A few honest words of your own can help someone feel less alone.",
    "If you're worried about someone's safety, please tell a moderator.",
)
NUDGE_TEXT = (
    "This story hasn't had a reply yet. If it speaks to you, a few words from your own "
    "experience could mean a lot. 💛"
)
CARE_BANNER = (
    "🤍 **Held for care.** Some words in this story suggest its author may be carrying "
    "something heavy right now, so it waits for a moderator whatever the review setting. "
    "The author has been shown crisis resources. Please read gently."
)

STATUS_LABELS = {
    DRAFT: "Draft (only you can see it)",
    PENDING: "Waiting for a moderator",
    PUBLISHING: "Being posted",
    PUBLISHED: "Shared",
    DELETED: "Removed by you",
    REMOVED: "Removed by a moderator",
}


@dataclass(frozen=True)
class StoryText:
    """What the member typed in the /share modal, as typed."""

    title: str
    body: str
    content_warning: str | None
    anonymous: bool
    consent: bool


def from_modal(
    title: str | None,
    body: str | None,
    warning: str | None,
    post_as: str | None,
    consent: bool | None,
) -> StoryText:
    """Normalise modal values; an unchosen "post as" means anonymous, the safer side."""
    warning = shown(warning)
    return StoryText(
        title=shown(title),
        body=body or "",
        content_warning=warning or None,
        anonymous=post_as != "named",
        consent=bool(consent),
    )


def text_of(story: Story) -> StoryText:
    return StoryText(story.title, story.body, story.content_warning, story.anonymous, story.consent)


def story_description(body: str, content_warning: str | None) -> str:
    """The story as the embed shows it: as written, or inside a spoiler under a warning."""
    return spoiler(body) if content_warning else body


def over_limits(text: StoryText) -> list[str]:
    """Fields longer than the /share form allows. Discord enforces the form's limits, so only
    a forged submit gets here; it is refused whole, because a draft over a limit could never
    be opened in the form again."""
    found = []
    for name, value, limit in (
        ("Your story", text.body, STORY_MAX),
        ("The title", text.title, TITLE_MAX),
        ("The content warning", text.content_warning or "", WARNING_MAX),
    ):
        if len(value) > limit:
            found.append(f"{name} can be up to {limit} characters (it has {len(value)}).")
    return found


def problems(text: StoryText) -> list[str]:
    """What keeps this story from being shown, in the member's words (empty when fine)."""
    found = []
    length = len(text.body.strip()) if shown(text.body) else 0  # invisible characters only
    if length < STORY_MIN:
        found.append(f"Your story needs at least {STORY_MIN} characters (it has {length}).")
    if len(text.body) > STORY_MAX:
        found.append(f"Your story can be up to {STORY_MAX} characters (it has {len(text.body)}).")
    if not text.title:
        found.append("Please give your story a title.")
    if len(text.title) > TITLE_MAX:
        found.append(f"The title can be up to {TITLE_MAX} characters.")
    if text.content_warning and len(text.content_warning) > WARNING_MAX:
        found.append(f"The content warning can be up to {WARNING_MAX} characters.")
    displayed = story_description(text.body, text.content_warning)
    if not found and len(displayed) > EMBED_DESCRIPTION_LIMIT:
        found.append(
            "Behind a content warning your story needs a little more room than Discord allows "
            "(every pair of | characters takes one more). Please shorten it slightly."
        )
    return found


# A claim this process made and has not finished (a full disk kept it from being undone)
# lets the author press Post again after this long. A claim left by a process that died is
# finished at once, on start or on the next press (cogs/share/publish.py): the post that
# landed is found by its marker among the channel's newest messages, never posted twice.
STUCK_AFTER = timedelta(minutes=15)
STILL_POSTING = (
    "Your story is still on its way. If it isn't shared (or with the moderators) within 15 "
    "minutes, press **Post** again: it won't be posted twice. Your draft is saved."
)


def stuck_before(now: datetime) -> datetime:
    """A story claimed for posting before this instant, and not posted, is the author's again."""
    return now - STUCK_AFTER


COOLDOWN_REASON = (
    "You shared a story just a little while ago. To give each story room to be heard, "
    f"everyone can post one every {int(COOLDOWN.total_seconds() // 60)} minutes."
)


def cooldown_left(last_submitted: datetime | None, now: datetime) -> datetime | None:
    """When the member may post again, if that is still to come."""
    if last_submitted is None:
        return None
    ends = cooldown_ends(last_submitted)
    return ends if ends > now else None


def cooldown_text(ends: datetime) -> str:
    """Said when /share is opened during the wait, so nobody writes a story and then waits."""
    stamp = int(ends.timestamp())
    return (
        f"{COOLDOWN_REASON} You can post your next one <t:{stamp}:R> (at <t:{stamp}:t>). "
        "You're welcome to start writing now: your draft is saved as you go."
    )


def cooldown_cutoff(now: datetime) -> datetime:
    """A submission after this instant means the member must wait."""
    return now - COOLDOWN


def cooldown_ends(last_submitted: datetime) -> datetime:
    return last_submitted + COOLDOWN
