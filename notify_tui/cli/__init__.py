"""The `notify-tui` command line.

Bare `notify-tui` opens the terminal app; headless subcommands sit beside it, one module
per command group, each sharing only `notify_tui.cli.common`. Every refusal is one line on
stderr with exit status 2. Unexpected failures print the exception type only (never its
message, which could hold case data) unless `NOTIFY_TUI_DEBUG=1` is set.

A command's module is imported only when that command runs (or its help is shown), so
`notify-tui check` and `notify-tui --help` never load the vault, the crypto or Textual:
`COMMAND_TABLE` names each command's module and the one line `--help` lists for it (a
test checks the table against the commands themselves).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any, NoReturn

import click

from notify_tui.cli.common import CONTEXT_SETTINGS, NotifyGroup

COMMAND_TABLE: dict[str, tuple[str, str]] = {
    "audit": (
        "people",
        "The audit trail, newest first: every change and every logged look at case data (opening "
        "a case, full names, the submission form, copies, exports, reports, backups), with who "
        "and when.",
    ),
    "backup": (
        "vault",
        "Write an encrypted copy of the vault (.ntbackup; opens with the same passphrase).",
    ),
    "case": (
        "cases",
        "Add, list, show, edit and erase cases.",
    ),
    "catch-up": (
        "restore",
        "After `restore`: which peers have answered, and the events lost, by case.",
    ),
    "check": (
        "check",
        "Assess a facts or case document and print the duties it raises.",
    ),
    "conflicts": (
        "duties",
        "List fields holding two values from edits that did not see each other, numbered.",
    ),
    "deadlines": (
        "reports",
        "What is due or overdue across all cases (for a daily scheduled job).",
    ),
    "decide": (
        "duties",
        "Record the threshold decision: notify, or decide not to, with the rationale.",
    ),
    "demo": (
        "tui",
        "Open the terminal app on a throwaway vault of synthetic cases.",
    ),
    "doctor": (
        "vault",
        "Check database integrity, every hash chain and signature, each chain's head, and the "
        "projection.",
    ),
    "drafts": (
        "drafts",
        "Drafts: forms started in the terminal app and not yet recorded.",
    ),
    "duty": (
        "duties",
        "Record what happened to a duty: sent, acknowledged, withdrawn, corrected.",
    ),
    "export": (
        "sync",
        "Write a signed, sealed bundle per peer holding what it has not acknowledged.",
    ),
    "hold": (
        "retention",
        "Legal holds: while a hold is in force, the cases it covers are not destroyed.",
    ),
    "import": (
        "sync",
        "Import bundles: each checked in full, then applied all-or-nothing (idempotent).",
    ),
    "init": (
        "vault",
        "Create a new encrypted vault and this device's identity.",
    ),
    "keys": (
        "sync",
        "Show this device's public keys, to give to peers.",
    ),
    "office": (
        "office",
        "The work after notification: rapid review, Panel response, local review, CDOP.",
    ),
    "passwd": (
        "vault",
        "Change your own passphrase (also `notify-tui users passwd`).",
    ),
    "peers": (
        "sync",
        "Trust, list and revoke the devices this vault exchanges bundles with.",
    ),
    "recover": (
        "vault",
        "Set a new passphrase for a user (--user; the only one by default) with the recovery "
        "code, or with enough of the officers' shares.",
    ),
    "recovery": (
        "people",
        "How the vault is recovered if every passphrase is lost: the recovery code, and shares "
        "held by named officers (any THRESHOLD of them together).",
    ),
    "report": (
        "reports",
        "Timeliness figures for a period (counting rules: docs/reports.md).",
    ),
    "resolve": (
        "duties",
        "Resolve a conflict on FIELD of CASE (recorded as a new event).",
    ),
    "restore": (
        "restore",
        "Restore a backup into the vault folder, all or nothing.",
    ),
    "retention": (
        "retention",
        "The retention schedule: how long each kind of case is kept, and what is due.",
    ),
    "seed": (
        "vault",
        "Add N synthetic, obviously fake cases (for demos and benchmarks).",
    ),
    "shell": (
        "shell",
        "A line mode for screen readers and braille displays: unlock once, then type commands.",
    ),
    "subject": (
        "retention",
        "Subject access requests: everything held about one person, for the data protection "
        "officer, with the third parties to redact.",
    ),
    "users": (
        "people",
        "Who may unlock this vault, each with their own passphrase and a role.",
    ),
    "verify": (
        "sync",
        "Check a bundle's structure and signature without opening a vault.",
    ),
}
"""Each top-level command: the `notify_tui.cli` module that defines it (in its `COMMANDS`)
and its short help, as `notify-tui --help` lists it."""


def _load_module(module_name: str, loaded: dict[str, click.Command]) -> None:
    """Import one command module and add its commands to ``loaded``."""
    module = importlib.import_module(f"notify_tui.cli.{module_name}")
    for command in module.COMMANDS:
        if command.name is not None:
            loaded.setdefault(command.name, command)
    if module_name == "people":
        # `users passwd` is `passwd` (your own passphrase) where people look for it too.
        from notify_tui.cli import vault

        users = loaded["users"]
        assert isinstance(users, click.Group)
        users.add_command(vault.passwd, "passwd")


class LazyCommands(MutableMapping[str, click.Command]):
    """The root group's commands by name; a command's module is imported on first use.

    Names and membership come from `COMMAND_TABLE` without importing anything, so
    `name in cli.commands` and `sorted(cli.commands)` stay cheap.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in COMMAND_TABLE:
            _load_module(COMMAND_TABLE[name][0], self._loaded)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the root group's commands cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMAND_TABLE, *self._loaded]))

    def __len__(self) -> int:
        return len(COMMAND_TABLE.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in COMMAND_TABLE or name in self._loaded


class LazyGroup(NotifyGroup):
    """The root group: commands imported when they run, help listed from `COMMAND_TABLE`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its short help, as click would, without importing them."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A stand-in command shortens the help exactly as the real one would.
        rows = [
            (name, click.Command(name, help=COMMAND_TABLE[name][1]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="notify-tui", message="notify-tui %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Log statutory safeguarding cases and notify the right bodies on time.

    Run without a command to open the terminal app.
    """
    if ctx.invoked_subcommand is None:
        from notify_tui.cli import tui

        tui.run_tui()


def main() -> NoReturn:
    """Console script entry point."""
    # notify-tui uses no pydantic plugins; without this pydantic scans every installed
    # package's entry points when it builds the first model (documented by pydantic).
    # A value already set (even empty) is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    cli.main(prog_name="notify-tui")
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
