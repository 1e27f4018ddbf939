"""/celebrate, the Cheer button, /victories, /celebrate-quotes, /celebrations and the weekly digest.

Buttons are DynamicItems whose custom ids carry what they act on, so they work after a
restart: `kindred:cheer:<victory>`; history pages `kindred:victories:page:<member>:<a|b><id>:<n>`
(the page just After or Before a victory id, page number n); and on your own entries
`kindred:victories:remove|confirm|keep:<victory>:<page's before-id, 0 = newest>:<n>`.
Opting out of digest quotes is its own small command, `/celebrate-quotes allow:`, so that
`/victories [member:]` stays a plain history.

A public victory's card is posted in recorded steps (cogs/victories/cards.py `VictoryCards`);
one a stopped process left on its way is finished on start by the recovery loop, recorded
by the next press of its Cheer button, and found and deleted by a removal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import sqlite3
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.care import alert_moderators, answer_care, assess_texts
from bot.checks import ModeratorGroup, missing_permissions, require_can_post
from bot.client import KindredBot
from bot.errors import Refusal, permission_names
from bot.recovery import FinishesHalfDone
from bot.render import clip, kind_embed
from bot.safety import needs_care
from bot.schedule import TIME_ERROR
from bot.sendqueue import NETWORK_ERRORS, LatestOnly, shared_queue, transient
from bot.store.victories import CheerStatus
from bot.ui import IdButton, KindDynamicItem, dynamic_view
from bot.visible import shown
from cogs.victories import messages as rules
from cogs.victories.cards import DIGEST_PERMISSIONS, DigestPoster, VictoryCards
from cogs.victories.digest_rules import DAY_NAMES, schedule_text

log = logging.getLogger("kindred.victories")

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NONE = discord.AllowedMentions.none()
GONE = "That victory has been removed, so there's nothing to do here any more."
REASON_LIMIT = 300  # a moderator's reason for removing a victory


def _cog(interaction: discord.Interaction) -> Victories:
    cog = interaction.client.get_cog("Victories")
    if cog is None:
        raise RuntimeError("the victories feature is not loaded")
    return cog


# ----- buttons that survive restarts -------------------------------------------------------
class Cheer(IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:cheer:"):
    emoji = rules.CHEER_EMOJI

    def __init__(self, victory_id: int, count: int = 0):
        super().__init__(victory_id, label=rules.cheer_label(count))

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).cheer(interaction, self.item_id)


class HistoryPage(KindDynamicItem, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:page:(?P<member>[0-9]+):(?P<dir>[ab])(?P<cursor>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    """Newer (`a`: just after a victory id) or Older (`b`: before one) page of a history."""

    def __init__(self, member_id: int, direction: str, cursor: int, number: int, **button):
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:victories:page:{member_id}:{direction}{cursor}:{number}",
                **button,
            )
        )
        self.member_id, self.direction, self.cursor, self.number = (
            member_id, direction, cursor, number,
        )  # fmt: skip

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["member"]), match["dir"], int(match["cursor"]), int(match["n"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        where = {"after": self.cursor} if self.direction == "a" else {"before": self.cursor}
        await _cog(interaction).turn_page(interaction, self.member_id, self.number, **where)


class _VictoryButton(KindDynamicItem):
    """Remove / confirm / keep one of your own victories, then return to the page it was on
    (`before`: that page's keyset bound, 0 for the newest page; `number`: its page number)."""

    _action = ""
    _label = ""
    _style = discord.ButtonStyle.secondary

    def __init__(self, victory_id: int, before: int, number: int, label: str | None = None):
        super().__init__(
            discord.ui.Button(
                label=label or self._label,
                style=self._style,
                custom_id=f"kindred:victories:{self._action}:{victory_id}:{before}:{number}",
            )
        )
        self.victory_id, self.before, self.number = victory_id, before, number

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str]):
        return cls(int(match["id"]), int(match["before"]), int(match["n"]))


class RemoveVictory(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:remove:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action, _label, _style = "remove", "Remove", discord.ButtonStyle.danger

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).ask_remove(interaction, self.victory_id, self.before, self.number)


class ConfirmRemove(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:confirm:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action, _label, _style = "confirm", "Yes, remove it", discord.ButtonStyle.danger

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).confirm_remove(
            interaction, self.victory_id, self.before, self.number
        )


class KeepVictory(_VictoryButton, discord.ui.DynamicItem[discord.ui.Button], template=r"kindred:victories:keep:(?P<id>[0-9]+):(?P<before>[0-9]+):(?P<n>[0-9]+)"):  # fmt: skip
    _action, _label = "keep", "Keep it"

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).turn_page(
            interaction,
            interaction.user.id,
            self.number,
            before=self.before or None,
            notice="Kept. Nothing was changed.",
        )


class SharePublicly(
    IdButton, discord.ui.DynamicItem[discord.ui.Button], prefix="kindred:victories:publish:"
):
    """On a victory kept private because its words sounded heavy: its author may post it."""

    label, emoji = "Share it publicly anyway", "🎉"

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).share_publicly(interaction, self.item_id)


DYNAMIC_ITEMS = (Cheer, HistoryPage, RemoveVictory, ConfirmRemove, KeepVictory, SharePublicly)


def cheer_view(victory_id: int, count: int) -> discord.ui.View:
    return dynamic_view(Cheer(victory_id, count))


def history_view(history: rules.HistoryPage) -> discord.ui.View | None:
    items: list[discord.ui.Item] = []
    if history.own:
        items += [
            RemoveVictory(v.victory_id, history.before, history.number, f"Remove #{v.victory_id}")
            for v in history.entries
        ]
    if history.entries and (history.has_newer or history.has_older):
        first, last = history.entries[0].victory_id, history.entries[-1].victory_id
        newer = HistoryPage(
            history.member_id, "a", first, max(history.number - 1, 1), label="Newer",
            disabled=not history.has_newer, row=1,
        )  # fmt: skip
        older = HistoryPage(
            history.member_id, "b", last, history.number + 1, label="Older",
            disabled=not history.has_older, row=1,
        )  # fmt: skip
        items += [newer, older]
    return dynamic_view(*items) if items else None


class Victories(FinishesHalfDone, commands.Cog):
    half_done = "half-posted victory cards"
    help_title = "Celebrations"

    def __init__(self, bot: KindredBot):
        self.bot = bot
        self.digests = DigestPoster(bot)
        self.cards = VictoryCards(bot, cheer_view)
        self.card_updates = LatestOnly()
        self._channels: dict[int, int | None] = {}  # guild -> celebrations channel (cache)
        self._tasks: set[asyncio.Task] = set()  # cards being posted

    @property
    def repo(self):
        return self.bot.store.victories

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.card_refreshers.update(cheers=self._redraw_cheers, digest=self.digests.redraw)
        self.digest_loop.start()
        self.recovery_loop.start()

    async def cog_unload(self) -> None:
        self.digest_loop.cancel()
        self.recovery_loop.cancel()
        for kind in ("cheers", "digest"):
            self.bot.card_refreshers.pop(kind, None)
        for task in list(self._tasks):
            task.cancel()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # ----- the weekly digest loop ------------------------------------------------------------
    @tasks.loop(minutes=1)
    async def digest_loop(self) -> None:
        await self.tick()

    @digest_loop.before_loop
    async def before_digest_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def tick(self, now=None) -> int:
        """One scheduler step (tests call this with the kit's clock moved)."""
        try:
            return await self.digests.tick(now or self.bot.clock())
        except Exception:
            log.exception("the weekly digest tick failed")
            return 0

    # ----- cards a stopped process left on their way -----------------------------------------
    async def recover(self) -> int:
        """Tests and the kill test call this directly after a restart; how many are left."""
        return await self.cards.recover()

    # ----- /celebrate ------------------------------------------------------------------------
    @app_commands.command(
        name="celebrate",
        description="Share a victory, big or small: publicly to be cheered, or just for you",
    )
    @app_commands.guild_only()
    @app_commands.describe(
        victory="What went well? 1 to 1000 characters; mentions in it never ping anyone",
        value="The value you lived (optional): pick one from the list",
        visibility="public (default): posted for the server to cheer. just me: private, in your history",
    )
    async def celebrate(
        self,
        interaction: discord.Interaction,
        victory: app_commands.Range[str, 1, rules.TEXT_LIMIT],
        value: str | None = None,
        visibility: Literal["public", "just me"] = "public",
    ) -> None:
        try:
            text = rules.clean_text(victory)
            chosen = rules.resolve_value(self.bot.library, value)
        except ValueError as problem:
            raise Refusal(str(problem)) from None
        care = assess_texts(text)
        public = visibility == rules.PUBLIC
        kept_for_care = public and care.strong  # heavy words are never posted for cheers
        channel, missing = None, []
        if public and not kept_for_care:
            channel = await self._celebrations_channel(interaction)
            missing = self._missing_for_card(interaction, channel)
        saved = await self.repo.add(
            interaction.guild_id,
            interaction.user.id,
            interaction.user.display_name,
            text,
            chosen and chosen.key,
            public and not missing and not kept_for_care,
            self.bot.clock(),
            channel.id if channel is not None else None,  # where its card goes: step 1
        )
        view = None
        if kept_for_care:
            reply = rules.kept_for_care_text(saved.victory_id)
            view = dynamic_view(SharePublicly(saved.victory_id))
        elif not public:
            reply = (
                f"Saved to your history as victory #{saved.victory_id}. 🌱 Only you can see it; "
                "`/victories` shows everything you've celebrated."
            )
        elif missing:
            reply = self._missing_text(channel, missing, saved.victory_id)
        else:
            reply = rules.on_its_way_text(saved.victory_id, channel.mention)
        await interaction.response.send_message(
            reply, ephemeral=True, **({"view": view} if view else {})
        )
        if saved.public:
            self._spawn(self._post_card(interaction, saved, chosen, channel))
        await answer_care(self.bot, interaction, care)
        if care.strong:
            where = (
                "kept private for now" if kept_for_care
                else f"public, in {channel.mention}" if saved.public
                else "private to them"
            )  # fmt: skip
            await alert_moderators(
                self.bot,
                interaction.guild_id,
                f"<@{interaction.user.id}> celebrated a victory (#{saved.victory_id}, {where}) whose "
                "words sounded heavy. They were offered the crisis resources privately; a kind "
                "check-in may help.",
            )

    @staticmethod
    def _missing_text(channel, missing: list[str], victory_id: int) -> str:
        names = permission_names(missing)
        return (
            f"I couldn't post in {channel.mention}: I'm missing the {names} permission there "
            "(a moderator can grant it). I kept your victory safe in your private history "
            f"as #{victory_id}; `/victories` shows it."
        )

    # ----- "Share it publicly anyway" ----------------------------------------------------------
    async def share_publicly(self, interaction: discord.Interaction, victory_id: int) -> None:
        """The author of a victory kept private for care chose to post it after all."""
        if interaction.guild_id is None:
            raise Refusal(GONE)
        victory = await self.repo.get(victory_id)
        if victory is None or victory.guild_id != interaction.guild_id:
            raise Refusal(GONE)
        if victory.member_id != interaction.user.id:
            raise Refusal(
                "Only the person who celebrated this victory can share it. Nothing was changed."
            )
        if victory.public:
            raise Refusal("This victory is already shared publicly, so nothing was changed.")
        channel = await self._celebrations_channel(interaction)
        missing = self._missing_for_card(interaction, channel)
        if missing:
            raise Refusal(self._missing_text(channel, missing, victory_id))
        made = await self.repo.make_public(
            victory_id, interaction.guild_id, interaction.user.id, channel.id
        )
        if made is None:
            raise Refusal("This victory is already shared publicly, so nothing was changed.")
        await interaction.response.edit_message(
            content=rules.on_its_way_text(victory_id, channel.mention), view=None
        )
        value = self.bot.library.value(made.value_key) if made.value_key else None
        self._spawn(self._post_card(interaction, made, value, channel))

    def _spawn(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_card(self, interaction: discord.Interaction, saved, value, channel) -> None:
        """Post a public victory's card after the member has their answer.

        Cards go through the shared send queue: Discord allows a bot 50 requests a second,
        so under a burst the cards follow the answers at Discord's pace instead of holding
        them up. If Discord refuses, the victory stays safe in the member's private history.
        """
        with self.cards.holding(saved.victory_id):
            try:
                await self.cards.post(saved, value, channel)
            except (discord.HTTPException, *NETWORK_ERRORS) as error:
                if transient(error) and await self.cards.landed_after_all(saved, channel):
                    return  # Discord took it without saying so: found, and recorded
                log.warning("guild %s: victory card not posted (%r)", saved.guild_id, error)
                await self.repo.make_private(saved.victory_id)
                await self._tell_not_posted(interaction, saved.victory_id, channel, error)
            except sqlite3.Error:
                log.exception(
                    "guild %s: victory card taken down: its id can't be saved", saved.guild_id
                )
                with contextlib.suppress(sqlite3.Error):
                    await self.repo.make_private(saved.victory_id)
                with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
                    await interaction.followup.send(
                        f"Kindred can't save right now, so your victory's card couldn't stay up "
                        f"in {channel.mention}. Victory #{saved.victory_id} itself is kept in "
                        "your history; `/victories` shows it.",
                        ephemeral=True,
                    )
            except Exception:
                log.exception("guild %s: victory card failed", saved.guild_id)

    @staticmethod
    async def _tell_not_posted(interaction, victory_id: int, channel, error: Exception) -> None:
        kept = (
            f"I kept your victory #{victory_id} safe in your private history; "
            "`/victories` shows it."
        )
        if transient(error):  # Discord's passing trouble, after every retry
            told = (
                f"Discord is having trouble right now, so I couldn't post in "
                f"{channel.mention}. {kept}"
            )
        else:
            told = (
                f"Discord didn't let me post in {channel.mention}, so {kept} "
                "A moderator can check Kindred's permissions there."
            )
        with contextlib.suppress(discord.HTTPException, *NETWORK_ERRORS):
            await interaction.followup.send(told, ephemeral=True)

    @celebrate.autocomplete("value")
    async def value_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=clip(v.badge, 100), value=v.key)
            for v in self.bot.library.search_values(current)
        ]

    @staticmethod
    def _missing_for_card(interaction: discord.Interaction, channel) -> list[str]:
        """Permissions the bot lacks to post a card in `channel` (Discord tells us for the
        channel the command was used in; others are computed from the cache)."""
        thread = isinstance(channel, discord.Thread) or (
            channel.id == interaction.channel_id
            and getattr(interaction.channel, "type", None)
            in (discord.ChannelType.public_thread, discord.ChannelType.private_thread)
        )
        needed = rules.THREAD_CARD_PERMISSIONS if thread else rules.CARD_PERMISSIONS
        if channel.id == interaction.channel_id:
            granted = interaction.app_permissions
            return [name for name in needed if not getattr(granted, name)]
        return missing_permissions(channel, needed)

    async def _celebrations_channel(self, interaction: discord.Interaction):
        guild_id = interaction.guild_id
        if guild_id not in self._channels:
            self._channels[guild_id] = (await self.repo.settings(guild_id)).channel_id
        channel_id = self._channels[guild_id]
        channel = interaction.guild.get_channel_or_thread(channel_id) if channel_id else None
        return channel if isinstance(channel, discord.abc.Messageable) else interaction.channel

    # ----- the Cheer button ------------------------------------------------------------------
    async def cheer(self, interaction: discord.Interaction, victory_id: int) -> None:
        if interaction.guild_id is None:
            raise Refusal(GONE)
        result = await self.repo.toggle_cheer(
            victory_id, interaction.guild_id, interaction.user.id, self.bot.clock()
        )
        if result.status is CheerStatus.MISSING:
            raise Refusal(GONE)
        if not result.card_known:
            await self._adopt(interaction, victory_id)
        if result.status is CheerStatus.OWN:
            raise Refusal(
                "This is your own victory, so you can't cheer it, but everyone else can. "
                "We're glad you shared it. 🌱"
            )
        author = discord.utils.escape_markdown(result.author_name)
        if result.status is CheerStatus.CHEERED:
            text = f"You cheered {author}'s victory. 👏 Press Cheer again to take it back."
        else:
            text = f"You took back your cheer for {author}'s victory. Press Cheer to cheer again."
        await interaction.response.send_message(text, ephemeral=True)
        message = interaction.message
        if message is not None:
            self.card_updates.request(
                victory_id, lambda: self._show_cheers(victory_id, message.channel.id, message.id)
            )

    async def _adopt(self, interaction: discord.Interaction, victory_id: int) -> None:
        """The card pressed is one a stopped process posted without recording it: record it
        now, so that removals, erase and cheer counts reach it."""
        card, me = interaction.message, self.bot.user
        if card is None or me is None or card.author.id != me.id:
            return
        if victory_id in self.cards.posting:
            return
        if await self.repo.adopt_card(victory_id, card.channel.id, card.id):
            log.info("victory %s: its card recorded on a press", victory_id)

    async def _show_cheers(self, victory_id: int, channel_id: int, message_id: int) -> None:
        """Edit the card with the count read now, after every cheer written so far."""
        count = await self.repo.cheer_count(victory_id)
        card = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await shared_queue(self.bot).call(card.edit, view=cheer_view(victory_id, count))
        except discord.NotFound:
            pass  # the card was deleted meanwhile
        except discord.HTTPException as error:
            log.warning("victory %s: could not update the cheer count (%s)", victory_id, error.code)

    async def _redraw_cheers(self, channel_id: int, message_id: int, victory_id: int) -> None:
        """After an erase: the count without the cheers of the member who left (the erase
        janitor retries when Discord refuses)."""
        count = await self.repo.cheer_count(victory_id)
        card = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await shared_queue(self.bot).call(card.edit, view=cheer_view(victory_id, count))

    # ----- /victories ------------------------------------------------------------------------
    @app_commands.command(
        name="victories",
        description="See your victories (private ones too), or another member's public ones",
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Whose public victories to see; leave empty for your own history")
    async def victories(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        target = member or interaction.user
        if target.bot:
            raise Refusal("Bots don't celebrate victories here; try a member of the server.")
        embed, view = await self._history(interaction, target.id, name=target.display_name)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def _history(
        self,
        interaction: discord.Interaction,
        member_id: int,
        number: int = 1,
        *,
        before: int | None = None,
        after: int | None = None,
        name: str | None = None,
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        own = member_id == interaction.user.id
        size = rules.page_size(own)
        read = functools.partial(
            self.repo.history, interaction.guild_id, member_id, include_private=own
        )
        entries = await read(limit=size + 1, before=before, after=after)
        if after is not None:
            if len(entries) <= size:  # reached the newest: show the first page as it is
                return await self._history(interaction, member_id, name=name)
            entries = entries[:size][::-1]
            has_newer, has_older = True, True
            before = entries[0].victory_id + 1
        elif before is not None and not entries:  # everything older is gone
            return await self._history(interaction, member_id, name=name)
        else:
            has_newer, has_older = before is not None, len(entries) > size
            entries = entries[:size]
        history = rules.HistoryPage(
            member_id, own, number if before else 1, before or 0, tuple(entries), has_newer,
            has_older,
        )  # fmt: skip
        if name is None:
            member = interaction.guild.get_member(member_id) if interaction.guild else None
            fallback = entries[0].author_name if entries else "This member"
            name = member.display_name if member else fallback
        return rules.history_embed(history, name, self.bot.library), history_view(history)

    async def turn_page(
        self,
        interaction: discord.Interaction,
        member_id: int,
        number: int,
        *,
        before: int | None = None,
        after: int | None = None,
        notice: str | None = None,
    ) -> None:
        embed, view = await self._history(
            interaction, member_id, number, before=before, after=after
        )
        await interaction.response.edit_message(content=notice, embed=embed, view=view)

    async def _own_victory(self, interaction: discord.Interaction, victory_id: int):
        victory = await self.repo.get(victory_id)
        if victory is None or victory.guild_id != interaction.guild_id:
            raise Refusal(GONE)
        if victory.member_id != interaction.user.id:
            raise Refusal("You can only remove your own victories. Nothing was changed.")
        return victory

    async def ask_remove(
        self, interaction: discord.Interaction, victory_id: int, before: int, number: int
    ) -> None:
        victory = await self._own_victory(interaction, victory_id)
        await interaction.response.edit_message(
            content=None,
            embed=rules.removal_embed(victory),
            view=dynamic_view(
                ConfirmRemove(victory_id, before, number), KeepVictory(victory_id, before, number)
            ),
        )

    async def confirm_remove(
        self, interaction: discord.Interaction, victory_id: int, before: int, number: int
    ) -> None:
        await self._own_victory(interaction, victory_id)
        removed = await self.repo.remove(
            victory_id, interaction.guild_id, member_id=interaction.user.id
        )
        notice = f"Removed victory #{victory_id}." if removed else GONE
        await self.turn_page(
            interaction, interaction.user.id, number, before=before or None, notice=notice
        )
        if removed is not None and not await self._delete_card(removed):
            await interaction.followup.send(
                f"I removed it from your history, but couldn't delete its post in "
                f"<#{removed.channel_id}>. A moderator can delete it for you.",
                ephemeral=True,
            )

    async def _delete_card(self, victory) -> bool:
        """Delete a victory's public post; True when it is gone (or there was none)."""
        return await self.cards.take_down(victory)

    # ----- /celebrate-quotes -----------------------------------------------------------------
    @app_commands.command(
        name="celebrate-quotes",
        description="Choose whether the weekly digest may quote your public victories",
    )
    @app_commands.guild_only()
    @app_commands.describe(
        allow="yes: you may be quoted, with your name (the default). no: never quote me. Empty: show"
    )
    async def celebrate_quotes(
        self, interaction: discord.Interaction, allow: Literal["yes", "no"] | None = None
    ) -> None:
        guild_id, member_id = interaction.guild_id, interaction.user.id
        if allow is not None:
            await self.repo.set_quotes_allowed(guild_id, member_id, allow == "yes")
        allowed = (
            (allow == "yes")
            if allow is not None
            else await self.repo.quotes_allowed(guild_id, member_id)
        )
        if allowed:
            text = (
                "The weekly digest may quote your public victories, with your name. "
                "`/celebrate-quotes allow:no` stops that at any time."
            )
        else:
            text = (
                "The weekly digest will never quote your victories. They still count, without "
                "your name or words, in its tally of values. `/celebrate-quotes allow:yes` "
                "changes this."
            )
        prefix = "Done. " if allow is not None else ""
        await interaction.response.send_message(prefix + text, ephemeral=True)

    # ----- /celebrations (moderators) --------------------------------------------------------
    celebrations = ModeratorGroup(
        name="celebrations", description="Where victories are posted, and the weekly digest"
    )

    @celebrations.command(
        name="channel", description="Choose the channel for public victories and the weekly digest"
    )
    @app_commands.describe(channel="A text channel Kindred can post in, with embeds and images")
    async def set_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        require_can_post(channel, DIGEST_PERMISSIONS)
        await self.repo.update_settings(interaction.guild_id, channel_id=channel.id)
        self._channels[interaction.guild_id] = channel.id
        await interaction.response.send_message(
            f"Public victories and the weekly digest will go to {channel.mention}.", ephemeral=True
        )

    @celebrations.command(
        name="digest",
        description="Set the weekly digest's day and time (in the server's time zone)",
    )
    @app_commands.describe(
        day="The day of the week it goes out",
        time="The time it goes out, HH:MM in 24-hour form, like 18:00",
    )
    async def digest_schedule(
        self, interaction: discord.Interaction, day: Weekday, time: app_commands.Range[str, 1, 10]
    ) -> None:
        try:
            settings = await self.digests.configure(
                interaction.guild_id,
                self.bot.clock(),
                digest_weekday=DAY_NAMES.index(day),
                digest_time=time,
            )
        except ValueError:
            raise Refusal(f"{TIME_ERROR} Nothing was changed.") from None
        text = f"The weekly digest will go out on {self._schedule(settings)}."
        if settings.digest_enabled:
            text += f" The next one: <t:{int(settings.next_at.timestamp())}:F>."
        else:
            text += " It's switched off right now; `/celebrations digest-on` switches it on."
        await interaction.response.send_message(text, ephemeral=True)

    @celebrations.command(name="digest-off", description="Stop the weekly digest in this server")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        await self.repo.update_settings(interaction.guild_id, digest_enabled=False)
        await interaction.response.send_message(
            "The weekly digest is off. Members can still celebrate and cheer; "
            "`/celebrations digest-on` brings the digest back.",
            ephemeral=True,
        )

    @celebrations.command(name="digest-on", description="Start (or restart) the weekly digest")
    async def digest_on(self, interaction: discord.Interaction) -> None:
        settings = await self.digests.configure(
            interaction.guild_id, self.bot.clock(), digest_enabled=True
        )
        await interaction.response.send_message(
            f"The weekly digest is on: {self._schedule(settings)}. "
            f"The next one: <t:{int(settings.next_at.timestamp())}:F>.",
            ephemeral=True,
        )

    @celebrations.command(
        name="remove",
        description="Remove a public victory and its post; its author is told privately",
    )
    @app_commands.describe(
        victory_id="The number in the post's footer (Victory #123)",
        reason="Optional: a short reason, shared with the author",
    )
    async def remove(
        self,
        interaction: discord.Interaction,
        victory_id: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 1, REASON_LIMIT] | None = None,
    ) -> None:
        reason = shown(reason) or None
        if reason is not None and len(reason) > REASON_LIMIT:  # Discord checks; so do we
            raise Refusal(
                f"The reason can be up to {REASON_LIMIT} characters and this one has "
                f"{len(reason)}. Nothing was changed."
            )
        removed = await self.repo.remove(victory_id, interaction.guild_id, public_only=True)
        if removed is None:
            raise Refusal(
                f"There's no public victory #{victory_id} in this server (it may already be "
                "removed). Nothing was changed."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        lines = [f"Removed victory #{victory_id}."]
        if not await self._delete_card(removed):
            lines.append(
                f"I couldn't delete its post in <#{removed.channel_id}>; please delete it by hand."
            )
        if await self._tell_author(interaction, removed, reason):
            lines.append("I let its author know privately.")
        else:
            lines.append("I couldn't tell its author privately (their direct messages are closed).")
        await interaction.followup.send(" ".join(lines), ephemeral=True)

    async def _tell_author(
        self, interaction: discord.Interaction, victory, reason: str | None
    ) -> bool:
        server = (
            discord.utils.escape_markdown(interaction.guild.name)
            if interaction.guild
            else "the server"
        )
        text = f"A moderator of **{server}** removed victory #{victory.victory_id}, which you shared there"
        # Heavy words are never quoted back: the member reads this alone, maybe on a bad day.
        text += "." if needs_care(victory.text) else f":\n> {clip(victory.text, 500)}"
        if reason:
            text += f"\n\n**Reason:** {reason}"
        text += "\n\nIf you'd like to talk about it, the moderators are there for you."
        try:
            channel = await shared_queue(self.bot).call(
                self.bot.create_dm, discord.Object(victory.member_id)
            )
            await shared_queue(self.bot).call(
                channel.send,
                embed=kind_embed("Your victory was removed", text),
                allowed_mentions=NONE,
            )
        except discord.HTTPException:
            return False
        return True

    # ----- /settings show and /help ----------------------------------------------------------
    def _schedule(self, settings) -> str:
        return schedule_text(settings.digest_weekday, settings.digest_time, settings.timezone)

    async def settings_lines(self, guild_id: int) -> list[str]:
        settings = await self.repo.settings(guild_id)
        channel = (
            f"<#{settings.channel_id}>" if settings.channel_id else "wherever `/celebrate` is used"
        )
        digest = self._schedule(settings) if settings.digest_enabled else "off"
        lines = [f"**Celebrations channel:** {channel}", f"**Weekly digest:** {digest}"]
        status = await self.digests.status_line(guild_id)
        return lines + ([status] if status else [])
