"""How a member's /mydata export reads: a summary, then named sections in plain words.

The sections and their labels are cogs/care/export_sections.py. Nothing is ever dropped: a
table nobody named lands in "Other things Kindred keeps" and a column nobody named in its
row's "other details" (and tests/test_mydata_readable.py fails until both are named).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.clock import from_epoch
from bot.schedule import local_iso, zone_or_utc
from cogs.care.export_sections import (
    ASIDE,
    ID,
    OTHER_DETAILS,
    OTHER_SECTION,
    OWNER,
    PERSON,
    SERVER,
    TABLES,
    TIME,
    TITLES,
    YES_NO,
    YOU,
    Col,
    Context,
)

if TYPE_CHECKING:
    from cogs.care.mydata import MemberData


# ----- values ----------------------------------------------------------------------------
def when(seconds: int, zone: str) -> dict[str, str]:
    instant = from_epoch(seconds)
    return {"utc": instant.isoformat(), "server time": local_iso(instant, zone)}


def value(col: Col, raw: Any, ctx: Context) -> Any:
    """One stored value as a person reads it; whatever does not fit its kind stays as is."""
    number = isinstance(raw, int) and not isinstance(raw, bool)
    if col.kind == TIME and number:
        return when(raw, ctx.zone)
    if col.kind in (ID, OWNER, SERVER) and number:
        return str(raw)
    if col.kind == PERSON and number:
        return YOU if raw == ctx.member_id else str(raw)
    if col.kind == YES_NO and raw in (0, 1):
        return bool(raw)
    if col.words and isinstance(raw, str):
        return col.words.get(raw, raw)
    if isinstance(raw, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(raw)).decode("ascii")
    if number and abs(raw) > 2**53:
        return str(raw)  # past 2^53 many JSON readers round a number
    return raw


def plain_name(name: str) -> str:
    """A column or table nobody named yet, in words: "thread_id" -> "thread"."""
    name = name.removesuffix("_id").replace("_id_", "_").replace("guild", "server")
    return name.replace("_", " ").strip() or "detail"


def guessed(name: str) -> Col:
    """A column nobody named: its kind from how it is called."""
    if name == "guild_id":
        return Col(name, "server", SERVER)
    if name in ("member_id", "author_id", "user_id") or name.endswith("_by"):
        return Col(name, plain_name(name), PERSON)
    if name.endswith("_at"):
        return Col(name, plain_name(name), TIME)
    if name.endswith("_id"):
        return Col(name, plain_name(name), ID)
    return Col(name, plain_name(name))


def item(columns: tuple[Col, ...], row: dict, ctx: Context) -> dict[str, Any]:
    """A row in words: its named columns in order (Kindred's bookkeeping apart), then any
    column nobody named under "other details". Empty values are left out."""
    named = {col.column for col in columns}
    shown: dict[str, Any] = {}
    for col in [*columns, *(guessed(c) for c in row if c not in named)]:
        raw = row.get(col.column)
        if raw is None:
            continue
        if col.kind == OWNER and raw == ctx.member_id:
            continue  # the top of the file says whose it is
        if col.kind == SERVER and raw == ctx.guild_id:
            continue
        place = shown
        if col.column not in named:
            place = shown.setdefault(OTHER_DETAILS, {})
        elif col.aside:
            place = shown.setdefault(ASIDE, {})
        place[col.label] = value(col, raw, ctx)
    if ASIDE in shown:
        shown[ASIDE] = shown.pop(ASIDE)  # after the member's own words
    return shown


# ----- the document ---------------------------------------------------------------------
@dataclass
class Section:
    title: str
    about: str
    one: str
    many: str
    items: list[dict[str, Any]]


def sections(data: MemberData) -> list[Section]:
    """Every row of `data` in a named section (empty ones left out), in a stable order."""
    ctx = Context(data.guild_id, data.member_id, zone_of(data), data.tables)
    made: dict[str, Section] = {}
    other: list[dict[str, Any]] = []
    for table, rows in data.tables.items():
        parts = TABLES.get(table)
        for row in rows:
            if not parts:
                columns = tuple(guessed(column) for column in row)
                other.append({"kind": plain_name(table), **item(columns, row, ctx)})
                continue
            part = next((p for p in parts if p.takes is None or p.takes(row, ctx)), parts[-1])
            if part.shown_elsewhere is not None and part.shown_elsewhere(row, ctx):
                continue
            section = made.setdefault(
                part.title, Section(part.title, part.about, part.one, part.many, [])
            )
            section.items.append(item(part.columns, row, ctx))
    ordered = [made[title] for title in TITLES if title in made]
    if other:
        ordered.append(
            Section(
                OTHER_SECTION,
                "Anything else Kindred keeps about you.",
                "other thing",
                "other things",
                other,
            )  # fmt: skip
        )
    return ordered


def zone_of(data: MemberData) -> str:
    return zone_or_utc(data.timezone).key


def counted(section: Section) -> str:
    n = len(section.items)
    return f"{n} {section.one if n == 1 else section.many}"


def describe(parts: list[Section], limit: int = 12) -> str:
    """'2 victories, 1 cheer you gave' for a member to read."""
    phrases = [counted(s) for s in parts]
    if len(phrases) > limit:
        phrases = phrases[:limit] + [f"and {len(phrases) - limit} more kinds of thing"]
    return ", ".join(phrases)


def _stamp(instant: datetime, zone: str) -> str:
    local = datetime.fromisoformat(local_iso(instant, zone))
    utc = f"{instant.day} {instant:%B %Y at %H:%M} UTC"
    if zone == "UTC":
        return utc
    return f"{utc} ({local.day} {local:%B at %H:%M} in {zone}, the server's time zone)"


def summary(data: MemberData, parts: list[Section]) -> list[str]:
    zone = zone_of(data)
    anonymous = sum(
        1
        for story in data.tables.get("stories", [])
        if story.get("anonymous") and story.get("status") != "draft"
    )
    lines = [
        "This file holds everything Kindred keeps about you in one Discord server.",
        f"It was made on {_stamp(data.exported_at, zone)}.",
        f"In it: {describe(parts, limit=len(parts))}.",
        (
            f"Stories you shared anonymously are included ({anonymous}): this file shows they "
            "are yours, and only you were sent it. Please keep it somewhere private."
            if anonymous
            else "Anything you shared anonymously would be in it too: only you were sent "
            "this file. Please keep it somewhere private."
        ),
        'Each part below says what it holds; under an item, "Kindred\'s bookkeeping" is how '
        "far Kindred got with it. Numbers that name a server, channel, message or member are "
        f"written as text, and every time is given in UTC and in the server's time zone ({zone}).",
    ]
    return lines


def document(data: MemberData) -> dict[str, Any]:
    parts = sections(data)
    zone = zone_of(data)
    return {
        "summary": summary(data, parts),
        "server": str(data.guild_id),
        "your account": str(data.member_id),
        "made": {
            "utc": data.exported_at.isoformat(),
            "server time": local_iso(data.exported_at, zone),
        },
        "server time zone": zone,
        "sections": {s.title: {"about": s.about, "items": s.items} for s in parts},
    }
