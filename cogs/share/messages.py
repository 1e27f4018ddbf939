"""What /share looks like on Discord: the story post, the preview, the review card, the
values guide, /mystories pages, and the buttons they carry.

Every button's custom id carries an action and a story id only (`kindred:story:approve:12`),
never who wrote the story. This module only draws them; `buttons.py` answers a press, and
`ShareFlow` checks on the server who may press it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord

from bot.library import Value
from bot.render import kind_embed
from bot.store.stories import DRAFT, PENDING, PUBLISHED, REPLY_MARKER, STORY_MARKER, Story
from bot.text import EMBED_DESCRIPTION_LIMIT, KINDRED_COLOUR, clip
from bot.ui import dynamic_view
from cogs.share import story_rules as stories

# action -> (label, style); buttons.py maps each action to the step of the flow that answers it.
ACTIONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "post": ("Post", discord.ButtonStyle.success),
    "edit": ("Edit", discord.ButtonStyle.secondary),
    "discard": ("Discard", discord.ButtonStyle.danger),
    "new": ("Start a new story", discord.ButtonStyle.secondary),
    "approve": ("Approve", discord.ButtonStyle.success),
    "decline": ("Decline", discord.ButtonStyle.danger),
    "reply": ("Reply as author", discord.ButtonStyle.primary),
    "delete": ("Delete", discord.ButtonStyle.danger),
    "confirm-delete": ("Yes, remove it", discord.ButtonStyle.danger),
    "lock": ("Lock replies", discord.ButtonStyle.secondary),
    "page": ("Next", discord.ButtonStyle.secondary),  # the id is the page to show
}
STORY_BUTTON_ID = rf"^kindred:story:(?P<action>{'|'.join(ACTIONS)}):(?P<id>\d+)$"
VALUE_SELECT_ID = r"^kindred:story:value:(?P<id>\d+)$"


def story_button(
    action: str, story_id: int = 0, *, label: str | None = None, disabled: bool = False
) -> discord.ui.Button:
    """Every story button; `new` uses story id 0. Pressed, it reaches `buttons.StoryButton`."""
    default_label, style = ACTIONS[action]
    return discord.ui.Button(
        label=label or default_label,
        style=style,
        custom_id=f"kindred:story:{action}:{story_id}",
        disabled=disabled,
    )


def value_select(story_id: int, values: Iterable[Value], chosen: str | None = None):
    """Which value does this story speak to? Chosen on the preview."""
    options = [
        discord.SelectOption(
            label=clip(value.name, 100),
            value=value.key,
            emoji=value.emoji or None,
            description=clip(value.description, 100),
            default=value.key == chosen,
        )
        for value in list(values)[:25]
    ]
    return discord.ui.Select(
        custom_id=f"kindred:story:value:{story_id}",
        placeholder="Which value does your story speak to?",
        options=options,
    )


# ----- the story, as the community and the moderators see it ---------------------------------
def byline(story: Story, author_id: int | None) -> str:
    if story.anonymous or author_id is None:
        return stories.ANONYMOUS_NAME
    return f"<@{author_id}>"


def post_content(story: Story, value: Value | None, by: str) -> str:
    badge = value.badge if value else "💬 Story"
    lines = [f"{badge} · shared by {by}"]
    if story.content_warning:
        lines.append(f"⚠️ **Content warning:** {story.content_warning}")
    return "\n".join(lines)


def story_marker(story_id: int) -> str:
    """The footer that lets Kindred recognise its own post of a story (forum posts take no
    nonce, so a retry after a timeout looks for it first; erase sweeps by it too)."""
    return STORY_MARKER.format(story_id=story_id)


def story_embed(story: Story, value: Value | None) -> discord.Embed:
    embed = kind_embed(story.title or "Untitled")
    embed.set_footer(text=story_marker(story.story_id))
    # Posting refuses a story that doesn't fit; clipping here only keeps its preview sendable.
    embed.description = clip(
        stories.story_description(story.body, story.content_warning), EMBED_DESCRIPTION_LIMIT
    )
    if value is not None:
        embed.colour = value.colour
    return embed


def guide_embed(story: Story) -> discord.Embed:
    text = "\n\n".join(stories.VALUES_GUIDE)
    if story.anonymous:
        text += (
            f"\n\nThe author shared this anonymously; they may answer here as "
            f"**{stories.ORIGINAL_POSTER}**."
        )
    return kind_embed(stories.GUIDE_TITLE, text)


def guide_view(story: Story) -> discord.ui.View | None:
    return dynamic_view(story_button("reply", story.story_id)) if story.anonymous else None


def author_reply_embed(text: str, value: Value | None, story_id: int) -> discord.Embed:
    """The footer lets erase find a reply whose id a stop kept from being recorded."""
    embed = kind_embed(None, text, colour=value.colour if value else KINDRED_COLOUR)
    embed.set_author(name=stories.ORIGINAL_POSTER)
    embed.set_footer(text=REPLY_MARKER.format(story_id=story_id))
    return embed


def preview(
    story: Story, value: Value | None, by: str, *, reviewed: bool, library_values: Iterable[Value]
) -> dict[str, Any]:
    """The ephemeral preview: the post exactly as it will appear, then what is left to do."""
    notes = [
        f"⚠️ {problem} Press **Edit** to change it."
        for problem in stories.problems(stories.text_of(story))
    ]
    if story.consent:
        notes.append("✅ You're ready for this to be read by the community.")
    else:
        notes.append(
            "⬜ You haven't ticked **Ready to share?** yet. There's no rush: your draft is "
            "saved, and you can press **Edit** whenever you're ready."
        )
    notes.append(
        f"🏷️ Speaks to **{value.badge}**."
        if value
        else "🏷️ Choose which value your story speaks to, just below."
    )
    notes.append(
        f"🕶️ Posted as **{stories.ANONYMOUS_NAME}**: nobody, moderators included, sees your name."
        if story.anonymous
        else "🙂 Posted under your name."
    )
    if story.held_for_care:
        notes.append(
            "🤍 Some of your words sound really heavy, so a moderator will gently read this "
            "before it's shared. You're not in trouble, and you're not alone."
        )
    elif reviewed:
        notes.append("👀 A moderator reads every story here before it's shared.")
    content = (
        "-# Preview: only you can see this. Your story will look exactly like this:\n"
        + post_content(story, value, by)
    )
    view = dynamic_view(
        value_select(story.story_id, library_values, story.value_key),
        story_button("post", story.story_id),
        story_button("edit", story.story_id),
        story_button("discard", story.story_id),
    )
    embeds = [story_embed(story, value), kind_embed("Before you post", "\n".join(notes))]
    return {"content": content, "embeds": embeds, "view": view}


def review_card(story: Story, value: Value | None, by: str) -> dict[str, Any]:
    """The moderators' copy in the review queue: no author for anonymous stories."""
    lines = [f"📝 **Story #{story.story_id} is waiting for review**"]
    if story.held_for_care:
        lines.append(stories.CARE_BANNER)
    lines.append(post_content(story, value, by))
    view = dynamic_view(
        story_button("approve", story.story_id), story_button("decline", story.story_id)
    )
    return {"content": "\n".join(lines), "embeds": [story_embed(story, value)], "view": view}


def draft_offer(story: Story) -> dict[str, Any]:
    when = discord.utils.format_dt(story.updated_at, "R")
    text = (
        f"You have an unfinished story, **{clip(story.title or 'Untitled', 100)}**, saved {when}."
    )
    view = dynamic_view(
        story_button("edit", story.story_id, label="Continue your draft"), story_button("new")
    )
    return {"content": text, "view": view}


def declined_notice(declined: list[Story], guild_name: str) -> str:
    lines = []
    for story in declined:
        lines.append(
            f"A moderator of **{guild_name}** read your story **{clip(story.title, 100)}** and "
            f"didn't share it this time. Their note:\n> "
            + clip(story.decline_reason or "", 1500).replace("\n", "\n> ")
        )
    lines.append(
        "Your words are safe: they're back in your drafts, so you can edit and resubmit, "
        "or discard them."
    )
    return clip("\n\n".join(lines), 2000)


# ----- /mystories -----------------------------------------------------------------------------
def mystory_embed(story: Story, value: Value | None, guild_id: int) -> discord.Embed:
    embed = story_embed(story, value)
    if not story.body:
        embed.description = "*Your words were erased.*"
    elif story.content_warning:
        embed.description = stories.spoiler(clip(story.body, 300))
    else:
        embed.description = clip(story.body, 300)
    embed.add_field(name="Status", value=stories.STATUS_LABELS.get(story.status, story.status))
    embed.add_field(name="Posted as", value="Anonymously" if story.anonymous else "My name")
    if value:
        embed.add_field(name="Value", value=value.badge)
    if story.thread_id and story.status == PUBLISHED:
        link = f"https://discord.com/channels/{guild_id}/{story.thread_id}"
        embed.add_field(name="Thread", value=link, inline=False)
    if story.locked and story.status == PUBLISHED:
        embed.add_field(name="Replies", value="Locked")
    embed.timestamp = story.published_at or story.created_at
    return embed


def mystory_items(story: Story) -> list[discord.ui.Item]:
    items: list[discord.ui.Item] = []
    if story.status == DRAFT:
        items.append(story_button("edit", story.story_id, label="Continue"))
    if story.status in (DRAFT, PENDING, PUBLISHED):
        items.append(story_button("delete", story.story_id))
    if story.status == PUBLISHED:
        items.append(story_button("lock", story.story_id, disabled=story.locked))
    return items


def mystories_page(
    mine: list[Story], index: int, values: dict[str, Value], guild_id: int
) -> dict[str, Any]:
    """Page `index` of the member's stories: one story, its buttons, and Previous / Next
    (DynamicItems too, so the list works after a restart and holds nothing in memory)."""
    index = max(0, min(len(mine) - 1, index))
    story = mine[index]
    embed = mystory_embed(story, values.get(story.value_key or ""), guild_id)
    items = mystory_items(story)
    if len(mine) > 1:
        embed.set_footer(text=f"Story {index + 1} of {len(mine)}")
        items.append(story_button("page", max(index - 1, 0), label="Previous", disabled=index == 0))
        last = len(mine) - 1
        items.append(
            story_button("page", min(index + 1, last), label="Next", disabled=index == last)
        )
    return {"embed": embed, "view": dynamic_view(*items)}
