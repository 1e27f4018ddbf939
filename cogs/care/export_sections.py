"""The sections of a member's /mydata export: which table's rows go where, in plain words.

`TABLES` names every table a repository exports: the section (or sections: drafts apart from
stories) its rows go to, and for each column a label and a kind (an id is written as text,
an instant in UTC and the server's time). tests/test_mydata_readable.py fails for a table
or column not named here; cogs/care/export_format.py writes the file from it.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Kinds of value. OWNER and SERVER name whose file this is: said once at the top, so a
# row repeats them only when they differ (they never should).
ID, TIME, YES_NO, TEXT, PERSON, OWNER, SERVER = (
    "id", "time", "yes/no", "text", "person", "owner", "server"
)  # fmt: skip
OTHER_SECTION = "Other things Kindred keeps"
OTHER_DETAILS = "other details"
ASIDE = "Kindred's bookkeeping"  # steps Kindred keeps track of, set apart from your words
YOU = "you"

STORY_STATUS = {
    "draft": "draft",
    "pending": "waiting for a moderator's review",
    "publishing": "being posted",
    "published": "published",
    "deleted": "deleted by you",
    "removed": "removed by a moderator",
}
SUGGESTION_STATE = {
    "pending": "waiting for a moderator",
    "approved": "approved",
    "rejected": "not used",
}


@dataclass(frozen=True)
class Col:
    column: str
    label: str
    kind: str = TEXT
    words: dict[str, str] | None = None  # stored word -> plain words
    aside: bool = False  # shown under ASIDE: how far Kindred got, not what you said


@dataclass(frozen=True)
class Context:
    guild_id: int
    member_id: int
    zone: str
    tables: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Part:
    """Where one table's rows go: the first Part of the table whose `takes` accepts a row."""

    table: str
    title: str
    one: str  # "victory": how the summary counts one of them
    many: str
    about: str
    columns: tuple[Col, ...]
    takes: Callable[[dict, Context], bool] | None = None
    # Rows already shown in another section (a story's authorship is the story itself).
    shown_elsewhere: Callable[[dict, Context], bool] | None = None


def _own(row: dict, ctx: Context) -> bool:
    return row.get("member_id") == ctx.member_id


def _shared(row: dict, ctx: Context) -> bool:
    return row.get("status") != "draft"


def _story_shown(row: dict, ctx: Context) -> bool:
    ids = {story.get("story_id") for story in ctx.tables.get("stories", [])}
    return (
        row.get("story_id") in ids
        and row.get("author_id") == ctx.member_id
        and row.get("guild_id", ctx.guild_id) == ctx.guild_id
    )


VICTORY = (
    Col("victory_id", "victory number", ID),
    Col("guild_id", "server", SERVER),
    Col("member_id", "member", OWNER),
    Col("author_name", "name shown"),
    Col("text", "what you wrote"),
    Col("value_key", "value"),
    Col("public", "shared publicly", YES_NO),
    Col("channel_id", "channel", ID),
    Col("message_id", "message", ID),
    Col("created_at", "when", TIME),
)
STORY = (
    Col("story_id", "story number", ID),
    Col("guild_id", "server", SERVER),
    Col("title", "title"),
    Col("body", "story"),
    Col("content_warning", "content warning"),
    Col("anonymous", "anonymous", YES_NO),
    Col("consent", "you said it was ready to be read", YES_NO),
    Col("value_key", "value"),
    Col("status", "status", words=STORY_STATUS),
    Col("held_for_care", "held back so moderators could check in with you first", YES_NO),
    Col("created_at", "started", TIME),
    Col("updated_at", "last changed", TIME),
    Col("submitted_at", "sent to moderators", TIME),
    Col("published_at", "published", TIME),
    Col("review_channel_id", "moderators' review channel", ID, aside=True),
    Col("review_message_id", "moderators' review message", ID, aside=True),
    Col("post_channel_id", "channel it was posted in", ID),
    Col("message_id", "message", ID),
    Col("thread_id", "thread", ID),
    Col("replied", "someone has answered it", YES_NO),
    Col("nudged_at", "listeners were reminded of it", TIME, aside=True),
    Col("locked", "its thread is locked", YES_NO),
    Col("decline_reason", "moderator's reason for not posting it"),
    Col("reason_pending", "that reason still has to reach you", YES_NO, aside=True),
    Col("claimed_at", "posting it began", TIME, aside=True),
    Col("care_note_due", "a quiet note to moderators is still to be sent", YES_NO, aside=True),
    Col("reply_claimed_at", "a reply of yours as its author began posting", TIME, aside=True),
    Col("nudge_due", "a reminder to listeners is still to be sent", YES_NO, aside=True),
    Col("guide_due", "the guide below it is still to be posted", YES_NO, aside=True),
)
SUGGESTION = (
    Col("suggestion_id", "suggestion number", ID),
    Col("guild_id", "server", SERVER),
    Col("member_id", "member", OWNER),
    Col("value_key", "value"),
    Col("text", "what you suggested"),
    Col("state", "decision", words=SUGGESTION_STATE),
    Col("created_at", "when", TIME),
    Col("review_channel_id", "moderators' review channel", ID, aside=True),
    Col("review_message_id", "moderators' review message", ID, aside=True),
    Col("decided_by", "decided by", PERSON),
    Col("decided_at", "decided", TIME),
    Col("reason", "moderator's reason"),
    Col("prompt_id", "prompt it became", ID),
    Col("notice_pending", "you are still to be told the decision", YES_NO, aside=True),
)
DECIDED = (
    Col("suggestion_id", "suggestion number", ID),
    Col("guild_id", "server", SERVER),
    Col("member_id", "suggested by", PERSON),
    Col("value_key", "value"),
    Col("text", "what was suggested"),
    Col("state", "your decision", words=SUGGESTION_STATE),
    Col("created_at", "suggested", TIME),
    Col("review_channel_id", "moderators' review channel", ID, aside=True),
    Col("review_message_id", "moderators' review message", ID, aside=True),
    Col("decided_by", "decided by", PERSON),
    Col("decided_at", "when", TIME),
    Col("reason", "your reason"),
    Col("prompt_id", "prompt it became", ID),
    Col("notice_pending", "the member is still to be told", YES_NO, aside=True),
)

PARTS: tuple[Part, ...] = (
    Part("victories", "Victories", "victory", "victories",
         "Victories you celebrated with /celebrate.", VICTORY),
    Part("cheers", "Cheers you gave", "cheer you gave", "cheers you gave",
         "Victories you cheered, and when.",
         (Col("victory_id", "victory you cheered", ID), Col("member_id", "member", OWNER),
          Col("created_at", "when", TIME))),
    Part("stories", "Stories", "story", "stories",
         "Stories you shared with /share, named and anonymous.", STORY, takes=_shared),
    Part("stories", "Drafts", "draft", "drafts",
         "Stories you started with /share and have not posted.", STORY),
    Part("story_authors", "Stories recorded as yours", "story recorded as yours",
         "stories recorded as yours", "Stories Kindred knows you wrote.",
         (Col("story_id", "story number", ID), Col("guild_id", "server", SERVER),
          Col("author_id", "member", OWNER)),
         shown_elsewhere=_story_shown),
    Part("story_replies", "Replies you posted as the author",
         "reply you posted as the author", "replies you posted as the author",
         "Replies Kindred posted for you under your anonymous stories.",
         (Col("message_id", "message", ID), Col("story_id", "story number", ID),
          Col("channel_id", "thread", ID), Col("body", "what you wrote"),
          Col("created_at", "when", TIME))),
    Part("prompt_suggestions", "Suggestions", "suggestion", "suggestions",
         "Prompts you suggested with /suggest.", SUGGESTION, takes=_own),
    Part("prompt_suggestions", "Suggestions you decided as a moderator",
         "suggestion you decided", "suggestions you decided",
         "Your part in deciding other members' suggestions: never their words.", DECIDED),
    Part("guild_prompts", "Prompts you added or suggested", "prompt", "prompts",
         "Prompts in this server's list that you added, or that came from your suggestion.",
         (Col("prompt_id", "prompt number", ID), Col("guild_id", "server", SERVER),
          Col("value_key", "value"), Col("text", "prompt"),
          Col("normalised", "the prompt as compared for repeats", aside=True),
          Col("added_by", "added by", PERSON), Col("suggested_by", "suggested by", PERSON),
          Col("created_at", "added", TIME))),
    Part("crisis_notices", "Support notes shown to you", "support note", "support notes",
         "When Kindred last showed you where to find support. Only the time is kept, "
         "never your words, and it is forgotten after a day.",
         (Col("guild_id", "server", SERVER), Col("member_id", "member", OWNER),
          Col("shown_at", "when", TIME))),
    Part("care_reveals", "Offers to tell moderators it was you", "offer to tell moderators",
         "offers to tell moderators",
         "When something you posted anonymously seemed to need care, Kindred offered to let "
         "the moderators know it was you. Only you could say yes.",
         (Col("reveal_id", "offer number", ID), Col("guild_id", "server", SERVER),
          Col("member_id", "member", OWNER), Col("link", "link to what you wrote"),
          Col("created_at", "offered", TIME), Col("revealed_at", "you said yes", TIME))),
    Part("victory_quote_prefs", "Your settings", "setting", "settings",
         "Choices you made about how Kindred treats your words.",
         (Col("guild_id", "server", SERVER), Col("member_id", "member", OWNER),
          Col("allow", "the weekly digest may quote your public victories", YES_NO))),
)  # fmt: skip
TABLES: dict[str, tuple[Part, ...]] = {}
for _part in PARTS:
    TABLES.setdefault(_part.table, ())
    TABLES[_part.table] += (_part,)
TITLES = tuple(dict.fromkeys(part.title for part in PARTS))
