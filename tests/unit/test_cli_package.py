"""The CLI package: modules that import on their own, help everywhere, one-line failures.

Each module of notify_tui/cli/ is imported in a fresh interpreter (a cycle between them
would fail there); every command and group answers -h; `check` never loads Textual; and
the shared group and `with_session` keep their promises. All data is synthetic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from notify_tui.cli import cli, common
from notify_tui.cli.common import NotifyGroup, with_session
from notify_tui.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
CLI_MODULES = sorted(
    "notify_tui.cli" if path.stem == "__init__" else f"notify_tui.cli.{path.stem}"
    for path in (ROOT / "notify_tui" / "cli").glob("*.py")
)


def python(
    code: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with this checkout first on the path."""
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("NOTIFY_TUI_")},
        **(env or {}),
    }
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["NOTIFY_TUI_TODAY"] = "2026-11-23"
    # The session's cache folder (conftest), never the real user cache folder.
    if "NOTIFY_TUI_CACHE" in os.environ:
        env.setdefault("NOTIFY_TUI_CACHE", os.environ["NOTIFY_TUI_CACHE"])
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_package_holds_the_modules_the_contracts_name() -> None:
    assert {"notify_tui.cli", "notify_tui.cli.common", "notify_tui.cli.tui"} <= set(CLI_MODULES)
    assert len(CLI_MODULES) >= 8


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_cli_module_imports_on_its_own(module: str) -> None:
    result = python(f"import {module}")
    assert result.returncode == 0, result.stderr


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(walk(command, (*prefix, name)))
    return found


COMMANDS = walk(cli)


def test_the_tree_has_its_groups_and_leaves() -> None:
    assert {("case",), ("case", "add"), ("duty", "sent"), ("peers", "revoke")} <= set(COMMANDS)
    assert ("office", "annual-report") in COMMANDS and ("demo",) in COMMANDS


def test_notify_tui_help_in_a_real_process() -> None:
    result = python("from notify_tui.cli import main; main()", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: notify-tui [OPTIONS] [COMMAND] [ARGS]...")
    assert "-h, --help" in result.stdout


def help_of(path: tuple[str, ...], flag: str = "-h") -> str:
    """The help text of `path`, laid out in a 200-column terminal."""
    result = CliRunner().invoke(cli, [*path, flag], prog_name="notify-tui", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_and_group_answers_dash_h(path: tuple[str, ...]) -> None:
    """The help names and width are set once on the root and reach every nested command."""
    short = help_of(path)
    assert short.startswith(f"Usage: notify-tui {' '.join(path)} ")
    assert "-h, --help" in short
    assert help_of(path, "--help") == short
    assert max(len(line) for line in short.splitlines()) <= 100


def test_help_is_laid_out_100_columns_wide_even_when_nested() -> None:
    """In a wide terminal, nested help wraps at 100 columns, not click's default of 80.

    Run in a real process: click's test runner forces an 80-column layout.
    """
    nested = [list(path) for path in COMMANDS if len(path) == 2]
    code = (
        "import contextlib, io, sys\n"
        "from notify_tui.cli import cli\n"
        "widths = []\n"
        f"for path in {nested!r}:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "        cli.main([*path, '-h'], prog_name='notify-tui')\n"
        "    widths.append(max(len(line) for line in out.getvalue().splitlines()))\n"
        "print(max(widths))\n"
    )
    result = python(code, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert 80 < int(result.stdout) <= 100


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


NO_VAULT_OPTIONS = {("check",), ("demo",), ("recover",), ("verify",)}
VAULT_COMMANDS = [
    path
    for path in COMMANDS
    if path not in NO_VAULT_OPTIONS and not isinstance(command_at(path), click.Group)
]


def test_the_vault_commands_are_the_leaves_that_need_a_vault() -> None:
    assert ("case", "list") in VAULT_COMMANDS and ("init",) in VAULT_COMMANDS
    assert ("case",) not in VAULT_COMMANDS and ("check",) not in VAULT_COMMANDS
    assert len(VAULT_COMMANDS) > 20


@pytest.mark.parametrize("path", VAULT_COMMANDS, ids=" ".join)
def test_commands_that_open_the_vault_take_home_and_passphrase_file(
    path: tuple[str, ...],
) -> None:
    names = [param.name for param in command_at(path).params]
    assert names[:2] == ["home", "passphrase_file"], names


# Hand-checked: aware Fri 5 May 2023, Mon 8 May a bank holiday, so the Panel is due
# Mon 15 May 2023 (5 working days).
FACTS = {
    "date_of_birth": "2010-01-20",
    "outcome": "died",
    "event_date": "2023-05-04",
    "aware_date": "2023-05-05",
    "abuse_or_neglect": "suspected",
    "location": "in_area",
    "normally_resident_in_area": True,
}


def test_check_never_imports_textual() -> None:
    code = (
        "import sys\n"
        "from notify_tui.cli import cli\n"
        "try:\n"
        "    cli.main(['check', '-'], prog_name='notify-tui')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print('EXIT', code, 'TEXTUAL', loaded)\n"
    )
    result = python(code, stdin=json.dumps(FACTS))
    assert result.returncode == 0, result.stderr
    assert "panel-notification" in result.stdout
    assert "Mon 15 May 2023" in result.stdout
    assert result.stdout.rstrip().endswith("EXIT 0 TEXTUAL []")


def test_the_textual_probe_can_see_textual() -> None:
    """The check above is meaningful: the same probe does see Textual once the app loads."""
    code = (
        "import sys\n"
        "import notify_tui.tui.app\n"
        "print(any(m.split('.')[0] == 'textual' for m in sys.modules))\n"
    )
    result = python(code)
    assert result.stdout.strip() == "True", result.stderr


# -- the shared group and decorator ------------------------------------------------


def scratch_group(body: Any) -> click.Group:
    """A throwaway root group with one command `go` that runs `body`."""

    @click.group(cls=NotifyGroup)
    def root() -> None:
        """Scratch."""

    @root.command("go")
    def go() -> None:
        """Scratch."""
        body()

    return root


def run_main(group: click.Group, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        group.main(["go"], prog_name="scratch")
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err


def test_a_refusal_is_one_line_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse() -> None:
        raise InvalidInput("the date is in the future")

    assert run_main(scratch_group(refuse), capsys) == (2, "error: the date is in the future\n")


def test_an_unexpected_error_names_its_type_only_with_exit_70(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOTIFY_TUI_DEBUG", raising=False)

    def crash() -> None:
        raise KeyError("Sentinel-Fictional-Name")

    code, err = run_main(scratch_group(crash), capsys)
    assert code == 70
    assert err == (
        "error: internal error (KeyError); nothing further was changed. "
        "Run with NOTIFY_TUI_DEBUG=1 to see details.\n"
    )


def test_debug_mode_lets_the_unexpected_error_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_DEBUG", "1")

    def crash() -> None:
        raise KeyError("Sentinel-Fictional-Name")

    with pytest.raises(KeyError):
        scratch_group(crash).main(["go"], prog_name="scratch")


class FakeSession:
    """Stands in for an unlocked Session: records how it was opened and closed."""

    def __init__(
        self, home: Path | None, passphrase_file: Path | None, write: bool, user: str | None
    ) -> None:
        self.opened_with = (home, passphrase_file, write)
        self.user = user
        self.closed = False

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[FakeSession]:
    """Every session `with_session` opens, in order (no vault, no Argon2)."""
    sessions: list[FakeSession] = []

    def fake_open(
        home: Path | None, passphrase_file: Path | None, *, write: bool, user: str | None = None
    ) -> FakeSession:
        sessions.append(FakeSession(home, passphrase_file, write, user))
        return sessions[-1]

    monkeypatch.setattr(common, "open_session", fake_open)
    return sessions


def scratch_vault_command(write: bool, body: Any) -> click.Group:
    @click.group(cls=NotifyGroup)
    def root() -> None:
        """Scratch."""

    @root.command("go")
    @with_session(write=write)
    @click.option("--word", default="w")
    def go(session: FakeSession, word: str) -> None:
        """Scratch."""
        body(session, word)

    return root


def test_with_session_passes_the_session_and_closes_it(opened: list[FakeSession]) -> None:
    seen: list[tuple[FakeSession, str]] = []
    group = scratch_vault_command(False, lambda session, word: seen.append((session, word)))
    result = CliRunner().invoke(
        group,
        ["go", "--home", "/tmp/h", "--passphrase-file", "/tmp/p", "--word", "x", "--user", "U"],
    )
    assert result.exit_code == 0, result.output
    (session,) = opened
    assert seen == [(session, "x")]
    assert session.opened_with == (Path("/tmp/h"), Path("/tmp/p"), False)
    assert session.user == "U"
    assert session.closed


def test_with_session_closes_the_session_when_the_command_fails(
    opened: list[FakeSession],
) -> None:
    def refuse(session: FakeSession, word: str) -> None:
        assert not session.closed
        raise InvalidInput("refused")

    result = CliRunner().invoke(scratch_vault_command(True, refuse), ["go"])
    assert (result.exit_code, result.output) == (2, "error: refused\n")
    (session,) = opened
    assert session.opened_with == (None, None, True)
    assert session.closed


def test_bad_input_is_refused_before_the_vault_opens(opened: list[FakeSession]) -> None:
    """A bad date, --set or missing --notify never costs an unlock (or a passphrase)."""
    for arguments, message in [
        (
            ["duty", "sent", "SI-00000000", "panel-notification", "--date", "2026-13-01"],
            "error: --date 2026-13-01: there is no month 13; write the date as 30/11/2026, "
            "2026-11-30, today or yesterday\n",
        ),
        (
            ["case", "edit", "SI-00000000", "--set", "no-equals-sign"],
            "error: --set (number 1): write FIELD=VALUE\n",
        ),
        (["decide", "SI-00000000", "--rationale", "r"], "error: give --notify or --no-notify\n"),
        (["import"], "error: give bundle FILEs or --from DIR (one of them)\n"),
        (
            ["deadlines", "--within", "-1"],
            "error: --within: give a number of working days, 0 or more\n",
        ),
    ]:
        result = CliRunner().invoke(cli, arguments)
        assert (result.exit_code, result.output) == (2, message), arguments
    assert opened == []
