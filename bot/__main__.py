"""`python -m bot` / `kindred`: run | check | migrate | backup DEST | purge-guild ID.

Operator mistakes end in one line on stderr and exit code 2, never a traceback: among
them a database path that holds no Kindred database, or one this user can't read, write
or lock, which every command finds before it does anything else (`run` before Discord).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import sys
from pathlib import Path

from bot.config import Config, ConfigError, load_config, token_from_env
from bot.library import LibraryError, load_library
from bot.store import Store, StoreError, backup, examine, explain, latest_version

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("kindred")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kindred", description="Kindred, a values-based peer-support bot for Discord."
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: ./config.toml if present, else built-in defaults)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and serve (token from DISCORD_TOKEN)")
    commands.add_parser(
        "check", help="validate config, values library and database without connecting"
    )
    commands.add_parser("migrate", help="apply pending database migrations")
    backup_parser = commands.add_parser(
        "backup", help="write a consistent copy of the database (safe while running)"
    )
    backup_parser.add_argument("dest", metavar="DEST", help="path of the new backup file")
    purge = commands.add_parser(
        "purge-guild", help="delete everything Kindred stores for one server, now"
    )
    purge.add_argument("guild_id", metavar="ID", type=int, help="the server id")
    return parser


def fail(message: str) -> int:
    print(f"kindred: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        if args.command == "run":
            return run(config)
        if args.command == "check":
            return check(config)
        if args.command == "backup":
            return do_backup(config, Path(args.dest))
        if args.command == "migrate":
            verify(config.database.path)  # migrations write through every page they touch
        return asyncio.run(with_store(config, args))
    except (ConfigError, LibraryError, StoreError) as error:
        return fail(str(error))
    except sqlite3.Error as error:  # the database failed under a command: still one line
        return fail(str(explain(config.database.path, error)))


async def with_store(config: Config, args: argparse.Namespace) -> int:
    store = await Store.open(config.database.path, migrate=args.command == "migrate")
    try:
        if args.command == "migrate":
            print(
                f"{config.database.path}: schema version {await store.schema_version()} (latest {latest_version()})"
            )
            return EXIT_OK
        if await store.schema_version() != latest_version():
            return fail(f"{config.database.path.name}: run `kindred migrate` first")
        purged = await store.guilds.purge(args.guild_id)
        print(
            f"server {args.guild_id}: "
            + ("all its data was deleted" if purged else "nothing was stored")
        )
        return EXIT_OK
    finally:
        await store.close()


def one_line(text: str, most: int = 200) -> str:
    """SQLite's check reports span lines; the operator's message is one."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "…"


def quick_check(path: Path) -> str:
    """What SQLite's quick check says of `path`, "ok" when every page reads (about a
    second per 100 MB)."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return one_line(str(db.execute("PRAGMA quick_check").fetchone()[0]))
    except sqlite3.DatabaseError as error:
        return one_line(str(error))


def verify(path: Path) -> None:
    """Kindred's database, whole: before `run` serves from it or `migrate` writes through it."""
    if examine(path) and (checked := quick_check(path)) != "ok":
        raise StoreError(
            f"{path.name}: the database is damaged ({checked}); restore your latest backup, "
            "or move this one away to start afresh"
        )


def check(config: Config) -> int:
    """Look at everything the bot needs without touching Discord or creating files."""
    print(f"config: {config.source or 'built-in defaults (no config.toml)'}")
    library = load_library(config.prompts.library)
    print(f"values library: {len(library.values)} values, {len(library.prompts)} prompts, ok")
    path = config.database.path
    if not examine(path):
        print(f"database: {path} does not exist yet; it will be created on first run")
        return EXIT_OK
    return asyncio.run(check_database(path))


async def check_database(path: Path) -> int:
    store = await Store.open(path, migrate=False)
    try:
        integrity = await store.integrity_check()
        version = await store.schema_version()
    finally:
        await store.close()
    print(
        f"database: {path}: integrity {integrity}, schema version {version} of {latest_version()}"
    )
    if integrity != "ok":
        return fail(f"{path.name}: integrity check failed: {one_line(integrity)}")
    if version < latest_version():
        print("database: pending migrations will be applied on `kindred run` or `kindred migrate`")
    return EXIT_OK


def do_backup(config: Config, dest: Path) -> int:
    source = config.database.path
    if not examine(source, write=False):
        return fail(f"{source}: no database to back up")
    existed = os.path.lexists(dest)
    try:
        backup(source, dest)
    except (OSError, sqlite3.Error) as error:
        if not existed:  # no empty or half-written file left to be mistaken for a backup
            dest.unlink(missing_ok=True)
        if isinstance(error, sqlite3.Error):
            return fail(str(explain(source, error)))
        return fail(f"{dest}: can't write the backup there ({error.strerror})")
    if (checked := quick_check(dest)) != "ok":
        return fail(
            f"{source.name}: the database is damaged ({checked}), and so is its copy "
            f"{dest}; keep both, and restore your latest good backup"
        )
    print(f"backup written to {dest}")
    return EXIT_OK


def run(config: Config) -> int:
    verify(config.database.path)  # first: a wrong database needs no token to be seen
    token = token_from_env()
    import aiohttp  # deferred, like discord: `check` and `migrate` should not pay for them
    import discord

    from bot.observe import logs

    logs.configure(config.logging, secret=token)  # text or JSON lines; never the token
    try:
        asyncio.run(serve(config, token))
    except discord.LoginFailure:
        return fail(
            "Discord rejected DISCORD_TOKEN: copy the bot token again from the developer portal"
        )
    except discord.PrivilegedIntentsRequired:
        return fail("Discord refused an intent Kindred should not ask for; please report this")
    except (OSError, aiohttp.ClientError) as error:
        print(
            f"kindred: could not reach Discord ({type(error).__name__}); check the network and try again",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


async def serve(config: Config, token: str) -> None:
    from bot.client import KindredBot

    bot = KindredBot(config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        try:
            await bot.start(token)
        finally:
            log.info("Kindred stopped")


if __name__ == "__main__":
    sys.exit(main())
