"""Discord's REST API on 127.0.0.1, for proving discord.py's real HTTP path under faults.

The capturing kit replaces `HTTPClient.request`, so discord.py's own retry logic never runs
there. Here the real `HTTPClient.request` (bot calls) and `AsyncWebhookAdapter.request`
(interaction callbacks and follow-ups) talk HTTP to a small aiohttp server, with
`discord.http.Route.BASE` pointed at it. The server answers from a `FakeDiscord`, so the
kit's `Outcome`s, messages, nonce dedupe and history work as before, and it can be told to
fail the way Discord does:

    server = FakeServer(kit.discord)           # or FakeServer(FakeDiscord(...)) on its own
    with server:                               # a thread of its own: its tasks are not the bot's
        await server.connect(kit.bot, monkeypatch)
        server.fail("POST", r"/channels/\\d+/messages$", 500, times=1)
        server.fail("POST", r"/messages$", 429, retry_after=0.2, times=1)
        server.hang("POST", r"/messages$", times=1)    # stores the message, never answers
        server.drop("POST", r"/messages$", times=1)    # stores it, then closes the connection

`server.hits` lists every HTTP request received, with the status it got (None: no answer).
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import re
import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import aiohttp.client
import discord
import discord.http
import discord.webhook.async_
from aiohttp import web
from discord.http import HTTPClient
from discord.webhook.async_ import AsyncWebhookAdapter

from tests.kit.fake_discord import FakeDiscord, http_error

API_PREFIX = "/api/v10"
# The real request functions, kept at import time (the capturing kit patches them per test).
REAL_HTTP_REQUEST = HTTPClient.request
REAL_WEBHOOK_REQUEST = AsyncWebhookAdapter.request
assert REAL_HTTP_REQUEST.__module__ == "discord.http", "the kit's fake was installed at import"


def _route_templates() -> list[tuple[str, str]]:
    """(method, path template) of every route discord.py knows, read from its own source."""
    found = set()
    for module in (discord.http, discord.webhook.async_):
        source = inspect.getsource(module)
        for method, path in re.findall(r"Route\(\s*'(\w+)',\s*'([^']+)'", source):
            found.add((method, path))
    # Literal segments first, so /users/@me wins over /users/{user_id}.
    return sorted(found, key=lambda mp: [(part.startswith("{"), part) for part in mp[1].split("/")])


TEMPLATES = _route_templates()


def template_of(method: str, path: str) -> str:
    """The discord.py route template a concrete path belongs to (the path itself if none)."""
    parts = path.split("/")
    for known_method, template in TEMPLATES:
        if known_method != method:
            continue
        pattern = template.split("/")
        if len(pattern) == len(parts) and all(
            p.startswith("{") or p == part for p, part in zip(pattern, parts, strict=True)
        ):
            return template
    return path


@dataclass
class Hit:
    """One HTTP request the server received."""

    method: str
    path: str  # without the /api/v10 prefix
    route: str  # discord.py's template
    body: Any
    at: float  # time.monotonic() when it arrived
    status: int | None = None  # what it was answered (None: it never was)


@dataclass
class Rule:
    """A programmed fault for matching requests; `times` None means every time."""

    method: str
    pattern: re.Pattern
    kind: str  # "status" | "hang" | "drop"
    times: int | None
    status: int = 500
    code: int = 0
    retry_after: float | None = None
    store: bool = False  # let the fake Discord act on the request before failing
    seconds: float = 30.0  # how long a hang lasts at most
    after: int = 0  # this many matching requests pass untouched before the rule applies


@dataclass
class _Slept:
    """discord.py's view of asyncio, with its long back-offs shortened and recorded."""

    factor: float
    delays: list[float] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        self.delays.append(delay)
        # retry_after values (small) are honoured as they are; the 1 + 2 * tries second
        # 5xx back-offs are shortened so a test does not wait 25 s.
        return await asyncio.sleep(delay if delay < 1 else delay * self.factor, result)


class FakeServer:
    def __init__(self, fake: FakeDiscord, *, latency: float = 0.0):
        self.discord = fake
        self.latency = latency  # seconds between acting on a request and answering it
        self.hits: list[Hit] = []
        self.rules: list[Rule] = []
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self.sleeps = _Slept(factor=0.01)

    # ----- life cycle -------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10) or not self.port:
            raise RuntimeError("the fake Discord server did not start")

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)
        self._loop = self._thread = None

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        ready.set()
        try:
            loop.run_until_complete(self._stopping.wait())
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    # ----- pointing discord.py at it ---------------------------------------------------------
    def install(self, monkeypatch, *, timeout: float | None = None) -> None:
        """Route discord.py's real HTTP path here (undoing the capturing kit's patch), with
        its 5xx back-off sleeps shortened; `timeout` shortens aiohttp's 5-minute total
        timeout for sessions created from now on."""
        monkeypatch.setattr(HTTPClient, "request", REAL_HTTP_REQUEST)
        monkeypatch.setattr(AsyncWebhookAdapter, "request", REAL_WEBHOOK_REQUEST)
        monkeypatch.setattr(discord.http.Route, "BASE", self.base)
        monkeypatch.setattr(discord.http, "asyncio", self.sleeps)
        monkeypatch.setattr(discord.webhook.async_, "asyncio", self.sleeps)
        if timeout is not None:
            monkeypatch.setattr(
                aiohttp.client, "DEFAULT_TIMEOUT", aiohttp.ClientTimeout(total=timeout)
            )

    async def connect(self, bot: discord.Client, monkeypatch=None, **install) -> None:
        """Log the bot in over HTTP (GET /users/@me), which opens its aiohttp session."""
        if monkeypatch is not None:
            self.install(monkeypatch, **install)
        await bot.http.static_login(bot.http.token or "test-token")

    # ----- programming faults --------------------------------------------------------------
    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int | None = 1,
        code: int = 0,
        retry_after: float | None = None,
        store: bool = False,
        after: int = 0,
    ) -> Rule:
        """Answer matching requests with `status` (429 carries `retry_after`, as Discord's
        JSON body does); `store`: the fake Discord acts on it first (e.g. a 500 after the
        message was created); `after`: let that many matching requests through first."""
        if status == 429 and retry_after is None:
            retry_after = 0.1
        rule = Rule(method.upper(), re.compile(path_regex), "status", times, status=status)
        rule.code, rule.retry_after, rule.store, rule.after = code, retry_after, store, after
        return self._add(rule)

    def hang(
        self,
        method: str,
        path_regex: str,
        *,
        times: int | None = 1,
        store: bool = True,
        seconds: float = 30.0,
    ) -> Rule:
        """Accept matching requests (stored when `store`) and never answer in time: the
        client's timeout fires first (`install(timeout=...)` shortens aiohttp's)."""
        rule = Rule(method.upper(), re.compile(path_regex), "hang", times, store=store)
        rule.seconds = seconds
        return self._add(rule)

    def drop(
        self, method: str, path_regex: str, *, times: int | None = 1, store: bool = True
    ) -> Rule:
        """Accept matching requests (stored when `store`), then close the connection."""
        return self._add(Rule(method.upper(), re.compile(path_regex), "drop", times, store=store))

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear_rules(self) -> None:
        with self._lock:
            self.rules.clear()

    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and rule.pattern.search(path):
                    if rule.after > 0:
                        rule.after -= 1
                        continue
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self.rules.remove(rule)
                    return rule
        return None

    # ----- reading ---------------------------------------------------------------------------
    def hits_to(self, method: str, path_regex: str) -> list[Hit]:
        pattern = re.compile(path_regex)
        with self._lock:
            return [h for h in self.hits if h.method == method and pattern.search(h.path)]

    # ----- answering -------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = (
            request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX) else request.path
        )
        method = request.method
        body, files = await _read_body(request)
        hit = Hit(method, path, template_of(method, path), body, time.monotonic())
        with self._lock:
            self.hits.append(hit)
        rule = self._rule_for(method, path)
        result: Any = None
        error: discord.HTTPException | None = None
        if rule is None or rule.store:
            result, error = self._act(hit, request, files)
        if rule is not None and rule.kind == "status":
            return self._answer(hit, *_fault_body(rule))
        if rule is not None and rule.kind == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), rule.seconds)
        if rule is not None and rule.kind in ("hang", "drop"):
            if request.transport is not None:
                request.transport.close()  # no answer, ever: the client sees it go away
            return web.Response(status=204)
        if self.latency:
            await asyncio.sleep(self.latency)
        if error is not None:
            return self._answer(
                hit, error.status, {"code": error.code, "message": error.text or "error"}
            )
        return self._answer(hit, 200 if result is not None else 204, result)

    def _act(self, hit: Hit, request: web.Request, files: list) -> tuple[Any, Any]:
        if hit.method == "GET" and hit.path == "/oauth2/applications/@me":
            return self.application(), None  # Client.login asks for it
        if hit.route == "/channels/{channel_id}/messages/{message_id}/threads":
            message = self.discord.messages.get(int(hit.path.split("/")[4]))
            if message is not None and message.get("thread"):
                return None, http_error(
                    400, 160004, "A thread has already been created for this message"
                )
        route = SimpleNamespace(
            method=hit.method,
            path=hit.route,
            url=API_PREFIX + hit.path,
            BASE=API_PREFIX,
        )
        params = dict(request.query) or None
        reason = request.headers.get("X-Audit-Log-Reason")
        try:
            with self._lock:
                return _run(self.discord.handle(route, hit.body, files, params, reason)), None
        except discord.HTTPException as error:
            return None, error

    def application(self) -> dict:
        return {
            "id": str(self.discord.app_id),
            "name": self.discord.bot_user["username"],
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.discord.bot_user,
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _answer(self, hit: Hit, status: int, payload: Any, headers: dict | None = None):
        hit.status = status
        if status == 204:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json", as Discord sends it: discord.py compares the header
        # as a whole, and would read "application/json; charset=utf-8" as text.
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            headers={**(headers or {}), "Content-Type": "application/json"},
        )


def _fault_body(rule: Rule) -> tuple[int, dict, dict]:
    if rule.status == 429:
        # Discord's shape; discord.py only honours a 429 that came through its proxy (Via).
        body = {
            "message": "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": False,
            "code": rule.code,
        }
        headers = {"Via": "1.1 google", "Retry-After": str(rule.retry_after)}
        return 429, body, headers
    return rule.status, {"code": rule.code, "message": f"{rule.status}: Discord trouble"}, {}


def _run(coro) -> Any:
    """FakeDiscord.handle is async but never awaits anything: run it to its end here."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("FakeDiscord.handle awaited something")


async def _read_body(request: web.Request) -> tuple[Any, list[discord.File]]:
    if not request.can_read_body:
        return None, []
    kind = request.content_type
    if kind == "application/json":
        return await request.json(), []
    if kind.startswith("multipart/"):
        body, files = None, []
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()
            if part.name == "payload_json":
                body = json.loads(data)
            else:
                files.append(discord.File(io.BytesIO(data), filename=part.filename or "file"))
        return body, files
    text = await request.text()
    return (json.loads(text) if text else None), []
