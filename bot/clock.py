"""Time is injected: anything dated takes a `Clock`, so tests move time instead of sleeping.

The store keeps every instant as integer epoch seconds (UTC); these helpers are the
only place that converts.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Kindred keeps aware UTC times only")
    return int(moment.timestamp())


def from_epoch(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
