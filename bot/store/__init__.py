"""The store: one aiosqlite connection, numbered migrations, one-hop transactions.

An aiosqlite connection is one thread that runs the calls queued to it in order. A
transaction is therefore a plain function run on that thread from BEGIN to COMMIT in one
call (`atomic`): nothing can interleave with it, so no lock is needed, and it costs one
hop to the thread however many statements it runs. Awaiting statement by statement inside
BEGIN/COMMIT instead needed a lock held across several hops, and under a burst every
interaction queued behind it (bench/interactions.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

from bot.store.care import CareRepository
from bot.store.guilds import GuildRepository, MetaRepository
from bot.store.prompts import PromptRepository
from bot.store.stories import StoryRepository
from bot.store.victories import VictoryRepository

# aiosqlite logs every statement WITH its parameters at DEBUG: members' words, and for
# stories the pairing of a story with its author. Its logger never goes below INFO, so an
# operator debugging with DEBUG logs cannot read members' text or unmask anonymous authors.
_aiosqlite_log = logging.getLogger("aiosqlite")
_aiosqlite_log.setLevel(max(_aiosqlite_log.level, logging.INFO))

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
Params = Sequence[Any] | dict[str, Any]
P = ParamSpec("P")
T = TypeVar("T")


class StoreError(Exception):
    """The database cannot be used as it is; str() is the one line for the operator."""


def packaged_migrations() -> list[tuple[int, str, str]]:
    """(version, file name, sql) for every packaged migration, in order."""
    found = []
    for entry in resources.files("bot.store.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations are not numbered 1..n without gaps: {versions}")
    return found


def latest_version() -> int:
    return len(packaged_migrations())


def create_private_file(path: Path) -> None:
    """Members' words live in this file: create it readable by the operator only."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


class Store:
    def __init__(self, conn: aiosqlite.Connection, path: Path):
        self._conn = conn
        self.path = path
        # Told of every call's kind ("atomic", "snapshot", "read", "write"), seconds from the
        # await to the answer, and the exception if it raised (the bot's metrics set this).
        self.timing: Callable[[str, float, BaseException | None], None] | None = None
        self.guilds = GuildRepository(self)
        self.meta = MetaRepository(self)
        self.prompts = PromptRepository(self)
        self.victories = VictoryRepository(self)
        self.stories = StoryRepository(self)
        self.care = CareRepository(self)

    @property
    def repositories(self) -> tuple[Any, ...]:
        """Every repository; member-data export and erase walk this."""
        return (self.guilds, self.meta, self.prompts, self.victories, self.stories, self.care)

    @classmethod
    async def open(
        cls, path: str | os.PathLike, *, migrate: bool = True, upto: int | None = None
    ) -> Store:
        """Open (creating with mode 0600) and bring the schema up to date.

        `upto` stops at an earlier version: tests use it to build old databases.
        """
        path = Path(path)
        if str(path) != ":memory:":
            create_private_file(path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        store = cls(conn, path)
        try:
            await store._configure()
            version = await store.schema_version()
            if version > latest_version():
                raise StoreError(
                    f"{path.name}: database schema version {version} is newer than this Kindred "
                    f"understands ({latest_version()}); upgrade Kindred or restore a backup"
                )
            if migrate:
                await store.migrate(upto)
        except BaseException:
            await conn.close()
            raise
        return store

    async def _configure(self) -> None:
        # wal_autocheckpoint: the commit that takes the WAL past this many pages copies it
        # back into the database file (two fsyncs), and every statement queued on the one
        # connection waits for it. At SQLite's default of 1,000 pages that stall was ~15 ms
        # and set the p99 at 2,000 writes/s; at 256 pages it is ~5 ms (bench/store_writes.py).
        await self._conn.executescript(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            PRAGMA busy_timeout = 5000;
            PRAGMA wal_autocheckpoint = 256;
            PRAGMA secure_delete = ON;
            """
        )

    def forget_settings(self, guild_id: int | None = None) -> None:
        """Every repository's settings held in memory for the server (None: for all), after
        a write that bypassed their own write paths (a purge, a restore)."""
        for repository in self.repositories:
            held = getattr(repository, "held", None)
            if held is not None:
                held.forget(guild_id)

    async def forget_deleted(self) -> None:
        """Leave no erased word in the files: secure_delete (set above) zeroes what a
        DELETE frees, and a TRUNCATE checkpoint copies the WAL back and empties it, so
        neither `kindred.db` nor `kindred.db-wal` keeps the text that was there before."""
        async with self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            await cursor.fetchall()  # a cursor left open would block the next commit

    async def close(self) -> None:
        await self._conn.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0])

    async def migrate(self, upto: int | None = None) -> list[str]:
        """Apply pending migrations, each in its own transaction with its version bump."""
        applied = []
        current = await self.schema_version()
        for version, name, sql in packaged_migrations():
            if version <= current or (upto is not None and version > upto):
                continue
            try:
                await self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
                )
            except sqlite3.Error as error:
                with contextlib.suppress(sqlite3.Error):
                    await self._conn.execute("ROLLBACK")
                raise StoreError(f"migration {name} failed: {error}") from error
            applied.append(name)
        return applied

    async def atomic(
        self,
        work: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work(db, *args)` as one transaction on the database thread, in one hop.

        `work` is plain synchronous sqlite3 code: it must not await or touch anything but
        `db` and its arguments (it runs on another thread). BEGIN IMMEDIATE takes the write
        lock up front; any exception rolls the whole transaction back and reaches the caller.
        """
        return await self._on_db_thread("BEGIN IMMEDIATE", work, args, kwargs, "atomic")

    async def snapshot(
        self,
        work: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run several reads in one hop, all seeing the same committed state (`work` as in
        `atomic`, but it only reads): a handler that needs three lists waits once, not three
        times, for the database thread. A write in `work` fails (query_only)."""

        def read_only(db: sqlite3.Connection, *args: Any, **kwargs: Any) -> T:
            db.execute("PRAGMA query_only = ON")
            try:
                return work(db, *args, **kwargs)
            finally:
                db.execute("PRAGMA query_only = OFF")

        return await self._on_db_thread("BEGIN", read_only, args, kwargs, "snapshot")

    async def _timed(self, kind: str, call: Awaitable[T]) -> T:
        timing = self.timing
        if timing is None:
            return await call
        started = time.perf_counter()
        try:
            result = await call
        except Exception as error:
            timing(kind, time.perf_counter() - started, error)
            raise
        timing(kind, time.perf_counter() - started, None)
        return result

    async def ping(self) -> None:
        """A trivial query: does the database answer at all (for /healthz)?"""
        await self._conn.execute_fetchall("SELECT 1")

    async def _on_db_thread(self, begin: str, work: Callable[..., T], args, kwargs, kind: str) -> T:
        def transaction() -> T:
            db = self._conn._conn  # the sqlite3 connection, owned by this thread
            db.execute(begin)
            try:
                result = work(db, *args, **kwargs)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # a failed COMMIT (disk full) can leave it open
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
            return result

        # aiosqlite has no public "run this on the connection's thread"; `_execute` is
        # what its own methods use (tests/test_store.py fails if that ever changes).
        return await self._timed(kind, self._conn._execute(transaction))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One hop to the database thread (execute + fetch + close together)."""
        return list(await self._timed("read", self._conn.execute_fetchall(sql, params)))

    async def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """One statement, committed on its own (autocommit): the cheapest write."""
        return await self._timed("write", self._conn.execute(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        rows = list(rows)
        await self.atomic(lambda db: db.executemany(sql, rows))

    async def integrity_check(self) -> str:
        row = await self.fetchone("PRAGMA integrity_check")
        return str(row[0])

    async def tables(self) -> dict[str, list[str]]:
        """Table name -> column names, for checks that every member table is covered."""
        names = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        result = {}
        for (name,) in names:
            columns = await self.fetchall(f"PRAGMA table_info({name})")
            result[name] = [column["name"] for column in columns]
        return result


def backup(source: str | os.PathLike, dest: str | os.PathLike) -> None:
    """A consistent online copy through SQLite's backup API; safe while the bot runs."""
    dest = Path(dest)
    if dest.exists():
        raise StoreError(f"{dest}: already exists; choose a new file name for the backup")
    create_private_file(dest)
    with contextlib.closing(sqlite3.connect(f"file:{Path(source)}?mode=ro", uri=True)) as src:
        with contextlib.closing(sqlite3.connect(dest)) as target:
            src.backup(target)
