"""Operator config: defaults with no file, one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config, token_from_env


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config == Config()
    assert config.database.path == Path("kindred.db")
    assert config.logging.level == "INFO"
    assert config.discord.dev_guild_id is None
    assert config.prompts.library is None


def test_config_toml_in_the_working_directory_is_used(tmp_path, monkeypatch):
    write(tmp_path, '[logging]\nlevel = "debug"\n[discord]\ndev_guild_id = 1234\n')
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.logging.level == "DEBUG"
    assert config.discord.dev_guild_id == 1234


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    path = write(tmp_path, '[database]\npath = "data/k.db"\n[prompts]\nlibrary = "mine.toml"\n')
    config = load_config(path)
    assert config.database.path == tmp_path.resolve() / "data" / "k.db"
    assert config.prompts.library == tmp_path.resolve() / "mine.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[database]\npath = 3\n", "config.toml: [database] path: expected a string, got 3"),
        (
            '[database]\npath = ""\n',
            "config.toml: [database] path: expected a non-empty string, got ''",
        ),
        (
            '[logging]\nlevel = "loud"\n',
            "config.toml: [logging] level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'",
        ),
        (
            '[discord]\ndev_guild_id = "abc"\n',
            "config.toml: [discord] dev_guild_id: expected a Discord server id (a positive whole number), got 'abc'",
        ),
        (
            '[database]\npth = "x"\n',
            "config.toml: [database] pth: unknown key (expected one of: path)",
        ),
        (
            '[databse]\npath = "x"\n',
            "config.toml: [databse]: unknown table (expected one of: database, logging, discord, prompts, observe)",
        ),
        ("database = 3\n", "config.toml: [database]: expected a table, got 3"),
        ("[database\n", "config.toml: not valid TOML"),
    ],
)
def test_mistakes_name_file_key_and_expectation(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match=r"^missing.toml: cannot read the file"):
        load_config(tmp_path / "missing.toml")


def test_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", " abc.def ")
    assert token_from_env() == "abc.def"
    monkeypatch.delenv("DISCORD_TOKEN")
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        token_from_env()
