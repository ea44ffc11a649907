"""What `notify-tui --help` and `notify-tui check` load: only what they need.

Each probe runs in a fresh interpreter and lists the top-level packages in `sys.modules`
after the command; a probe that loads everything shows it can see them. The command
table that `--help` lists from is checked against the commands themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from notify_tui.cli import COMMAND_TABLE, cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("textual", "sqlcipher3", "sqlite_utils", "cryptography", "pydantic", "holidays")
PROBE = (
    "import sys\n"
    "from notify_tui.cli import main\n"
    "{prepare}"
    "try:\n"
    "    main()\n"
    "except SystemExit as exit:\n"
    "    code = exit.code\n"
    "loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))\n"
    "countries = 'holidays.countries' in sys.modules\n"
    "print('EXIT', code, 'LOADED', ','.join(loaded), 'COUNTRIES', countries)\n"
)


def probe(*args: str, prepare: str = "", cache: Path) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_TUI_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
        NOTIFY_TUI_TODAY="2026-11-23",
        NOTIFY_TUI_CACHE=str(cache),
    )
    code = PROBE.format(prepare=prepare, heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.rstrip().splitlines()[-1]


def test_help_loads_none_of_the_heavy_packages(tmp_path: Path) -> None:
    assert probe("--help", cache=tmp_path) == "EXIT 0 LOADED  COUNTRIES False"


def test_the_probe_sees_them_when_every_command_loads(tmp_path: Path) -> None:
    prepare = (
        "import notify_tui.tui.app, notify_tui.domain.calendar as c\n"
        "c.england_bank_holidays([2026])\n"
    )
    assert probe("--help", prepare=prepare, cache=tmp_path) == (
        "EXIT 0 LOADED " + ",".join(sorted(HEAVY)) + " COUNTRIES True"
    )


def test_check_with_a_warm_cache_loads_pydantic_only(tmp_path: Path) -> None:
    facts = ROOT / "docs" / "examples" / "facts.json"
    first = probe("check", str(facts), cache=tmp_path)
    assert first == "EXIT 0 LOADED holidays,pydantic COUNTRIES True", "the first run works it out"
    assert probe("check", str(facts), cache=tmp_path) == "EXIT 0 LOADED pydantic COUNTRIES False"
    assert [p.name for p in tmp_path.iterdir()] == [
        next(tmp_path.glob("england-bank-holidays-*.json")).name
    ]


def test_the_command_table_matches_the_commands() -> None:
    """Each table row names the module that defines the command and its own short help."""
    for name, (module, short_help) in COMMAND_TABLE.items():
        command = cli.commands[name]
        assert command.callback is not None or isinstance(command, click.Group)
        assert sys.modules[f"notify_tui.cli.{module}"].COMMANDS.count(command) == 1, name
        assert command.get_short_help_str(10**6) == short_help, name
    defined = {
        command.name
        for module in {module for module, _ in COMMAND_TABLE.values()}
        for command in sys.modules[f"notify_tui.cli.{module}"].COMMANDS
    }
    assert defined == set(COMMAND_TABLE)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_help_lists_what_click_would_list_from_the_commands(width: int) -> None:
    formatter = click.HelpFormatter(width=width)
    cli.format_commands(click.Context(cli), formatter)
    listed = formatter.getvalue()
    expected = click.HelpFormatter(width=width)
    click.Group.format_commands(cli, click.Context(cli), expected)  # asks every command
    assert listed == expected.getvalue()
    assert "  check " in listed and "  verify " in listed


def test_users_passwd_is_still_passwd() -> None:
    users = cli.commands["users"]
    assert isinstance(users, click.Group)
    assert users.commands["passwd"] is cli.commands["passwd"]


def test_unknown_commands_are_not_commands() -> None:
    assert "nope" not in cli.commands
    with pytest.raises(KeyError):
        cli.commands["nope"]
    assert json.dumps(sorted(cli.commands)) == json.dumps(sorted(COMMAND_TABLE))
