"""Autocomplete of a moderator command answers moderators only, checked on our side.

Discord sends an autocomplete interaction from anyone who can type the command's name (a
server can lift `default_permissions`, and a forged request needs no client at all), and
discord.py runs the autocomplete callback without the command's own checks.
"""

from __future__ import annotations

from discord import app_commands

from bot.checks import MODERATOR_CHOICES_CHECK
from tests.test_share import CRISIS, share
from tests.test_share import stories_ready as stories_ready  # the `mo` fixture


def is_moderator_command(command: app_commands.Command) -> bool:
    node = command
    while node is not None:
        if node.default_permissions is not None and node.default_permissions.manage_guild:
            return True
        node = node.parent
    return False


def autocompleted(kit) -> list[tuple[app_commands.Command, str, object]]:
    found = []
    for command in kit.bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            for param in command._params.values():  # the public view hides the callback
                if param.autocomplete is not None:
                    found.append((command, param.display_name, param.autocomplete))
    return found


def test_every_moderator_autocomplete_checks_the_permission(kit):
    moderator = [(c, name, fn) for c, name, fn in autocompleted(kit) if is_moderator_command(c)]
    assert len(moderator) >= 6  # stories remove, prompts remove/add/list/schedule, care, settings
    missing = [
        f"/{command.qualified_name} {name}"
        for command, name, callback in moderator
        if MODERATOR_CHOICES_CHECK not in getattr(callback, "__discord_app_commands_checks__", [])
    ]
    assert missing == [], f"autocomplete without the moderator check: {missing}"


async def test_a_member_gets_no_choices_from_any_moderator_autocomplete(kit, mo):
    alice = kit.member("alice")
    await mo.slash("stories review", mode="on")
    await share(alice, story=CRISIS, title="Held for care")  # a story waiting for review
    await mo.slash("prompts add", text="What helped you keep going this week?", value="hope")
    await mo.slash("care resources add", name="Lifeline", contact="13 11 14")

    checked = 0
    for command, name, _ in autocompleted(kit):
        if not is_moderator_command(command):
            continue
        for typed in ("", "a", "#", "1"):
            choices = await alice.autocomplete(command.qualified_name, name, typed)
            assert choices == [], f"/{command.qualified_name} {name} answered a member"
        checked += 1
    assert checked >= 6

    # moderators still get their choices
    assert await mo.autocomplete("stories remove", "story_id", "")
    assert await mo.autocomplete("prompts remove", "prompt_id", "")
    assert await mo.autocomplete("care resources remove", "resource_id", "")
    assert await mo.autocomplete("settings timezone", "zone", "Europe")


async def test_member_commands_still_autocomplete_for_members(kit):
    assert await kit.member("alice").autocomplete("celebrate", "value", "")
