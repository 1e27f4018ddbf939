"""Safe messaging: Kindred's own words never use phrasing that guidelines for talking about
suicide ask us to avoid.

"Commit suicide" frames it as a crime or sin; "successful" and "failed" attempts frame a
death as an achievement and survival as a failure; "suicide epidemic" sensationalises; and
method details (how, with what, how much) can put people at risk. This walks every string
constant in the Python sources under bot/ and cogs/ (docstrings too: discord.py can show a
command's docstring as its help) and every text in prompts/*.toml.

Left out on purpose: the crisis check (bot/safety/ or bot/safety.py) and any corpus folder,
whose rules and labelled examples must name these words to recognise them.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

UNSAFE = {
    "says suicide is a crime or a sin": r"\bcommit(?:s|ted|ting)?\s+suicide\b",
    "calls a death a success": r"\b(?:successful|completed)\s+(?:suicide|attempt)\b",
    "calls survival a failure": r"\b(?:failed|unsuccessful)\s+(?:suicide\s+)?attempt\b",
    "sensationalises": r"\bsuicide\s+(?:epidemic|wave|craze)\b",
    "names a method or a dose": (
        r"\boverdos(?:e|ed|ing)\s+on\b"
        r"|\bhang(?:ing)?\s+(?:your|my|him|her|them)sel(?:f|ves)\b"
        r"|\b(?:how|ways?)\s+to\s+(?:kill|die)\b"
        r"|\blethal\s+dose\b"
        r"|\bpills\s+to\b"
    ),
}
MATCHERS = {why: re.compile(pattern, re.IGNORECASE) for why, pattern in UNSAFE.items()}


def unsafe_phrases(text: str) -> list[tuple[str, str]]:
    """(why, the words) for each unsafe phrase in `text`; line breaks count as spaces."""
    flat = " ".join(text.split())
    return [(why, found.group(0)) for why, m in MATCHERS.items() for found in m.finditer(flat)]


def excluded(path: Path, root: Path) -> bool:
    """The crisis check and labelled corpora must name these words; nothing else may."""
    parts = path.relative_to(root).parts
    return parts[:2] in (("bot", "safety"), ("bot", "safety.py")) or "corpus" in parts


def python_strings(root: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every string constant in bot/ and cogs/, f-string pieces included
    (implicitly joined literals arrive as one constant)."""
    for folder in ("bot", "cogs"):
        for path in sorted((root / folder).rglob("*.py")):
            if excluded(path, root):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    yield f"{path.relative_to(root)}:{node.lineno}", node.value


def toml_strings(root: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every string value in prompts/*.toml, at any depth."""

    def walk(where: str, value: object) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, inner in value.items():
                yield from walk(f"{where}.{key}", inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from walk(f"{where}[{index}]", inner)

    for path in sorted((root / "prompts").glob("*.toml")):
        if excluded(path, root):
            continue
        yield from walk(str(path.relative_to(root)), tomllib.loads(path.read_text("utf-8")))


def findings(root: Path) -> list[str]:
    return [
        f"{where}: {words!r} ({why})"
        for where, text in [*python_strings(root), *toml_strings(root)]
        for why, words in unsafe_phrases(text)
    ]


def test_kindreds_own_words_follow_safe_messaging():
    found = findings(ROOT)
    assert not found, "unsafe phrasing about suicide:\n" + "\n".join(found)


def test_the_walk_reads_the_real_sources():
    """An empty walk would pass the test above: make sure it reads what members read."""
    python = dict(python_strings(ROOT))
    prompts = [text for _, text in toml_strings(ROOT)]
    assert len(python) > 500 and len(prompts) > 150
    assert any("values-based peer support" in text for text in python.values())  # /help
    assert any("reach out to someone who can help" in text for text in python.values())  # care
    assert any(where.startswith("cogs/") for where in python)
    assert not any(where.startswith(("bot/safety/", "bot/safety.py")) for where in python)


@pytest.mark.parametrize(
    "unsafe",
    [
        "He committed suicide last year.",
        "people who commit\n suicide",  # across a line break
        "Commits Suicide",
        "a successful suicide",
        "after a successful attempt",
        "her failed attempt",
        "an unsuccessful attempt",
        "a failed suicide attempt",
        "the suicide epidemic",
        "she tried to overdose on her meds",
        "I want to hang myself",
        "how to kill yourself",
        "what is a lethal dose of",
        "enough pills to",
    ],
)
def test_the_matcher_catches_each_unsafe_phrase(unsafe):
    assert unsafe_phrases(unsafe), unsafe


@pytest.mark.parametrize(
    "safe",
    [
        "988 Suicide & Crisis Lifeline (US)",
        "died by suicide",
        "someone who survived a suicide attempt",
        "lost a loved one to suicide",
        "Count a try that failed",
        "the crisis check found a possible signal",
        "a committee on suicide prevention",
    ],
)
def test_the_matcher_leaves_safe_words_alone(safe):
    assert unsafe_phrases(safe) == []


def test_a_planted_unsafe_phrase_is_found_in_code_and_prompts(tmp_path):
    """The whole walk, on a copy of the layout with unsafe words planted: it must find each
    one, and none in the places it must skip."""
    (tmp_path / "bot" / "safety" / "corpus").mkdir(parents=True)
    (tmp_path / "cogs" / "feature").mkdir(parents=True)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "bot" / "render.py").write_text(
        'def card(name):\n    """Help text."""\n    return f"{name} " "committed " "suicide"\n'
    )
    (tmp_path / "cogs" / "feature" / "messages.py").write_text(
        'NOTE = "Share what helped, not how to kill the pain with a lethal dose."\n'
    )
    (tmp_path / "prompts" / "values.toml").write_text(
        '[[values]]\nkey = "hope"\nprompts = ["Fine.", "After my failed attempt, what helped?"]\n'
    )
    (tmp_path / "bot" / "safety" / "rules.py").write_text('RULE = r"commit(?:ted)? suicide"\n')
    (tmp_path / "bot" / "safety" / "corpus" / "x.py").write_text('X = "lethal dose"\n')
    found = findings(tmp_path)
    assert len(found) == 4, found
    assert any(f.startswith("bot/render.py:3: 'committed suicide'") for f in found)
    assert sum(f.startswith("cogs/feature/messages.py:1:") for f in found) == 2
    assert any(f.startswith("prompts/values.toml.values[0].prompts[1]:") for f in found)
    assert not any("safety" in f for f in found)
