"""Stories: the store's share of one /share (draft, submit, publish), the per-message reply
check every thread message in a server pays, and the nudge scan, at many stories.

    python -m bench.stories [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Row, percentile, table
from bot.clock import to_epoch
from bot.store import Store
from cogs.share import story_rules as stories

GUILDS = 100
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = "A story of the kind members share, a few hundred characters long. " * 6


async def seed(store: Store, count: int) -> None:
    """`count` published stories over 30 days in GUILDS servers; most answered, 2% not."""
    await store.executemany(
        "INSERT INTO guilds (guild_id) VALUES (?) ON CONFLICT DO NOTHING",
        [(g,) for g in range(1, GUILDS + 1)],
    )
    await store.executemany(
        "INSERT INTO story_settings (guild_id, channel_id, nudge_hours) VALUES (?, 1, 12)",
        [(g,) for g in range(1, GUILDS + 1)],
    )
    rows, authors = [], []
    start = to_epoch(NOW - timedelta(days=30))
    for n in range(1, count + 1):
        at = start + n * (30 * 86400 // count)
        rows.append((n, n % GUILDS + 1, "Title", BODY, 1, at, at, at, at, n, n, 1, n, n % 50 != 0))
        authors.append((n, n % GUILDS + 1, 10_000 + n % 5_000))
    await store.executemany(
        "INSERT INTO stories (story_id, guild_id, title, body, anonymous, created_at, updated_at, "
        "submitted_at, published_at, thread_id, message_id, post_channel_id, review_message_id, "
        "replied, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published')",
        rows,
    )
    await store.executemany(
        "INSERT INTO story_authors (story_id, guild_id, author_id) VALUES (?, ?, ?)", authors
    )


async def timed(samples: int, call) -> list[float]:
    latencies = []
    for n in range(samples):
        started = time.perf_counter()
        await call(n)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def measure(quick: bool = False) -> list[Row]:
    count = 5_000 if quick else 100_000
    samples = 200 if quick else 2_000
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        try:
            await seed(store, count)
            repo = store.stories

            async def one_story(n: int) -> None:
                member = 90_000 + n
                at = NOW + timedelta(minutes=n)
                draft = await repo.save_draft(
                    1, member, at, title="T", body=BODY, content_warning=None,
                    anonymous=True, consent=True,
                )  # fmt: skip
                await repo.set_value(draft.story_id, member, "hope")
                result = await repo.submit(
                    draft.story_id, member, at, cooldown_after=stories.cooldown_cutoff(at),
                    to_review=False,
                )  # fmt: skip
                await repo.mark_published(
                    draft.story_id, channel_id=1, message_id=1, thread_id=10**9 + n, now=at
                )
                assert result.story is not None

            post = await timed(samples // 4, one_story)
            rows.append(
                Row("stories", "draft+value+submit+publish p50", percentile(post, 0.5), "ms",
                    "< 5 ms", percentile(post, 0.5) < 5)
            )  # fmt: skip
            rows.append(
                Row("stories", "draft+value+submit+publish p99", percentile(post, 0.99), "ms")
            )

            async def reply_elsewhere(n: int) -> None:
                await repo.mark_replied(5 * 10**9 + n, 42)  # a thread that holds no story

            async def reply_in_story(n: int) -> None:
                await repo.mark_replied((n * 50) % count + 1, 42)

            for label, call in (("not a story", reply_elsewhere), ("story", reply_in_story)):
                latencies = await timed(samples, call)
                p50 = percentile(latencies, 0.5)
                rows.append(
                    Row("stories", f"on_message reply check ({label}) p50", p50, "ms",
                        "< 0.5 ms", p50 < 0.5)
                )  # fmt: skip
                rows.append(
                    Row("stories", f"on_message reply check ({label}) p99",
                        percentile(latencies, 0.99), "ms")
                )  # fmt: skip

            late = NOW + timedelta(days=1)
            scan = await timed(samples // 10, lambda n: repo.due_nudges(late))
            due = len(await repo.due_nudges(late, limit=count))
            rows.append(
                Row("stories", f"nudge scan, {count:,} stories ({due} due) p50",
                    percentile(scan, 0.5), "ms", "< 5 ms", percentile(scan, 0.5) < 5)
            )  # fmt: skip
            await store.execute("DROP INDEX stories_unanswered")
            unindexed = await timed(max(samples // 100, 3), lambda n: repo.due_nudges(late))
            rows.append(
                Row("stories", "nudge scan without the partial index p50",
                    percentile(unindexed, 0.5), "ms")
            )  # fmt: skip
        finally:
            await store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stories", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    args = parser.parse_args()
    print(table(asyncio.run(measure(args.quick))))


if __name__ == "__main__":
    main()
