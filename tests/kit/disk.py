"""A database that stops taking writes, as a full disk or a read-only file does.

The store's one sqlite3 connection is swapped for a stand-in that counts write
statements (INSERT, UPDATE, DELETE and the COMMIT that makes them durable) and, from the
n-th on, raises the error SQLite itself raises for a full disk or a read-only file. Every
path to the database goes through that connection (aiosqlite's calls and `Store.atomic`),
so a fault can be placed at any write of any flow.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from bot.store import Store

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "COMMIT")
ERRORS = {
    "full": "database or disk is full",
    "read-only": "attempt to write a readonly database",
}


class FailingDisk:
    """Stands in for the sqlite3 connection; `fail_from` None means healthy."""

    def __init__(self, real: sqlite3.Connection, error: str):
        self.real, self.message = real, ERRORS[error]
        self.fail_from: int | None = None
        self.writes = 0
        self.dirty = True  # until a BEGIN says otherwise, a COMMIT may carry writes
        self.statements: list[str] = []  # the first words of each write, for failure messages

    def __getattr__(self, name):
        return getattr(self.real, name)

    def _write(self, sql: str) -> None:
        words = sql.lstrip().upper()
        if words.startswith("BEGIN"):
            self.dirty = False
        if not words.startswith(WRITES):
            return
        if words.startswith("COMMIT") and not self.dirty:
            return  # a read-only transaction's COMMIT writes nothing, full disk or not
        self.dirty = not words.startswith("COMMIT")
        self.writes += 1
        self.statements.append(" ".join(sql.split()[:6]))
        if self.fail_from is not None and self.writes >= self.fail_from:
            raise sqlite3.OperationalError(self.message)

    def execute(self, sql: str, *args):
        self._write(sql)
        return self.real.execute(sql, *args)

    def executemany(self, sql: str, *args):
        self._write(sql)
        return self.real.executemany(sql, *args)

    def executescript(self, script: str):
        self._write(script)
        return self.real.executescript(script)


@contextlib.contextmanager
def failing_disk(store: Store, error: str = "full") -> Iterator[FailingDisk]:
    """Swap the store's connection for a FailingDisk (healthy until `fail_from` is set)."""
    connection = store._conn  # aiosqlite keeps the sqlite3 connection in `_connection`
    real = connection._connection
    disk = FailingDisk(real, error)
    connection._connection = disk
    try:
        yield disk
    finally:
        connection._connection = real


async def everything(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: compared before and after a fault, nothing may differ."""
    tables = await store.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {
        name: sorted(
            (tuple(row) for row in await store.fetchall(f"SELECT * FROM {name}")), key=repr
        )
        for (name,) in tables
    }
