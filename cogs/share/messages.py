"""What /share looks like on Discord: the modals, the story post, the preview, the review
card, /mystories pages, and the buttons that outlive restarts.

Every button is one `StoryButton` DynamicItem whose custom id carries an action and a story
id only (`kindred:story:approve:12`), never who wrote the story; it hands the click to
`ShareFlow`, which checks on the server who may press it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot.library import Value
from bot.render import (
    EMBED_DESCRIPTION_LIMIT,
    KINDRED_COLOUR,
    LABEL_LIMIT,
    MODAL_TITLE_LIMIT,
    clip,
    kind_embed,
)
from bot.store.stories import DRAFT, PENDING, PUBLISHED, REPLY_MARKER, STORY_MARKER, Story
from bot.ui import KindDynamicItem, dynamic_view
from cogs.share import story_rules as stories

if TYPE_CHECKING:
    from cogs.share.flow import ShareFlow

COMPOSE, REPLY, DECLINE = "compose", "reply-send", "decline-reason"
MODAL_ID = re.compile(r"^kindred:story:(?P<kind>compose|reply-send|decline-reason):(?P<id>\d+)$")

# action -> (label, style); the flow answers each with `on_<action>`.
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


def _flow(interaction: discord.Interaction) -> ShareFlow:
    # ShareFlow renders these items, so it is imported here rather than at the top.
    from cogs.share.flow import ShareFlow

    return ShareFlow(interaction.client)


class StoryButton(
    KindDynamicItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"^kindred:story:(?P<action>{'|'.join(ACTIONS)}):(?P<id>\d+)$",
):
    """Every story button; `new` uses story id 0."""

    def __init__(
        self, action: str, story_id: int = 0, *, label: str | None = None, disabled: bool = False
    ):
        default_label, style = ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=label or default_label,
                style=style,
                custom_id=f"kindred:story:{action}:{story_id}",
                disabled=disabled,
            )
        )
        self.action, self.story_id = action, story_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> StoryButton:
        return cls(match["action"], int(match["id"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        handler = getattr(_flow(interaction), "on_" + self.action.replace("-", "_"))
        await handler(interaction, self.story_id)


class ValueSelect(
    KindDynamicItem,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"^kindred:story:value:(?P<id>\d+)$",
):
    """Which value does this story speak to? Chosen on the preview."""

    def __init__(self, story_id: int, values: Iterable[Value], chosen: str | None = None):
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
        super().__init__(
            discord.ui.Select(
                custom_id=f"kindred:story:value:{story_id}",
                placeholder="Which value does your story speak to?",
                options=options,
            )
        )
        self.story_id = story_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]) -> ValueSelect:
        return cls(int(match["id"]), interaction.client.library.values)

    async def handle(self, interaction: discord.Interaction) -> None:
        await _flow(interaction).on_value(interaction, self.story_id, self.item.values[0])


# ----- modals (sent already stopped: ShareFlow answers them, so they survive restarts) ------
def _label(text: str, component: discord.ui.Item, description: str | None = None):
    assert len(text) <= LABEL_LIMIT
    return discord.ui.Label(text=text, description=description, component=component)


def _stateless(modal: discord.ui.Modal) -> discord.ui.Modal:
    """discord.py keeps unfinished modals in memory only; a stopped one is not kept, and the
    cog's interaction listener answers its submit, even after a restart."""
    assert len(modal.title) <= MODAL_TITLE_LIMIT
    modal.stop()
    return modal


def compose_modal(story: Story | None) -> discord.ui.Modal:
    """The /share form; pre-filled when continuing a draft."""
    modal = discord.ui.Modal(
        title="Continue your draft" if story else "Share your story",
        custom_id=f"kindred:story:{COMPOSE}:{story.story_id if story else 0}",
    )
    anonymous = story.anonymous if story else None
    modal.add_item(
        _label(
            "Your story",
            discord.ui.TextInput(
                custom_id="story",
                style=discord.TextStyle.paragraph,
                min_length=stories.STORY_MIN,
                max_length=stories.STORY_MAX,
                default=story.body if story else None,
            ),
            f"{stories.STORY_MIN}–{stories.STORY_MAX} characters. Markdown works; nobody is pinged.",
        )
    )
    modal.add_item(
        _label(
            "Title",
            discord.ui.TextInput(
                custom_id="title",
                max_length=stories.TITLE_MAX,
                default=story.title if story else None,
            ),
            f"Up to {stories.TITLE_MAX} characters. It also names the thread.",
        )
    )
    modal.add_item(
        _label(
            "Content warning (optional)",
            discord.ui.TextInput(
                custom_id="content_warning",
                required=False,
                max_length=stories.WARNING_MAX,
                default=(story.content_warning or None) if story else None,
                placeholder="e.g. grief, relapse, self-harm",
            ),
            "If you add one, your story is hidden behind a spoiler.",
        )
    )
    modal.add_item(
        _label(
            "Post as",
            discord.ui.RadioGroup(
                custom_id="post_as",
                options=[
                    discord.RadioGroupOption(
                        label="My name", value="named", default=anonymous is False
                    ),
                    discord.RadioGroupOption(
                        label="Anonymously", value="anonymous", default=anonymous is True
                    ),
                ],
            ),
            "Anonymous stories never show your name, not even to moderators.",
        )
    )
    modal.add_item(
        _label(
            "Ready to share?",
            discord.ui.Checkbox(custom_id="consent", default=story.consent if story else False),
            "I'm ready for this to be read by the community",
        )
    )
    return _stateless(modal)


def reply_modal(story_id: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title="Reply as the original poster", custom_id=f"kindred:story:{REPLY}:{story_id}"
    )
    modal.add_item(
        _label(
            "Your reply",
            discord.ui.TextInput(
                custom_id="reply", style=discord.TextStyle.paragraph, max_length=stories.REPLY_MAX
            ),
            f"Posted as “{stories.ORIGINAL_POSTER}”; your name stays hidden.",
        )
    )
    return _stateless(modal)


def decline_modal(story_id: int) -> discord.ui.Modal:
    modal = discord.ui.Modal(
        title=f"Decline story #{story_id}", custom_id=f"kindred:story:{DECLINE}:{story_id}"
    )
    modal.add_item(
        _label(
            "A note for the author",
            discord.ui.TextInput(
                custom_id="reason", style=discord.TextStyle.paragraph, max_length=stories.REASON_MAX
            ),
            "Sent to them privately. Be kind: they shared something personal.",
        )
    )
    return _stateless(modal)


def modal_values(components: list[dict[str, Any]]) -> dict[str, Any]:
    """custom_id -> submitted value, from a modal submit in any shape (Label or row)."""
    found: dict[str, Any] = {}
    for component in components or []:
        if "component" in component:
            found.update(modal_values([component["component"]]))
        if "components" in component:
            found.update(modal_values(component["components"]))
        if "custom_id" in component:
            found[component["custom_id"]] = component.get("value", component.get("values"))
    return found


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
    return dynamic_view(StoryButton("reply", story.story_id)) if story.anonymous else None


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
        ValueSelect(story.story_id, library_values, story.value_key),
        StoryButton("post", story.story_id),
        StoryButton("edit", story.story_id),
        StoryButton("discard", story.story_id),
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
        StoryButton("approve", story.story_id), StoryButton("decline", story.story_id)
    )
    return {"content": "\n".join(lines), "embeds": [story_embed(story, value)], "view": view}


def draft_offer(story: Story) -> dict[str, Any]:
    when = discord.utils.format_dt(story.updated_at, "R")
    text = (
        f"You have an unfinished story, **{clip(story.title or 'Untitled', 100)}**, saved {when}."
    )
    view = dynamic_view(
        StoryButton("edit", story.story_id, label="Continue your draft"), StoryButton("new")
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
        items.append(StoryButton("edit", story.story_id, label="Continue"))
    if story.status in (DRAFT, PENDING, PUBLISHED):
        items.append(StoryButton("delete", story.story_id))
    if story.status == PUBLISHED:
        items.append(StoryButton("lock", story.story_id, disabled=story.locked))
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
        items.append(StoryButton("page", max(index - 1, 0), label="Previous", disabled=index == 0))
        last = len(mine) - 1
        items.append(
            StoryButton("page", min(index + 1, last), label="Next", disabled=index == last)
        )
    return {"embed": embed, "view": dynamic_view(*items)}
