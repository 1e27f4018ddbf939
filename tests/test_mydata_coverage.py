"""No table that holds member data can escape /mydata export and erase.

Generic over the schema: every table with a column naming a member (member_id, author_id,
user_id, *_by, ...) must be listed in some repository's `member_tables`; then a row is
inserted for a member in each such column, and export must return it while erase must
remove the member from it, leaving other members and other servers alone. A table added
by a future migration is checked without anyone editing this file, and so is the export's
file: each of those values must be in it, named in plain words (cogs/care/export_sections.py).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.store import Store
from cogs.care import mydata
from tests.test_mydata_readable import check_complete

MEMBER_COLUMN = re.compile(
    r"^(member_id|author_id|user_id|owner_id|[a-z_]*_by|[a-z_]+_(member|user|author)_id)$"
)
GUILD, OTHER_GUILD = 5001, 5002
ME, OTHER = 7001, 7002
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_counter = itertools.count(1)


async def member_columns(store: Store) -> dict[str, list[str]]:
    """Table -> the columns in it that hold a member's Discord id."""
    found = {}
    for table, columns in (await store.tables()).items():
        named = [c for c in columns if MEMBER_COLUMN.match(c)]
        if named:
            found[table] = named
    return found


async def coverage_problems(store: Store) -> list[str]:
    """Every way the schema and the repositories' `member_tables` disagree."""
    covered = {table for repo in store.repositories for table in repo.member_tables}
    tables = await store.tables()
    problems = [
        f"{table} holds member data ({', '.join(columns)}) but no repository lists it in "
        "member_tables, so /mydata export and erase would miss it"
        for table, columns in sorted((await member_columns(store)).items())
        if table not in covered
    ]
    problems += [
        f"{table} is listed in member_tables but there is no such table"
        for table in sorted(covered - set(tables))
    ]
    return problems


# ----- a generic row factory -----------------------------------------------------------
def _allowed(create_sql: str, column: str):
    """A value a CHECK on the column allows: `IN ('a', 'b')`, `IN (0, 1)`, `BETWEEN 1 AND 5`."""
    match = re.search(rf"\b{column}\b\s+IN\s*\(\s*(?:'([^']*)'|(-?\d+))", create_sql, re.IGNORECASE)
    if match:
        return match.group(1) if match.group(1) is not None else int(match.group(2))
    match = re.search(rf"\b{column}\b\s+BETWEEN\s+(-?\d+)", create_sql, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _sample(column: str, declared: str, create_sql: str):
    allowed = _allowed(create_sql, column)
    if allowed is not None:
        return allowed
    n = next(_counter)
    declared = declared.upper()
    if "INT" in declared or declared in ("", "NUMERIC", "BOOLEAN"):
        return int(NOW.timestamp()) + n if column.endswith("_at") else n
    if "REAL" in declared or "FLOA" in declared or "DOUB" in declared:
        return float(n)
    if "BLOB" in declared:
        return f"blob {n}".encode()
    return f"sample {column} {n}"


async def insert_row(
    store: Store, table: str, guild_id: int, members: dict[str, int], *, fill_nullable=False
) -> dict:
    """Insert a plausible row (parents created as needed) and return it as a dict."""
    columns = await store.fetchall(f"PRAGMA table_info({table})")
    foreign = {fk["from"]: fk for fk in await store.fetchall(f"PRAGMA foreign_key_list({table})")}
    create_sql = (await store.fetchone("SELECT sql FROM sqlite_master WHERE name = ?", (table,)))[0]
    integer_pk = [c["name"] for c in columns if c["pk"] and c["type"].upper() == "INTEGER"]
    values = {}
    for column in columns:
        name = column["name"]
        if name in members:
            values[name] = members[name]
        elif name in foreign:
            fk = foreign[name]
            if fk["table"] == "guilds":
                values[name] = guild_id
            else:  # a parent row belonging to some third member, in the same server
                parent_members = {
                    c: next(_counter) + 90000
                    for c in (await member_columns(store)).get(fk["table"], [])
                }
                parent = await insert_row(store, fk["table"], guild_id, parent_members)
                values[name] = parent[fk["to"]] if fk["to"] else next(iter(parent.values()))
        elif name == "guild_id":
            values[name] = guild_id
        elif MEMBER_COLUMN.match(name):
            values[name] = next(_counter) + 90000  # another member in the same row
        elif len(integer_pk) == 1 and name == integer_pk[0]:
            continue  # the rowid
        elif column["dflt_value"] is not None or (not column["notnull"] and not fill_nullable):
            continue
        else:
            values[name] = _sample(name, column["type"], create_sql)
    await store.execute(
        "INSERT INTO guilds (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,)
    )
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    try:
        row = await store.fetchone(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING *", tuple(values.values())
        )
    except sqlite3.IntegrityError as error:
        if not fill_nullable:
            return await insert_row(store, table, guild_id, members, fill_nullable=True)
        pytest.fail(
            f"could not build a sample row for {table} ({error}); teach insert_row in "
            f"{__name__} about its constraints"
        )
    return dict(zip(row.keys(), tuple(row), strict=True))


async def count_naming(store: Store, table: str, column: str, member_id: int, guild_id: int) -> int:
    columns = (await store.tables())[table]
    where = f"{column} = ?" + (" AND guild_id = ?" if "guild_id" in columns else "")
    params = (member_id, guild_id) if "guild_id" in columns else (member_id,)
    row = await store.fetchone(f"SELECT count(*) FROM {table} WHERE {where}", params)
    return row[0]


# ----- the tests -----------------------------------------------------------------------
async def test_every_table_holding_member_data_is_listed_by_a_repository(store):
    assert await member_columns(store), "the schema should hold some member data"
    assert await coverage_problems(store) == []


async def test_a_new_member_table_nobody_lists_is_caught(store):
    await store.execute(
        "CREATE TABLE future_feature (guild_id INTEGER NOT NULL, author_id INTEGER NOT NULL)"
    )
    problems = await coverage_problems(store)
    assert any("future_feature" in p and "author_id" in p for p in problems)


async def test_export_returns_and_erase_removes_a_row_in_every_member_column(store):
    targets = [
        (table, column)
        for table, columns in sorted((await member_columns(store)).items())
        for column in columns
    ]
    tables = await store.tables()
    scoped = {table for table, columns in tables.items() if "guild_id" in columns}
    for table, column in targets:
        await insert_row(store, table, GUILD, {column: ME})
        await insert_row(store, table, GUILD, {column: OTHER})
        if table in scoped:
            await insert_row(store, table, OTHER_GUILD, {column: ME})

    problems = []
    exported = await mydata.collect(store, GUILD, ME, NOW)
    # ... and in the file the member reads, every value under a plain-words label
    problems += check_complete(exported, mydata.export_document(exported))
    for table, column in targets:
        rows = exported.tables.get(table, [])
        if not any(row.get(column) == ME for row in rows):
            problems.append(
                f"/mydata export misses {table}.{column}: its repository's export_member must "
                "return the member's rows under the table's name"
            )
        if any(row.get("guild_id") == OTHER_GUILD for row in rows):
            problems.append(f"/mydata export of {table} leaks rows from another server")

    await mydata.erase(store, GUILD, ME, NOW)
    await mydata.erase(store, GUILD, ME, NOW)  # idempotent: a second erase is harmless
    for table, column in targets:
        if await count_naming(store, table, column, ME, GUILD):
            problems.append(f"/mydata erase leaves the member in {table}.{column}")
        if not await count_naming(store, table, column, OTHER, GUILD):
            problems.append(f"/mydata erase removed another member's row from {table}")
        if table in scoped and not await count_naming(store, table, column, ME, OTHER_GUILD):
            problems.append(f"/mydata erase reached into another server's {table}")
    assert problems == []
    assert (await mydata.collect(store, GUILD, ME, NOW)).total == 0
