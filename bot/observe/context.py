"""The one interaction being served, in a context variable.

discord.py runs each handler in a task of its own, and a task copies the context it was
created in: setting the record while the interaction is parsed puts it in every task that
serves it and in no other. The metrics count its outcome from it, the send queue adds its
waits to it (Discord's pace is not the bot's work), and JSON log lines name it. Pure: no
discord import.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

ANSWERED, REFUSED, FAILED = "answered", "refused", "failed"


@dataclass(slots=True)
class Served:
    interaction_id: int
    kind: str  # command, autocomplete, component, modal
    command: str  # a label without ids (see metrics.command_label)
    guild_id: int | None
    shard: int | None
    started: float  # time.perf_counter() at arrival
    waited: float = 0.0  # seconds spent waiting for a send-queue slot
    outcome: str = ANSWERED
    pending: int = 0  # its tasks still running

    def mark(self, outcome: str) -> None:
        """A failure outweighs a refusal, which outweighs an answer."""
        order = (ANSWERED, REFUSED, FAILED)
        if order.index(outcome) > order.index(self.outcome):
            self.outcome = outcome


SERVING: ContextVar[Served | None] = ContextVar("kindred_serving", default=None)


def mark(outcome: str) -> None:
    """Record how the interaction being served ended (report_error calls this)."""
    served = SERVING.get()
    if served is not None:
        served.mark(outcome)


def waited(seconds: float) -> None:
    """Time the interaction being served spent waiting for Discord's pace."""
    served = SERVING.get()
    if served is not None:
        served.waited += seconds
