"""The store: one aiosqlite connection, numbered migrations, one-hop transactions.

An aiosqlite connection is one thread that runs the calls queued to it in order. A
transaction is therefore a plain function run on that thread from BEGIN to COMMIT in one
call (`atomic`): nothing can interleave with it, so no lock is needed, and it costs one
hop to the thread however many statements it runs. Awaiting statement by statement inside
BEGIN/COMMIT instead needed a lock held across several hops, and under a burst every
interaction queued behind it (bench/interactions.py).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
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


SQLITE_HEADER = b"SQLite format 3\x00"
GRANT = "let the user running Kindred read and write it and its folder (chown/chmod)"


def _not_kindred(path: Path, why: str) -> StoreError:
    return StoreError(
        f"{path.name}: not a Kindred database ({why}); "
        "point [database] path at Kindred's file or move this one away"
    )


def _read_only(path: Path) -> StoreError:
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        return StoreError(f"{path.name}: the file is read-only for this user; {GRANT}")
    return StoreError(
        f"{path.name}: its folder {path.absolute().parent} is read-only for this user, and "
        f"SQLite writes {path.name}-wal and {path.name}-shm there; {GRANT}"
    )


def explain(path: Path, error: sqlite3.Error) -> StoreError:
    """The one line for the operator when SQLite refuses `path`."""
    text, name = str(error), path.name
    if "locked" in text or "busy" in text:
        return StoreError(
            f"{name}: locked by another process (another `kindred run`, or a tool holding "
            "it open); stop that process and try again"
        )
    if "readonly" in text:
        return _read_only(path)
    if "malformed" in text or "not a database" in text:
        return StoreError(
            f"{name}: the database is damaged ({text}); restore your latest backup, "
            "or move this one away to start afresh"
        )
    return StoreError(f"{name}: SQLite can't use it ({text}); {GRANT}")


def _what_it_is(head: bytes) -> str:
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head)  # forgives a cut end
    if not text.strip("\x00"):
        return "it isn't SQLite at all, only zero bytes"
    binary = "\x00" in text or "\ufffd" in text
    return "it isn't SQLite at all" if binary else "it is a text file, not SQLite"


@functools.cache
def _tables_at(version: int) -> frozenset[str]:
    """The tables Kindred's migrations 1..version create (built once, in memory)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        for _, _, sql in packaged_migrations()[:version]:
            db.executescript(sql)
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return frozenset(name for (name,) in rows if not name.startswith("sqlite_"))


def examine(path: str | os.PathLike, *, write: bool = True) -> bool:
    """Raise StoreError (one line for the operator) unless `path` holds Kindred's database
    that this process can read, lock and (with `write`) write, or is a place where it can
    be created (False). Creates nothing: `run` and `check` call it before anything else,
    Store.open before it connects."""
    path = Path(path)
    try:
        if path.is_dir():
            raise _not_kindred(path, "it is a folder, not a file")
        if not path.exists():
            folder = path.absolute().parent
            while not os.path.lexists(folder):
                folder = folder.parent
            if write and not (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
                raise StoreError(f"{path}: can't be created in {folder}; {GRANT}")
            return False
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError as error:
        raise StoreError(f"{path.name}: can't read it ({error.strerror}); {GRANT}") from None
    if head and not head.startswith(SQLITE_HEADER):
        raise _not_kindred(path, _what_it_is(head))
    if write and not (os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)):
        raise _read_only(path)
    try:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            if write:  # the write lock, as every write takes it (waiting up to 5 s)
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
    except sqlite3.Error as error:
        raise explain(path, error) from None
    tables = {name for (name,) in rows if not name.startswith("sqlite_")}
    if tables and not tables & _tables_at(1):
        listed = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise _not_kindred(path, f"it is another program's SQLite database: {listed}")
    if version > latest_version():
        raise StoreError(
            f"{path.name}: database schema version {version} is newer than this Kindred "
            f"understands ({latest_version()}); upgrade Kindred or restore a backup"
        )
    if missing := sorted(_tables_at(version) - tables):
        raise StoreError(
            f"{path.name}: the database is damaged (schema version {version} without the "
            f"table {missing[0]}); restore your latest backup"
        )
    return True


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
        try:
            if str(path) != ":memory:":
                await asyncio.to_thread(examine, path)  # one line for a file that isn't ours
                create_private_file(path)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except OSError as error:
            raise StoreError(f"{path}: can't create it ({error.strerror})") from None
        except sqlite3.Error as error:
            raise explain(path, error) from None
        conn.row_factory = aiosqlite.Row
        store = cls(conn, path)
        try:
            await store._configure()
            if migrate:
                await store.migrate(upto)
        except sqlite3.Error as error:
            await conn.close()
            raise explain(path, error) from None
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
