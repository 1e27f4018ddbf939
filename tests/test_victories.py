"""/celebrate, the Cheer button, /victories and /celebrate-quotes, as members use them."""

from __future__ import annotations

import asyncio

import pytest

from tests.kit import Kit

NO_PINGS = {"parse": []}


def cog(kit: Kit):
    return kit.bot.get_cog("Victories")


async def rows(kit: Kit, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in await kit.store.fetchall(sql, params)]


async def victory_rows(kit: Kit) -> list[tuple]:
    return await rows(
        kit, "SELECT member_id, text, value_key, public, message_id IS NOT NULL FROM victories"
    )


def label_of(kit: Kit, custom_id: str) -> str:
    message = kit.discord.message_with(custom_id)
    button = next(
        c for row in message["components"] for c in row["components"] if c["custom_id"] == custom_id
    )
    return button["label"]


# ----- /celebrate ----------------------------------------------------------------------------
async def test_public_celebrate_posts_a_card_with_a_cheer_button(kit):
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory="I went for a walk today", value="hope")

    [card] = out.posts
    assert card.path == f"/channels/{kit.channel('general').id}/messages"  # no channel set: here
    [embed] = card.embeds
    assert embed["description"] == "I went for a walk today"
    assert "Alice" in embed["author"]["name"]
    assert {"name": "Value lived", "value": "🌱 Hope", "inline": True} in embed["fields"]
    assert embed["color"] == 0x5FA83F  # the value's colour
    assert "Victory #1" in embed["footer"]["text"]
    assert card.custom_ids == ["kindred:cheer:1"]
    assert card.allowed_mentions == NO_PINGS
    assert not card.content

    # The member is answered at once; the card follows through the rate-aware send queue.
    assert out.requests.index(out.reply) < out.requests.index(card)
    assert out.reply.callback_type == 4 and out.reply.ephemeral
    assert "on its way to" in out.reply.text and "/celebrate-quotes" in out.reply.text
    assert await victory_rows(kit) == [(alice.id, "I went for a walk today", "hope", 1, 1)]


async def test_public_victories_go_to_the_celebrations_channel(kit):
    kit.add_channel("celebrations")
    mo, alice = kit.moderator("mo"), kit.member("alice")
    out = await mo.slash("celebrations channel", channel="celebrations")
    assert out.reply.ephemeral and f"<#{kit.channel('celebrations').id}>" in out.reply.text
    out = await alice.slash("celebrate", victory="Called my sister")
    [card] = out.posts
    assert card.path == f"/channels/{kit.channel('celebrations').id}/messages"
    assert card.embeds[0]["description"] == "Called my sister"
    assert "fields" not in card.embeds[0]  # no value chosen, no value line


async def test_mentions_inside_a_victory_never_ping(kit):
    role = kit.add_role("helpers")
    alice = kit.member("alice")
    text = f"@everyone @here <@{alice.id}> <@&{role}> I did it!"
    out = await alice.slash("celebrate", victory=text)
    [card] = out.posts
    assert card.embeds[0]["description"] == text  # shown as typed, inside an embed
    assert not card.content  # embeds never ping; content could
    assert card.allowed_mentions == NO_PINGS
    for request in out.replies:
        assert request.allowed_mentions in (None, NO_PINGS)
        assert text not in (request.content or "")


async def test_just_me_keeps_a_victory_private(kit):
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory="Slept eight hours", visibility="just me")
    assert out.posts == []
    assert out.reply.ephemeral and "Only you can see it" in out.reply.text
    assert await victory_rows(kit) == [(alice.id, "Slept eight hours", None, 0, 0)]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"victory": "   "}, "needs a few words"),
        ({"victory": "x" * 1001}, "up to 1000 characters"),  # Discord checks too; we don't trust it
        ({"victory": "Ran a mile", "value": "bravery-ish"}, "I don't know the value"),
    ],
)
async def test_bad_input_is_refused_kindly_and_nothing_is_saved(kit, options, expected):
    alice = kit.member("alice")
    out = await alice.slash("celebrate", **options)
    assert out.reply.ephemeral and expected in out.reply.text
    assert out.posts == []
    assert await victory_rows(kit) == []


async def test_value_autocompletes_from_the_library(kit):
    alice = kit.member("alice")
    choices = await alice.autocomplete("celebrate", "value", "ho", victory="x")
    assert {"name": "🌱 Hope", "value": "hope"} in choices
    assert len(await alice.autocomplete("celebrate", "value", "", victory="x")) == len(
        kit.bot.library.values
    )


async def test_a_value_typed_by_name_is_accepted(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Asked for help", value="Lived experience")
    assert (await victory_rows(kit))[0][2] == "lived-experience"


async def test_no_permission_to_post_keeps_the_victory_privately(kit):
    kit.add_channel("quiet", deny_bot=("send_messages",))
    alice = kit.member("alice")
    out = await alice.slash("celebrate", victory="Went outside", in_channel=kit.channel("quiet"))
    assert out.posts == []
    reply = out.replies[-1]
    assert reply.ephemeral and "Send Messages" in reply.text and "private history" in reply.text
    assert await victory_rows(kit) == [(alice.id, "Went outside", None, 0, 0)]


async def test_discord_refusing_the_post_keeps_the_victory_privately(kit):
    alice = kit.member("alice")
    kit.discord.fail("POST", r"^/channels/\d+/messages$", 403, 50013)
    out = await alice.slash("celebrate", victory="Finished a book")
    reply = out.replies[-1]
    assert reply.ephemeral and "private history" in reply.text
    assert await victory_rows(kit) == [(alice.id, "Finished a book", None, 0, 0)]


async def test_crisis_words_get_care_after_the_answer(kit):
    alice = kit.member("alice")
    out = await alice.slash(
        "celebrate",
        victory="Got out of bed, though I don't want to be here anymore",
        visibility="just me",
    )
    assert len(out.replies) == 2
    assert "Saved" in out.replies[0].text
    assert out.replies[1].ephemeral and "alone" in out.replies[1].text


# ----- the Cheer button -----------------------------------------------------------------------
async def test_cheer_toggles_and_the_card_shows_the_count(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="Cooked dinner")

    out = await bob.click("kindred:cheer:1")
    assert [r.callback_type for r in out.callbacks] == [6]  # acknowledged, nothing sent
    assert out.replies == []
    [edit] = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")
    assert edit.allowed_mentions in (None, NO_PINGS)
    assert edit.custom_ids == ["kindred:cheer:1"]
    assert label_of(kit, "kindred:cheer:1") == "Cheer · 1"
    assert await rows(kit, "SELECT victory_id, member_id FROM cheers") == [(1, bob.id)]

    out = await bob.click("kindred:cheer:1")
    assert out.replies == [] and [r.callback_type for r in out.callbacks] == [6]
    assert label_of(kit, "kindred:cheer:1") == "Cheer"
    assert await rows(kit, "SELECT * FROM cheers") == []


async def test_you_cannot_cheer_your_own_victory(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Drank water")
    out = await alice.click("kindred:cheer:1")
    assert out.reply.ephemeral and "your own victory" in out.reply.text
    assert out.to("/channels/{channel_id}/messages/{message_id}", "PATCH") == []
    assert await rows(kit, "SELECT * FROM cheers") == []


async def test_300_concurrent_cheers_give_an_exact_count(kit):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="One year sober")
    peers = [kit.member(f"peer{n}") for n in range(300)]
    start = len(kit.discord.requests)

    outcomes = await asyncio.gather(*(p.click("kindred:cheer:1") for p in peers))
    assert all(o.replies == [] and o.callbacks for o in outcomes)
    assert await rows(kit, "SELECT COUNT(*) FROM cheers") == [(300,)]
    assert label_of(kit, "kindred:cheer:1") == "Cheer · 300"
    edits = [
        r for r in kit.discord.requests[start:] if r.method == "PATCH" and "/messages/" in r.path
    ]
    assert 1 <= len(edits) < 300  # coalesced, and the last one carries the final count

    await asyncio.gather(*(p.click("kindred:cheer:1") for p in peers[:120]))
    assert await rows(kit, "SELECT COUNT(*) FROM cheers") == [(180,)]
    assert label_of(kit, "kindred:cheer:1") == "Cheer · 180"


async def test_cheer_works_after_a_restart(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="Made my bed")
    await kit.restart()
    out = await bob.click("kindred:cheer:1")
    assert out.replies == [] and out.callbacks
    assert label_of(kit, "kindred:cheer:1") == "Cheer · 1"


async def test_cheering_a_removed_victory_is_refused_kindly(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    out = await alice.slash("celebrate", victory="Walked the dog")
    card = kit.discord.message_with("kindred:cheer:1")
    await kit.store.victories.remove(1, kit.guild.id)
    out = await bob.click("kindred:cheer:1", message=card)
    assert out.reply.ephemeral and "removed" in out.reply.text


# ----- /victories -----------------------------------------------------------------------------
async def test_history_shows_your_private_entries_and_only_others_public_ones(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="Public win", value="courage")
    await alice.slash("celebrate", victory="Secret win", visibility="just me")

    out = await alice.slash("victories")
    assert out.reply.ephemeral
    text = out.reply.text
    assert "Your victories" in text and "Public win" in text and "Secret win" in text
    assert "🔒" in text
    assert out.reply.custom_ids == [
        "kindred:victories:remove:2:0:1",
        "kindred:victories:remove:1:0:1",
    ]

    out = await bob.slash("victories", member=alice)
    assert out.reply.ephemeral
    text = out.reply.text
    assert "Alice's public victories" in text and "Public win" in text
    assert "Secret win" not in text
    assert out.reply.custom_ids == []  # no Remove buttons on someone else's history


async def test_history_is_paged_and_the_pages_survive_a_restart(kit):
    alice = kit.member("alice")
    for n in range(12):  # victories #1..#12 are "win number 0".."win number 11"
        await alice.slash("celebrate", victory=f"win number {n}", visibility="just me")
    out = await alice.slash("victories")
    assert "Page 1" in out.reply.text and "win number 11" in out.reply.text
    assert "win number 6" not in out.reply.text
    older = f"kindred:victories:page:{alice.id}:b8:2"
    assert older in out.reply.custom_ids

    await kit.restart()
    out = await alice.click(older)
    assert out.reply.callback_type == 7  # the same message, turned to the next page
    text = out.reply.text
    assert "Page 2" in text and "win number 6" in text and "win number 2" in text
    assert "win number 11" not in text and "win number 1\n" not in text
    assert "kindred:victories:remove:7:8:2" in out.reply.custom_ids

    out = await alice.click(f"kindred:victories:page:{alice.id}:b3:3")
    assert "win number 0" in out.reply.text and "Page 3" in out.reply.text
    [newer, older] = [c for row in out.reply.components for c in row["components"]][-2:]
    assert (newer["disabled"], older["disabled"]) == (False, True)  # the oldest page

    assert newer["custom_id"] == f"kindred:victories:page:{alice.id}:a2:2"

    out = await alice.click(newer["custom_id"])  # back: the five just newer than #2
    assert "Page 2" in out.reply.text and "win number 6" in out.reply.text
    out = await alice.click(f"kindred:victories:page:{alice.id}:a7:1")
    assert "Page 1" in out.reply.text and "win number 11" in out.reply.text


async def test_empty_histories_are_kind(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    out = await alice.slash("victories")
    assert "small wins count" in out.reply.text
    out = await alice.slash("victories", member=bob)
    assert "hasn't shared a public victory yet" in out.reply.text


async def test_remove_asks_first_then_deletes_the_row_and_the_post(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="Went to the meeting")
    await bob.click("kindred:cheer:1")
    card_id = int(kit.discord.message_with("kindred:cheer:1")["id"])
    await alice.slash("victories")

    out = await alice.click("kindred:victories:remove:1:0:1")
    assert out.reply.callback_type == 7
    assert "Remove victory #1?" in out.reply.text and "Went to the meeting" in out.reply.text
    assert out.reply.custom_ids == [
        "kindred:victories:confirm:1:0:1",
        "kindred:victories:keep:1:0:1",
    ]
    assert len(await victory_rows(kit)) == 1  # nothing happens before confirming

    out = await alice.click("kindred:victories:keep:1:0:1")
    assert "Nothing was changed" in out.reply.text and len(await victory_rows(kit)) == 1

    await alice.click("kindred:victories:remove:1:0:1")
    out = await alice.click("kindred:victories:confirm:1:0:1")
    assert "Removed victory #1." in out.reply.text
    assert await victory_rows(kit) == []
    assert await rows(kit, "SELECT * FROM cheers") == []
    [delete] = out.to("/channels/{channel_id}/messages/{message_id}", "DELETE")
    assert delete.path.endswith(f"/{card_id}")


async def test_nobody_can_remove_someone_elses_victory(kit):
    alice, bob = kit.member("alice"), kit.member("bob")
    await alice.slash("celebrate", victory="Kept my appointment")
    await alice.slash("victories")
    await alice.click("kindred:victories:remove:1:0:1")
    confirmation = kit.discord.message_with("kindred:victories:confirm:1:0:1")
    out = await bob.click("kindred:victories:confirm:1:0:1", message=confirmation)
    assert out.reply.ephemeral and "only remove your own" in out.reply.text
    assert len(await victory_rows(kit)) == 1


# ----- /celebrate-quotes ----------------------------------------------------------------------
async def test_members_choose_whether_the_digest_may_quote_them(kit):
    alice = kit.member("alice")
    out = await alice.slash("celebrate-quotes")
    assert out.reply.ephemeral and "may quote" in out.reply.text
    out = await alice.slash("celebrate-quotes", allow="no")
    assert out.reply.ephemeral and "never quote" in out.reply.text
    assert not await kit.store.victories.quotes_allowed(kit.guild.id, alice.id)
    out = await alice.slash("celebrate-quotes")
    assert "never quote" in out.reply.text
    await alice.slash("celebrate-quotes", allow="yes")
    assert await kit.store.victories.quotes_allowed(kit.guild.id, alice.id)


# ----- help text ------------------------------------------------------------------------------
def test_every_command_and_option_has_help_text(kit):
    names = {"celebrate", "victories", "celebrate-quotes", "celebrations"}
    found = set()
    for command in kit.bot.tree.get_commands():
        if command.name not in names:
            continue
        found.add(command.name)
        data = command.to_dict(kit.bot.tree)
        stack = [data]
        while stack:
            item = stack.pop()
            assert 0 < len(item["description"]) <= 100, item["name"]
            stack.extend(item.get("options", []))
    assert found == names


async def test_help_lists_the_celebration_commands(kit):
    out = await kit.member("alice").slash("help")
    fields = {f["name"]: f["value"] for f in out.reply.embeds[0]["fields"]}
    assert "`/celebrate` — Share a victory" in fields["Celebrations"]
    assert "`/celebrate-quotes`" in fields["Celebrations"]
    assert "`/celebrations remove`" in fields["Celebrations (moderators)"]


async def test_the_author_sees_their_cheers_in_their_history(kit):
    alice, bob, cy = kit.member("alice"), kit.member("bob"), kit.member("cy")
    await alice.slash("celebrate", victory="Called my sister")
    await bob.click("kindred:cheer:1")
    await cy.click("kindred:cheer:1")
    out = await alice.slash("victories")
    assert "👏 2" in out.reply.embeds[0]["description"]
    await cy.click("kindred:cheer:1")  # taken back
    out = await alice.slash("victories")
    assert "👏 1" in out.reply.embeds[0]["description"]
