"""Base views and modals whose errors reach the member as one kind sentence."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import discord

from bot.errors import Refusal, report_error

# What a member is told when a button or form of ours names something that cannot exist
# (a garbled or forged custom id): Discord would otherwise say "This interaction failed".
UNKNOWN_BUTTON = (
    "I don't recognise this button or form, so nothing was changed. It may be from an old "
    "message; using the command again gives you fresh buttons."
)
# Ids are SQLite integers (64-bit); a longer number in a custom id can only be forged, and
# would fail inside the database instead of being refused.
LARGEST_ID = 2**63 - 1
_NUMBER = re.compile(r"[0-9]+")


def impossible_id(custom_id: str) -> bool:
    """True for a custom id Kindred cannot have made: ours are ASCII (a template's `\\d`
    also matches other scripts' digits) and their numbers fit in SQLite's integers."""
    custom_id = custom_id or ""
    return not custom_id.isascii() or any(
        int(number) > LARGEST_ID for number in _NUMBER.findall(custom_id)
    )


NOT_RUNNING = (
    "{feature} isn't running right now, so nothing was changed; please try again in a minute."
)


def running_cog(interaction: discord.Interaction, name: str, feature: str) -> Any:
    """The loaded cog whose state a button needs (a flow's edit queue, a poster, a lock);
    a kind refusal while the feature is being reloaded."""
    cog = interaction.client.get_cog(name)
    if cog is None:
        raise Refusal(NOT_RUNNING.format(feature=feature))
    return cog


class KindView(discord.ui.View):
    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:
        await report_error(interaction, error)


class KindLayoutView(discord.ui.LayoutView):
    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:
        await report_error(interaction, error)


class KindModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error)


class KindDynamicItem:
    """Mixin for DynamicItems: discord.py only logs their errors, so we answer the member.

    Subclasses implement `handle(interaction)` instead of `callback`.
    """

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            if impossible_id(str((interaction.data or {}).get("custom_id", ""))):
                raise Refusal(UNKNOWN_BUTTON)
            await self.handle(interaction)
        except Exception as error:  # every failure gets its kind sentence
            await report_error(interaction, error)

    async def handle(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class IdButton(KindDynamicItem):
    """Mixin for a button whose custom id is `prefix` + one number, answered after restarts.

    class Cheer(IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:cheer:"):
        label, emoji = "Cheer", "👏"
        async def handle(self, interaction): ...  # the number is self.item_id
    """

    prefix: ClassVar[str]
    label: ClassVar[str] = ""
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    emoji: ClassVar[str | None] = None

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        cls.prefix = prefix
        super().__init_subclass__(template=re.escape(prefix) + r"(?P<id>[0-9]+)", **kwargs)

    def __init__(self, item_id: int, *, label: str | None = None) -> None:
        button = discord.ui.Button(
            label=label or self.label,
            style=self.style,
            emoji=self.emoji,
            custom_id=f"{self.prefix}{item_id}",
        )
        super().__init__(button)
        self.item_id = item_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> IdButton:
        return cls(int(match["id"]))


class Pages(KindView):
    """Prev/Next over embeds for ephemeral lists. Ephemeral messages do not outlive the
    session, so an in-memory view with a timeout is right here."""

    def __init__(self, pages: list[discord.Embed], *, owner_id: int, timeout: float = 600):
        super().__init__(timeout=timeout)
        self.pages, self.owner_id, self.index = pages, owner_id, 0
        for number, page in enumerate(pages, start=1):
            if len(pages) > 1:
                page.set_footer(text=f"Page {number} of {len(pages)}")
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._show(interaction, +1)


async def send_pages(interaction: discord.Interaction, pages: list[discord.Embed]) -> None:
    """Send embeds ephemerally, with Prev/Next only when there is more than one page."""
    if len(pages) == 1:
        await interaction.response.send_message(embed=pages[0], ephemeral=True)
        return
    view = Pages(pages, owner_id=interaction.user.id)
    await interaction.response.send_message(embed=pages[0], view=view, ephemeral=True)


async def think(interaction: discord.Interaction) -> None:
    """For a command that needs several trips to the database before it can say anything
    (a moderator's settings page, an erase's counts): Discord hears back at once, and the
    member sees "thinking" until `answer` replaces it. Refusals after it arrive privately too."""
    await interaction.response.defer(ephemeral=True, thinking=True)


async def answer(interaction: discord.Interaction, content: str | None = None, **message: Any):
    """The private answer, whether or not the command said `think` first."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **message)
    else:
        await interaction.response.send_message(content, ephemeral=True, **message)


def dynamic_view(*items: discord.ui.Item) -> discord.ui.View:
    """A view of DynamicItems only, to send. They are dispatched by custom id (and survive
    restarts), so the view needs no in-memory listener: it is finished before it is sent,
    and discord.py neither stores it nor starts a 15-minute timeout task for it.

    A stored view would also be harmful: discord.py gives an ephemeral message's view a
    15-minute timeout, and a stored view that times out unregisters the DynamicItem
    templates it holds, for every message."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view
