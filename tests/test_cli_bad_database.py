"""A database path that is not Kindred's database, or one this user can't read, write or
lock, ends every command in one line on stderr naming the file and what was expected, with
exit code 2 and no traceback; `run` finds it before anything touches Discord."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import bot.__main__ as cli
from tests.test_cli import assert_one_line_error

COMMANDS = (["check"], ["migrate"], ["backup", "copy.db"], ["run"])
NOT_OURS = "point [database] path at Kindred's file or move this one away"


def kindred_db(folder: Path) -> Path:
    """A real, migrated Kindred database in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kindred.db"
    assert cli.main(["--config", str(config_for(path)), "migrate"]) == 0
    return path


def config_for(path: Path) -> Path:
    config = path.parent / "config.toml"
    config.write_text(f'[database]\npath = "{path.name}"\n', encoding="utf-8")
    return config


def text_file(path: Path) -> None:
    path.write_text("These are my notes, not a database.\n", encoding="utf-8")


def binary_file(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def zero_bytes(path: Path) -> None:
    path.write_bytes(bytes(4096))


def a_folder(path: Path) -> None:
    path.mkdir()


def another_programs_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("PRAGMA user_version = 3")


def sqlite_header_then_garbage(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)


def damaged_pages(path: Path) -> None:
    """Kindred's own database with pages after the first overwritten."""
    built = kindred_db(path.parent / "built")
    shutil.copy(built, path)
    with open(path, "r+b") as file:
        file.seek(4096)
        file.write(b"\xff" * 8192)


BAD: dict[str, tuple[Callable[[Path], None], str]] = {
    "text": (text_file, "kindred.db: not a Kindred database (it is a text file, not SQLite)"),
    "binary": (binary_file, "kindred.db: not a Kindred database (it isn't SQLite at all)"),
    "zeros": (zero_bytes, "(it isn't SQLite at all, only zero bytes)"),
    "folder": (a_folder, "kindred.db: not a Kindred database (it is a folder, not a file)"),
    "other sqlite": (another_programs_database, "(it is another program's SQLite database: notes)"),
    "garbage": (sqlite_header_then_garbage, "kindred.db: the database is damaged"),
    "damaged pages": (damaged_pages, "kindred.db: the database is damaged"),
}


@pytest.fixture
def never_discord(monkeypatch):
    """`run` must stop before any network client exists or the bot starts."""
    import aiohttp

    from bot.client import KindredBot

    def no_session(*args, **kwargs):
        raise AssertionError("an HTTP session was created")

    async def no_start(self, token):
        raise AssertionError("the bot started")

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", no_session)
    monkeypatch.setattr(KindredBot, "start", no_start)
    monkeypatch.setattr(KindredBot, "login", no_start)


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("token", [None, "a-token"])
def test_every_command_refuses_a_file_that_is_not_kindreds(
    tmp_path, monkeypatch, capsys, never_discord, case, token
):
    make, expected = BAD[case]
    path = tmp_path / "kindred.db"
    make(path)
    config = config_for(path)
    monkeypatch.chdir(tmp_path)
    if token:
        monkeypatch.setenv("DISCORD_TOKEN", token)
    else:
        monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in COMMANDS:
        capsys.readouterr()
        assert cli.main(["--config", str(config), *command]) == 2, command
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, (command, lines)
        assert lines[0].startswith("kindred: ") and expected in lines[0], (command, lines)
        if case not in ("garbage", "damaged pages"):
            assert NOT_OURS in lines[0]
        if command[0] == "backup" and case == "damaged pages":
            assert "so is its copy copy.db" in lines[0]  # kept: it may be all there is
            os.remove(tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no copy, no new file
    if case == "other sqlite":  # and nothing was migrated into it
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


def test_a_real_operator_sees_one_line_and_exit_2_from_each_command(tmp_path):
    text_file(tmp_path / "kindred.db")
    environment = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", *command],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in COMMANDS
    ]
    for process in running:
        out, err = process.communicate(timeout=60)
        result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        assert_one_line_error(result, "kindred.db: not a Kindred database", NOT_OURS)
        assert "DISCORD_TOKEN" not in err  # the database comes first; no token needed


def test_an_empty_file_is_a_new_database_as_sqlite_says(tmp_path, capsys):
    path = tmp_path / "kindred.db"
    path.touch()  # what Kindred itself leaves if it stops between creating and writing
    config = str(config_for(path))
    assert cli.main(["--config", config, "check"]) == 0
    assert "schema version 0 of" in capsys.readouterr().out
    assert cli.main(["--config", config, "migrate"]) == 0


def test_a_damaged_table_list_names_the_missing_table(tmp_path, capsys):
    path = kindred_db(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE stories")
    assert cli.main(["--config", str(config_for(path)), "check"]) == 2
    error = capsys.readouterr().err
    assert "kindred.db: the database is damaged (schema version" in error
    assert "without the table stories" in error


# ----- permissions and locks: another user, another process -------------------------------
def as_a_plain_user() -> list[str]:
    """Root reads and writes anything: drop its override, so a file's mode bits count."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: mode bits can't be tested")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def run_all(folder: Path, config: Path, prefix: list[str]) -> list[subprocess.CompletedProcess]:
    environment = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    running = [
        (
            command,
            subprocess.Popen(
                [*prefix, sys.executable, "-m", "bot", "--config", str(config), *command],
                cwd=folder,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for command in COMMANDS
    ]
    results = []
    for command, process in running:
        out, err = process.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


PERMISSIONS = {
    # case: (mode of the file, mode of its folder, what every command says)
    "unreadable file": (0o000, 0o700, "kindred.db: can't read it (Permission denied)"),
    "read-only file": (0o400, 0o700, "kindred.db: the file is read-only for this user"),
    "read-only folder": (0o600, 0o500, "is read-only for this user, and SQLite writes"),
    "folder not to be entered": (0o600, 0o600, "kindred.db: can't read it (Permission denied)"),
}


@pytest.mark.parametrize("case", list(PERMISSIONS))
def test_a_database_this_user_cant_read_or_write_is_named_in_one_line(tmp_path, case):
    prefix = as_a_plain_user()
    file_mode, folder_mode, expected = PERMISSIONS[case]
    folder = tmp_path / "data"
    path = kindred_db(folder)
    config = config_for(tmp_path / "kindred.db")  # beside, not inside, the folder
    config.write_text('[database]\npath = "data/kindred.db"\n', encoding="utf-8")
    path.chmod(file_mode)
    folder.chmod(folder_mode)
    try:
        results = run_all(tmp_path, config, prefix)
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)
    for result in results:
        if result.args[0] == "backup" and case == "read-only file":
            # A backup only reads: a read-only database can still be copied.
            assert result.returncode == 0, result.stderr
            continue
        assert_one_line_error(result, expected, "(chown/chmod)")
        assert "DISCORD_TOKEN" not in result.stderr
    assert not (tmp_path / "copy.db").exists() or case == "read-only file"


def test_a_database_that_cant_be_created_says_where(tmp_path):
    prefix = as_a_plain_user()
    folder = tmp_path / "data"
    folder.mkdir(mode=0o500)
    config = tmp_path / "config.toml"
    config.write_text('[database]\npath = "data/kindred.db"\n', encoding="utf-8")
    try:
        check, migrate, backup, run = run_all(tmp_path, config, prefix)
    finally:
        folder.chmod(0o700)
    for result in (check, migrate, run):
        assert_one_line_error(result, "data/kindred.db: can't be created in ", "data;")
    assert_one_line_error(backup, "kindred.db: no database to back up")


def test_a_database_locked_by_another_process_is_named_in_one_line(tmp_path):
    path = kindred_db(tmp_path)
    config = config_for(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # no reader or writer gets in until it ends
        results = run_all(tmp_path, config, [])
    finally:
        holder.close()
    for result in results:  # each waited SQLite's 5 s for the lock first
        assert_one_line_error(result, "kindred.db: locked by another process", "try again")
    assert not (tmp_path / "copy.db").exists()
    assert cli.main(["--config", str(config), "check"]) == 0  # released: all is well
