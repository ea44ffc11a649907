"""The vault's own commands: `init`, `passwd`, `recover`, `backup`, `doctor` and `seed`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import (
    UserError,
    echo,
    emit_json,
    new_passphrase,
    read_passphrase,
    read_passphrase_file,
    vault_options,
    with_session,
)
from notify_tui.errors import InvalidInput
from notify_tui.settings import resolve_home

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.command()
@vault_options
@click.option("--la", "la_name", metavar="NAME", help="This local authority's name.")
@click.option("--name", "office_name", metavar="NAME", help="The organisation's name (office).")
@click.option(
    "--role",
    type=click.Choice(["la", "office"]),
    default="la",
    show_default=True,
    help="An LA workstation, or the partnership business office.",
)
@click.option("--user", "author", metavar="NAME", help="Your name, recorded on every change.")
def init(
    home: Path | None,
    passphrase_file: Path | None,
    la_name: str | None,
    office_name: str | None,
    role: str,
    author: str | None,
) -> None:
    """Create a new encrypted vault and this device's identity.

    Prints the recovery code once: write it down and keep it somewhere safe.
    """
    import getpass

    from notify_tui.services.session import Session, vault_exists

    if la_name and office_name:
        raise InvalidInput("give --la NAME or --name NAME, not both")
    org = la_name or office_name
    if not org:
        raise InvalidInput("give the organisation: --la NAME (an LA) or --name NAME (an office)")
    path = resolve_home(home)
    if vault_exists(path):
        raise InvalidInput(f"a vault already exists in {path}; nothing was changed")
    passphrase = new_passphrase(passphrase_file, label="Passphrase")
    session, recovery = Session.init(
        path,
        passphrase,
        org=org,
        role="office" if role == "office" else "la",
        author=author or getpass.getuser(),
    )
    with session:
        identity = session.identity
    echo(f"Created the vault in {path} for {identity.org} ({identity.role}).")
    echo(f"Device id: {identity.device_id}")
    echo("")
    echo("Recovery code (shown once; write it down and keep it apart from this computer):")
    echo(f"    {recovery}")


@click.command()
@vault_options
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file.",
)
def passwd(
    home: Path | None, passphrase_file: Path | None, new_passphrase_file: Path | None
) -> None:
    """Change the passphrase (the data is not rewritten; the recovery code still works)."""
    from notify_tui.services.session import Session

    path = resolve_home(home)
    old = read_passphrase(passphrase_file, prompt="Current passphrase")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    with Session.unlock(path, passphrase=old, write=True) as session:
        session.change_passphrase(old, new)
    echo("Passphrase changed. The old passphrase no longer opens the vault.")


@click.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="The vault folder.")
@click.option(
    "--code-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the recovery code from this file.",
)
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file.",
)
def recover(home: Path | None, code_file: Path | None, new_passphrase_file: Path | None) -> None:
    """Set a new passphrase with the recovery code; a new recovery code replaces the old."""
    from notify_tui.services.session import Session

    path = resolve_home(home)
    if code_file:
        code = read_passphrase_file(code_file)
    elif sys.stdin.isatty():
        code = click.prompt("Recovery code", hide_input=True, err=True)
    else:
        raise InvalidInput("no recovery code: pass --code-file or run in a terminal")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    with Session.unlock(path, recovery_code=code, write=True) as session:
        fresh = session.set_passphrase_after_recovery(new)
    echo("Passphrase set. The old recovery code no longer works; the new one is:")
    echo(f"    {fresh}")


@click.command()
@with_session(write=False)
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (must not exist).",
)
def backup(session: Session, destination: Path) -> None:
    """Write an encrypted copy of the vault (opens with the same passphrase)."""
    echo(str(session.backup(destination)))


@click.command()
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def doctor(session: Session, as_json: bool) -> None:
    """Check database integrity, every hash chain and signature, each chain's head, and the
    projection.

    Prints one PROBLEM line per problem (naming the device and the event) and exits
    with status 2 when there is any, e.g. when the newest event of a chain was deleted.
    """
    report = session.doctor()
    if as_json:
        emit_json({"ok": report.ok, "checks": report.checks, "problems": report.problems})
    else:
        for check_name in report.checks:
            echo(f"checked: {check_name}")
        for problem in report.problems:
            echo(f"PROBLEM: {problem}")
    if not report.ok:
        raise UserError(f"{len(report.problems)} problem(s) found; first: {report.problems[0]}")


@click.command()
@with_session()
@click.option("--cases", "count", required=True, type=int, metavar="N", help="How many cases.")
@click.option("--seed", "random_seed", type=int, help="Random seed (repeatable output).")
def seed(session: Session, count: int, random_seed: int | None) -> None:
    """Add N synthetic, obviously fake cases (for demos and benchmarks)."""
    from notify_tui.demo.vault import seed_synthetic

    ids = seed_synthetic(session, count, seed=random_seed)
    echo(f"Added {len(ids)} synthetic cases.")


COMMANDS = (init, passwd, recover, backup, doctor, seed)
"""The commands this module adds to `notify-tui`."""
