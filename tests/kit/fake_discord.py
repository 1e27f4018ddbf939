"""A capturing stand-in for Discord's HTTP API.

Both of discord.py's HTTP paths are replaced: `HTTPClient.request` (bot REST calls) and
`AsyncWebhookAdapter.request` (interaction callbacks and follow-ups). Every call is
recorded as a `Request`, and answered with a Discord-shaped JSON body so discord.py
builds real objects from it. Nothing leaves the process.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import discord
from discord.http import HTTPClient
from discord.webhook.async_ import AsyncWebhookAdapter

_ids = itertools.count(1)


_EPOCH_SNOWFLAKE = discord.utils.time_snowflake(datetime(2026, 1, 1, tzinfo=UTC))


def snowflake() -> int:
    """Unique, increasing, Discord-shaped ids (time-based so they sort like Discord's)."""
    return (_EPOCH_SNOWFLAKE + (next(_ids) << 8)) & (2**63 - 1)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def walk_components(components: list[dict]) -> list[dict]:
    """Every component, depth first (rows, labels, containers, sections, accessories)."""
    found = []
    for component in components or []:
        found.append(component)
        found.extend(walk_components(component.get("components", [])))
        for key in ("component", "accessory"):
            if key in component:
                found.extend(walk_components([component[key]]))
    return found


@dataclass
class Request:
    """One HTTP call the bot made."""

    method: str
    route: str  # the path template, e.g. /channels/{channel_id}/messages
    path: str  # the concrete path
    body: dict | list | None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    params: dict | None = None
    reason: str | None = None

    @property
    def is_callback(self) -> bool:
        return self.route.endswith("/callback")

    @property
    def callback_type(self) -> int | None:
        return self.body.get("type") if self.is_callback and isinstance(self.body, dict) else None

    @property
    def message(self) -> dict:
        """The message part of the body (for callbacks, its `data`)."""
        if not isinstance(self.body, dict):
            return {}
        if self.is_callback:
            return self.body.get("data") or {}
        if "message" in self.body and self.route.endswith("/threads"):
            return self.body["message"]
        return self.body

    @property
    def content(self) -> str | None:
        return self.message.get("content")

    @property
    def embeds(self) -> list[dict]:
        return self.message.get("embeds") or []

    @property
    def components(self) -> list[dict]:
        return self.message.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.message.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def allowed_mentions(self) -> dict | None:
        return self.message.get("allowed_mentions")

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    @property
    def text(self) -> str:
        """Everything a person would read in this message: content, embeds, component text."""
        parts = [self.content or ""]
        if isinstance(self.body, dict) and self.route.endswith("/threads"):
            parts.append(self.body.get("name", ""))
        if self.is_callback and isinstance(self.message, dict):
            parts.append(self.message.get("title", ""))
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [
                embed.get("author", {}).get("name", ""),
                embed.get("footer", {}).get("text", ""),
            ]
            for f in embed.get("fields", []):
                parts += [f.get("name", ""), f.get("value", "")]
        for component in walk_components(self.components):
            for key in ("label", "content", "placeholder", "value", "title", "description"):
                if isinstance(component.get(key), str):
                    parts.append(component[key])
            for option in component.get("options", []):
                parts += [option.get("label", ""), option.get("description", "")]
        return "\n".join(p for p in parts if p)

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} {json.dumps(self.body)[:300] if self.body else ''}>"


class FakeResponse(SimpleNamespace):
    """What discord.HTTPException reads from an aiohttp response."""


def http_error(status: int, code: int = 0, message: str = "") -> discord.HTTPException:
    response = FakeResponse(status=status, reason=message or "error", headers={})
    data = {"code": code, "message": message or f"HTTP {status}"}
    if status == 403:
        return discord.Forbidden(response, data)
    if status == 404:
        return discord.NotFound(response, data)
    if status >= 500:
        return discord.DiscordServerError(response, data)
    return discord.HTTPException(response, data)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern
    error: discord.HTTPException
    times: int | None


class FakeDiscord:
    """Records requests; keeps the messages and channels the bot created; can be told to fail."""

    def __init__(self, app_id: int, bot_user: dict):
        self.app_id = app_id
        self.bot_user = bot_user
        self.requests: list[Request] = []
        # Requests and store calls, in the order they started (see Kit.count_store_calls).
        self.timeline: list[Request | str] = []
        self.messages: dict[int, dict] = {}
        self.channels: dict[int, dict] = {}
        self.interactions: dict[str, dict] = {}  # token -> interaction payload
        self.failures: list[Failure] = []
        self.closed_dms: set[int] = set()
        # Like Discord, a message sent with `enforce_nonce` and a nonce seen before in that
        # channel returns the earlier message instead of posting again (False: never dedupe).
        self.dedupe_nonces = True

    # ----- control -------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path_regex: str,
        status: int = 403,
        code: int = 50013,
        times: int | None = None,
        message: str = "",
    ) -> None:
        """Make matching requests raise like Discord would (e.g. 403 Missing Permissions)."""
        self.failures.append(
            Failure(
                method.upper(), re.compile(path_regex), http_error(status, code, message), times
            )
        )

    def clear(self) -> None:
        self.requests.clear()

    def install(self, monkeypatch) -> None:
        fake = self

        async def http_request(client: HTTPClient, route, *, files=None, form=None, **kwargs):
            body = kwargs.get("json")
            if form:
                body = _payload_from_form(form)
            return await fake.handle(route, body, files, kwargs.get("params"), kwargs.get("reason"))

        async def webhook_request(
            adapter,
            route,
            session,
            *,
            payload=None,
            multipart=None,
            files=None,
            params=None,
            reason=None,
            **kwargs,
        ):
            body = payload
            if multipart:
                body = _payload_from_form(multipart)
            return await fake.handle(route, body, files, params, reason)

        monkeypatch.setattr(HTTPClient, "request", http_request)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook_request)

    # ----- answering ---------------------------------------------------------------
    async def handle(self, route, body, files, params, reason) -> Any:
        path = route.url[len(route.BASE) :] if route.url.startswith(route.BASE) else route.url
        request = Request(
            route.method,
            route.path,
            path,
            _as_sent(body),
            [(f.filename, _read(f)) for f in files or []],
            params,
            reason,
        )
        self.requests.append(request)
        self.timeline.append(request)
        for failure in self.failures:
            if failure.method == route.method and failure.pattern.search(path):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                raise failure.error
        return self.answer(request, route)

    def answer(self, request: Request, route) -> Any:
        method, template, values = request.method, request.route, _route_values(route)
        body = request.body if isinstance(request.body, dict) else {}
        if template.endswith("/callback"):
            return self._callback(values["webhook_id"], values["webhook_token"], body)
        if template.startswith("/webhooks/"):
            interaction = self.interactions.get(values.get("webhook_token"), {})
            channel_id = int(interaction.get("channel_id") or 0)
            if method == "POST":
                return self.new_message(channel_id, body, files=request.files)
            if method in ("PATCH", "GET"):
                return self._edit_interaction_message(values, interaction, body)
            return None
        if template == "/channels/{channel_id}/messages" and method == "POST":
            if int(values["channel_id"]) in self.closed_dms:
                raise http_error(403, 50007, "Cannot send messages to this user")
            earlier = self._same_nonce(int(values["channel_id"]), body)
            if earlier is not None:
                return earlier
            return self.new_message(int(values["channel_id"]), body, files=request.files)
        if template == "/channels/{channel_id}/messages" and method == "GET":
            return self.history(int(values["channel_id"]), request.params or {})
        if template == "/guilds/{guild_id}/threads/active" and method == "GET":
            return {"threads": self.active_threads(values["guild_id"]), "members": []}
        if template == "/channels/{channel_id}/messages/{message_id}":
            message = self.messages.get(int(values["message_id"]))
            if message is None:
                raise http_error(404, 10008, "Unknown Message")
            if method == "PATCH":
                message.update(
                    {
                        k: v
                        for k, v in body.items()
                        if k in ("content", "embeds", "components", "flags")
                    }
                )
                message["edited_timestamp"] = iso_now()
            if method == "DELETE":
                self.messages.pop(message["id_int"], None)
                return None
            return _public(message)
        if template == "/channels/{channel_id}/messages/{message_id}/threads":
            return self.new_thread(
                int(values["channel_id"]), body, starter=int(values["message_id"])
            )
        if template == "/channels/{channel_id}/threads":
            thread = self.new_thread(int(values["channel_id"]), body)
            if "message" in body:  # a forum post: its starter message shares the thread's id
                message = self.new_message(
                    int(thread["id"]), body["message"], files=request.files,
                    message_id=int(thread["id"]),
                )  # fmt: skip
                thread = {**thread, "message": message}
            return thread
        if template == "/channels/{channel_id}" and method == "DELETE":
            return self.delete_channel(int(values["channel_id"]))
        if template == "/channels/{channel_id}":
            channel = self.channels.setdefault(
                int(values["channel_id"]), {"id": values["channel_id"], "type": 0}
            )
            if method == "PATCH":
                channel.update(body)
                if "locked" in body or "archived" in body:
                    meta = channel.setdefault("thread_metadata", {})
                    for key in ("locked", "archived"):
                        if key in body:
                            meta[key] = body[key]
            return channel
        if template == "/users/@me/channels":
            user_id = int(body["recipient_id"])
            channel = {
                "id": str(user_id + 7),
                "type": 1,
                "recipients": [
                    {
                        "id": str(user_id),
                        "username": f"user{user_id}",
                        "discriminator": "0",
                        "avatar": None,
                    }
                ],
            }
            return channel
        if template.endswith("/commands") and method == "PUT":
            return [
                {
                    **command,
                    "id": str(snowflake()),
                    "application_id": str(self.app_id),
                    "version": "1",
                }
                for command in request.body or []
            ]
        if method == "GET" and template == "/users/@me":
            return self.bot_user
        if method == "DELETE":
            return None
        return {}

    def delete_channel(self, channel_id: int) -> dict:
        """Like Discord: a deleted thread (or forum post) takes its messages with it; the
        message a thread was started from stays, no longer showing the thread."""
        channel = self.channels.pop(channel_id, None)
        if channel is None:
            raise http_error(404, 10003, "Unknown Channel")
        for message_id, message in list(self.messages.items()):
            if message["channel_id"] == str(channel_id):
                del self.messages[message_id]
            elif (message.get("thread") or {}).get("id") == str(channel_id):
                message.pop("thread")
        return channel

    def _callback(self, interaction_id: str, token: str, body: dict) -> dict:
        interaction = self.interactions.get(token, {})
        kind = body.get("type")
        data = body.get("data") or {}
        result: dict[str, Any] = {"id": str(interaction_id), "type": interaction.get("type", 2)}
        if kind in (4, 5):
            message = self.new_message(
                int(interaction.get("channel_id") or 0),
                data if kind == 4 else {"content": "", "flags": data.get("flags", 0)},
                interaction_token=token,
            )
            result.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(int(data.get("flags") or 0) & 64),
            )
            return {"interaction": result, "resource": {"type": kind, "message": message}}
        if kind in (6, 7):
            source = interaction.get("message")
            if source is None:
                return {"interaction": result, "resource": {"type": kind}}
            stored = self.messages.get(int(source["id"]), dict(source))
            if kind == 7:
                stored.update(
                    {
                        k: v
                        for k, v in data.items()
                        if k in ("content", "embeds", "components", "flags")
                    }
                )
            return {"interaction": result, "resource": {"type": kind, "message": _public(stored)}}
        return {"interaction": result, "resource": {"type": kind}}

    def _edit_interaction_message(self, values: dict, interaction: dict, body: dict) -> dict:
        message_id = values.get("message_id")
        if message_id in (None, "@original"):
            message = next(
                (
                    m
                    for m in reversed(list(self.messages.values()))
                    if m.get("_token") == values.get("webhook_token")
                ),
                None,
            )
            if message is None and interaction.get("message"):
                message = self.messages.get(int(interaction["message"]["id"]))
        else:
            message = self.messages.get(int(message_id))
        if message is None:
            raise http_error(404, 10008, "Unknown Message")
        message.update(
            {k: v for k, v in body.items() if k in ("content", "embeds", "components", "flags")}
        )
        return _public(message)

    def new_message(
        self,
        channel_id: int,
        body: dict,
        *,
        files=(),
        interaction_token: str | None = None,
        message_id: int | None = None,
    ) -> dict:
        message_id = message_id or snowflake()
        message = {
            "id": str(message_id),
            "id_int": message_id,
            "channel_id": str(channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [
                {
                    "id": str(snowflake()),
                    "filename": name,
                    "size": len(data),
                    "url": f"https://cdn.invalid/{name}",
                    "proxy_url": f"https://cdn.invalid/{name}",
                }
                for name, data in files
            ],
            "flags": int(body.get("flags") or 0),
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
            "_token": interaction_token,
        }
        if body.get("nonce"):
            message["nonce"] = body["nonce"]
        self.messages[message_id] = message
        return _public(message)

    def _same_nonce(self, channel_id: int, body: dict) -> dict | None:
        nonce = body.get("nonce")
        if not (self.dedupe_nonces and nonce and body.get("enforce_nonce")):
            return None
        for message in self.messages.values():
            if message["channel_id"] == str(channel_id) and message.get("nonce") == nonce:
                return _public(message)
        return None

    def history(self, channel_id: int, params: dict) -> list[dict]:
        """GET /channels/{id}/messages: newest first, honouring limit/before/after."""
        found = [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]
        if params.get("before"):
            found = [m for m in found if m["id_int"] < int(params["before"])]
        if params.get("after"):
            found = [m for m in found if m["id_int"] > int(params["after"])]
        found.sort(key=lambda m: m["id_int"], reverse=True)
        return [_public(m) for m in found[: int(params.get("limit") or 50)]]

    def active_threads(self, guild_id: str) -> list[dict]:
        return [
            dict(channel)
            for channel in self.channels.values()
            if channel.get("type") in (10, 11, 12)
            and channel.get("guild_id") == guild_id
            and not channel.get("thread_metadata", {}).get("archived")
        ]

    def new_thread(self, parent_id: int, body: dict, *, starter: int | None = None) -> dict:
        thread_id = starter or snowflake()
        parent = self.channels.get(parent_id, {})
        thread = {
            "id": str(thread_id),
            "type": 11,
            "guild_id": parent.get("guild_id"),
            "parent_id": str(parent_id),
            "owner_id": self.bot_user["id"],
            "name": body.get("name", "thread"),
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "applied_tags": body.get("applied_tags", []),
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": iso_now(),
                "locked": False,
            },
        }
        self.channels[thread_id] = thread
        if starter is not None and starter in self.messages:
            self.messages[starter]["thread"] = thread  # as Discord shows it on the message
        return thread

    # ----- reading ---------------------------------------------------------------------
    def message_with(self, custom_id: str) -> dict | None:
        """The newest message carrying a component with this custom id."""
        for message in reversed(list(self.messages.values())):
            if any(c.get("custom_id") == custom_id for c in walk_components(message["components"])):
                return _public(message)
        return None


def _public(message: dict) -> dict:
    return {k: v for k, v in message.items() if k not in ("id_int", "_token")}


def _as_sent(body: Any) -> Any:
    """A copy of the body in JSON shapes (dicts, lists, scalars), as Discord receives it, so
    later changes to discord.py's objects can't alter what a test sees was sent. A plain
    recursive copy: deepcopy cost three times as much in the interactions benchmark."""
    kind = type(body)
    if kind is dict:
        return {key: _as_sent(value) for key, value in body.items()}
    if kind is list or kind is tuple:
        return [_as_sent(value) for value in body]
    return body


@functools.cache
def _route_pattern(path: str) -> tuple[list[str], re.Pattern]:
    names = re.findall(r"{(\w+)}", path)
    escaped = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
    return names, re.compile("^" + re.sub(r"{\w+}", "([^/]+)", escaped) + "$")


def _route_values(route) -> dict[str, str]:
    names, pattern = _route_pattern(route.path)
    match = pattern.match(
        route.url[len(route.BASE) :] if route.url.startswith(route.BASE) else route.url
    )
    return dict(zip(names, match.groups(), strict=False)) if match else {}


def _payload_from_form(form) -> dict | None:
    for part in form:
        if part.get("name") == "payload_json":
            return json.loads(part["value"])
    return None


def _read(file: discord.File) -> bytes:
    file.reset()
    data = file.fp.read()
    file.reset()
    return data
