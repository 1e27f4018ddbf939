"""What every repository shares: its store, and the member-data contract.

A repository that keeps rows about a member lists those tables in `member_tables` and
implements `export_member` / `erase_member`, so `/mydata` can never miss a table
(a test compares `member_tables` with the schema).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import Store


class Repository:
    member_tables: tuple[str, ...] = ()

    def __init__(self, store: Store):
        self.store = store

    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the member in this server, table name -> rows as plain dicts."""
        return {}

    async def erase_member(self, guild_id: int, member_id: int) -> None:
        """Delete every row about the member in this server; must be idempotent."""
        return None


def row_dict(row: Any) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}
