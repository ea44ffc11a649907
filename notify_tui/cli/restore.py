"""Restoring a backup: `restore`, and `catch-up` (where the restored vault stands)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import (
    echo,
    emit_json,
    read_passphrase,
    read_passphrase_file,
    vault_options,
    with_session,
)
from notify_tui.settings import resolve_home

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.command()
@vault_options
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file (.ntbackup) that `notify-tui backup` wrote.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Put the backup in place of the vault in the folder (kept in a replaced-… folder).",
)
@click.option(
    "--code-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Open the backup with the recovery code in this file instead of the passphrase.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def restore(
    home: Path | None,
    passphrase_file: Path | None,
    user: str | None,
    source: Path,
    replace: bool,
    code_file: Path | None,
    as_json: bool,
) -> None:
    """Restore a backup into the vault folder, all or nothing.

    The backup must open with its passphrase (or recovery code, --code-file); a folder
    that holds a vault is refused unless --replace is given. Until the office answers a
    bundle made after the restore, no change can be made: export, let the office import
    it and reply, then import the reply. `notify-tui catch-up` shows where it stands.
    """
    from notify_tui.services.restore import restore_vault

    path = resolve_home(home)
    if code_file is not None:
        code, passphrase = read_passphrase_file(code_file, option="--code-file"), None
    else:
        code, passphrase = None, read_passphrase(passphrase_file, prompt="Backup passphrase")
    report = restore_vault(
        path, source, passphrase=passphrase, recovery_code=code, replace=replace, user=user
    )
    if as_json:
        emit_json(report)
        return
    made = f" made {report.backup_created_at}" if report.backup_created_at else ""
    echo(
        f"Restored the backup{made} of {report.device_id} ({report.org}) into {report.home}: "
        f"{report.events} event(s)."
    )
    if report.replaced is not None:
        read = (
            f"{report.unsent} event(s) of this device it held are not in the backup"
            if report.replaced_read
            else "it could not be read, so what it held beyond the backup is not known"
        )
        echo(f"The vault it replaced is kept, encrypted, in {report.replaced} ({read}).")
    echo(
        "Changes are refused until the vault has caught up: export to the office, let it "
        "import the bundle and export its reply, then import that reply. "
        "`notify-tui catch-up` shows where it stands."
    )


@click.command("catch-up")
@with_session()
@click.option(
    "--end",
    is_flag=True,
    help="End the catch-up without an answer (no peer ever received this device's events "
    "made after the backup).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def catch_up_command(session: Session, end: bool, as_json: bool) -> None:
    """After `restore`: which peers have answered, and the events lost, by case.

    Lost events are this device's events that the replaced vault held, that the backup
    did not, and that no peer sent back: made after the backup and never sent.
    """
    sync = session.sync
    view = sync.end_catch_up() if end else sync.catch_up()
    if view is None:
        if as_json:
            emit_json(None)
            return
        echo("This vault was not restored from a backup: nothing to catch up.")
        return
    if as_json:
        emit_json(view)
        return
    from notify_tui.views.restore import catch_up_lines

    for line in catch_up_lines(view):
        echo(line)


COMMANDS = (restore, catch_up_command)
"""The commands this module adds to `notify-tui`."""
