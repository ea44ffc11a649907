"""Project-wide gates: lint, format, strict types, and the layer boundaries of DESIGN.md."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "notify_tui"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_is_clean() -> None:
    result = run("ruff", "check", "notify_tui", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run("ruff", "format", "--check", "notify_tui", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_domain_store_sync_services_views() -> None:
    result = run(
        "mypy",
        "notify_tui/domain",
        "notify_tui/store",
        "notify_tui/sync",
        "notify_tui/services",
        "notify_tui/views",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lower_layers_never_load_textual() -> None:
    """domain/, store/ and sync/ work without Textual (checked in a fresh interpreter)."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for layer in ("domain", "store", "sync")
        for path in (PACKAGE / layer).glob("*.py")
        if path.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def python_sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        (r"sqlcipher3\.connect\(", {"notify_tui/store/connection.py"}),
        (r"\bsqlite3\.connect\(", set()),
        (r"sqlite_utils\.Database\(\s*(str\(|Path\(|path|self\.path|home)", set()),
        (r"^\s*[^#\s`].*\bDatabase\((str\(|Path\(|home)", set()),
    ],
)
def test_only_the_connection_module_opens_databases(pattern: str, allowed: set[str]) -> None:
    """Anything else could silently create a plaintext database file."""
    offenders = {
        str(path.relative_to(ROOT))
        for path in python_sources()
        if re.search(pattern, path.read_text(encoding="utf-8"))
    }
    assert offenders <= allowed


def test_screens_and_widgets_do_not_touch_the_database() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tui",)
        for path in (PACKAGE / folder).rglob("*.py")
        if re.search(r"sqlcipher3|sqlite_utils|\.execute\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
