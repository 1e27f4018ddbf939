"""Log lines for people ("text") or for a log collector ("json", one object per line).

JSON lines carry the timestamp, level, logger and message, and for a line logged while an
interaction is served its id, command, guild id and shard (from `context.SERVING`, which
every task serving it inherits). Kindred's messages never hold members' text (a test
feeds hostile text through the flows and reads the log); as a last guard, both formats
replace the token wherever it would appear.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.config import LoggingConfig
from bot.observe.context import SERVING

REDACTED = "[token redacted]"
# discord.py logs request and response bodies and every gateway event at DEBUG: members'
# words. Like aiosqlite's (bot/store), these loggers never go below INFO, so an operator
# debugging with DEBUG logs reads Kindred's and discord.py's other lines, not members' text.
QUIET_LOGGERS = ("discord.http", "discord.webhook.async_", "discord.gateway")


def pin_quiet_loggers() -> None:
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.INFO))


pin_quiet_loggers()


class _Redacting(logging.Formatter):
    def __init__(self, inner: logging.Formatter | None, secret: str | None):
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.secret = secret or None

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        return line.replace(self.secret, REDACTED) if self.secret else line


class JsonFormatter(logging.Formatter):
    def __init__(self, secret: str | None = None):
        super().__init__()
        self.secret = secret or None

    def format(self, record: logging.LogRecord) -> str:
        served = SERVING.get()
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "interaction_id": str(served.interaction_id) if served else None,
            "command": served.command if served else None,
            "guild_id": str(served.guild_id) if served and served.guild_id else None,
            "shard": served.shard if served else None,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        text = json.dumps(line, ensure_ascii=False, default=str)
        return text.replace(self.secret, REDACTED) if self.secret else text


def configure(config: LoggingConfig, secret: str | None = None) -> None:
    """Set up the root logger once, in `run` (discord.utils.setup_logging does the rest)."""
    import discord  # deferred, as in bot/__main__.py: `check` and `migrate` never load it

    level = getattr(logging, config.level)
    handler = logging.StreamHandler()
    if config.format == "json":
        discord.utils.setup_logging(handler=handler, formatter=JsonFormatter(secret), level=level)
        return
    discord.utils.setup_logging(handler=handler, level=level)  # colours on a terminal
    handler.setFormatter(_Redacting(handler.formatter, secret))
