"""The values library: the shipped file meets the bar we set for it, and a broken file is
reported as one line that says where and what, so an operator can fix their own library."""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path

import pytest

from bot.library import (
    PROMPT_MAX,
    Library,
    LibraryError,
    LibraryPrompt,
    Value,
    default_library_path,
    load_library,
)

REQUIRED = (
    "empathy",
    "respect",
    "understanding",
    "honesty",
    "lived-experience",
    "hope",
    "gratitude",
    "self-compassion",
)
# A prompt invites a member's own experience; it never asks for advice, diagnoses,
# or the details of harm. Matched as word stems, case-insensitively.
FORBIDDEN = (
    "diagnos",
    "advice",
    "advise",
    "should you",
    "you should",
    "symptom",
    "disorder",
    "trauma",
    "self-harm",
    "suicid",
    "relapse",
    "medication",
    "worst",
)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


# --- the shipped library ----------------------------------------------------------------


def test_shipped_file_is_package_data() -> None:
    path = default_library_path()
    assert path.name == "values.toml"
    assert path.is_file()


def test_required_values_present_with_enough_prompts(library: Library) -> None:
    keys = [v.key for v in library.values]
    assert len(keys) >= 10
    for key in REQUIRED:
        assert key in keys, key
    for value in library.values:
        assert len(library.prompts_for(value.key)) >= 12, value.key
    assert len(library.prompts) >= 96


def test_prompts_short_unique_and_stably_numbered(library: Library) -> None:
    for value in library.values:
        for n, prompt in enumerate(library.prompts_for(value.key), start=1):
            assert prompt.id == f"{value.key}-{n:02d}"
            assert prompt.value == value.key
            assert 0 < len(prompt.text) <= PROMPT_MAX
            assert prompt.text == prompt.text.strip()
    ids = [p.id for p in library.prompts]
    assert len(set(ids)) == len(ids)
    texts = [" ".join(p.text.split()).casefold() for p in library.prompts]
    assert len(set(texts)) == len(texts)


def test_no_near_duplicate_prompts(library: Library) -> None:
    """Rewording a prompt slightly does not make a new one."""
    close = []
    for a, b in itertools.combinations(library.prompts, 2):
        match = difflib.SequenceMatcher(None, a.text.casefold(), b.text.casefold())
        # The quick ratios are cheap upper bounds of ratio(): ~0.3 s instead of ~4 s.
        if match.real_quick_ratio() > 0.8 and match.quick_ratio() > 0.8 and match.ratio() > 0.8:
            close.append((a.id, b.id))
    assert close == []


@pytest.mark.parametrize("stem", FORBIDDEN)
def test_prompts_never_ask_for_advice_diagnoses_or_harm(library: Library, stem: str) -> None:
    hits = [p.id for p in library.prompts if stem in p.text.casefold()]
    assert hits == []


def test_prompts_are_open_questions(library: Library) -> None:
    for prompt in library.prompts:
        assert "?" in prompt.text, prompt.id


def test_values_are_complete_and_colours_distinct(library: Library) -> None:
    for value in library.values:
        assert value.name and value.description and value.why and value.emoji
        assert 0 <= value.colour <= 0xFFFFFF
        assert value.badge == f"{value.emoji} {value.name}"
    colours = [v.colour for v in library.values]
    assert len(set(colours)) == len(colours)
    assert len({v.name.casefold() for v in library.values}) == len(library.values)


def _luminance(colour: int) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (colour >> 16) & 0xFF, (colour >> 8) & 0xFF, colour & 0xFF
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: int, b: int) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_colours_visible_on_dark_and_light_themes(library: Library) -> None:
    dark, light = 0x313338, 0xFFFFFF  # Discord's dark and light chat backgrounds
    for value in library.values:
        assert _contrast(value.colour, dark) >= 2.0, value.key
        assert _contrast(value.colour, light) >= 2.0, value.key


# --- lookups ----------------------------------------------------------------------------


def test_value_lookup_by_key_or_name_ignoring_case(library: Library) -> None:
    gratitude = library.value("gratitude")
    assert gratitude is not None
    assert gratitude.name == "Gratitude & celebration"
    assert library.value("GRATITUDE") is gratitude
    assert library.value("gratitude & Celebration") is gratitude
    assert library.value("  Lived experience ") is library.value("lived-experience")
    assert library.value("nope") is None


def test_prompts_for_and_prompt_by_id(library: Library) -> None:
    hope = library.prompts_for("hope")
    assert hope[0].id == "hope-01"
    assert library.prompt("hope-01") == hope[0]
    assert library.prompt("hope-99") is None
    assert library.prompts_for("nope") == ()


def test_search_values_for_autocomplete(library: Library) -> None:
    assert [v.key for v in library.search_values("gr")] == ["gratitude"]
    assert library.search_values("CELEB") == [library.value("gratitude")]
    assert library.search_values("") == list(library.values)
    assert len(library.search_values("", limit=3)) == 3
    assert library.search_values("zzz") == []
    # Prefix matches come before substring matches.
    found = [v.key for v in library.search_values("co")]
    assert found[:2] == ["connection", "courage"]
    assert "self-compassion" in found[2:]


def test_library_can_be_built_directly() -> None:
    value = Value("calm", "Calm", "Slowing down.", "Calm helps.", 0x336699, "🌊")
    lib = Library((value,), (LibraryPrompt("calm-01", "calm", "What calms you?"),))
    assert lib.value("Calm") is value
    assert lib.prompt("calm-01") is not None
    assert value.badge == "🌊 Calm"


# --- a broken library says where and what -----------------------------------------------

GOOD_VALUE = """
[[values]]
key = "{key}"
name = "{name}"
description = "A value."
why = "It matters."
colour = "#AA5533"
emoji = "💛"
prompts = ["What helps you with {key}?", "When did {key} help?"]
"""


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _two_values() -> str:
    return GOOD_VALUE.format(key="calm", name="Calm") + GOOD_VALUE.format(
        key="honesty", name="Honesty"
    )


def _error(path: Path) -> str:
    with pytest.raises(LibraryError) as info:
        load_library(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path.parent) not in message  # the file's name, not its full path
    return message


def test_small_operator_library_loads(tmp_path: Path) -> None:
    lib = load_library(_write(tmp_path, _two_values()))
    assert [v.key for v in lib.values] == ["calm", "honesty"]
    assert [p.id for p in lib.prompts] == ["calm-01", "calm-02", "honesty-01", "honesty-02"]
    assert lib.values[0].colour == 0xAA5533
    assert lib.prompt("honesty-02").text == "When did honesty help?"


def test_accepts_str_path(tmp_path: Path) -> None:
    assert len(load_library(str(_write(tmp_path, _two_values()))).values) == 2


def test_over_long_prompt(tmp_path: Path) -> None:
    text = _two_values().replace('"When did calm help?"', '"' + "x" * 312 + '"')
    assert _error(_write(tmp_path, text)) == (
        "mine.toml: value 1 (calm) prompt 2: longer than 300 characters (312)"
    )


def test_prompt_at_the_limit_is_fine(tmp_path: Path) -> None:
    text = _two_values().replace('"When did calm help?"', '"  ' + "x" * 300 + '  "')
    assert len(load_library(_write(tmp_path, text)).prompts[1].text) == 300


def test_missing_key(tmp_path: Path) -> None:
    text = _two_values()
    second = text.rindex('colour = "#AA5533"')
    text = text[:second] + text[second:].replace('colour = "#AA5533"\n', "", 1)
    assert _error(_write(tmp_path, text)) == "mine.toml: value 2: missing key 'colour'"


@pytest.mark.parametrize("colour", ["#AA553", "AA5533", "#GG5533", "red", "#AA5533FF"])
def test_bad_colour(tmp_path: Path, colour: str) -> None:
    text = _two_values().replace("#AA5533", colour, 1)
    message = _error(_write(tmp_path, text))
    assert message.startswith("mine.toml: value 1 (calm) colour: expected '#RRGGBB'")
    assert repr(colour) in message


def test_duplicate_prompt_across_values_ignores_case_and_spacing(tmp_path: Path) -> None:
    text = GOOD_VALUE.format(key="calm", name="Calm") + GOOD_VALUE.format(
        key="hope", name="Hope"
    ).replace('"When did hope help?"', '"  when did   CALM help? "')
    assert _error(_write(tmp_path, text)) == (
        "mine.toml: value 2 (hope) prompt 2: duplicate of value 1 (calm) prompt 2"
    )


def test_duplicate_value_key(tmp_path: Path) -> None:
    text = GOOD_VALUE.format(key="calm", name="Calm") + GOOD_VALUE.format(key="calm", name="Again")
    assert (
        _error(_write(tmp_path, text)) == "mine.toml: value 2: duplicate key 'calm' (also value 1)"
    )


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    text = _two_values().replace('why = "It matters."', "why = It matters.", 1)
    message = _error(_write(tmp_path, text))
    line = next(n for n, s in enumerate(text.splitlines(), start=1) if s.startswith("why = It"))
    assert message.startswith(f"mine.toml: line {line}: invalid TOML (")
    assert message.endswith(")")


@pytest.mark.parametrize("text", ["", "# just a comment\n", "values = []\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert _error(_write(tmp_path, text)) == (
        "mine.toml: no values (expected at least one [[values]] table)"
    )


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "gone.toml").startswith("gone.toml: cannot read (")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('prompts = ["What helps you with calm?", "When did calm help?"]', "prompts = []",
         "mine.toml: value 1 (calm): no prompts (expected at least one)"),
        ('"When did calm help?"', '"   "', "mine.toml: value 1 (calm) prompt 2: is empty"),
        ('"When did calm help?"', "42", "mine.toml: value 1 (calm) prompt 2: expected a string, got 42"),
        ('name = "Calm"', "name = 7", "mine.toml: value 1 name: expected a string, got 7"),
        ('prompts = ["What helps you with calm?", "When did calm help?"]', 'prompts = "Calm?"',
         "mine.toml: value 1 prompts: expected an array of strings, got 'Calm?'"),
        ('key = "calm"', 'key = "Calm Down"',
         "mine.toml: value 1 key: expected a slug like 'lived-experience', got 'Calm Down'"),
        ('emoji = "💛"', 'emoji = ":heart:"',
         "mine.toml: value 1 (calm) emoji: expected one unicode emoji, got ':heart:'"),
        ('why = "It matters."', 'why = "It matters."\nwhy_not = "typo"',
         "mine.toml: value 1: unknown key 'why_not' (expected: key, name, description, why, colour, emoji, prompts)"),
        ('name = "Calm"', 'name = "honesty"',
         "mine.toml: value 2 (honesty): duplicate name 'Honesty' (also value 1)"),
    ],
)  # fmt: skip
def test_other_problems(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert _error(_write(tmp_path, _two_values().replace(old, new, 1))) == expected
