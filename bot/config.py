"""Operator configuration: an optional TOML file read once at start.

Every key has an embedded default, so `python -m bot run` works with no file at all.
Errors name the file, the key and what was expected, in one line, so an operator
can fix them without reading a traceback.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG_NAME = "config.toml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


class ConfigError(Exception):
    """A problem an operator must fix; str() is the one line shown to them."""


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path = Path("kindred.db")


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    format: str = "text"  # "json": one JSON object per line, for a log collector


@dataclass(frozen=True)
class DiscordConfig:
    dev_guild_id: int | None = None


@dataclass(frozen=True)
class PromptsConfig:
    library: Path | None = None


@dataclass(frozen=True)
class ObserveConfig:
    """Where /healthz and /metrics listen; None (the default) serves neither."""

    listen: tuple[str, int] | None = None


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    prompts: PromptsConfig = field(default_factory=PromptsConfig)
    observe: ObserveConfig = field(default_factory=ObserveConfig)
    source: Path | None = None  # the file this came from; None means embedded defaults


def _type_name(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    return repr(value) if isinstance(value, int | float | bool) else type(value).__name__


class _Reader:
    """Reads one TOML table, remembering where we are for error messages."""

    def __init__(self, file_name: str, table_name: str, table: object, allowed: tuple[str, ...]):
        self.file_name, self.table_name = file_name, table_name
        if not isinstance(table, dict):
            raise ConfigError(
                f"{file_name}: [{table_name}]: expected a table, got {_type_name(table)}"
            )
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            where = (
                f"[{table_name}] {unknown[0]}: unknown key"
                if table_name
                else f"[{unknown[0]}]: unknown table"
            )
            raise ConfigError(f"{file_name}: {where} (expected one of: {', '.join(allowed)})")
        self.table = table

    def fail(self, key: str, expected: str) -> ConfigError:
        got = _type_name(self.table[key])
        return ConfigError(
            f"{self.file_name}: [{self.table_name}] {key}: expected {expected}, got {got}"
        )

    def string(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, "a string")
        if not value.strip():
            raise self.fail(key, "a non-empty string")
        return value

    def snowflake(self, key: str) -> int | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
            raise self.fail(key, "a Discord server id (a positive whole number)")
        return value

    def address(self, key: str) -> tuple[str, int] | None:
        """ "host:port" (IPv6 as "[::1]:9108"); port 0 takes any free port."""
        value = self.string(key)
        if value is None:
            return None
        host, colon, port = value.strip().rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not colon or not host or not port.isdigit() or int(port) > 65535:
            raise self.fail(key, 'an address "host:port", e.g. "127.0.0.1:9108"')
        return host, int(port)


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def parse_config(data: dict, *, file_name: str, base: Path) -> Config:
    """Turn parsed TOML into a Config; relative paths are taken from the file's folder."""
    known = ("database", "logging", "discord", "prompts", "observe")
    top = _Reader(file_name, "", data, known)
    tables = {name: top.table.get(name, {}) for name in known}

    database = _Reader(file_name, "database", tables["database"], ("path",))
    db_path = database.string("path")

    logging_ = _Reader(file_name, "logging", tables["logging"], ("level", "format"))
    level = logging_.string("level")
    if level is not None and level.upper() not in LOG_LEVELS:
        raise logging_.fail("level", "one of " + ", ".join(LOG_LEVELS))
    log_format = logging_.string("format")
    if log_format is not None and log_format.lower() not in LOG_FORMATS:
        raise logging_.fail("format", '"text" or "json"')
    observe = _Reader(file_name, "observe", tables["observe"], ("listen",))

    discord_ = _Reader(file_name, "discord", tables["discord"], ("dev_guild_id",))
    prompts = _Reader(file_name, "prompts", tables["prompts"], ("library",))
    library = prompts.string("library")

    return Config(
        database=DatabaseConfig(_resolve(base, db_path) if db_path else DatabaseConfig.path),
        logging=LoggingConfig(
            level.upper() if level else LoggingConfig.level,
            log_format.lower() if log_format else LoggingConfig.format,
        ),
        discord=DiscordConfig(dev_guild_id=discord_.snowflake("dev_guild_id")),
        prompts=PromptsConfig(library=_resolve(base, library) if library else None),
        observe=ObserveConfig(listen=observe.address("listen")),
    )


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load `path`, or ./config.toml when present, or the embedded defaults."""
    if path is None:
        if not Path(DEFAULT_CONFIG_NAME).is_file():
            return Config()
        path = DEFAULT_CONFIG_NAME
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise ConfigError(f"{file.name}: cannot read the file ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{file.name}: not valid TOML ({error})") from None
    config = parse_config(data, file_name=file.name, base=file.resolve().parent)
    return dataclasses.replace(config, source=file)


def token_from_env() -> str:
    """The bot token comes only from the environment, never from a file in the repo."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: export the bot token from the Discord developer portal, "
            "e.g. DISCORD_TOKEN=... python -m bot run"
        )
    return token
