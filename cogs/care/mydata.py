"""A member's own data in one server: gathered from every repository, or erased from all.

Both walk `store.repositories`, so a feature that keeps member rows is covered as soon as
its repository honours the contract in bot/store/base.py (a test checks the schema).
How the export reads (sections in plain words, not tables) is cogs/care/export_format.py.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.store import Store
from bot.store.base import CleanupJob
from cogs.care import export_format


@dataclass(frozen=True)
class MemberData:
    guild_id: int
    member_id: int
    exported_at: datetime
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timezone: str = "UTC"  # the server's, for the times in the export

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
    zone = (await store.guilds.get(guild_id)).timezone
    return MemberData(guild_id, member_id, now, tables, zone)


def export_document(data: MemberData) -> dict[str, Any]:
    """The file as a person reads it: a summary, then named sections (cogs/care/export_format.py)."""
    return export_format.document(data)


def describe_export(data: MemberData) -> str:
    """'2 victories, 1 cheer you gave, 1 story' for the reply that carries the file."""
    return export_format.describe(export_format.sections(data))


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
    """'victories: 3, cheers: 5' (rows per table) for the erase confirmation."""
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
