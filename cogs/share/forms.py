"""The /share forms (compose, reply as author, decline with a note) and how their answers are
read back. They are sent already stopped, so `ShareFlow.on_modal` answers them even after a
restart (discord.py keeps unfinished modals in memory only)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.store.stories import Story
from bot.text import LABEL_LIMIT, MODAL_TITLE_LIMIT
from cogs.share import story_rules as stories

COMPOSE, REPLY, DECLINE = "compose", "reply-send", "decline-reason"
MODAL_ID = re.compile(r"^kindred:story:(?P<kind>compose|reply-send|decline-reason):(?P<id>\d+)$")


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
