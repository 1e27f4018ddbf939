"""Is this process doing its job? Every shard's gateway up and the database answering.

The gateway state comes from discord.py's own events, seen as they are dispatched: a shard
is up from READY ("connect") or RESUMED until its next "disconnect". A plain bot reports
the plain events for its one shard; an AutoShardedBot also reports `shard_*` events with
the shard id, and only those are used. The database is asked a trivial query and must
answer within `DB_TIMEOUT` (it shares its one thread with all other work: a stuck or
saturated database fails the check as it fails members).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import asyncio
from typing import Any

DB_TIMEOUT = 1.0  # seconds
UP_EVENTS = frozenset({"connect", "resumed", "ready"})
SHARD_UP_EVENTS = frozenset({"shard_connect", "shard_resumed", "shard_ready"})
GATEWAY_EVENTS = UP_EVENTS | SHARD_UP_EVENTS | {"disconnect", "shard_disconnect"}


def is_sharded(bot: Any) -> bool:
    return hasattr(bot, "shards") and hasattr(bot, "latencies")


class GatewayState:
    """shard id -> connected, from the events discord.py dispatches."""

    def __init__(self) -> None:
        self.up: dict[int, bool] = {}

    def saw(self, bot: Any, event: str, args: tuple) -> None:
        if event.startswith("shard_"):
            if args and isinstance(args[0], int):
                self.up[args[0]] = event in SHARD_UP_EVENTS
        elif not is_sharded(bot):
            self.up[bot.shard_id or 0] = event in UP_EVENTS

    def expected(self, bot: Any) -> list[int]:
        """The shards this process should hold."""
        if is_sharded(bot):
            if getattr(bot, "shard_ids", None):
                return sorted(bot.shard_ids)
            if bot.shard_count:
                return list(range(bot.shard_count))
            return sorted(self.up) or [0]
        return [bot.shard_id or 0]

    def states(self, bot: Any) -> dict[int, bool]:
        return {shard: self.up.get(shard, False) for shard in self.expected(bot)}


async def check(bot: Any, *, db_timeout: float = DB_TIMEOUT) -> tuple[bool, dict]:
    """(healthy, one-line JSON body) for /healthz."""
    problems = []
    if bot.is_closed():
        problems.append("the bot is shutting down")
    states = bot.gateway.states(bot)
    down = [str(shard) for shard, up in states.items() if not up]
    if down:
        problems.append(f"gateway: shard {', '.join(down)} not connected")
    try:
        await asyncio.wait_for(bot.store.ping(), db_timeout)
    except TimeoutError:
        problems.append(f"database: no answer within {db_timeout:g} s")
    except Exception as error:  # closed, unreadable, gone: the operator sees which kind
        problems.append(f"database: {type(error).__name__}")
    shards = {str(shard): "connected" if up else "down" for shard, up in states.items()}
    if problems:
        return False, {"status": "unavailable", "reason": "; ".join(problems), "shards": shards}
    return True, {"status": "ok", "shards": shards}
