"""Screens and widgets hold no SQL or cryptography; the TUI commands are documented."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from notify_tui.cli import cli

PACKAGE = Path(__file__).resolve().parents[2] / "notify_tui"
ROOT = PACKAGE.parent
FORBIDDEN = ("execute(", "sqlcipher3", "sqlite_utils", "cryptography")


def test_screens_and_widgets_hold_no_sql_or_crypto() -> None:
    sources = [*PACKAGE.joinpath("tui").rglob("*.py")]
    found = [
        f"{path.name}: {word}"
        for path in sources
        for word in FORBIDDEN
        if word in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_demo_command_has_help_and_is_documented() -> None:
    result = CliRunner().invoke(cli, ["demo", "-h"])
    assert result.exit_code == 0
    assert "throwaway vault" in result.output
    docs = (ROOT / "docs" / "tui.md").read_text(encoding="utf-8")
    assert "notify-tui demo" in docs
    assert "notify-tui\n" in docs or "`notify-tui`" in docs
