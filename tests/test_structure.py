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


PURE_MARK = "# Pure: imports no discord (tests/test_structure.py checks it)."
# What time-zone math looks like: only bot/schedule.py may do it (DST-safe, tested there).
ZONE_CALLS = {"ZoneInfo", "astimezone", "utcoffset", "dst", "localize", "gettz"}


def ours() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")])


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """What importing `path` imports (`if TYPE_CHECKING:` blocks never run), as our module
    names where they are ours: `from pkg import sub` names the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            subs = {f"{base}.{alias.name}" for alias in node.names}
            known = subs & set(modules)
            names.update(known)
            if known != subs:  # some name is not a submodule: the package itself is needed
                names.add(base)
    return names


def import_graph() -> dict[str, set[str]]:
    """Our module -> the modules of ours it imports when it is imported."""
    modules = {module_name(path): path for path in ours()}
    return {
        name: {m for m in runtime_imports(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "cogs" and len(parts) > 1 else None


def pure_modules() -> list[Path]:
    return [path for path in ours() if PURE_MARK in path.read_text(encoding="utf-8")]


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


def test_sql_lives_only_in_the_store():
    for path in ours():
        if path.relative_to(ROOT).parts[:2] == ("bot", "store"):
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


def test_the_crisis_check_runs_without_its_trainer():
    """numpy, scipy and scikit-learn are for `bot.safety.train` only, never the bot."""
    heavy = ("numpy", "scipy", "sklearn")
    for path in (ROOT / "bot" / "safety").rglob("*.py"):
        if path.name == "train.py":
            continue
        found = {m for m in imported_modules(path) if m.split(".")[0] in heavy}
        assert not found, f"{path.relative_to(ROOT)} imports {found}"


# ----- the house: one package per feature, arrows one way -------------------------------------
def test_every_feature_is_a_package_whose_init_only_sets_up():
    for package in sorted(p for p in (ROOT / "cogs").iterdir() if (p / "__init__.py").exists()):
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        defined = [
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        assert defined == ["setup"], f"cogs/{package.name}/__init__.py defines {defined}"
        assert (package / "cog.py").exists(), f"cogs/{package.name} has no cog.py"


def test_features_never_import_each_other():
    for module, imports in import_graph().items():
        mine = feature_of(module)
        if module.startswith("cogs."):
            stray = {m for m in imports if feature_of(m) not in (None, mine)}
            assert not stray, f"{module} imports {stray}: what features share belongs in bot/"
        if module.startswith("bot"):
            cogs = {m for m in imports if m.startswith("cogs")}
            assert not cogs, f"{module} imports {cogs}: bot/ names features only as strings"
    every_import = {m for path in ours() for m in imported_modules(path)}
    assert not {m for m in every_import if m == "cogs"}, "nobody imports the cogs package itself"


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycle = trail[trail.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_walk_finds_a_cycle(tmp_path, monkeypatch):
    """The cycle check itself, on two modules that import each other."""
    (tmp_path / "bot").mkdir()
    (tmp_path / "cogs").mkdir()
    (tmp_path / "bot" / "a.py").write_text("from bot import b\n")
    (tmp_path / "bot" / "b.py").write_text("import bot.a\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    try:
        test_no_import_cycles()
    except AssertionError as found:
        assert "bot.a -> bot.b -> bot.a" in str(found)
    else:
        raise AssertionError("the cycle check missed bot.a <-> bot.b")


def test_pure_modules_import_no_discord_even_through_ours():
    """A module marked pure imports no discord, directly or through any module of ours."""
    graph = import_graph()
    paths = {module_name(path): path for path in ours()}
    pure = [module_name(path) for path in pure_modules()]
    assert len(pure) >= 25, f"only {len(pure)} modules are marked pure; the marker may be broken"
    for module in pure:
        seen, todo = set(), [module]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found = {m for m in imported_modules(paths[current]) if m.split(".")[0] == "discord"}
            assert not found, f"{module} is marked pure but {current} imports {found}"
            todo.extend(graph[current])


def test_rules_and_store_modules_are_pure_by_name():
    """The naming rule: `*_rules.py` holds a feature's rules, free of Discord; so does the
    whole crisis check."""
    marked = set(pure_modules())
    named = [p for p in ours() if p.stem.endswith("_rules")] + list(
        (ROOT / "bot" / "safety").rglob("*.py")
    )
    assert named
    for path in named:
        assert path in marked, f"{path.relative_to(ROOT)} should carry the pure marker"


def test_no_time_zone_math_outside_the_schedule():
    for path in ours():
        if path.relative_to(ROOT).as_posix() == "bot/schedule.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", None)
            )
            replaces_zone = called == "replace" and any(k.arg == "tzinfo" for k in node.keywords)
            assert called not in ZONE_CALLS and not replaces_zone, (
                f"{path.relative_to(ROOT)}:{node.lineno} does time-zone math ({called}): "
                "bot/schedule.py is the one place for it"
            )


def test_no_file_is_too_long_to_read():
    for path in ours():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 420, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"
