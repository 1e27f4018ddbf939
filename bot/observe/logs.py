"""Log lines for people ("text") or for a log collector ("json", one object per line).

JSON lines carry the timestamp, level, logger and message, and for a line logged while an
interaction is served its id, command, guild id and shard (from `context.SERVING`, which
every task serving it inherits). Kindred's messages never hold members' text (a test
feeds hostile text through the flows and reads the log); as a last guard, both formats
replace the token wherever it would appear. Text lines are coloured only for a person at
a terminal: never in a file, a pipe, journald or `docker logs` (discord.py's own choice
also colours whenever it believes it runs in Docker), nor with NO_COLOR set.
"""

from __future__ import annotations

import json
import logging
import os
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


TEXT_LAYOUT = "[{asctime}] [{levelname:<8}] {name}: {message}"  # discord.py's, uncoloured
DATE_LAYOUT = "%Y-%m-%d %H:%M:%S"
LEVEL_COLOURS = {
    logging.DEBUG: "\x1b[40;1m",
    logging.INFO: "\x1b[34;1m",
    logging.WARNING: "\x1b[33;1m",
    logging.ERROR: "\x1b[31m",
    logging.CRITICAL: "\x1b[41m",
}


def wants_colour(stream: object) -> bool:
    """A terminal a person reads, and no NO_COLOR (https://no-color.org) in the way."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # no isatty, or the stream is closed
        return False


class ColourFormatter(logging.Formatter):
    """The text layout with the time, level and logger name coloured, for a terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.by_level = {
            level: logging.Formatter(
                f"\x1b[30;1m{{asctime}}\x1b[0m {colour}{{levelname:<8}}\x1b[0m "
                "\x1b[35m{name}\x1b[0m {message}",
                DATE_LAYOUT,
                style="{",
            )
            for level, colour in LEVEL_COLOURS.items()
        }

    def format(self, record: logging.LogRecord) -> str:
        level = max((lv for lv in self.by_level if lv <= record.levelno), default=logging.DEBUG)
        return self.by_level[level].format(record)


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
    # Chosen here, not by discord.py: it colours `docker logs` and journald's lines too.
    inner = (
        ColourFormatter()
        if wants_colour(handler.stream)
        else logging.Formatter(TEXT_LAYOUT, DATE_LAYOUT, style="{")
    )
    discord.utils.setup_logging(handler=handler, formatter=_Redacting(inner, secret), level=level)
