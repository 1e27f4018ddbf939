"""Follow each interaction from arrival until every task discord.py started for it is done.

discord.py parses INTERACTION_CREATE synchronously and starts the handler (the command, a
view's item, a modal, the `on_interaction` listeners) as tasks. Wrapping that one parser
lets us set the context record (`context.SERVING`) before those tasks copy their context,
and collect exactly those tasks with a task factory installed only for the duration of
the call (it chains to any factory already set), at O(1) per interaction. When the last of
them finishes, the interaction is counted with its outcome and the bot's own work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.observe.context import FAILED, SERVING, Served
from bot.observe.metrics import Metrics, custom_id_label

KINDS = {2: "command", 3: "component", 4: "autocomplete", 5: "modal"}


def command_label(bot: Any, data: dict) -> str:
    """ "prompts schedule" for a slash command the tree knows; "unknown" for any other."""
    found = bot.tree.get_command(str(data.get("name", "")))
    if found is None:
        return "unknown"
    names = [found.name]
    options = data.get("options") or []
    while options and options[0].get("type") in (1, 2) and hasattr(found, "get_command"):
        found = found.get_command(str(options[0].get("name", "")))
        if found is None:
            return "unknown"
        names.append(found.name)
        options = options[0].get("options") or []
    return " ".join(names)


def shard_of(bot: Any, guild_id: int | None) -> int:
    """The shard that delivers this server's events (Discord's formula)."""
    count = bot.shard_count or 1
    if guild_id is None or count == 1:
        return bot.shard_id or 0
    return (guild_id >> 22) % count


def describe(bot: Any, payload: dict) -> Served | None:
    kind = KINDS.get(payload.get("type"))
    if kind is None:
        return None
    data = payload.get("data") or {}
    if kind in ("command", "autocomplete"):
        command = command_label(bot, data)
    else:
        command = custom_id_label(str(data.get("custom_id", "")))
    guild = payload.get("guild_id")
    guild_id = int(guild) if guild and str(guild).isdigit() else None
    return Served(
        interaction_id=int(payload["id"]) if str(payload.get("id", "")).isdigit() else 0,
        kind=kind,
        command=command,
        guild_id=guild_id,
        shard=shard_of(bot, guild_id),
        started=time.perf_counter(),
    )


class _Collect:
    """A task factory that remembers the tasks it makes, chained to the previous one."""

    __slots__ = ("previous", "tasks")

    def __init__(self, previous):
        self.previous = previous
        self.tasks: list[asyncio.Task] = []

    def __call__(self, loop, coro, **kwargs):
        if self.previous is not None:
            task = self.previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        self.tasks.append(task)
        return task


def install(bot: Any, metrics: Metrics | None) -> None:
    """Wrap the bot's INTERACTION_CREATE parser (both the attribute the kit calls and the
    entry in the gateway's dispatch table). With `metrics` None only the log context is set."""
    state = bot._connection
    parse = state.parse_interaction_create

    def finished(served: Served, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            served.mark(FAILED)
        served.pending -= 1
        if served.pending == 0:
            metrics.served(served)

    def parse_interaction_create(data: dict) -> None:
        served = describe(bot, data)
        if served is None:
            parse(data)
            return
        token = SERVING.set(served)
        if metrics is None:
            try:
                parse(data)
            finally:
                SERVING.reset(token)
            return
        loop = asyncio.get_running_loop()
        collect = _Collect(loop.get_task_factory())
        loop.set_task_factory(collect)
        try:
            parse(data)
        finally:
            loop.set_task_factory(collect.previous)
            SERVING.reset(token)
        served.pending = len(collect.tasks)
        if not collect.tasks:
            metrics.served(served)
        for task in collect.tasks:
            task.add_done_callback(lambda task, served=served: finished(served, task))

    state.parse_interaction_create = parse_interaction_create
    parsers = getattr(state, "parsers", None)
    if isinstance(parsers, dict) and "INTERACTION_CREATE" in parsers:
        parsers["INTERACTION_CREATE"] = parse_interaction_create
