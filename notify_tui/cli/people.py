"""People: `notify-tui users add|list|remove|passwd`, `audit`, and `recovery
split|new-code|status`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli.common import (
    NotifyGroup,
    echo,
    emit_json,
    jsonable,
    new_user_passphrase,
    with_session,
)
from notify_tui.domain.people import Permission
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session


@click.group(cls=NotifyGroup)
def users() -> None:
    """Who may unlock this vault, each with their own passphrase and a role.

    Roles of an LA vault: admin, lead, deputy, viewer; of an office: admin, manager,
    coordinator, viewer (docs/people.md says what each may do).
    """


@users.command("add")
@with_session()
@click.argument("name")
@click.option("--role", required=True, metavar="ROLE", help="The new user's role.")
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the new user's passphrase from this file (else $NOTIFY_TUI_NEW_PASSPHRASE, "
    "else a hidden prompt, twice). --passphrase-file is yours, as everywhere.",
)
def users_add(session: Session, name: str, role: str, new_passphrase_file: Path | None) -> None:
    """Add a user (admins only): NAME gets their own passphrase and ROLE.

    Your own passphrase unlocks the vault (--passphrase-file, NOTIFY_TUI_PASSPHRASE or
    the prompt); the new user's comes from --new-passphrase-file, NOTIFY_TUI_NEW_PASSPHRASE
    or a second prompt, typed twice.
    """
    session.require(Permission.ADMINISTER, "add users")
    passphrase = new_user_passphrase(new_passphrase_file, name)
    added = session.add_user(name, role, passphrase)
    echo(f"Added {added.name} as {added.role}. Their passphrase now opens this vault.")


@users.command("list")
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "include_removed", is_flag=True, help="Include removed users.")
def users_list(session: Session, as_json: bool, include_removed: bool) -> None:
    """List the users and their roles."""
    rows = [u for u in session.users() if include_removed or u.active]
    if as_json:
        emit_json(jsonable(rows))
        return
    for row in rows:
        state = "" if row.active else f"  removed {row.removed_at[:10]} by {row.removed_by}"
        echo(f"{row.name:<28} {row.role:<12} {row.role_words}{state}")


@users.command("remove")
@with_session()
@click.argument("name")
def users_remove(session: Session, name: str) -> None:
    """Remove a user (admins only) and re-key the vault: their passphrase, and any copy of
    the key slot file made before now, open nothing written from now on."""
    removed = session.remove_user(name)
    echo(
        f"Removed {removed.name}. The vault was re-encrypted under a new key: their "
        "passphrase no longer opens it, nor does any earlier copy of the key slot file."
    )


@click.command()
@with_session(write=False, user_flag="--as")
@click.option("--user", "who", metavar="NAME", help="Only what this user did or looked at.")
@click.option("--case", "case_id", metavar="ID", help="Only entries about this case.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N entries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def audit(
    session: Session, who: str | None, case_id: str | None, limit: int | None, as_json: bool
) -> None:
    """The audit trail, newest first: every change and every logged look at case data
    (opening a case, full names, the submission form, copies, exports, reports, backups),
    with who and when. Never the data itself.

    Here --user filters; say who you are with --as NAME (or NOTIFY_TUI_USER)."""
    entries = session.audit(user=who, case_id=case_id, limit=limit)
    if as_json:
        emit_json(jsonable(entries))
        return
    if not entries:
        echo("No entries match.")
        return
    for entry in entries:
        echo(f"{entry.at[:19]}  {entry.case:<12} {entry.summary}")


@click.group(cls=NotifyGroup)
def recovery() -> None:
    """How the vault is recovered if every passphrase is lost: the recovery code, and
    shares held by named officers (any THRESHOLD of them together)."""


@recovery.command("split")
@with_session()
@click.option(
    "--holder",
    "holders",
    multiple=True,
    required=True,
    metavar="NAME",
    help="An officer who will hold one share (repeat: one per share).",
)
@click.option("--threshold", required=True, type=int, metavar="K", help="How many shares recover.")
@click.option(
    "--shares",
    "count",
    type=int,
    metavar="N",
    help="How many shares (a check: must equal the number of --holder).",
)
def recovery_split(
    session: Session, holders: tuple[str, ...], threshold: int, count: int | None
) -> None:
    """Split recovery into shares, one per named officer (admins only); any K of them set
    a new passphrase with `notify-tui recover --with-shares`.

    Each share is printed once, as words to write down, and stored nowhere; the vault
    records who holds one. Earlier shares stop working.
    """
    if count is not None and count != len(holders):
        raise InvalidInput(f"--shares {count}: give one --holder per share ({len(holders)} given)")
    shares = session.split_recovery(list(holders), threshold)
    echo(
        f"{len(shares)} shares; any {threshold} of them recover the vault. Each is shown "
        "once: give each to its holder, written down, and keep them apart."
    )
    for share in shares:
        echo("")
        echo(f"Share {share.number} of {len(shares)}, for {share.holder}:")
        echo(f"    {share.words}")


@recovery.command("new-code")
@with_session()
def recovery_new_code(session: Session) -> None:
    """Replace the recovery code (admins only); the old one stops working."""
    code = session.new_recovery_code()
    echo("New recovery code (shown once; write it down and keep it apart):")
    echo(f"    {code}")


@recovery.command("status")
@with_session(write=False)
def recovery_status(session: Session) -> None:
    """Who holds recovery shares, and how many are needed (names only)."""
    holders = session.recovery_holders()
    if holders is None:
        echo("No recovery shares. The recovery code recovers the vault.")
        return
    threshold, names = holders
    echo(f"Any {threshold} of {len(names)} shares recover the vault. Holders:")
    for name in names:
        echo(f"  {name}")


COMMANDS = (users, audit, recovery)
"""The commands this module adds to `notify-tui`."""
