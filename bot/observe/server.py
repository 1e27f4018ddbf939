"""The small HTTP server inside the bot process: GET /healthz and GET /metrics.

aiohttp (which discord.py already brings) on the bot's own event loop, so /healthz sees the
loop the members see: if the loop is stuck, the check times out for the orchestrator too.
Off unless `[observe] listen` is set; bind it to 127.0.0.1 or a private network, since
/metrics tells anyone who can reach it how busy the community is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.config import ConfigError
from bot.observe import health

log = logging.getLogger("kindred.observe")


class ObserveServer:
    def __init__(self, bot: Any, host: str, port: int):
        self.bot = bot
        self.host, self.port = host, port
        self.db_timeout = health.DB_TIMEOUT
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            await runner.cleanup()
            source = getattr(self.bot.config, "source", None)
            raise ConfigError(
                (f"{source.name}: " if source else "")
                + f"[observe] listen: cannot listen on {self.host}:{self.port} "
                f"({error.strerror or error})"
            ) from None
        self._runner = runner
        self.port = runner.addresses[0][1]  # the port chosen when 0 was asked for
        log.info("serving /healthz and /metrics on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def healthz(self, request: web.Request) -> web.Response:
        healthy, body = await health.check(self.bot, db_timeout=self.db_timeout)
        return web.Response(
            status=200 if healthy else 503,
            text=json.dumps(body, separators=(",", ":")) + "\n",
            content_type="application/json",
        )

    async def metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(self.bot.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
