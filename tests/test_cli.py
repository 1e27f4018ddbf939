"""The operator's command line, run as a new operator would: a fresh folder, no config."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from bot.store import latest_version

ROOT = Path(__file__).resolve().parent.parent


def kindred(
    *args: str, cwd: Path, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_check_with_no_config_exits_0_and_creates_nothing(tmp_path):
    result = kindred("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "built-in defaults" in result.stdout
    assert "values library:" in result.stdout
    assert "does not exist yet" in result.stdout
    assert not (tmp_path / "kindred.db").exists()


def test_run_without_a_token_says_so_in_one_line(tmp_path):
    result = kindred("run", cwd=tmp_path)
    assert_one_line_error(result, "DISCORD_TOKEN is not set")
    assert not (tmp_path / "kindred.db").exists()  # the database was looked at, not made


def test_a_bad_config_names_file_key_and_expectation(tmp_path):
    (tmp_path / "config.toml").write_text("[database]\npath = 3\n")
    for command in ("check", "run", "migrate"):
        result = kindred(command, cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
        assert_one_line_error(result, "config.toml: [database] path: expected a string, got 3")


def test_config_flag_selects_a_file(tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text('[prompts]\nlibrary = "nope.toml"\n')
    result = kindred("--config", str(other), "check", cwd=tmp_path)
    assert_one_line_error(result, "nope.toml")


def test_migrate_check_backup_and_purge(tmp_path):
    migrated = kindred("migrate", cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"schema version {latest_version()}" in migrated.stdout
    with sqlite3.connect(tmp_path / "kindred.db") as conn:
        conn.execute("INSERT INTO guilds (guild_id, timezone) VALUES (77, 'Asia/Kathmandu')")
    checked = kindred("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "integrity ok" in checked.stdout

    backed = kindred("backup", "copy.db", cwd=tmp_path)
    assert backed.returncode == 0, backed.stderr
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert (
            conn.execute("SELECT timezone FROM guilds WHERE guild_id = 77").fetchone()[0]
            == "Asia/Kathmandu"
        )
    assert_one_line_error(kindred("backup", "copy.db", cwd=tmp_path), "already exists")

    purged = kindred("purge-guild", "77", cwd=tmp_path)
    assert purged.returncode == 0 and "deleted" in purged.stdout
    with sqlite3.connect(tmp_path / "kindred.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM guilds").fetchone()[0] == 0


def test_a_database_from_a_newer_kindred_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "kindred.db") as conn:
        conn.execute("PRAGMA user_version = 999")
    for command in ("check", "migrate"):
        assert_one_line_error(
            kindred(command, cwd=tmp_path), "kindred.db", "newer than this Kindred"
        )


def test_kindred_console_script_is_installed():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("kindred") == "bot.__main__:main"


DRIVER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.client import KindredBot
    import bot.__main__ as cli

    async def start(self, token):
        await self.setup_hook()
        print("serving", flush=True)
        while not self.is_closed():
            await asyncio.sleep(0.05)

    async def sync(self):
        return False

    KindredBot.start = start
    KindredBot.sync_if_changed = sync
    sys.exit(cli.main(["run"]))
    """
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly(tmp_path, signum):
    env = {k: v for k, v in os.environ.items()} | {"DISCORD_TOKEN": "x", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "serving"
        time.sleep(0.2)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Kindred stopped" in err
    with sqlite3.connect(tmp_path / "kindred.db") as conn:  # closed cleanly: readable and intact
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
