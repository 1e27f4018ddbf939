"""Victories in a member's data: what /mydata exports and erases, and what changes on Discord.

A mixin of `VictoryRepository` (the store wires one repository per feature), kept apart so
each module stays readable.
"""

from __future__ import annotations

import sqlite3

from bot.store.base import CleanupJob, Repository, row_dict, sweep_bound
from bot.store.victory_rows import CARD_ID_PREFIX


class MemberDataQueries(Repository):
    # ----- the member-data contract ----------------------------------------------------
    async def export_member(self, guild_id: int, member_id: int) -> dict[str, list[dict]]:
        victories = await self.store.fetchall(
            "SELECT * FROM victories WHERE guild_id = ? AND member_id = ? ORDER BY victory_id",
            (guild_id, member_id),
        )
        cheers = await self.store.fetchall(
            "SELECT c.* FROM cheers c JOIN victories v ON v.victory_id = c.victory_id "
            "WHERE v.guild_id = ? AND c.member_id = ? ORDER BY c.victory_id",
            (guild_id, member_id),
        )
        prefs = await self.store.fetchall(
            "SELECT * FROM victory_quote_prefs WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return {
            "victories": [row_dict(r) for r in victories],
            "cheers": [row_dict(r) for r in cheers],
            "victory_quote_prefs": [row_dict(r) for r in prefs],
        }

    def erase_member_rows(self, db: sqlite3.Connection, guild_id: int, member_id: int) -> None:
        """Their victories (with the cheers on them), their cheers, their quote choice.

        Posted messages stay on Discord: deleting those is the caller's job.
        """
        db.execute(
            "DELETE FROM cheers WHERE member_id = ? AND victory_id IN "
            "(SELECT victory_id FROM victories WHERE guild_id = ?)",
            (member_id, guild_id),
        )
        db.execute(
            "DELETE FROM victories WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)
        )
        db.execute(
            "DELETE FROM victory_quote_prefs WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )

    async def discord_cleanup_for_member(self, guild_id: int, member_id: int) -> list[CleanupJob]:
        """Their public victory cards are deleted (a card whose id a crash kept from being
        recorded is swept: found by its button); the cards of others they cheered show the
        count without them; every weekly digest that counted or quoted one of their public
        victories is drawn again without it."""
        cards = await self.store.fetchall(
            "SELECT channel_id, message_id FROM victories WHERE guild_id = ? AND member_id = ? "
            "AND channel_id IS NOT NULL AND message_id IS NOT NULL ORDER BY victory_id",
            (guild_id, member_id),
        )
        cheered = await self.store.fetchall(
            "SELECT v.victory_id, v.channel_id, v.message_id FROM cheers c "
            "JOIN victories v ON v.victory_id = c.victory_id WHERE v.guild_id = ? "
            "AND c.member_id = ? AND v.member_id != c.member_id AND v.message_id IS NOT NULL "
            "ORDER BY v.victory_id",
            (guild_id, member_id),
        )
        digests = await self.store.fetchall(
            "SELECT d.digest_id, d.channel_id, d.message_id FROM victory_digests d "
            "WHERE d.guild_id = ? AND d.status = 'sent' AND d.message_id IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM victories v WHERE v.guild_id = d.guild_id "
            "AND v.member_id = ? AND v.public = 1 AND v.created_at >= d.period_start "
            "AND v.created_at < d.period_end) ORDER BY d.digest_id",
            (guild_id, member_id),
        )
        unknown = await self.store.fetchall(
            "SELECT victory_id, channel_id, created_at FROM victories WHERE guild_id = ? "
            "AND member_id = ? AND public = 1 AND channel_id IS NOT NULL AND message_id IS NULL "
            "ORDER BY victory_id",
            (guild_id, member_id),
        )
        return (
            [CleanupJob(row[0], row[1], "delete") for row in cards]
            + [sweep_job(*row) for row in unknown]
            + [CleanupJob(row[1], row[2], "refresh", f"cheers:{row[0]}") for row in cheered]
            + [CleanupJob(row[1], row[2], "refresh", f"digest:{row[0]}") for row in digests]
        )


def sweep_job(victory_id: int, channel_id: int, created_at: int) -> CleanupJob:
    """A card that may be on Discord with its id never recorded (a process stopped between
    posting and recording it): the janitor deletes Kindred's messages in the channel, after
    the moment the victory was saved, whose buttons name this victory.

    `message_id` is a snowflake lower bound: the instant (a minute early, for clock skew) in
    its time bits, the victory id in its low 22 bits, so that two victories saved in the same
    second in one channel make two jobs (a job is unique per channel, message and action).
    """
    bound = sweep_bound(created_at, victory_id)
    return CleanupJob(channel_id, bound, "sweep", f"{CARD_ID_PREFIX}{victory_id}")
