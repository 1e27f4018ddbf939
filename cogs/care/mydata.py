"""A member's own data in one server: gathered from every repository, or erased from all.

Both walk `store.repositories`, so a feature that keeps member rows is covered as soon as
its repository honours the contract in bot/store/base.py (a test checks the schema).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import base64
import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import from_epoch
from bot.store import Store
from bot.store.base import CleanupJob


@dataclass(frozen=True)
class MemberData:
    guild_id: int
    member_id: int
    exported_at: datetime
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table, only the tables that hold something, in a stable order."""
        return {name: len(rows) for name, rows in sorted(self.tables.items()) if rows}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def collect(store: Store, guild_id: int, member_id: int, now: datetime) -> MemberData:
    """Every row about the member in this server, from every repository."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for repository in store.repositories:
        for name, rows in (await repository.export_member(guild_id, member_id)).items():
            tables.setdefault(name, []).extend(rows)
    return MemberData(guild_id, member_id, now, tables)


def _readable(column: str, value: Any) -> Any:
    """Instants become ISO-8601 UTC and bytes base64, so the file reads without a manual."""
    if column.endswith("_at") and isinstance(value, int) and not isinstance(value, bool):
        return from_epoch(value).isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def export_document(data: MemberData) -> dict[str, Any]:
    return {
        "about": (
            "Everything Kindred keeps about you in this server, table by table. Times are "
            "UTC. Discord ids are numbers: server, channel, message and member ids."
        ),
        "server_id": str(data.guild_id),
        "member_id": str(data.member_id),
        "exported_at": data.exported_at.isoformat(),
        "counts": data.counts,
        "data": {
            name: [
                {column: _readable(column, value) for column, value in row.items()} for row in rows
            ]
            for name, rows in sorted(data.tables.items())
        },
    }


def export_json(data: MemberData) -> bytes:
    return json.dumps(export_document(data), indent=2, ensure_ascii=False).encode("utf-8")


def export_file(data: MemberData, limit: int) -> tuple[str, bytes] | None:
    """(file name, bytes) within `limit` bytes: plain JSON, else zipped; None if even that is too big."""
    stamp = data.exported_at.strftime("%Y-%m-%d")
    name = f"kindred-my-data-{stamp}.json"
    payload = export_json(data)
    if len(payload) <= limit:
        return name, payload
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)
    zipped = buffer.getvalue()
    return (name.removesuffix(".json") + ".zip", zipped) if len(zipped) <= limit else None


def describe_counts(counts: dict[str, int], limit: int = 12) -> str:
    """'victories: 3, cheers: 5' for a member to read."""
    parts = [f"{name.replace('_', ' ')}: {count}" for name, count in counts.items()]
    if len(parts) > limit:
        parts = parts[:limit] + [f"and {len(parts) - limit} more"]
    return ", ".join(parts)


CONFIRM_WINDOW = timedelta(minutes=15)  # an interaction token's life: the button is fresh


def confirmation_expired(issued: datetime, now: datetime) -> bool:
    """An erase button older than the window must be asked for again."""
    return not (issued - timedelta(minutes=1) <= now <= issued + CONFIRM_WINDOW)


@dataclass(frozen=True)
class Erasure:
    erased: dict[str, int]  # rows per table before the erase
    cleanup_jobs: int  # Discord changes queued (replace published stories, delete cards)


async def erase(store: Store, guild_id: int, member_id: int, now: datetime) -> Erasure:
    """Erase the member from every repository; idempotent.

    Discord cleanup is asked for first (the rows say which messages to change); then the
    jobs are queued and every repository's rows erased in one transaction, so a crash or
    a full disk leaves either all of it done or none of it, never half a member.
    """
    before = await collect(store, guild_id, member_id, now)
    jobs: list[CleanupJob] = []
    for repository in store.repositories:
        jobs.extend(await repository.discord_cleanup_for_member(guild_id, member_id))

    def erase_all(db: sqlite3.Connection) -> int:
        queued = store.care.queue_cleanup_rows(db, guild_id, jobs, now)
        for repository in store.repositories:
            repository.erase_member_rows(db, guild_id, member_id)
        return queued

    queued = await store.atomic(erase_all)
    await store.forget_deleted()
    return Erasure(before.counts, queued)
