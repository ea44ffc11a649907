"""Sync commands: `keys`, `peers`, `export`, `import` and `verify`.

Registered into the main group by `register(cli)`; they use the helpers of
`notify_tui.cli` and call `SyncService` only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from notify_tui.cli import (
    CONTEXT_SETTINGS,
    NotifyGroup,
    UserError,
    emit_json,
    open_session,
    vault_options,
)
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session
    from notify_tui.services.sync import SyncService


def _service(
    home: Path | None, passphrase_file: Path | None, *, write: bool
) -> tuple[Session, SyncService]:

    session = open_session(home, passphrase_file, write=write)
    return session, session.sync


@click.group(cls=NotifyGroup, context_settings=CONTEXT_SETTINGS)
def keys() -> None:
    """Show this device's public keys, to give to peers."""


@keys.command("export", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the keys file here (JSON; give it to the peer).",
)
def keys_export(home: Path | None, passphrase_file: Path | None, destination: Path) -> None:
    """Write this device's public keys (id, org, role, Ed25519 and HPKE keys) as JSON."""
    session, service = _service(home, passphrase_file, write=False)
    with session:
        document = service.keys_export(destination)
    click.echo(f"Wrote the keys of {document.device_id} ({document.org}) to {destination}")
    click.echo(f"Signing key fingerprint: {document.fingerprint}")


@keys.command("signers", context_settings=CONTEXT_SETTINGS)
@vault_options
def keys_signers(home: Path | None, passphrase_file: Path | None) -> None:
    """Print this device's OpenSSH allowed_signers line (principal = device id)."""
    session, service = _service(home, passphrase_file, write=False)
    with session:
        click.echo(service.signers_line())


@click.group(cls=NotifyGroup, context_settings=CONTEXT_SETTINGS)
def peers() -> None:
    """Trust, list and revoke the devices this vault exchanges bundles with."""


@peers.command("add", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def peers_add(home: Path | None, passphrase_file: Path | None, source: Path) -> None:
    """Trust a peer from the keys file it exported (`notify-tui keys export`).

    Check the fingerprint printed here with the peer by phone before exchanging bundles.
    """
    session, service = _service(home, passphrase_file, write=True)
    with session:
        device = service.add_peer(source)
    click.echo(f"Trusted {device.device_id}: {device.org} ({device.role})")
    click.echo(f"Signing key fingerprint: {device.fingerprint}")


@peers.command("list", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def peers_list(home: Path | None, passphrase_file: Path | None, as_json: bool) -> None:
    """List this device and its peers, with key fingerprints and revocations."""
    session, service = _service(home, passphrase_file, write=False)
    with session:
        rows = service.list_peers()
        pending = service.pending_counts()
    for row in rows:
        row["pending_events"] = pending.get(row["device_id"])
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = (
            "this device"
            if row["is_self"]
            else (
                f"revoked {row['revoked_at'][:10]}"
                if row["revoked_at"]
                else f"{row['pending_events']} event(s) to send"
            )
        )
        click.echo(
            f"{row['device_id']:<32} {row['role']:<6} {row['org'][:28]:<28} "
            f"{row['fingerprint']}  {state}"
        )


@peers.command("revoke", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument("device_id", metavar="ID")
def peers_revoke(home: Path | None, passphrase_file: Path | None, device_id: str) -> None:
    """Stop trusting a peer: its bundles are refused and nothing is exported to it."""
    session, service = _service(home, passphrase_file, write=True)
    with session:
        device = service.revoke_peer(device_id)
    click.echo(f"Revoked {device.device_id} ({device.org}) at {device.revoked_at}")


@click.command("export", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.option(
    "--to",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write bundles into (e.g. the shared outbox).",
)
@click.option("--peer", metavar="ID", help="Only this peer (default: every unrevoked peer).")
@click.option(
    "--confirm-rollback",
    is_flag=True,
    help="Export even though a peer holds newer events of this device (restored backup).",
)
def export_command(
    home: Path | None,
    passphrase_file: Path | None,
    directory: Path,
    peer: str | None,
    confirm_rollback: bool,
) -> None:
    """Write a signed, sealed bundle per peer holding what it has not acknowledged.

    Prints the path of each bundle written.
    """
    session, service = _service(home, passphrase_file, write=True)
    with session:
        paths = service.export(directory, peer, confirm_rollback=confirm_rollback)
    for path in paths:
        click.echo(str(path))


@click.command("import", context_settings=CONTEXT_SETTINGS)
@vault_options
@click.argument(
    "files", nargs=-1, metavar="[FILE]...", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--from",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Import every *.ntbundle in this folder; move each to done/ or rejected/.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_command(
    home: Path | None,
    passphrase_file: Path | None,
    files: tuple[Path, ...],
    directory: Path | None,
    as_json: bool,
) -> None:
    """Import bundles: checked in full, then applied all-or-nothing (idempotent).

    Exit status 2 when any bundle was refused (each refusal says why in one line).
    """
    if bool(files) == bool(directory):
        raise InvalidInput("give bundle FILEs or --from DIR (one of them)")
    session, service = _service(home, passphrase_file, write=True)
    with session:
        if directory is not None:
            outcomes = service.import_from_dir(directory)
        else:
            outcomes = service.import_files(files)
    if as_json:
        emit_json([outcome.as_json() for outcome in outcomes])
    else:
        if not outcomes:
            click.echo("No bundles to import.")
        for outcome in outcomes:
            if outcome.status == "refused":
                click.echo(f"{outcome.path.name}: refused: {outcome.reason}")
            elif outcome.status == "already imported":
                click.echo(f"{outcome.path.name}: already imported; nothing changed")
            else:
                click.echo(
                    f"{outcome.path.name}: imported {outcome.new_events} new event(s) from "
                    f"{outcome.sender}; {len(outcome.cases)} case(s) updated"
                )
    refused = sum(1 for outcome in outcomes if outcome.status == "refused")
    if refused:
        raise UserError(f"{refused} bundle(s) refused; the vault holds only the others")


@click.command("verify", context_settings=CONTEXT_SETTINGS)
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--signers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An OpenSSH allowed_signers file or a keys file naming the sender.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify_command(path: Path, signers: Path | None, as_json: bool) -> None:
    """Check a bundle's structure and signature without opening a vault.

    Without --signers only the signature's own key is checked (integrity, not origin).
    Exit status 2 when the bundle is not valid.
    """
    from notify_tui.services.sync import SyncService

    report = SyncService.verify_file(path, signers)
    if as_json:
        emit_json(report.as_json())
    else:
        if report.sender is not None:
            sender = report.sender
            click.echo(f"Sender:     {sender['device']} — {sender['org']} ({sender['role']})")
            click.echo(f"Recipients: {', '.join(report.recipients)}")
            click.echo(f"Bundle:     number {report.bundle_seq}, created {report.created_at}")
            click.echo(f"Events:     {report.events}")
            for entry in report.ranges:
                click.echo(f"  {entry['device']}: events {entry['first_seq']}–{entry['last_seq']}")
        if report.signer:
            checked = "listed signer" if report.signer_checked else "NOT checked against a signer"
            click.echo(f"Signed by:  {report.signer} ({checked})")
        click.echo("valid" if report.valid else f"invalid: {report.reason}")
    if not report.valid:
        if as_json:
            click.echo(f"error: {path.name}: {report.reason}", err=True)
        click.get_current_context().exit(2)


def register(cli: click.Group) -> None:
    """Add the sync commands to the main `notify-tui` group."""
    for command in (keys, peers, export_command, import_command, verify_command):
        cli.add_command(command)
