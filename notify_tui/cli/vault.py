"""The vault's own commands: `init`, `passwd`, `recover`, `backup`, `doctor` and `seed`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import (
    ProgressBar,
    UserError,
    echo,
    emit_json,
    new_passphrase,
    read_passphrase,
    read_passphrase_file,
    user_option,
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
def init(
    home: Path | None,
    passphrase_file: Path | None,
    user: str | None,
    la_name: str | None,
    office_name: str | None,
    role: str,
) -> None:
    """Create a new encrypted vault and this device's identity.

    --user names you, its first user and admin: your name is recorded on every change
    you make (add more people with `notify-tui users add`). Prints the recovery code
    once: write it down and keep it somewhere safe.
    """
    from notify_tui.services.session import Session, vault_exists

    if la_name and office_name:
        raise InvalidInput("give --la NAME or --name NAME, not both")
    org = la_name or office_name
    if not org:
        raise InvalidInput("give the organisation: --la NAME (an LA) or --name NAME (an office)")
    path = resolve_home(home)
    if vault_exists(path):
        raise InvalidInput(f"a vault already exists in {path}; nothing was changed")
    if not user:
        if not sys.stdin.isatty():
            raise InvalidInput("give your name with --user NAME: it is recorded on every change")
        user = str(click.prompt("Your name (recorded on every change)", err=True))
    passphrase = new_passphrase(passphrase_file, label="Passphrase")
    session, recovery = Session.init(
        path,
        passphrase,
        org=org,
        role="office" if role == "office" else "la",
        author=user,
    )
    with session:
        identity = session.identity
        first = session.user_name
    echo(f"Created the vault in {path} for {identity.org} ({identity.role}).")
    echo(f"First user (admin): {first}")
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
@click.option(
    "--rotate-key",
    is_flag=True,
    help="Also re-encrypt the vault under a new key, so no copy of the key slot file "
    "(in a backup, say) opens what is written from now on. Use it when the old "
    "passphrase may have leaked.",
)
def passwd(
    home: Path | None,
    passphrase_file: Path | None,
    user: str | None,
    new_passphrase_file: Path | None,
    rotate_key: bool,
) -> None:
    """Change your own passphrase (also `notify-tui users passwd`)."""
    from notify_tui.services.session import Session

    path = resolve_home(home)
    old = read_passphrase(passphrase_file, prompt="Current passphrase")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    with Session.unlock(path, passphrase=old, user=user or None, write=True) as session:
        session.change_passphrase(old, new, rotate_key=rotate_key)
        name = session.user_name
    if rotate_key:
        echo(
            f"Passphrase of {name} changed and the vault re-keyed: the old passphrase no longer "
            "opens it, nor does any copy of the key slot file made before now."
        )
    else:
        echo(
            f"Passphrase of {name} changed: the old passphrase no longer opens this vault's key "
            "slot file. A copy of that file made before now (in a backup, say) still opens with "
            "it; if the old passphrase may have leaked, run `notify-tui passwd --rotate-key`."
        )


@click.command()
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="The vault folder.")
@user_option
@click.option(
    "--code-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the recovery code from this file.",
)
@click.option(
    "--share-file",
    "share_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Recover with shares instead: a file holding one share (repeat, one per share).",
)
@click.option(
    "--with-shares",
    is_flag=True,
    help="Recover with shares, typed at prompts one by one (see `recovery split`).",
)
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file.",
)
def recover(
    home: Path | None,
    user: str | None,
    code_file: Path | None,
    share_files: tuple[Path, ...],
    with_shares: bool,
    new_passphrase_file: Path | None,
) -> None:
    """Set a new passphrase for a user (--user; the only one by default) with the recovery
    code, or with enough of the officers' shares.

    With the code, a new recovery code replaces the old one and is shown once.
    """
    from notify_tui.services.session import Session, recovery_threshold

    path = resolve_home(home)
    shares: list[str] | None = None
    code: str | None = None
    if share_files or with_shares:
        if share_files:
            shares = [read_share_file(file) for file in share_files]
        elif sys.stdin.isatty():
            needed = recovery_threshold(path)
            shares = [
                str(click.prompt(f"Share {n} of {needed} (its words)", hide_input=True, err=True))
                for n in range(1, needed + 1)
            ]
        else:
            raise InvalidInput("no shares: pass --share-file FILE for each, or run in a terminal")
    elif code_file:
        code = read_passphrase_file(code_file)
    elif sys.stdin.isatty():
        code = click.prompt("Recovery code", hide_input=True, err=True)
    else:
        raise InvalidInput("no recovery code: pass --code-file or run in a terminal")
    new = read_passphrase_file(new_passphrase_file) if new_passphrase_file else new_passphrase(None)
    with Session.unlock(
        path, recovery_code=code, shares=shares, user=user or None, write=True
    ) as session:
        fresh = session.set_passphrase_after_recovery(new, user or None)
        name = session.user_name
    echo(f"Passphrase of {name} set.")
    if fresh:
        echo("The old recovery code no longer works; the new one (shown once) is:")
        echo(f"    {fresh}")
    else:
        echo(
            "The shares still work. They were typed in here: if any may have been seen, "
            "make new ones with `notify-tui recovery split`."
        )


def read_share_file(path: Path) -> str:
    """One recovery share (its words) from a file; blank lines and spacing ignored."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(4096)
    except OSError as error:
        raise InvalidInput(f"--share-file {path}: cannot read ({type(error).__name__})") from None
    return " ".join(text.split())


@click.command()
@with_session()
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(path_type=Path),
    help="A new file ending in .ntbackup, or a folder (the file is named for you).",
)
def backup(session: Session, destination: Path) -> None:
    """Write an encrypted copy of the vault (.ntbackup; opens with the same passphrase).

    Prints the file written. `notify-tui restore --from FILE` puts it back.
    """
    echo(str(session.backup(destination)))


@click.command()
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Draw a progress bar on stderr (default: only when stderr is a terminal and "
    "the output is not JSON).",
)
def doctor(session: Session, as_json: bool, progress: bool | None) -> None:
    """Check database integrity, every hash chain and signature, each chain's head, and the
    projection.

    Prints one PROBLEM line per problem (naming the device and the event) and exits
    with status 2 when there is any, e.g. when the newest event of a chain was deleted.
    """
    bar = (
        ProgressBar("doctor: events and cases")
        if ProgressBar.wanted(progress, json_output=as_json)
        else None
    )
    try:
        report = session.doctor(progress=bar)
    finally:
        if bar is not None:
            bar.close()
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
