"""The values library: the values a community practises and the prompts that invite them.

The library is data reviewed like code (`prompts/values.toml`, shipped inside the package),
so it is validated once at start and every problem is reported as one line naming the file,
the value/prompt and what is wrong: an operator with their own library can fix it without
reading a traceback. Nothing here knows Discord.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PROMPT_MAX = 300

_FIELDS: dict[str, type] = {
    "key": str,
    "name": str,
    "description": str,
    "why": str,
    "colour": str,
    "emoji": str,
    "prompts": list,
}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


class LibraryError(Exception):
    """A problem in the values library; str() is the one line shown to the operator."""


@dataclass(frozen=True)
class Value:
    key: str
    name: str
    description: str
    why: str
    colour: int  # 0xRRGGBB
    emoji: str

    @property
    def badge(self) -> str:
        return f"{self.emoji} {self.name}"


@dataclass(frozen=True)
class LibraryPrompt:
    id: str  # f"{value}-{n:02d}", n = 1-based position within its value
    value: str
    text: str


@dataclass(frozen=True)
class Library:
    values: tuple[Value, ...]
    prompts: tuple[LibraryPrompt, ...]
    _by_value: dict[str, Value] = field(init=False, repr=False, compare=False, hash=False)
    _by_id: dict[str, LibraryPrompt] = field(init=False, repr=False, compare=False, hash=False)
    _by_text: dict[str, LibraryPrompt] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Index once: lookups run on every autocomplete keystroke.
        by_value: dict[str, Value] = {}
        for v in self.values:
            by_value.setdefault(v.name.casefold(), v)
        by_value.update({v.key.casefold(): v for v in self.values})  # keys win over names
        object.__setattr__(self, "_by_value", by_value)
        object.__setattr__(self, "_by_id", {p.id: p for p in self.prompts})
        object.__setattr__(self, "_by_text", {_normalised(p.text): p for p in self.prompts})

    def value(self, key_or_name: str) -> Value | None:
        """The value with this key or display name, ignoring case and outer spaces."""
        return self._by_value.get(key_or_name.strip().casefold())

    def prompts_for(self, value_key: str) -> tuple[LibraryPrompt, ...]:
        key = value_key.strip().casefold()
        return tuple(p for p in self.prompts if p.value == key)

    def prompt(self, prompt_id: str) -> LibraryPrompt | None:
        return self._by_id.get(prompt_id.strip().casefold())

    def same_prompt(self, text: str) -> LibraryPrompt | None:
        """The library prompt that reads the same, ignoring case and spacing."""
        return self._by_text.get(_normalised(text))

    def search_values(self, typed: str, limit: int = 25) -> list[Value]:
        """Values for autocomplete: prefix matches first, then substring; all when empty."""
        needle = typed.strip().casefold()
        if not needle:
            return list(self.values[: max(limit, 0)])
        prefix, inside = [], []
        for v in self.values:
            key, name = v.key.casefold(), v.name.casefold()
            if key.startswith(needle) or name.startswith(needle):
                prefix.append(v)
            elif needle in key or needle in name:
                inside.append(v)
        return (prefix + inside)[: max(limit, 0)]


def default_library_path() -> Traversable:
    """The library shipped inside the package, so the bot runs from any directory."""
    return files("prompts") / "values.toml"


def load_library(path: str | os.PathLike[str] | None = None) -> Library:
    """Read and validate a values library; None means the packaged one."""
    source: Traversable | Path = default_library_path() if path is None else Path(path)
    file_name = source.name
    try:
        data = tomllib.loads(source.read_bytes().decode("utf-8-sig"))
    except OSError as e:
        raise LibraryError(f"{file_name}: cannot read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise LibraryError(f"{file_name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise _toml_error(file_name, e) from None
    return _Parser(file_name).library(data)


def _toml_error(file_name: str, error: tomllib.TOMLDecodeError) -> LibraryError:
    # Python 3.11's TOMLDecodeError has no line attribute; the message ends "(at line 7, column 5)".
    message = str(error)
    match = _TOML_WHERE.search(message)
    if match is None:
        return LibraryError(f"{file_name}: invalid TOML ({message})")
    where = f"line {match.group(1)}" if match.group(1) else "end of file"
    return LibraryError(f"{file_name}: {where}: invalid TOML ({message[: match.start()]})")


def _got(value: object) -> str:
    return repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__


def _normalised(text: str) -> str:
    """What counts as 'the same prompt': case and spacing do not make a new one."""
    return " ".join(text.split()).casefold()


class _Parser:
    """Walks the TOML document, remembering where it is for error messages."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.seen_keys: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        self.seen_prompts: dict[str, str] = {}

    def error(self, where: str, what: str) -> LibraryError:
        return LibraryError(f"{self.file_name}: {where}: {what}")

    def library(self, data: dict[str, object]) -> Library:
        unknown = sorted(set(data) - {"values"})
        if unknown:
            raise self.error(unknown[0], "unknown top-level key (expected only [[values]] tables)")
        tables = data.get("values")
        if not tables:
            raise LibraryError(
                f"{self.file_name}: no values (expected at least one [[values]] table)"
            )
        if not isinstance(tables, list):
            raise self.error("values", f"expected [[values]] tables, got {_got(tables)}")
        values: list[Value] = []
        prompts: list[LibraryPrompt] = []
        for index, table in enumerate(tables, start=1):
            value, texts = self.value(index, table)
            values.append(value)
            prompts += (LibraryPrompt(f"{value.key}-{n:02d}", value.key, t) for n, t in texts)
        return Library(tuple(values), tuple(prompts))

    def value(self, index: int, table: object) -> tuple[Value, list[tuple[int, str]]]:
        where = f"value {index}"
        if not isinstance(table, dict):
            raise self.error(where, f"expected a table, got {_got(table)}")
        for name in _FIELDS:
            if name not in table:
                raise self.error(where, f"missing key {name!r}")
        unknown = sorted(set(table) - set(_FIELDS))
        if unknown:
            raise self.error(where, f"unknown key {unknown[0]!r} (expected: {', '.join(_FIELDS)})")
        for name, kind in _FIELDS.items():
            if not isinstance(table[name], kind):
                expected = "an array of strings" if kind is list else "a string"
                raise self.error(f"{where} {name}", f"expected {expected}, got {_got(table[name])}")
            if kind is str and not table[name].strip():
                raise self.error(f"{where} {name}", "is empty")

        key = table["key"].strip()
        if not _SLUG.fullmatch(key):
            raise self.error(
                f"{where} key", f"expected a slug like 'lived-experience', got {key!r}"
            )
        if key in self.seen_keys:
            raise self.error(where, f"duplicate key {key!r} (also value {self.seen_keys[key]})")
        self.seen_keys[key] = index
        where = f"value {index} ({key})"

        name = table["name"].strip()
        if name.casefold() in self.seen_names:
            raise self.error(
                where, f"duplicate name {name!r} (also value {self.seen_names[name.casefold()]})"
            )
        self.seen_names[name.casefold()] = index
        colour = table["colour"].strip()
        if not _COLOUR.fullmatch(colour):
            raise self.error(f"{where} colour", f"expected '#RRGGBB', got {colour!r}")
        emoji = table["emoji"].strip()
        # Catches shortcodes like ":heart:", which Discord shows literally in a bot's embeds.
        if len(emoji) > 16 or any(
            c.isspace() or c.isascii() and c.isalpha() or c == ":" for c in emoji
        ):
            raise self.error(f"{where} emoji", f"expected one unicode emoji, got {emoji!r}")

        value = Value(
            key=key,
            name=name,
            description=table["description"].strip(),
            why=table["why"].strip(),
            colour=int(colour[1:], 16),
            emoji=emoji,
        )
        return value, self.prompts(where, table["prompts"])

    def prompts(self, where: str, items: list[object]) -> list[tuple[int, str]]:
        if not items:
            raise self.error(where, "no prompts (expected at least one)")
        texts = []
        for n, item in enumerate(items, start=1):
            at = f"{where} prompt {n}"
            if not isinstance(item, str):
                raise self.error(at, f"expected a string, got {_got(item)}")
            text = item.strip()
            if not text:
                raise self.error(at, "is empty")
            if len(text) > PROMPT_MAX:
                raise self.error(at, f"longer than {PROMPT_MAX} characters ({len(text)})")
            same = _normalised(text)
            if same in self.seen_prompts:
                raise self.error(at, f"duplicate of {self.seen_prompts[same]}")
            self.seen_prompts[same] = at
            texts.append((n, text))
        return texts
