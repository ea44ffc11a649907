"""The `notify-tui` command line.

Bare `notify-tui` opens the terminal app; headless subcommands sit beside it, one module
per command group, each sharing only `notify_tui.cli.common`. Every refusal is one line on
stderr with exit status 2. Unexpected failures print the exception type only (never its
message, which could hold case data) unless `NOTIFY_TUI_DEBUG=1` is set.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from notify_tui.cli import (
    cases,
    check,
    drafts,
    duties,
    office,
    people,
    reports,
    restore,
    retention,
    shell,
    sync,
    tui,
    vault,
)
from notify_tui.cli.common import CONTEXT_SETTINGS, NotifyGroup

MODULES = (
    check,
    vault,
    people,
    restore,
    cases,
    duties,
    reports,
    office,
    sync,
    drafts,
    retention,
    tui,
    shell,
)
"""The command modules; each lists its commands in `COMMANDS`."""


@click.group(cls=NotifyGroup, invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="notify-tui", message="notify-tui %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Log statutory safeguarding cases and notify the right bodies on time.

    Run without a command to open the terminal app.
    """
    if ctx.invoked_subcommand is None:
        tui.run_tui()


for _module in MODULES:
    for _command in _module.COMMANDS:
        cli.add_command(_command)
# `users passwd` is `passwd` (your own passphrase) where people look for it too.
people.users.add_command(vault.passwd, "passwd")


def main() -> NoReturn:
    """Console script entry point."""
    cli.main(prog_name="notify-tui")
    sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
