"""Answer first: each hot path's acknowledgement beside a command that only answers.

    python -m bench.answer_first            # bursts of 1 (x30), 50 (x3) and 200
    python -m bench.answer_first --quick    # bursts of 1 (x5), 10 and 20

For each hot path (the /share steps, Reply as author, /celebrate, Cheer, /victories,
/suggest) a fresh bot gets bursts whose interactions all arrive in the same instant, and
so does the floor: a command registered on the same tree that does nothing but answer,
through the same bot, kit, payloads and probe. Printed per path and burst size: the
acknowledgement (arrival to the first callback reaching Discord) p50 and p99 as a ratio to
the floor's in the same bot and burst (target p99 <= 1.5x), and the CPU per interaction
(everything it caused, both threads) as a ratio to the floor's (target <= 2x for the /share
steps and /celebrate). The send queue is opened wide here (Discord's 40/s pace is not the
bot's work), so "everything it caused" includes the posts, threads and guides.

Then the whole /share flow (open, submit, value, Post) for 50 members: CPU per published
story beside the requests it made.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import discord
import pytest

from bench.common import Row, percentile, table
from bench.interactions import STORY, Probe, modal_submit, slash
from bot.sendqueue import shared_queue
from tests.kit import FakeClock, Kit, Person

ACK_TARGET = 1.5  # a hot path's ack p99 at most 1.5x the floor's, at every burst size
CPU_TARGET = 2.0  # CPU per interaction at most 2x the floor's for /share and /celebrate
CPU_TARGETED = {"share open", "share submit", "value pick", "post", "celebrate"}


class Bed:
    """One bot with stories, celebrations and a moderator channel set up, and the floor."""

    def __init__(self, kit: Kit):
        self.kit, self.n = kit, 0
        self.background = set(asyncio.all_tasks())  # the bot's idle loops

    def press(self, person: Person, custom_id: str, **extra) -> dict:
        """A button press or menu choice on the newest message carrying `custom_id`."""
        message = self.kit.discord.message_with(custom_id)
        payload = person._base(3, self.kit.channel_by_id(int(message["channel_id"])))
        payload["message"] = message
        kind = 3 if extra else 2
        payload["data"] = {"custom_id": custom_id, "component_type": kind, **extra}
        return payload

    async def prepare(self) -> None:
        kit = self.kit
        for name in ("stories", "mods", "wins"):
            kit.add_channel(name)
        mo = kit.moderator("mo")
        await mo.slash("settings mod-channel", channel="mods")
        await mo.slash("stories channel", channel="stories")
        await mo.slash("celebrations channel", channel="wins")

        @kit.bot.tree.command(name="floor", description="answers ok")
        async def floor_command(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        shared_queue(kit.bot).rate = 1_000_000  # the bot's work, not Discord's pace
        self.modal = (await kit.member("opener").slash("share")).modal

    def person(self) -> Person:
        self.n += 1
        return self.kit.member(f"member{self.n}")

    async def draft(self, person: Person, *, value: bool) -> int:
        out = await person.submit_modal(
            self.modal, story=STORY, title="Knocking", post_as="anonymous", consent=True
        )
        [sid] = [int(c.rsplit(":", 1)[1]) for c in out.reply.custom_ids if ":post:" in c]
        if value:
            await person.select(f"kindred:story:value:{sid}", ["hope"])
        return sid


# Each maker builds one interaction payload (setting up what it needs first, untimed).
Maker = Callable[[Bed], Awaitable[dict]]


async def floor(bed: Bed) -> dict:
    return slash(bed.kit, bed.person(), "floor")


async def share_open(bed: Bed) -> dict:
    return slash(bed.kit, bed.person(), "share")


async def share_submit(bed: Bed) -> dict:
    return modal_submit(
        bed.person(), bed.modal, story=STORY, title="Knocking", post_as="anonymous", consent=True
    )


async def value_pick(bed: Bed) -> dict:
    person = bed.person()
    sid = await bed.draft(person, value=False)
    return bed.press(person, f"kindred:story:value:{sid}", values=["hope"])


async def post(bed: Bed) -> dict:
    person = bed.person()
    sid = await bed.draft(person, value=True)
    return bed.press(person, f"kindred:story:post:{sid}")


async def reply_as_author(bed: Bed) -> dict:
    person = bed.person()
    sid = await bed.draft(person, value=True)
    await person.click(f"kindred:story:post:{sid}")
    return bed.press(person, f"kindred:story:reply:{sid}")


async def celebrate(bed: Bed) -> dict:
    return slash(bed.kit, bed.person(), "celebrate", victory="I asked for help today")


async def cheer(bed: Bed) -> dict:
    author = bed.person()
    out = await author.slash("celebrate", victory="Walked in the park")
    await bed.kit.settle(bed.background, timeout=30)
    [card] = out.posts
    [custom_id] = [c for c in card.custom_ids if c.startswith("kindred:cheer:")]
    return bed.press(bed.person(), custom_id)


async def victories(bed: Bed) -> dict:
    return slash(bed.kit, bed.person(), "victories")


async def suggest(bed: Bed) -> dict:
    return slash(bed.kit, bed.person(), "suggest", text=f"What helped today? ({bed.n})",
                 value="hope")  # fmt: skip


PATHS: dict[str, Maker] = {
    "share open": share_open,
    "share submit": share_submit,
    "value pick": value_pick,
    "post": post,
    "reply as author": reply_as_author,
    "celebrate": celebrate,
    "cheer": cheer,
    "victories": victories,
    "suggest": suggest,
}


async def burst(kit: Kit, payloads: list[dict]) -> tuple[list[float], float]:
    """All at once: (ack ms per interaction, CPU ms per interaction incl. what it caused)."""
    probe = Probe(kit)
    try:
        background = set(asyncio.all_tasks())
        probe.reset(len(payloads))
        cpu = time.process_time()
        for payload in payloads:
            probe.dispatch(payload)
        await asyncio.wait_for(probe.all_done.wait(), 120)
        await kit.settle(background, timeout=120)
        cpu = (time.process_time() - cpu) * 1000 / len(payloads)
        acks = [probe.answer_ms(p) for p in payloads]
    finally:
        probe.close()
    assert all(a is not None for a in acks), "an interaction was never answered"
    return acks, cpu


async def measure_path(name: str, maker: Maker, sizes: list[tuple[int, int]]) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        kit = await Kit.start(Path(tmp), patch, clock=FakeClock())
        try:
            bed = Bed(kit)
            await bed.prepare()
            await burst(kit, [await maker(bed) for _ in range(3)])  # warm every path
            await burst(kit, [await floor(bed) for _ in range(3)])
            rows = []
            for size, repeats in sizes:
                acks, floor_acks, cpus, floor_cpus = [], [], [], []
                for _ in range(repeats):
                    mine = [await maker(bed) for _ in range(size)]
                    base = [await floor(bed) for _ in range(size)]
                    got, cpu = await burst(kit, base)
                    floor_acks += got
                    floor_cpus.append(cpu)
                    got, cpu = await burst(kit, mine)
                    acks += got
                    cpus.append(cpu)
                rows += path_rows(name, size, acks, floor_acks, min(cpus), min(floor_cpus))
            return rows
        finally:
            await kit.close()


def path_rows(name, size, acks, floor_acks, cpu, floor_cpu) -> list[Row]:
    p50, p99 = percentile(acks, 0.5), percentile(acks, 0.99)
    f50, f99 = percentile(floor_acks, 0.5), percentile(floor_acks, 0.99)
    ratio = p99 / f99
    rows = [
        Row("answer first", f"{name}, {size} at once: ack p99 (p50 {p50:.2f} ms)", p99, "ms",
            f"floor p99 {f99:.2f} (p50 {f50:.2f}) ms"),
        Row("answer first", f"{name}, {size} at once: ack p99 / the floor's", ratio, "x",
            f"<= {ACK_TARGET}", ratio <= ACK_TARGET),
    ]  # fmt: skip
    cpu_ratio = cpu / floor_cpu
    target = (f"<= {CPU_TARGET}", cpu_ratio <= CPU_TARGET) if name in CPU_TARGETED else ("",)
    rows.append(Row("answer first", f"{name}, {size} at once: CPU per interaction / the floor's",
                    cpu_ratio, "x", *target))  # fmt: skip
    return rows


async def whole_share_flow(stories: int) -> list[Row]:
    """Open, submit, value and Post, one member after another: CPU and requests per story."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        kit = await Kit.start(Path(tmp), patch, clock=FakeClock())
        try:
            bed = Bed(kit)
            await bed.prepare()
            before, cpu = len(kit.discord.requests), time.process_time()
            for _ in range(stories):
                person = bed.person()
                await person.slash("share")
                sid = await bed.draft(person, value=True)
                out = await person.click(f"kindred:story:post:{sid}")
                assert "Your story is shared" in out.replies[-1].text, out.replies[-1].text
            cpu = (time.process_time() - cpu) * 1000 / stories
            requests = (len(kit.discord.requests) - before) / stories
        finally:
            await kit.close()
    return [
        Row("answer first", "/share flow (open, submit, value, Post): CPU per published story",
            cpu, "ms", f"{requests:.0f} requests per story"),
    ]  # fmt: skip


async def measure(quick: bool = False) -> list[Row]:
    sizes = [(1, 5), (10, 1), (20, 1)] if quick else [(1, 30), (50, 3), (200, 1)]
    rows = []
    for name, maker in PATHS.items():
        rows += await measure_path(name, maker, sizes)
    return rows + await whole_share_flow(10 if quick else 50)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.answer_first", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small bursts (for CI)")
    print(table(asyncio.run(measure(parser.parse_args().quick))))


if __name__ == "__main__":
    main()
