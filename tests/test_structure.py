"""The house rules of DESIGN.md, checked: arrows point one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
    re.IGNORECASE | re.DOTALL,
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_cog_imports_another_cog():
    for path in (ROOT / "cogs").glob("*.py"):
        cogs = {m for m in imported_modules(path) if m == "cogs" or m.startswith("cogs.")}
        assert not cogs, f"{path.name} imports {cogs}: share code through bot/ instead"


def test_no_cog_contains_sql():
    for path in (ROOT / "cogs").glob("*.py"):
        for text in string_constants(path):
            assert not SQL.search(text), (
                f"{path.name} holds SQL ({text[:60]!r}): move it into bot/store"
            )


def test_sql_lives_only_in_the_store():
    for path in (ROOT / "bot").rglob("*.py"):
        if "store" in path.relative_to(ROOT / "bot").parts:
            continue
        for text in string_constants(path):
            assert not SQL.search(text), f"{path} holds SQL ({text[:60]!r}): move it into bot/store"


def test_the_store_never_imports_discord():
    for path in (ROOT / "bot" / "store").rglob("*.py"):
        discord = {m for m in imported_modules(path) if m == "discord" or m.startswith("discord.")}
        assert not discord, f"{path.relative_to(ROOT)} imports {discord}"


def test_the_store_imports_nothing_of_ours_but_config_and_itself():
    allowed = ("bot.store", "bot.clock", "bot.config")
    for path in (ROOT / "bot" / "store").rglob("*.py"):
        ours = {m for m in imported_modules(path) if m.startswith(("bot", "cogs"))}
        stray = {m for m in ours if not m.startswith(allowed)}
        assert not stray, f"{path.relative_to(ROOT)} imports {stray}"


def test_pure_core_modules_do_not_import_discord():
    for name in (
        "config",
        "clock",
        "schedule",
        "safety/__init__",
        "safety/rules",
        "safety/model",
        "safety/features",
        "library",
    ):
        path = ROOT / "bot" / f"{name}.py"
        if path.exists():
            assert not {m for m in imported_modules(path) if m.startswith("discord")}, name


def test_the_crisis_check_runs_without_its_trainer():
    """numpy, scipy and scikit-learn are for `bot.safety.train` only, never the bot."""
    heavy = ("numpy", "scipy", "sklearn")
    for path in (ROOT / "bot" / "safety").glob("*.py"):
        if path.name == "train.py":
            continue
        found = {m for m in imported_modules(path) if m.split(".")[0] in heavy}
        assert not found, f"{path.relative_to(ROOT)} imports {found}"
