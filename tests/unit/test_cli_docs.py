"""Every CLI command has help text and is documented in the README or docs/."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from notify_tui.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
    return found


ALL = commands(cli)
DOCS = "\n".join(
    p.read_text(encoding="utf-8")
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)


def test_the_command_list_is_not_empty() -> None:
    assert ("check",) in ALL and ("case", "add") in ALL and len(ALL) > 20


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "-h"])
    assert result.exit_code == 0, result.output
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_command_is_documented(path: tuple[str, ...]) -> None:
    spelled = " ".join(path)
    assert f"`{spelled}" in DOCS or f"notify-tui {spelled}" in DOCS, (
        f"`notify-tui {spelled}` is not mentioned in README.md or docs/"
    )
