"""Colour is for a person at a terminal: never in journald, a file, a pipe or `docker logs`,
never in JSON lines, and never with NO_COLOR."""

from __future__ import annotations

import io
import json
import logging
import sys

import discord
import pytest

from bot.config import LoggingConfig
from bot.observe import logs

ESC = "\x1b["
TOKEN = "MTA5OTk5.Gx-colour.secret-token-for-tests"


class Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def configured(monkeypatch):
    """configure() as `run` calls it, writing to a stand-in stderr; the root logger is put
    back as it was afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.delenv("NO_COLOR", raising=False)

    def configure(*, tty: bool, format: str = "text") -> Stream:
        stream = Stream(tty)
        monkeypatch.setattr(sys, "stderr", stream)
        logs.configure(LoggingConfig(level="INFO", format=format), secret=TOKEN)
        logging.getLogger("kindred.test").warning("ready with %s", TOKEN)
        return stream

    yield configure
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_a_terminal_gets_colour_and_still_no_token(configured):
    out = configured(tty=True).getvalue()
    assert ESC in out and "WARNING" in out and "kindred.test" in out and "ready with" in out
    assert TOKEN not in out and logs.REDACTED in out


def test_journald_a_pipe_or_a_file_gets_plain_text(configured):
    out = configured(tty=False).getvalue()
    assert ESC not in out
    assert "] [WARNING ] kindred.test: ready with [token redacted]" in out


def test_docker_without_a_tty_gets_plain_text(configured, monkeypatch):
    # discord.py would colour here: it colours whenever it believes it runs in Docker.
    monkeypatch.setattr(discord.utils, "is_docker", lambda: True)
    assert discord.utils.stream_supports_colour(Stream(False))
    assert ESC not in configured(tty=False).getvalue()


def test_no_color_turns_it_off_even_on_a_terminal(configured, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in configured(tty=True).getvalue()


def test_json_lines_are_never_coloured(configured):
    out = configured(tty=True, format="json").getvalue()
    assert ESC not in out
    [line] = [json.loads(text) for text in out.splitlines()]
    assert line["level"] == "WARNING" and line["message"] == f"ready with {logs.REDACTED}"


def test_every_level_has_its_colour_and_tracebacks_still_print():
    formatter = logs.ColourFormatter()
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, 45, 60):
        record = logging.LogRecord("kindred", level, __file__, 1, "line %s", ("one",), None)
        assert "line one" in formatter.format(record) and ESC in formatter.format(record)
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("kindred", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    assert "ValueError: boom" in formatter.format(record)
