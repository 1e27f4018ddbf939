"""The test kit: people acting on the real bot, with Discord captured.

    kit = await Kit.start(tmp_path, monkeypatch)
    alice = kit.member("alice")
    mo = kit.moderator("mo")
    out = await mo.slash("settings timezone", zone="Europe/Berlin")
    assert out.reply.ephemeral and "Europe/Berlin" in out.reply.text

Interactions are built as the gateway delivers them and fed to discord.py's own
`ConnectionState.parse_interaction_create`, so the real CommandTree, views, modals and
DynamicItems run. `Outcome` holds the HTTP requests the action caused.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot.client import KindredBot
from bot.config import Config, DatabaseConfig
from bot.store import Store
from tests.kit.fake_discord import FakeDiscord, Request, iso_now, snowflake, walk_components

__all__ = ["FakeClock", "FakeDiscord", "Kit", "Outcome", "Person", "Request", "snowflake"]

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 900000000000000003
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    use_application_commands=True,
    add_reactions=True,
)
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    create_public_threads=True,
    send_messages_in_threads=True,
    manage_threads=True,
    read_message_history=True,
)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
# The tests' moderator channel, private as Kindred requires (see Kit.add_channel).
MOD_CHANNEL = "mods"
VIEW = str(discord.Permissions(view_channel=True).value)


class FakeClock:
    """The bot's clock; tests move it instead of sleeping."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@dataclass
class Outcome:
    """What one action made the bot send."""

    requests: list[Request] = field(default_factory=list)
    # Store calls (atomic, snapshot, read, write) started before the first answer to the
    # interaction (its callback); None when it was never answered.
    store_calls_before_answer: int | None = None

    @property
    def callbacks(self) -> list[Request]:
        return [r for r in self.requests if r.is_callback]

    @property
    def replies(self) -> list[Request]:
        """Messages sent to the acting person: the response and follow-ups, in order."""
        return [
            r
            for r in self.requests
            if (r.is_callback and r.callback_type in (4, 7))
            or (r.route.startswith("/webhooks/") and r.method in ("POST", "PATCH"))
        ]

    @property
    def reply(self) -> Request:
        """The first message back to the acting person (fails the test when there is none)."""
        replies = self.replies
        assert replies, f"the bot sent no reply; requests were: {self.requests}"
        return replies[0]

    @property
    def modal(self) -> dict | None:
        """The modal the bot opened, as discord.py serialised it."""
        for request in self.callbacks:
            if request.callback_type == 9:
                return request.body["data"]
        return None

    @property
    def autocomplete(self) -> list[dict]:
        for request in self.callbacks:
            if request.callback_type == 8:
                return request.body["data"]["choices"]
        return []

    @property
    def posts(self) -> list[Request]:
        """Messages the bot posted to channels (not interaction replies)."""
        return [
            r
            for r in self.requests
            if r.method == "POST"
            and (
                r.route == "/channels/{channel_id}/messages"
                or r.route == "/channels/{channel_id}/threads"
            )
        ]

    def to(self, route: str, method: str | None = None) -> list[Request]:
        return [
            r for r in self.requests if r.route == route and (method is None or r.method == method)
        ]


class Person:
    """A member of the kit's server (or a DM user) who acts through Discord."""

    def __init__(
        self,
        kit: Kit,
        name: str,
        *,
        permissions: discord.Permissions,
        roles: list[int] | None = None,
        in_guild: bool = True,
    ):
        self.kit = kit
        self.id = snowflake()
        self.name = name
        self.permissions = permissions
        self.roles = roles or []
        self.in_guild = in_guild
        self.last_modal: dict | None = None

    @property
    def user(self) -> dict:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.title(),
            "discriminator": "0",
            "avatar": None,
        }

    def member_payload(self) -> dict:
        return {
            "user": self.user,
            "roles": [str(r) for r in self.roles],
            "joined_at": iso_now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "permissions": str(self.permissions.value),
        }

    def _base(self, kind: int, channel: discord.abc.GuildChannel | discord.Thread | None) -> dict:
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"token-{snowflake()}",
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10_000_000,
        }
        if self.in_guild:
            channel = channel or self.kit.default_channel
            payload.update(
                guild_id=str(GUILD_ID),
                guild={"id": str(GUILD_ID), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(channel.id),
                channel={
                    "id": str(channel.id),
                    "type": channel.type.value,
                    "guild_id": str(GUILD_ID),
                    "name": channel.name,
                }
                if getattr(channel, "data", None) is None
                else dict(channel.data),  # a thread the bot created, as Discord describes it
                member=self.member_payload(),
                app_permissions=str(channel.permissions_for(self.kit.guild.me).value),
                context=0,
                authorizing_integration_owners={"0": str(GUILD_ID)},
            )
        else:
            dm_id = self.id + 7
            payload.update(
                user=self.user,
                channel_id=str(dm_id),
                channel={"id": str(dm_id), "type": 1},
                app_permissions=str(BOT_PERMISSIONS.value),
                context=1,
                authorizing_integration_owners={"1": str(self.id)},
            )
        return payload

    # ----- actions -----------------------------------------------------------------
    async def slash(self, command: str, *, in_channel=None, **options: Any) -> Outcome:
        """Invoke `/command sub` with options given by their Discord names (use _ for -).

        `in_channel` is where the member types the command (default: #general); an option
        named `channel` takes a channel name from `kit.add_channel`, or a channel object.
        """
        payload = self._base(2, in_channel)
        payload["data"] = self.kit.command_data(command, options, focused=None)
        return await self.kit.deliver(payload)

    async def autocomplete(
        self, command: str, option: str, typed: str, *, channel=None, **others: Any
    ) -> list[dict]:
        payload = self._base(4, channel)
        payload["data"] = self.kit.command_data(command, {**others, option: typed}, focused=option)
        outcome = await self.kit.deliver(payload)
        return outcome.autocomplete

    async def click(self, custom_id: str, *, message: dict | None = None, channel=None) -> Outcome:
        """Press a button on the newest message that carries it (or on `message`)."""
        return await self._component(custom_id, 2, {}, message, channel)

    async def select(
        self, custom_id: str, values: list[str], *, message: dict | None = None, channel=None
    ) -> Outcome:
        return await self._component(custom_id, 3, {"values": values}, message, channel)

    async def _component(
        self, custom_id: str, component_type: int, extra: dict, message: dict | None, channel
    ) -> Outcome:
        message = message or self.kit.discord.message_with(custom_id)
        assert message is not None, f"no message carries a component {custom_id!r}"
        if channel is None and self.in_guild:
            channel = self.kit.channel_by_id(int(message["channel_id"]))
        payload = self._base(3, channel)
        payload["message"] = message
        payload["data"] = {"custom_id": custom_id, "component_type": component_type, **extra}
        return await self.kit.deliver(payload)

    async def submit_modal(
        self, modal: dict | None = None, *, channel=None, **values: Any
    ) -> Outcome:
        """Submit the modal the bot last opened for this person, filled in by custom id.

        Text inputs take str, radio groups a str value, checkboxes a bool, checkbox
        groups and selects a list. Unnamed inputs keep their pre-filled value.
        """
        modal = modal or self.last_modal
        assert modal is not None, "the bot opened no modal for this person"
        components = []
        for top in modal["components"]:
            inner = top.get("component") if top["type"] == 18 else None
            items = [inner] if inner else top.get("components", []) if top["type"] == 1 else []
            submitted = [_submitted(item, values) for item in items if "custom_id" in item]
            if top["type"] == 18 and submitted:
                components.append({"type": 18, "id": top.get("id", 0), "component": submitted[0]})
            elif submitted:
                components.append({"type": 1, "components": submitted})
        unknown = set(values) - {
            c["custom_id"] for c in walk_components(modal["components"]) if "custom_id" in c
        }
        assert not unknown, f"the modal has no inputs {unknown}"
        payload = self._base(5, channel)
        payload["data"] = {"custom_id": modal["custom_id"], "components": components}
        return await self.kit.deliver(payload)


def _submitted(item: dict, values: dict) -> dict:
    custom_id = item["custom_id"]
    kind = item["type"]
    given = values.get(custom_id)
    if kind == 4:
        return {
            "type": 4,
            "custom_id": custom_id,
            "value": given if given is not None else item.get("value", ""),
        }
    if kind == 21:
        default = next((o["value"] for o in item.get("options", []) if o.get("default")), None)
        return {
            "type": 21,
            "custom_id": custom_id,
            "value": given if given is not None else default,
        }
    if kind == 23:
        return {
            "type": 23,
            "custom_id": custom_id,
            "value": bool(given if given is not None else item.get("default", False)),
        }
    if kind == 22:
        default = [o["value"] for o in item.get("options", []) if o.get("default")]
        return {
            "type": 22,
            "custom_id": custom_id,
            "values": list(given if given is not None else default),
        }
    default = [o["value"] for o in item.get("options", []) if o.get("default")]
    return {
        "type": kind,
        "custom_id": custom_id,
        "values": list(given if given is not None else default),
    }


# The guild fields Discord always sends that Kindred's tests never vary.
GUILD_DEFAULTS = {
    "features": [],
    "emojis": [],
    "stickers": [],
    "threads": [],
    "preferred_locale": "en-US",
    "verification_level": 0,
    "default_message_notifications": 0,
    "explicit_content_filter": 0,
    "mfa_level": 0,
    "premium_tier": 0,
    "nsfw_level": 0,
    "system_channel_flags": 0,
    "afk_timeout": 300,
}


def channel_payload(
    channel_id: int, name: str, *, kind: int, guild_id: int, position: int, tags=()
) -> dict:
    """A guild channel as Discord sends it: text (0) or forum (15, with tags)."""
    channel = {
        "id": str(channel_id),
        "type": kind,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }
    if kind == 15:
        channel["available_tags"] = [
            {
                "id": str(snowflake()),
                "name": tag,
                "moderated": False,
                "emoji_id": None,
                "emoji_name": None,
            }
            for tag in tags
        ]
        channel["default_reaction_emoji"] = None
        channel["default_sort_order"] = None
        channel["default_forum_layout"] = 0
    return channel


class Kit:
    """One server, its channels and people, a real KindredBot, Discord captured."""

    def __init__(self, tmp_path: Path, monkeypatch, clock: FakeClock):
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.clock = clock
        bot_user = {
            "id": str(BOT_ID),
            "username": "Kindred",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "global_name": "Kindred",
        }
        self.bot_user = bot_user
        self.discord = FakeDiscord(APP_ID, bot_user)
        self.discord.install(monkeypatch)
        self.count_store_calls(monkeypatch)
        self.config = Config(database=DatabaseConfig(tmp_path / "kindred.db"))
        self.channels: dict[str, dict] = {}
        self.threads: dict[str, dict] = {}  # threads others opened (see add_thread)
        self.roles: list[dict] = [
            {
                "id": str(GUILD_ID),
                "name": "@everyone",
                "permissions": str(EVERYONE_PERMISSIONS.value),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
            }
        ]
        self.bot_role_id = snowflake()
        self.roles.append(
            {
                "id": str(self.bot_role_id),
                "name": "Kindred",
                "permissions": str(BOT_PERMISSIONS.value),
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": True,
                "mentionable": False,
            }
        )
        self.people: list[Person] = []
        self.bot: KindredBot | None = None
        self.guild: discord.Guild | None = None
        self.add_channel("general")

    def count_store_calls(self, monkeypatch) -> None:
        """Every store call is put on the timeline as it starts, beside Discord's requests."""
        timeline, timed = self.discord.timeline, Store._timed

        def counted(store: Store, kind: str, call):
            timeline.append(f"store:{kind}")
            return timed(store, kind, call)

        monkeypatch.setattr(Store, "_timed", counted)

    # ----- life cycle --------------------------------------------------------------
    @classmethod
    async def start(cls, tmp_path: Path, monkeypatch, *, clock: FakeClock | None = None) -> Kit:
        kit = cls(tmp_path, monkeypatch, clock or FakeClock())
        await kit.boot()
        return kit

    async def boot(self) -> KindredBot:
        """Start a bot as `kindred run` would, minus the gateway."""
        bot = KindredBot(self.config, clock=self.clock, sync_commands=False)
        state = bot._connection
        state.application_id = APP_ID
        state.user = discord.ClientUser(state=state, data=self.bot_user)
        bot.http.token = "test-token"
        await bot._async_setup_hook()
        await bot.setup_hook()
        self.bot = bot
        self.guild = state._add_guild_from_data(self.guild_payload())
        return bot

    async def restart(self) -> KindredBot:
        """Stop the bot and start a new one on the same database, as after a crash or deploy."""
        await self.close()
        return await self.boot()

    async def close(self) -> None:
        if self.bot is not None:
            for cog in list(self.bot.cogs.values()):
                await self.bot.remove_cog(cog.qualified_name)
            if self.bot._store is not None:
                await self.bot._store.close()
                self.bot._store = None
            await self.bot.http.close()
            self.bot = None

    @property
    def store(self) -> Store:
        return self.bot.store

    # ----- the server --------------------------------------------------------------
    def guild_payload(self) -> dict:
        bot_member = {
            "user": self.bot_user,
            "roles": [str(self.bot_role_id)],
            "joined_at": iso_now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        return {
            "id": str(GUILD_ID),
            "name": "Kindred Test Circle",
            "owner_id": str(snowflake()),
            "roles": self.roles,
            "channels": list(self.channels.values()),
            "members": [bot_member],
            "member_count": 2,
            **GUILD_DEFAULTS,
            "threads": list(self.threads.values()),
        }

    def add_channel(
        self,
        name: str,
        *,
        kind: int = 0,
        deny_bot: tuple[str, ...] = (),
        tags: list[str] = (),
        private: bool | None = None,
    ) -> dict:
        """A text (0) or forum (15) channel; `deny_bot` removes permissions from the bot there.

        `private` denies View Channel to @everyone and allows it to Kindred's role, as a
        moderator sets up a moderator channel. By default only the channel named MOD_CHANNEL
        ("mods", the moderator channel of the tests) is private; every other channel is one
        @everyone can read.
        """
        channel_id = snowflake()
        overwrites = []
        if private if private is not None else name == MOD_CHANNEL:
            overwrites.extend(self._private_overwrites())
        if deny_bot:
            deny = discord.Permissions(**dict.fromkeys(deny_bot, True))
            overwrites.append({"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(deny.value)})
        channel = channel_payload(
            channel_id, name, kind=kind, guild_id=GUILD_ID, position=len(self.channels), tags=tags
        )
        channel["permission_overwrites"] = overwrites
        self.channels[name] = channel
        self.discord.channels[channel_id] = channel
        self._reload_guild()
        return channel

    def set_private(self, name: str, private: bool) -> None:
        """A moderator opens a channel to @everyone (False) or closes it again (True)."""
        ours = {o["id"] for o in self._private_overwrites()}
        overwrites = [
            o for o in self.channels[name]["permission_overwrites"] if o["id"] not in ours
        ]
        self.channels[name]["permission_overwrites"] = (
            [*self._private_overwrites(), *overwrites] if private else overwrites
        )
        self._reload_guild()

    def add_overwrite(
        self,
        name: str,
        target: int,
        *,
        kind: int,
        allow: tuple[str, ...] = (),
        deny: tuple[str, ...] = (),
    ) -> None:
        """A permission overwrite on a channel for a role (kind 0) or a member (kind 1)."""
        allowed = discord.Permissions(**dict.fromkeys(allow, True))
        denied = discord.Permissions(**dict.fromkeys(deny, True))
        self.channels[name]["permission_overwrites"].append(
            {
                "id": str(target),
                "type": kind,
                "allow": str(allowed.value),
                "deny": str(denied.value),
            }
        )
        self._reload_guild()

    def _private_overwrites(self) -> list[dict]:
        """@everyone can't view the channel (the role shares the server's id); Kindred can."""
        return [
            {"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": VIEW},
            {"id": str(self.bot_role_id), "type": 0, "allow": VIEW, "deny": "0"},
        ]

    def add_thread(self, name: str, parent: str, *, private: bool = False) -> discord.Thread:
        """A thread someone else opened in channel `parent`: public (11) or private (12)."""
        thread_id = snowflake()
        self.threads[name] = {
            "id": str(thread_id),
            "type": 12 if private else 11,
            "guild_id": str(GUILD_ID),
            "parent_id": self.channels[parent]["id"],
            "owner_id": str(snowflake()),
            "name": name,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso_now(),
                "locked": False,
                "invitable": False,
            },
        }
        self._reload_guild()
        return self.guild.get_thread(thread_id)

    def _reload_guild(self) -> None:
        """Let discord.py's cache see the server's channels, threads and roles as they are now."""
        if self.guild is not None:
            self.guild = self.bot._connection._add_guild_from_data(self.guild_payload())

    def add_role(self, name: str) -> int:
        role_id = snowflake()
        self.roles.append(
            {
                "id": str(role_id),
                "name": name,
                "permissions": "0",
                "position": len(self.roles),
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": True,
            }
        )
        self._reload_guild()
        return role_id

    def channel(self, name: str) -> discord.abc.GuildChannel:
        return self.guild.get_channel(int(self.channels[name]["id"]))

    def channel_by_id(self, channel_id: int):
        return (
            self.guild.get_channel_or_thread(channel_id)
            or self.guild.get_channel(channel_id)
            or self._known_thread(channel_id)
            or _PartialChannel(channel_id, self)
        )

    def _known_thread(self, channel_id: int) -> _PartialChannel | None:
        """A thread the bot created (the fake Discord keeps it; the guild cache doesn't)."""
        data = self.discord.channels.get(channel_id)
        if not data or data.get("type") != 11:
            return None
        return _PartialChannel(
            channel_id, self, discord.ChannelType.public_thread, data["name"], data
        )

    @property
    def default_channel(self) -> discord.abc.GuildChannel:
        return self.channel("general")

    # ----- people ------------------------------------------------------------------
    def member(self, name: str, *, roles: list[int] | None = None) -> Person:
        person = Person(self, name, permissions=EVERYONE_PERMISSIONS, roles=roles)
        self.people.append(person)
        return person

    def moderator(self, name: str) -> Person:
        permissions = discord.Permissions(EVERYONE_PERMISSIONS.value)
        permissions.manage_guild = True
        permissions.manage_messages = True
        person = Person(self, name, permissions=permissions)
        self.people.append(person)
        return person

    def dm_user(self, name: str) -> Person:
        person = Person(self, name, permissions=discord.Permissions.none(), in_guild=False)
        self.people.append(person)
        return person

    # ----- delivery ----------------------------------------------------------------
    async def deliver(self, payload: dict, *, timeout: float = 10) -> Outcome:
        """Feed an interaction to discord.py as the gateway would and wait until the bot is idle."""
        self.discord.interactions[payload["token"]] = payload
        start, started = len(self.discord.requests), len(self.discord.timeline)
        before = set(asyncio.all_tasks())
        self.bot._connection.parse_interaction_create(payload)
        await self.settle(before, timeout)
        outcome = Outcome(self.discord.requests[start:])
        outcome.store_calls_before_answer = _calls_before_answer(self.discord.timeline[started:])
        person = next(
            (
                p
                for p in self.people
                if str(p.id)
                == (payload.get("member") or {}).get("user", payload.get("user", {})).get("id")
            ),
            None,
        )
        if person is not None and outcome.modal is not None:
            person.last_modal = outcome.modal
        return outcome

    async def settle(self, before: set | None = None, timeout: float = 10) -> None:
        """Wait for every task started since `before` (and the tasks they start)."""
        before = before or set()
        current = asyncio.current_task()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await asyncio.sleep(0)
            pending = [
                t
                for t in asyncio.all_tasks()
                if t is not current and t not in before and not t.done() and not _idle_timer(t)
            ]
            if not pending:
                return
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"the bot did not become idle: {pending}")
            await asyncio.wait(pending, timeout=remaining)

    async def dispatch_message(self, channel_id: int, author: Person, content: str = "") -> Outcome:
        """`author` writes in a channel or thread: MESSAGE_CREATE as the gateway delivers it
        to a bot without the message-content intent (the content arrives empty)."""
        member = author.member_payload()
        member.pop("user")
        payload = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": author.user,
            "member": member,
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        start = len(self.discord.requests)
        before = set(asyncio.all_tasks())
        self.bot._connection.parse_message_create(payload)
        await self.settle(before)
        return Outcome(self.discord.requests[start:])

    async def run(self, coro) -> Outcome:
        """Run bot-side work (a scheduler tick, a digest) and capture what it sent."""
        start = len(self.discord.requests)
        before = set(asyncio.all_tasks())  # background loops already waiting are not ours
        await coro
        await self.settle(before)
        return Outcome(self.discord.requests[start:])

    def command_data(self, command: str, options: dict[str, Any], *, focused: str | None) -> dict:
        names = command.split()
        found = self.bot.tree.get_command(names[0])
        assert found is not None, f"no slash command /{names[0]}"
        for name in names[1:]:
            assert isinstance(found, app_commands.Group), (
                f"/{found.qualified_name} has no subcommands"
            )
            found = found.get_command(name)
            assert found is not None, f"no slash command /{command}"
        resolved: dict[str, dict] = {}
        rendered = []
        params = {p.display_name: p for p in found.parameters}
        for key, value in options.items():
            display = key if key in params else key.replace("_", "-")
            param = params.get(display) or next(
                (p for p in found.parameters if p.name == key), None
            )
            assert param is not None, f"/{command} has no option {key!r}; it has {list(params)}"
            option = {
                "type": param.type.value,
                "name": param.display_name,
                "value": self._encode(param, value, resolved),
            }
            if focused is not None and key == focused:
                option["focused"] = True
            rendered.append(option)
        for name in reversed(names[1:]):
            group_or_sub = 1 if name == names[-1] else 2
            rendered = [{"type": group_or_sub, "name": name, "options": rendered}]
        data = {"id": str(snowflake()), "name": names[0], "type": 1, "options": rendered}
        if resolved:
            data["resolved"] = resolved
        return data

    def _encode(self, param, value: Any, resolved: dict) -> Any:
        kind = param.type
        if kind in (
            discord.AppCommandOptionType.user,
            discord.AppCommandOptionType.mentionable,
        ) and isinstance(value, Person):
            resolved.setdefault("users", {})[str(value.id)] = value.user
            member = value.member_payload()
            member.pop("user")
            resolved.setdefault("members", {})[str(value.id)] = member
            return str(value.id)
        if kind == discord.AppCommandOptionType.channel:
            channel = (
                self.channels[value] if isinstance(value, str) and value in self.channels else value
            )
            if isinstance(channel, discord.abc.GuildChannel):
                channel = self.channels[channel.name]
            resolved.setdefault("channels", {})[channel["id"]] = {
                "id": channel["id"],
                "name": channel["name"],
                "type": channel["type"],
                "permissions": str(EVERYONE_PERMISSIONS.value),
                "guild_id": str(GUILD_ID),
            }
            return channel["id"]
        if kind == discord.AppCommandOptionType.role:
            role = next(r for r in self.roles if r["id"] == str(value) or r["name"] == value)
            resolved.setdefault("roles", {})[role["id"]] = role
            return role["id"]
        return value


def _calls_before_answer(timeline: list) -> int | None:
    calls = 0
    for event in timeline:
        if isinstance(event, str):
            calls += 1
        elif event.is_callback:
            return calls
    return None


def _idle_timer(task: asyncio.Task) -> bool:
    """A view's timeout timer (e.g. the Prev/Next pages) is not work the action caused."""
    return getattr(task.get_coro(), "__qualname__", "") == "BaseView.__timeout_task_impl"


@dataclass
class _PartialChannel:
    id: int
    kit: Kit
    type: discord.ChannelType = discord.ChannelType.text
    name: str = "thread"
    data: dict | None = None  # the full channel payload, when the fake Discord knows it

    def permissions_for(self, member) -> discord.Permissions:
        return BOT_PERMISSIONS
