"""KindredBot: the one place that wires discord.py to the core."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock, utcnow
from bot.config import Config
from bot.errors import report_error, send_ephemeral
from bot.library import Library, load_library
from bot.observe import context, interactions, logs
from bot.observe.health import GATEWAY_EVENTS, GatewayState
from bot.observe.metrics import NO_METRICS, Metrics, NullMetrics
from bot.store import Store
from bot.ui import UNKNOWN_BUTTON

log = logging.getLogger("kindred")

# Loaded in this order; each is one feature.
EXTENSIONS = ("cogs.settings", "cogs.prompts", "cogs.victories", "cogs.share", "cogs.care")
COMMAND_HASH_KEY = "command_tree_hash"


# Kindred never joins voice: don't warn operators about voice libraries it will never need.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


M_ARENA_MAX = -8  # glibc's mallopt() parameter


def share_one_malloc_arena() -> bool:
    """Let every thread allocate from the main malloc arena (Linux with glibc only).

    glibc gives each thread that allocates (the database's, the chart drawer's) an arena of
    its own, and what one thread frees only that thread can reuse: the bot's memory kept
    ~1.5 MB of idle arena pages (bench/memory.py). Threads here allocate little and briefly,
    so sharing one arena costs nothing measurable. Set before those threads start.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return mallopt(M_ARENA_MAX, 1) == 1


def freeze_long_lived() -> None:
    """Move everything alive now out of the garbage collector's sight (gc.freeze).

    Run once the bot is ready: modules, library, cogs and discord.py's cache of every server
    are loaded and live as long as the process. A full collection walks every tracked object;
    with all of that in view one took ~55 ms in bench/interactions.py (~130 ms with 10,000
    servers cached), and every interaction waiting on the event loop waited with it. Frozen
    objects that later become garbage are still freed by reference counting; only cycles
    among them stay (a server Kindred leaves keeps its few KB of cache until a restart).
    """
    gc.collect()
    gc.freeze()


class KindredTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class KindredBot(commands.Bot):
    """Default intents only (no message content, no members), mentions off by default."""

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        clock: Clock = utcnow,
        library: Library | None = None,
        sync_commands: bool = True,
    ):
        share_one_malloc_arena()
        logs.pin_quiet_loggers()  # discord.py's DEBUG lines carry members' words
        # [observe] on: this bot's own registry; off: calls that do nothing
        metrics = Metrics() if config.observe.listen else None
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=KindredTree,
            max_messages=None,  # no message cache: on_message sees each one as it arrives
            http_trace=metrics.http_trace() if metrics else None,
        )
        self.metrics: Metrics | NullMetrics = metrics or NO_METRICS
        self.gateway = GatewayState()  # per shard, for /healthz and /metrics
        self.observer = None  # the /healthz and /metrics server, started in setup_hook
        if metrics is not None:
            metrics.watch(self)
        interactions.install(self, metrics)  # log context always; timing when metrics are on
        self.config = config
        self.clock = clock
        self._store = store
        self._library = library
        self.sync_commands = sync_commands
        self._button_kinds: set[type[discord.ui.DynamicItem]] = set()
        # kind -> how to draw a card again after an erase: (channel id, message id, item id)
        self.card_refreshers: dict[str, Callable[[int, int, int], Awaitable[None]]] = {}

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store opens in setup_hook")
        return self._store

    @property
    def library(self) -> Library:
        if self._library is None:
            raise RuntimeError("the values library loads in setup_hook")
        return self._library

    async def setup_hook(self) -> None:
        if self._library is None:
            self._library = load_library(self.config.prompts.library)
        if self.config.observe.listen and self.observer is None:
            # First: a taken port ends the start before anything else is opened.
            from bot.observe.server import ObserveServer  # aiohttp's server side: only when on

            self.observer = ObserveServer(self, *self.config.observe.listen)
            await self.observer.start()
        if self._store is None:
            self._store = await Store.open(self.config.database.path)
        if isinstance(self.metrics, Metrics):
            self._store.timing = self.metrics.db_call
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_commands:
            await self.sync_if_changed()

    def command_tree_hash(self) -> str:
        payload = sorted(
            (command.to_dict(self.tree) for command in self.tree.get_commands()),
            key=lambda command: command["name"],
        )
        guild_id = self.config.discord.dev_guild_id
        text = json.dumps([guild_id, payload], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    async def sync_if_changed(self) -> bool:
        """Sync only when the commands' shape changed, so restarts don't hit the rate limit."""
        digest = self.command_tree_hash()
        if await self.store.meta.get(COMMAND_HASH_KEY) == digest:
            log.info("slash commands unchanged; not syncing")
            return False
        guild_id = self.config.discord.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        await self.store.meta.set(COMMAND_HASH_KEY, digest)
        log.info(
            "synced %d slash commands%s", len(synced), " to the dev server" if guild_id else ""
        )
        return True

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem]) -> None:
        super().add_dynamic_items(*items)
        self._button_kinds.update(items)

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem]) -> None:
        super().remove_dynamic_items(*items)
        self._button_kinds.difference_update(items)

    def knows_button(self, custom_id: str) -> bool:
        return any(
            kind.__discord_ui_compiled_template__.fullmatch(custom_id)
            for kind in self._button_kinds
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button or menu of ours whose custom id no DynamicItem matches (garbled or
        forged) would get no answer, and Discord says "This interaction failed": say no kindly."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith("kindred:") or self.knows_button(custom_id):
            return
        context.mark(context.REFUSED)
        log.info("interaction %s refused: an unknown button", interaction.id)
        await send_ephemeral(interaction, UNKNOWN_BUTTON)

    async def on_ready(self) -> None:
        log.info("connected as %s in %d servers", self.user, len(self.guilds))
        freeze_long_lived()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.store.guilds.mark_joined(guild.id, self.clock())

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Start the 30-day countdown after which the server's data is purged."""
        await self.store.guilds.mark_left(guild.id, self.clock())

    def dispatch(self, event_name: str, /, *args, **kwargs) -> None:
        if event_name in GATEWAY_EVENTS:  # seen at once, before any listener runs
            self.gateway.saw(self, event_name, args)
        super().dispatch(event_name, *args, **kwargs)

    async def close(self) -> None:
        await super().close()
        if self.observer is not None:
            await self.observer.stop()
            self.observer = None
        if self._store is not None:
            await self._store.close()
            self._store = None
