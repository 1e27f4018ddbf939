"""Crisis care: resources privately and at most once a day, quiet moderator alerts, the
reveal button only an anonymous author can press, and /care resources for moderators.

`CareProbe` stands in for the features that take members' words (/share, /celebrate,
/suggest): it follows their contract (answer first, post, then `offer_care` with every
text; on a match alert moderators with a link, never an anonymous author's words, and
offer the reveal button), so each trigger path is checked here through the kit.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.care import (
    AGAIN_LINE,
    DEFAULT_RESOURCES,
    MAX_RESOURCES,
    alert_moderators,
    offer_care,
    offer_reveal,
)
from bot.errors import NOT_MODERATOR
from bot.text import clip

CRISIS = "honestly I want to kill myself tonight"
CALM = "I went for a walk today and it helped"


class CareProbe(commands.Cog):
    def __init__(self, bot):
        self.bot = bot
        self.matched: list[bool] = []

    @app_commands.command(name="probe-share", description="test: share words like /share does")
    async def probe_share(
        self,
        interaction: discord.Interaction,
        text: str,
        anonymous: bool = False,
        title: str = "",
    ) -> None:
        await interaction.response.send_message("Thank you for sharing.", ephemeral=True)
        post = await interaction.channel.send(
            ("Anonymous" if anonymous else "A member") + " shared a story"
        )
        matched = (await offer_care(self.bot, interaction, title, text)).strong
        self.matched.append(matched)
        if not matched:
            return
        if anonymous:
            await alert_moderators(
                self.bot,
                interaction.guild_id,
                f"An anonymous story may need care and is held for review: {post.jump_url}",
            )
            await offer_reveal(self.bot, interaction, post.jump_url)
        else:
            await alert_moderators(
                self.bot,
                interaction.guild_id,
                f"{interaction.user.mention}'s story may need care: {post.jump_url}\n"
                f"> {clip(text, 300)}",
            )


async def add_probe(kit) -> CareProbe:
    probe = CareProbe(kit.bot)
    await kit.bot.add_cog(probe)
    return probe


async def with_mod_channel(kit) -> int:
    kit.add_channel("mods")
    mo = kit.moderator("mo")
    out = await mo.slash("settings mod-channel", channel="mods")
    assert out.reply.ephemeral
    return int(kit.channels["mods"]["id"])


def posts_in(outcome, channel_id: int) -> list:
    return [p for p in outcome.posts if p.path == f"/channels/{channel_id}/messages"]


def resources_reply(outcome):
    found = [r for r in outcome.replies if "You don't have to carry this alone" in r.text]
    return found[0] if found else None


# ----- resources, privately, once a day ---------------------------------------------------
async def test_crisis_words_bring_the_default_resources_privately_after_the_answer(kit):
    await add_probe(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS)
    assert out.reply.content == "Thank you for sharing."  # what she was doing carried on
    care = resources_reply(out)
    assert care is not None and care.ephemeral
    assert out.replies.index(care) > 0
    for needed in ("local emergency number", "findahelpline.com", "988", "116 123"):
        assert needed in care.text
    assert not care.allowed_mentions or care.allowed_mentions == {"parse": []}


async def test_resources_come_at_most_once_a_day(kit):
    probe = await add_probe(kit)
    alice = kit.member("alice")
    assert resources_reply(await alice.slash("probe-share", text=CRISIS))
    kit.clock.advance(hours=23, minutes=59)
    again = await alice.slash("probe-share", text=CRISIS)
    assert resources_reply(again) is None
    assert again.reply.content == "Thank you for sharing."
    never_silent = again.replies[-1]  # a second heavy message still gets a line and a button
    assert never_silent.ephemeral and never_silent.content == AGAIN_LINE
    assert "kindred:care:resources" in str(never_silent.components)
    assert probe.matched == [True, True]  # still matched: a story is still held for review
    kit.clock.advance(minutes=2)
    assert resources_reply(await alice.slash("probe-share", text=CRISIS))


async def test_the_day_limit_is_per_member(kit):
    await add_probe(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    assert resources_reply(await alice.slash("probe-share", text=CRISIS))
    assert resources_reply(await bob.slash("probe-share", text=CRISIS))


async def test_every_submitted_text_is_checked(kit):
    probe = await add_probe(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CALM, title=CRISIS)
    assert resources_reply(out) is not None
    assert probe.matched == [True]


async def test_calm_words_bring_nothing(kit):
    probe = await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CALM)
    assert [r.content for r in out.replies] == ["Thank you for sharing."]
    assert posts_in(out, mods) == []
    assert probe.matched == [False]
    assert await kit.store.care.export_member(kit.guild.id, alice.id) == {
        "crisis_notices": [],
        "care_reveals": [],
    }


async def test_the_servers_own_resources_replace_the_defaults(kit):
    await add_probe(kit)
    mo = kit.moderator("mo")
    await mo.slash("care resources add", name="Lifeline", contact="13 11 14", region="Australia")
    out = await kit.member("alice").slash("probe-share", text=CRISIS)
    care = resources_reply(out)
    assert "**Lifeline** (Australia): 13 11 14" in care.text
    assert DEFAULT_RESOURCES[1][1] not in care.text


async def test_resources_that_cannot_be_delivered_do_not_break_the_flow(kit):
    probe = await add_probe(kit)
    kit.discord.fail("POST", r"^/webhooks/", 404, 10015, times=1)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS)
    assert out.reply.content == "Thank you for sharing."
    assert probe.matched == [True]


# ----- quiet alerts and the reveal button ------------------------------------------------------
async def test_alert_for_a_named_author_is_quiet_and_links_the_story(kit):
    await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS)
    [alert] = posts_in(out, mods)
    assert alert.allowed_mentions == {"parse": []}
    assert "https://discord.com/channels/" in alert.text
    assert "A member may need care" in alert.text


async def test_alert_for_an_anonymous_author_holds_no_words_and_no_name(kit):
    await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [alert] = posts_in(out, mods)
    assert alert.allowed_mentions == {"parse": []}
    assert "https://discord.com/channels/" in alert.text
    assert "kill myself" not in alert.text
    assert str(alice.id) not in alert.text and "alice" not in alert.text.lower()


async def test_an_anonymous_author_is_offered_the_reveal_button_privately(kit):
    await add_probe(kit)
    await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [offer] = [
        r for r in out.replies if any(c.startswith("kindred:care:reveal:") for c in r.custom_ids)
    ]
    assert offer.ephemeral
    assert "Only you can press this" in offer.text
    assert "Let moderators see it's me" in offer.text


async def test_only_the_author_can_reveal_themselves_and_only_once(kit):
    await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice, bob = kit.member("alice"), kit.member("bob")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [custom_id] = [
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    ]

    stale = kit.discord.message_with(custom_id)  # as a second, quick press would carry it
    stolen = await bob.click(custom_id)
    assert stolen.reply.ephemeral
    assert "Only the person who wrote this" in stolen.reply.text
    assert posts_in(stolen, mods) == []

    revealed = await alice.click(custom_id)
    [note] = posts_in(revealed, mods)
    assert f"<@{alice.id}>" in note.text and "alice" in note.text
    assert "https://discord.com/channels/" in note.text
    assert note.allowed_mentions == {"parse": []}
    assert revealed.reply.callback_type == 7  # her private message now says thank you
    assert "Thank you" in revealed.reply.text and revealed.reply.custom_ids == []

    twice = await alice.click(custom_id, message=stale)
    assert posts_in(twice, mods) == []
    assert "already" in twice.reply.text


async def test_the_reveal_button_survives_a_restart(kit):
    await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [custom_id] = [
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    ]
    await kit.restart()
    revealed = await alice.click(custom_id)
    assert len(posts_in(revealed, mods)) == 1


async def test_a_reveal_that_cannot_reach_moderators_is_not_counted(kit):
    await add_probe(kit)
    mods = await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [custom_id] = [
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    ]
    kit.discord.fail("POST", rf"^/channels/{mods}/messages", 403, 50013, times=1)
    failed = await alice.click(custom_id)
    assert failed.reply.ephemeral and "nothing was shared" in failed.reply.text
    retried = await alice.click(custom_id)
    assert len(posts_in(retried, mods)) == 1


async def test_no_reveal_offer_and_no_alert_without_a_moderator_channel(kit):
    await add_probe(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    assert resources_reply(out) is not None
    assert not any(c.startswith("kindred:care:reveal:") for r in out.replies for c in r.custom_ids)
    assert out.posts and all("may need care" not in p.text for p in out.posts)


async def test_offer_reveal_is_refused_once_the_offer_was_erased(kit):
    await add_probe(kit)
    await with_mod_channel(kit)
    alice = kit.member("alice")
    out = await alice.slash("probe-share", text=CRISIS, anonymous=True)
    [custom_id] = [
        c for r in out.replies for c in r.custom_ids if c.startswith("kindred:care:reveal:")
    ]
    await kit.store.atomic(kit.store.care.erase_member_rows, kit.guild.id, alice.id)
    gone = await alice.click(custom_id)
    assert gone.reply.ephemeral and "no longer available" in gone.reply.text


# ----- /care resources (moderators) -----------------------------------------------------------
async def test_moderators_add_list_and_remove_resources(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("care resources list")
    assert out.reply.ephemeral
    assert "Kindred's defaults" in out.reply.text and "findahelpline.com" in out.reply.text

    added = await mo.slash(
        "care resources add", name="  Samaritans ", contact="116 123", region="UK and Ireland"
    )
    assert added.reply.ephemeral
    assert (
        "Added resource #" in added.reply.text
        and "instead of Kindred's defaults" in added.reply.text
    )
    assert "**Samaritans** (UK and Ireland): 116 123" in added.reply.text
    [resource] = await kit.store.care.resources(kit.guild.id)
    assert (resource.name, resource.contact, resource.region) == (
        "Samaritans",
        "116 123",
        "UK and Ireland",
    )

    second = await mo.slash(
        "care resources add", name="Crisis Text Line", contact="Text HOME to 741741"
    )
    assert "instead of Kindred's defaults" not in second.reply.text

    listed = await mo.slash("care resources list")
    assert f"`#{resource.resource_id}` **Samaritans**" in listed.reply.text
    assert "findahelpline.com" not in listed.reply.text

    removed = await mo.slash("care resources remove", resource_id=resource.resource_id)
    assert removed.reply.ephemeral and "Removed resource" in removed.reply.text
    assert [r.name for r in await kit.store.care.resources(kit.guild.id)] == ["Crisis Text Line"]
    last = (await kit.store.care.resources(kit.guild.id))[0].resource_id
    emptied = await mo.slash("care resources remove", resource_id=last)
    assert "default resources again" in emptied.reply.text


async def test_members_cannot_manage_resources(kit):
    alice = kit.member("alice")
    for command, options in (
        ("care resources add", {"name": "Mine", "contact": "123"}),
        ("care resources list", {}),
        ("care resources remove", {"resource_id": 1}),
    ):
        out = await alice.slash(command, **options)
        assert out.reply.ephemeral
        assert out.reply.content == NOT_MODERATOR
    assert await kit.store.care.resources(kit.guild.id) == []


async def test_care_commands_are_moderator_only_and_guild_only_for_discord(kit):
    care = kit.bot.tree.get_command("care")
    payload = care.to_dict(kit.bot.tree)
    assert (
        int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    )
    assert payload.get("contexts") == [0] or payload.get("dm_permission") is False


async def test_resource_input_is_checked(kit):
    mo = kit.moderator("mo")
    empty = await mo.slash("care resources add", name="   ", contact="123")
    assert "can't be empty" in empty.reply.text and empty.reply.ephemeral
    long = await mo.slash("care resources add", name="x" * 81, contact="123")
    assert "keep it to 80" in long.reply.text
    await mo.slash("care resources add", name="Samaritans", contact="116 123", region="UK")
    duplicate = await mo.slash(
        "care resources add", name="samaritans", contact="other", region="uk"
    )
    assert "already listed" in duplicate.reply.text
    elsewhere = await mo.slash(
        "care resources add", name="Samaritans", contact="116 123", region="Ireland"
    )
    assert "Added" in elsewhere.reply.text
    missing = await mo.slash("care resources remove", resource_id=999)
    assert "no resource #999" in missing.reply.text
    assert len(await kit.store.care.resources(kit.guild.id)) == 2


async def test_every_resource_reaches_a_member_in_full_or_the_add_is_refused(kit):
    """Long, markdown-heavy resources: the crisis message never clips one away."""
    await add_probe(kit)
    mo = kit.moderator("mo")
    contact = "Call *" + "1_2" * 64  # escaping markdown makes it longer than typed
    added = []
    for n in range(MAX_RESOURCES):
        out = await mo.slash(
            "care resources add", name=f"Line_{n} " + "*" * 60, contact=contact, region="Any_where"
        )
        if "too long for Discord" in out.reply.text:
            assert out.reply.ephemeral and "Nothing was changed" in out.reply.text
            break
        added.append(n)
    assert 3 < len(added) < MAX_RESOURCES
    assert len(await kit.store.care.resources(kit.guild.id)) == len(added)
    out = await kit.member("alice").slash("probe-share", text=CRISIS)
    care = resources_reply(out).embeds[0]["description"]
    assert len(care) <= 4096 and not care.endswith("…")
    for n in added:
        assert f"**Line\\_{n} " in care
    assert care.count(discord.utils.escape_markdown(contact)) == len(added)


async def test_a_server_lists_at_most_twenty_resources(kit):
    mo = kit.moderator("mo")
    for n in range(MAX_RESOURCES):
        await kit.store.care.add_resource(kit.guild.id, f"Line {n}", "123", None, kit.clock())
    out = await mo.slash("care resources add", name="One more", contact="123")
    assert f"already lists {MAX_RESOURCES}" in out.reply.text
    assert len(await kit.store.care.resources(kit.guild.id)) == MAX_RESOURCES
    listed = await mo.slash("care resources list")
    assert "Line 19" in "\n".join(r.text for r in listed.replies)


async def test_resource_names_cannot_break_the_formatting(kit):
    mo = kit.moderator("mo")
    await mo.slash("care resources add", name="**Bold** _line_", contact="call 1")
    listed = await mo.slash("care resources list")
    assert "\\*\\*Bold\\*\\*" in listed.reply.text


async def test_remove_offers_the_servers_resources_as_choices(kit):
    mo = kit.moderator("mo")
    first = await kit.store.care.add_resource(
        kit.guild.id, "Samaritans", "116 123", "UK", kit.clock()
    )
    await kit.store.care.add_resource(kit.guild.id, "Lifeline", "13 11 14", None, kit.clock())
    choices = await mo.autocomplete("care resources remove", "resource_id", "sama")
    assert choices == [
        {"name": f"#{first.resource_id} Samaritans (UK)", "value": first.resource_id}
    ]
    assert len(await mo.autocomplete("care resources remove", "resource_id", "")) == 2


async def test_settings_show_says_which_resources_members_see(kit):
    mo = kit.moderator("mo")
    out = await mo.slash("settings show")
    assert "Crisis resources:** Kindred's defaults" in out.reply.text
    await kit.store.care.add_resource(kit.guild.id, "Lifeline", "13 11 14", None, kit.clock())
    out = await mo.slash("settings show")
    assert "Crisis resources:** 1 of this server's own" in out.reply.text


# ----- /values ----------------------------------------------------------------------------------
async def test_values_lists_the_library_privately_with_the_peer_support_line(kit):
    alice = kit.member("alice")
    out = await alice.slash("values")
    assert out.reply.ephemeral
    text = "\n".join(r.text for r in out.replies)
    assert "Empathy fosters trust, respect opens dialogue, understanding bridges gaps" in text
    for value in kit.bot.library.values[:1]:
        assert value.name in text and value.description in text


async def test_values_explains_one_value(kit):
    alice = kit.member("alice")
    value = kit.bot.library.values[0]
    out = await alice.slash("values", value=value.key)
    assert out.reply.ephemeral
    assert value.badge in out.reply.text
    assert value.description in out.reply.text and value.why in out.reply.text
    assert out.reply.embeds[0]["color"] == value.colour
    by_name = await alice.slash("values", value=value.name.upper())
    assert value.why in by_name.reply.text


async def test_values_refuses_an_unknown_value_kindly(kit):
    out = await kit.member("alice").slash("values", value="telepathy")
    assert out.reply.ephemeral and "I don't know a value called 'telepathy'" in out.reply.text


async def test_values_autocomplete(kit):
    value = kit.bot.library.values[0]
    choices = await kit.member("alice").autocomplete("values", "value", value.name[:3])
    assert choices[0]["value"] == value.key
    assert all(len(c["name"]) <= 100 for c in choices)


async def test_values_and_privacy_work_in_direct_messages(kit):
    dm = kit.dm_user("dana")
    assert (await dm.slash("values")).reply.ephemeral
    assert (await dm.slash("privacy")).reply.ephemeral


async def test_every_care_command_and_option_has_help_text(kit):
    for name in ("care", "values", "privacy", "mydata"):
        command = kit.bot.tree.get_command(name)
        walk = command.walk_commands() if isinstance(command, app_commands.Group) else [command]
        for sub in walk:
            assert sub.description and sub.description != "…", sub.qualified_name
            for param in getattr(sub, "parameters", []):
                assert param.description and param.description != "…", (
                    sub.qualified_name,
                    param.name,
                )
    help_text = (await kit.member("alice").slash("help")).reply.text
    assert "/mydata erase" in help_text and "/care resources add" in help_text
