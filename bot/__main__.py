"""`python -m bot` / `kindred`: run | check | migrate | backup DEST | purge-guild ID.

Operator mistakes end in one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from bot.config import Config, ConfigError, load_config, token_from_env
from bot.library import LibraryError, load_library
from bot.store import Store, StoreError, backup, latest_version

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
        return asyncio.run(with_store(config, args))
    except (ConfigError, LibraryError, StoreError) as error:
        return fail(str(error))


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


def check(config: Config) -> int:
    """Look at everything the bot needs without touching Discord or creating files."""
    print(f"config: {config.source or 'built-in defaults (no config.toml)'}")
    library = load_library(config.prompts.library)
    print(f"values library: {len(library.values)} values, {len(library.prompts)} prompts, ok")
    path = config.database.path
    if not path.exists():
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
        return fail(f"{path.name}: integrity check failed: {integrity}")
    if version < latest_version():
        print("database: pending migrations will be applied on `kindred run` or `kindred migrate`")
    return EXIT_OK


def do_backup(config: Config, dest: Path) -> int:
    source = config.database.path
    if not source.exists():
        return fail(f"{source}: no database to back up")
    backup(source, dest)
    print(f"backup written to {dest}")
    return EXIT_OK


def run(config: Config) -> int:
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
