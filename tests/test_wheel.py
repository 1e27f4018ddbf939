"""The wheel holds every module, migration and data file: packages are found, not listed, and
this builds the wheel (offline, with the installed setuptools) to prove nothing is left out."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("bot", "cogs", "prompts")
# Files the bot reads at run time besides its modules.
DATA = ("*.sql", "*.toml", "model.json")


def build_wheel(into: Path) -> Path:
    """Build from a copy of the project, so the checkout gets no build/ or egg-info."""
    source = into / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "corpus")
    for name in SHIPPED:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    script = (
        "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(into)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return into / done.stdout.strip().splitlines()[-1]


def expected_files() -> set[str]:
    found = set()
    for name in SHIPPED:
        for path in (ROOT / name).rglob("*"):
            relative = path.relative_to(ROOT)
            if "__pycache__" in relative.parts or "corpus" in relative.parts:
                continue
            if path.suffix == ".py" or any(path.match(pattern) for pattern in DATA):
                found.add(relative.as_posix())
    return found


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    try:
        import setuptools
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.skip("setuptools is not installed; `pip install -e '.[dev]'` brings it")
    if tuple(int(part) for part in setuptools.__version__.split(".")[:2]) < (70, 1):
        pytest.skip("setuptools < 70.1 can't build a wheel offline; the dev extra pins it")
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_holds_every_module_migration_and_data_file(wheel_names):
    expected = expected_files()
    assert any(name.endswith(".sql") for name in expected)
    assert "bot/safety/model.json" in expected and "prompts/values.toml" in expected
    assert any(name.startswith("cogs/victories/") for name in expected)
    missing = sorted(expected - wheel_names)
    assert not missing, f"the wheel leaves out {missing[:10]}"


def test_the_wheel_ships_no_tests_or_benchmarks(wheel_names):
    stray = sorted(n for n in wheel_names if n.split("/")[0] in ("tests", "bench", "deploy"))
    assert not stray, stray[:10]
