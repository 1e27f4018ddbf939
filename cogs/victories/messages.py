"""Victories as members see them: the public card and its Cheer button, the history pages
and their buttons, and the sentences Kindred answers with.

Buttons are drawn here with custom ids that carry what they act on, so they work after a
restart (`buttons.py` answers them): `kindred:cheer:<victory>`; history pages
`kindred:victories:page:<member>:<a|b><id>:<n>` (the page just After or Before a victory
id, page number n); on your own entries
`kindred:victories:remove|confirm|keep:<victory>:<page's before-id, 0 = newest>:<n>`; and
`kindred:victories:publish:<victory>` on a victory kept private for care.
"""

from __future__ import annotations

import discord

from bot.errors import permission_names
from bot.library import Library, Value
from bot.render import kind_embed
from bot.store.victories import Victory
from bot.text import KINDRED_COLOUR, clip
from bot.ui import dynamic_view
from cogs.victories.victory_rules import LINE_TEXT_LIMIT, HistoryPage, jump_url

CHEER_EMOJI = "👏"
VICTORY_ACTIONS = {  # action on your own entry -> (label, style)
    "remove": ("Remove", discord.ButtonStyle.danger),
    "confirm": ("Yes, remove it", discord.ButtonStyle.danger),
    "keep": ("Keep it", discord.ButtonStyle.secondary),
}


def on_its_way_text(victory_id: int, where: str) -> str:
    return (
        f"Thank you for sharing! 🎉 Your victory #{victory_id} is on its way to {where}, "
        "where everyone can cheer it on.\n"
        "Public victories may be quoted, with your name, in the weekly digest; "
        "`/celebrate-quotes` lets you choose."
    )


def kept_for_care_text(victory_id: int) -> str:
    """Why a public victory with heavy words was kept private, said gently."""
    return (
        f"I've kept victory #{victory_id} in your private history for now instead of posting "
        "it: some of your words sounded really heavy, and I'd rather you chose again, with "
        "a moment to think, before the whole server sees them. It is saved, and it still "
        "counts. If you'd like it cheered publicly, press the button below; only you can."
    )


def cheer_label(count: int) -> str:
    return "Cheer" if count <= 0 else f"Cheer · {count}"


def victory_card(victory: Victory, value: Value | None) -> discord.Embed:
    """The public post: the member's name as plain text (never a mention), their words,
    the value they lived. Embeds never ping, whatever the text holds."""
    embed = kind_embed(description=victory.text, colour=value.colour if value else KINDRED_COLOUR)
    embed.set_author(name=clip(f"{victory.author_name} is celebrating a victory", 256))
    if value is not None:
        embed.add_field(name="Value lived", value=value.badge, inline=True)
    embed.set_footer(text=f"Victory #{victory.victory_id} · Cheer them on below")
    embed.timestamp = victory.created_at
    return embed


def history_embed(history: HistoryPage, name: str, library: Library) -> discord.Embed:
    if history.own:
        title = "Your victories"
        empty = (
            "You haven't celebrated a victory here yet. Use `/celebrate` to save your first "
            "one: small wins count too. 🌱"
        )
    else:
        title = f"{name}'s public victories"
        empty = f"{name} hasn't shared a public victory yet."
    if not history.entries:
        return kind_embed(title, empty)
    blocks = []
    for victory in history.entries:
        value = library.value(victory.value_key) if victory.value_key else None
        parts = [f"**#{victory.victory_id}**", f"<t:{int(victory.created_at.timestamp())}:D>"]
        if value is not None:
            parts.append(value.badge)
        if victory.cheers:
            parts.append(f"{CHEER_EMOJI} {victory.cheers}")
        if not victory.public:
            parts.append("🔒 just you")
        link = jump_url(victory.guild_id, victory.channel_id, victory.message_id)
        if link:
            parts.append(f"[post]({link})")
        quoted = "\n".join(f"> {line}" for line in clip(victory.text, LINE_TEXT_LIMIT).splitlines())
        blocks.append(" · ".join(parts) + "\n" + quoted)
    embed = kind_embed(title, "\n\n".join(blocks))
    several = history.has_newer or history.has_older
    parts = [f"Page {history.number}"] if several else []
    if history.own:
        parts.append("Entries marked 🔒 are seen by you alone")
    else:
        parts.append("Only public victories are shown")
    footer = " · ".join(parts)
    embed.set_footer(text=footer)
    return embed


def removal_embed(victory: Victory) -> discord.Embed:
    where = (
        f" and deletes its post in <#{victory.channel_id}>"
        if victory.public and victory.channel_id
        else ""
    )
    embed = kind_embed(
        f"Remove victory #{victory.victory_id}?",
        f"> {clip(victory.text, LINE_TEXT_LIMIT)}\n\nThis removes it from your history{where}, "
        "with any cheers on it. It can't be undone.",
    )
    return embed


def missing_text(channel, missing: list[str], victory_id: int) -> str:
    return (
        f"I couldn't post in {channel.mention}: I'm missing the {permission_names(missing)} "
        "permission there (a moderator can grant it). I kept your victory safe in your "
        f"private history as #{victory_id}; `/victories` shows it."
    )


def not_posted_text(victory_id: int, channel, *, passing: bool) -> str:
    """The card was refused (`passing`: Discord's trouble, after every retry)."""
    kept = f"I kept your victory #{victory_id} safe in your private history; `/victories` shows it."
    if passing:
        return (
            f"Discord is having trouble right now, so I couldn't post in {channel.mention}. {kept}"
        )
    return (
        f"Discord didn't let me post in {channel.mention}, so {kept} "
        "A moderator can check Kindred's permissions there."
    )


def removed_notice(
    server: str | None, victory: Victory, reason: str | None, *, heavy: bool
) -> discord.Embed:
    """The author's private note when a moderator removed their victory."""
    server = discord.utils.escape_markdown(server) if server else "the server"
    text = (
        f"A moderator of **{server}** removed victory #{victory.victory_id}, which you shared there"
    )
    # Heavy words are never quoted back: the member reads this alone, maybe on a bad day.
    text += "." if heavy else f":\n> {clip(victory.text, 500)}"
    if reason:
        text += f"\n\n**Reason:** {reason}"
    text += "\n\nIf you'd like to talk about it, the moderators are there for you."
    return kind_embed("Your victory was removed", text)


# ----- buttons (drawn here, answered in buttons.py) ---------------------------------------------
def cheer_view(victory_id: int, count: int) -> discord.ui.View:
    return dynamic_view(
        discord.ui.Button(
            label=cheer_label(count),
            emoji=CHEER_EMOJI,
            style=discord.ButtonStyle.secondary,
            custom_id=f"kindred:cheer:{victory_id}",
        )
    )


def share_publicly_view(victory_id: int) -> discord.ui.View:
    """On a victory kept private because its words sounded heavy: its author may post it."""
    return dynamic_view(
        discord.ui.Button(
            label="Share it publicly anyway",
            emoji="🎉",
            style=discord.ButtonStyle.secondary,
            custom_id=f"kindred:victories:publish:{victory_id}",
        )
    )


def page_button(member_id: int, direction: str, cursor: int, number: int, **button):
    """Newer (`a`: just after a victory id) or Older (`b`: before one) page of a history."""
    return discord.ui.Button(
        style=discord.ButtonStyle.secondary,
        custom_id=f"kindred:victories:page:{member_id}:{direction}{cursor}:{number}",
        **button,
    )


def victory_button(action: str, victory_id: int, before: int, number: int, label: str = ""):
    """Remove / confirm / keep one of your own victories, then return to the page it was on
    (`before`: that page's keyset bound, 0 for the newest page; `number`: its page number)."""
    default_label, style = VICTORY_ACTIONS[action]
    return discord.ui.Button(
        label=label or default_label,
        style=style,
        custom_id=f"kindred:victories:{action}:{victory_id}:{before}:{number}",
    )


def removal_view(victory_id: int, before: int, number: int) -> discord.ui.View:
    return dynamic_view(
        victory_button("confirm", victory_id, before, number),
        victory_button("keep", victory_id, before, number),
    )


def history_view(history: HistoryPage) -> discord.ui.View | None:
    items: list[discord.ui.Item] = []
    if history.own:
        items += [
            victory_button(
                "remove", v.victory_id, history.before, history.number, f"Remove #{v.victory_id}"
            )
            for v in history.entries
        ]
    if history.entries and (history.has_newer or history.has_older):
        first, last = history.entries[0].victory_id, history.entries[-1].victory_id
        newer = page_button(
            history.member_id, "a", first, max(history.number - 1, 1), label="Newer",
            disabled=not history.has_newer, row=1,
        )  # fmt: skip
        older = page_button(
            history.member_id, "b", last, history.number + 1, label="Older",
            disabled=not history.has_older, row=1,
        )  # fmt: skip
        items += [newer, older]
    return dynamic_view(*items) if items else None
