"""/mydata export reads as a person would: named sections, ids as text, both times, a summary.

`check_complete` walks every row the store exported and finds each value in the file, in the
section and under the label `cogs/care/export_sections.py` names for it; a table or column
nobody named is a problem, so a future feature's rows can't slip out of the export unnamed.
tests/test_mydata_coverage.py runs it over a row in every member column of the schema.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import from_epoch
from bot.schedule import local_iso
from bot.store import Store
from cogs.care import export_format as fmt
from cogs.care import export_sections as spec
from cogs.care import mydata
from tests.test_share import share, story_id, write
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture

# Words a member should never have to read in their file.
JARGON = ("guild", "_id", "member_id", "story_authors", "reason_pending", "care reveals", "rows")


# ----- the checker -----------------------------------------------------------------------
def shown_as(col: spec.Col, raw: Any, member_id: int, zone: str) -> Any:
    """What the file must hold for `raw`, decoded independently of the renderer."""
    number = isinstance(raw, int) and not isinstance(raw, bool)
    if raw is None:
        return None
    if col.kind == spec.TIME and number:
        instant = from_epoch(raw)
        local = instant.astimezone(ZoneInfo(zone))
        return {"utc": instant.isoformat(), "server time": local.isoformat()}
    if col.kind in (spec.ID, spec.OWNER, spec.SERVER) and number:
        return str(raw)
    if col.kind == spec.PERSON and number:
        return "you" if raw == member_id else str(raw)
    if col.kind == spec.YES_NO and raw in (0, 1):
        return bool(raw)
    if col.words and isinstance(raw, str):
        return col.words.get(raw, raw)
    return raw


def check_complete(data: mydata.MemberData, document: dict) -> list[str]:
    """Every way the file misses, hides or misnames a value the store exported."""
    problems = []
    zone = document["server time zone"]
    ctx = spec.Context(data.guild_id, data.member_id, zone, data.tables)
    sections = document["sections"]
    taken: dict[str, int] = {}  # section title -> items matched so far
    if spec.OTHER_SECTION in sections:
        problems.append(f"unnamed data in {spec.OTHER_SECTION!r}: {sections[spec.OTHER_SECTION]}")
    for table, rows in data.tables.items():
        parts = spec.TABLES.get(table)
        if not parts:
            problems.append(
                f"{table} is exported but cogs/care/export_sections.py names no section for it"
            )
            continue
        for row in rows:
            part = next(p for p in parts if p.takes is None or p.takes(row, ctx))
            if part.shown_elsewhere is not None and part.shown_elsewhere(row, ctx):
                continue
            index = taken.get(part.title, 0)
            taken[part.title] = index + 1
            items = sections.get(part.title, {}).get("items", [])
            if index >= len(items):
                problems.append(f"a row of {table} is missing from {part.title!r}: {row}")
                continue
            shown = items[index]
            if spec.OTHER_DETAILS in shown:
                problems.append(f"{part.title!r} has unnamed details {shown[spec.OTHER_DETAILS]}")
            named = {col.column: col for col in part.columns}
            for column, raw in row.items():
                col = named.get(column)
                if col is None:
                    problems.append(f"{table}.{column} has no label in {part.title!r}")
                    continue
                mine = (col.kind == spec.OWNER and raw == data.member_id) or (
                    col.kind == spec.SERVER and raw == data.guild_id
                )
                if mine:
                    if col.label in shown:
                        problems.append(f"{part.title!r} repeats whose file it is")
                    continue
                want = shown_as(col, raw, data.member_id, zone)
                place = shown.get(spec.ASIDE, {}) if col.aside else shown
                got = place.get(col.label, "absent" if want is not None else None)
                if got != want or (want is None and col.label in place):
                    problems.append(
                        f"{table}.{column} = {raw!r} reads {got!r} under {col.label!r} in "
                        f"{part.title!r}, not {want!r}"
                    )
    for title, count in taken.items():
        if len(sections[title]["items"]) != count:
            problems.append(f"{title!r} holds {len(sections[title]['items'])} items, not {count}")
    return problems


async def naming_problems(store: Store, extra_rows: dict[str, list] | None = None) -> list[str]:
    """Tables a repository exports (or lists in member_tables) that have no named section,
    and columns of theirs without a label in every section their rows can go to."""
    exported = set(
        (await mydata.collect(store, 1, 2, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))).tables
    )
    exported |= {t for repo in store.repositories for t in repo.member_tables}
    exported |= set(extra_rows or {})
    schema = await store.tables()
    problems = []
    for table in sorted(exported):
        parts = spec.TABLES.get(table)
        if not parts:
            problems.append(f"{table} has no named section in cogs/care/export_sections.py")
            continue
        for part in parts:
            labels = {col.column for col in part.columns}
            problems += [
                f"{table}.{column} has no label in {part.title!r}"
                for column in schema.get(table, [])
                if column not in labels
            ]
    return problems


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in keys(v)]
    return []


# ----- a member who used everything -------------------------------------------------------
async def everything(kit, mo, alice, bob) -> dict:
    kit.add_channel("celebrations")
    await mo.slash("celebrations channel", channel="celebrations")
    await mo.slash("settings timezone", zone="Europe/Berlin")

    await alice.slash("celebrate", victory="I planted tulips", value="hope")
    await bob.slash("celebrate", victory="Bob ran a mile", value="courage")
    [bobs] = await kit.store.fetchall(
        "SELECT victory_id FROM victories WHERE member_id = ?", (bob.id,)
    )
    card = kit.discord.message_with(f"kindred:cheer:{bobs[0]}")
    await alice.click(f"kindred:cheer:{bobs[0]}", message=card)
    await alice.slash("celebrate-quotes", allow="no")

    anonymous, _ = await share(alice, story="The winter I stopped drinking. " * 3, title="Winter")
    await alice.click(f"kindred:story:reply:{anonymous}")
    await alice.submit_modal(reply="Thank you all for reading")
    kit.clock.advance(minutes=11)
    named, _ = await share(
        alice, story="My named story, told plainly. " * 2, title="Plainly", post_as="named"
    )
    kit.clock.advance(minutes=11)
    draft = story_id(await write(alice, story="Still finding the words. " * 2, title="Later"))
    await bob.slash("suggest", text="Bob asks what made you laugh?", value="hope")
    await alice.slash("suggest", text="What made you smile?", value="hope")
    kit.clock.advance(minutes=11)
    await share(bob, story="Bob's story of his long walk home. " * 2, title="Bob walks")
    return {"anonymous": anonymous, "named": named, "draft": draft}


async def export(person) -> tuple[Any, str, dict]:
    out = await person.slash("mydata export")
    [reply] = [r for r in out.replies if r.files]
    [(name, payload)] = reply.files
    assert name.endswith(".json")
    return reply, payload.decode("utf-8"), json.loads(payload)


async def test_the_export_reads_as_named_sections_with_a_summary(kit, mo):
    alice, bob = kit.member("alice"), kit.member("bob")
    made = await everything(kit, mo, alice, bob)
    reply, text, document = await export(alice)

    assert reply.ephemeral
    for phrase in ("1 victory", "1 cheer you gave", "2 stories", "1 draft",
                   "1 reply you posted as the author", "1 suggestion", "1 setting"):  # fmt: skip
        assert phrase in reply.text
    assert "Only you can see this file" in reply.text and "time zone" in reply.text

    sections = document["sections"]
    assert list(sections) == [
        "Victories", "Cheers you gave", "Stories", "Drafts", "Replies you posted as the author",
        "Suggestions", "Your settings",
    ]  # fmt: skip
    [victory] = sections["Victories"]["items"]
    assert victory["what you wrote"] == "I planted tulips" and victory["shared publicly"] is True
    assert victory["when"] == {
        "utc": "2026-03-02T09:00:00+00:00",
        "server time": "2026-03-02T10:00:00+01:00",  # Berlin in March, before DST
    }
    [cheer] = sections["Cheers you gave"]["items"]
    assert set(cheer) == {"victory you cheered", "when"}
    stories = {s["story number"]: s for s in sections["Stories"]["items"]}
    assert set(stories) == {str(made["anonymous"]), str(made["named"])}
    assert stories[str(made["anonymous"])]["anonymous"] is True
    assert stories[str(made["named"])]["anonymous"] is False
    assert stories[str(made["named"])]["status"] == "published"
    assert (
        stories[str(made["named"])][spec.ASIDE]["a reminder to listeners is still to be sent"]
        is False
    )
    assert "content warning" not in stories[str(made["named"])]  # empty values are left out
    [draft] = sections["Drafts"]["items"]
    assert draft["story number"] == str(made["draft"]) and draft["status"] == "draft"
    [answer] = sections["Replies you posted as the author"]["items"]
    assert answer["what you wrote"] == "Thank you all for reading"
    assert answer["story number"] == str(made["anonymous"])
    [suggestion] = sections["Suggestions"]["items"]
    assert suggestion["what you suggested"] == "What made you smile?"
    assert suggestion["decision"] == "waiting for a moderator"
    assert sections["Your settings"]["items"] == [
        {"the weekly digest may quote your public victories": False}
    ]

    # ids are text, and no number in the file can be rounded by a JSON reader
    assert document["server"] == str(kit.guild.id) and document["your account"] == str(alice.id)
    assert kit.guild.id > 2**53 and str(kit.guild.id) in text
    assert not [v for v in leaves(document) if isinstance(v, int) and not isinstance(v, bool)]
    assert document["server time zone"] == "Europe/Berlin"
    assert document["made"]["utc"] == kit.clock().isoformat()
    assert document["made"]["server time"].endswith("+01:00")

    summary = "\n".join(document["summary"])
    assert "everything Kindred keeps about you" in summary
    assert "2 March 2026 at 09:33 UTC (2 March at 10:33 in Europe/Berlin" in summary
    assert (
        "1 victory, 1 cheer you gave, 2 stories, 1 draft, 1 reply you posted as the author, "
        "1 suggestion, 1 setting." in summary
    )
    assert "shared anonymously are included (1)" in summary and "only you" in summary

    data = await mydata.collect(kit.store, kit.guild.id, alice.id, kit.clock())
    assert check_complete(data, document) == []

    # none of the store's words, and nothing of Bob's
    lowered = text.lower()
    schema = await kit.store.tables()
    jargon = {*JARGON, *(t for t in schema if "_" in t)}
    jargon |= {c for columns in schema.values() for c in columns if "_" in c}
    assert [word for word in sorted(jargon) if word in lowered] == []
    assert not [k for k in keys(document) if "_" in k]
    for bobs in (str(bob.id), "Bob ran a mile", "Bob asks", "Bob walks", "long walk home"):
        assert bobs not in text


async def test_bob_sees_only_his_own(kit, mo):
    alice, bob = kit.member("alice"), kit.member("bob")
    await everything(kit, mo, alice, bob)
    _, text, document = await export(bob)
    assert list(document["sections"]) == ["Victories", "Stories", "Suggestions"]
    for alices in (str(alice.id), "tulips", "Winter", "Plainly", "smile", "Thank you all"):
        assert alices not in text


async def test_a_server_without_a_time_zone_reads_in_utc(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="A quiet one", visibility="just me")
    _, _, document = await export(alice)
    assert document["server time zone"] == "UTC"
    [victory] = document["sections"]["Victories"]["items"]
    assert victory["when"]["utc"] == victory["when"]["server time"]
    assert victory["shared publicly"] is False
    assert "2 March 2026 at 09:00 UTC." in "\n".join(document["summary"])
    assert "anonymously would be in it too" in "\n".join(document["summary"])


# ----- every table and column is named ------------------------------------------------------
async def test_every_exported_table_and_column_has_plain_words(store):
    assert await naming_problems(store) == []


async def test_an_unnamed_table_is_caught(store):
    await store.execute("CREATE TABLE future_feature (guild_id INTEGER, member_id INTEGER)")
    assert await naming_problems(store, {"future_feature": []}) == [
        "future_feature has no named section in cogs/care/export_sections.py"
    ]
    data = mydata.MemberData(
        5, 7, datetime(2026, 3, 2, 9, 30, tzinfo=UTC), {"future_feature": [{}]}
    )
    assert any("future_feature" in p for p in check_complete(data, fmt.document(data)))


async def test_an_unnamed_column_is_caught(store):
    await store.execute("ALTER TABLE victories ADD COLUMN mood TEXT")
    assert await naming_problems(store) == ["victories.mood has no label in 'Victories'"]


async def test_what_nobody_named_still_reaches_the_file(clock):
    data = mydata.MemberData(
        5, 7, clock(), {
            "future_feature": [{"guild_id": 5, "member_id": 7, "thread_id": 2**60,
                                "noted_at": 1_772_442_000, "words": "kept"}],
            "victories": [{"victory_id": 1, "text": "mine", "mood": "bright"}],
        },
    )  # fmt: skip
    document = fmt.document(data)
    [other] = document["sections"][spec.OTHER_SECTION]["items"]
    assert other == {
        "kind": "future feature",
        "member": "you",
        "thread": str(2**60),
        "noted at": fmt.when(1_772_442_000, "UTC"),
        "words": "kept",
    }
    [victory] = document["sections"]["Victories"]["items"]
    assert victory == {"victory number": "1", "what you wrote": "mine",
                       spec.OTHER_DETAILS: {"mood": "bright"}}  # fmt: skip
    assert "1 other thing" in "\n".join(document["summary"])
    problems = "\n".join(check_complete(data, document))
    assert "unnamed data in 'Other things Kindred keeps'" in problems
    assert "future_feature is exported but" in problems
    assert "victories.mood has no label in 'Victories'" in problems


def test_local_iso_follows_the_zone_across_daylight_saving():
    winter = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    assert local_iso(winter, "Europe/Berlin") == "2026-03-02T10:00:00+01:00"
    assert local_iso(summer, "Europe/Berlin") == "2026-07-02T11:00:00+02:00"
    assert local_iso(winter, "America/New_York") == "2026-03-02T04:00:00-05:00"
    for unknown in ("", "Mars/Olympus", "localtime"):
        assert local_iso(winter, unknown) == "2026-03-02T09:00:00+00:00"
    with pytest.raises(ValueError):
        local_iso(datetime(2026, 3, 2, 9, 0), "Europe/Berlin")


async def test_the_erase_confirmation_names_things_in_plain_words(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="I planted tulips", visibility="just me")
    out = await alice.slash("mydata erase")
    [embed] = out.reply.embeds
    assert out.reply.ephemeral and "1 victory" in embed["description"]
    assert "_" not in embed["description"].split("\n\n")[0]  # no table names
    assert out.reply.allowed_mentions in (None, {"parse": []})
