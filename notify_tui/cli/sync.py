"""Sync commands: `keys`, `peers`, `export`, `import` and `verify`; they call `SyncService` only."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import (
    NotifyGroup,
    UserError,
    checked_together,
    emit_json,
    jsonable,
    with_session,
)
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session
    from notify_tui.services.sync import SyncService


def _sync(session: Session) -> SyncService:
    return session.sync


@click.group(cls=NotifyGroup)
def keys() -> None:
    """Show this device's public keys, to give to peers."""


@keys.command("export")
@with_session(write=False)
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the keys file here (JSON; give it to the peer).",
)
def keys_export(session: Session, destination: Path) -> None:
    """Write this device's public keys (id, org, role, Ed25519 and HPKE keys) as JSON."""
    document = _sync(session).keys_export(destination)
    click.echo(f"Wrote the keys of {document.device_id} ({document.org}) to {destination}")
    click.echo(f"Signing key fingerprint: {document.fingerprint}")


@keys.command("signers")
@with_session(write=False)
def keys_signers(session: Session) -> None:
    """Print this device's OpenSSH allowed_signers line (principal = device id)."""
    click.echo(_sync(session).signers_line())


@click.group(cls=NotifyGroup)
def peers() -> None:
    """Trust, list and revoke the devices this vault exchanges bundles with."""


@peers.command("add")
@with_session()
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def peers_add(session: Session, source: Path) -> None:
    """Trust a peer from the keys file it exported (`notify-tui keys export`).

    Check the fingerprint printed here with the peer by phone before exchanging bundles.
    """
    device = _sync(session).add_peer(source)
    click.echo(f"Trusted {device.device_id}: {device.org} ({device.role})")
    click.echo(f"Signing key fingerprint: {device.fingerprint}")


@peers.command("list")
@with_session(write=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def peers_list(session: Session, as_json: bool) -> None:
    """List this device and its peers, with key fingerprints and revocations."""
    service = _sync(session)
    peer_rows = service.list_peers()
    pending = service.pending_counts()
    if as_json:
        emit_json(
            [
                {**peer.as_json(), "pending_events": pending.get(peer.device_id)}
                for peer in peer_rows
            ]
        )
        return
    for peer in peer_rows:
        state = (
            "this device"
            if peer.is_self
            else (
                f"revoked {peer.revoked_at[:10]}"
                if peer.revoked_at
                else f"{pending.get(peer.device_id)} event(s) to send"
            )
        )
        click.echo(
            f"{peer.device_id:<32} {peer.role:<6} {peer.org[:28]:<28} {peer.fingerprint}  {state}"
        )


@peers.command("revoke")
@with_session()
@click.argument("device_id", metavar="ID")
def peers_revoke(session: Session, device_id: str) -> None:
    """Stop trusting a peer: its bundles are refused and nothing is exported to it."""
    device = _sync(session).revoke_peer(device_id)
    click.echo(f"Revoked {device.device_id} ({device.org}) at {device.revoked_at}")


@click.command("export")
@with_session()
@click.option(
    "--to",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write bundles into (e.g. the shared outbox).",
)
@click.option("--peer", metavar="ID", help="Only this peer (default: every unrevoked peer).")
def export_command(session: Session, directory: Path, peer: str | None) -> None:
    """Write a signed, sealed bundle per peer holding what it has not acknowledged.

    Prints the path of each bundle written.
    """
    for path in _sync(session).export(directory, peer):
        click.echo(str(path))


def _require_one_source(params: Mapping[str, Any]) -> None:
    if bool(params["files"]) == bool(params["directory"]):
        raise InvalidInput("give bundle FILEs or --from DIR (one of them)")


_one_source = checked_together(("files", "directory"), _require_one_source)


@click.command("import")
@with_session()
@click.argument(
    "files",
    nargs=-1,
    metavar="[FILE]...",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_one_source,
)
@click.option(
    "--from",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    callback=_one_source,
    help="Import every *.ntbundle in this folder; move each to done/ or rejected/.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_command(
    session: Session, files: tuple[Path, ...], directory: Path | None, as_json: bool
) -> None:
    """Import bundles: checked in full, then applied all-or-nothing (idempotent).

    Exit status 2 when any bundle was refused (each refusal says why in one line).
    """
    service = _sync(session)
    if directory is not None:
        outcomes = service.import_from_dir(directory)
    else:
        outcomes = service.import_files(files)
    if as_json:
        emit_json(jsonable(outcomes))
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
            if outcome.caught_up:
                from notify_tui.views.restore import catch_up_lines

                view = service.catch_up()
                if view is not None:
                    for line in catch_up_lines(view):
                        click.echo(line)
    refused = sum(1 for outcome in outcomes if outcome.status == "refused")
    if refused:
        raise UserError(f"{refused} bundle(s) refused; the vault holds only the others")


@click.command("verify")
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
        emit_json(jsonable(report))
    else:
        if report.sender is not None:
            sender = report.sender
            click.echo(f"Sender:     {sender.device} — {sender.org} ({sender.role})")
            click.echo(f"Recipients: {', '.join(report.recipients)}")
            click.echo(f"Bundle:     number {report.bundle_seq}, created {report.created_at}")
            click.echo(f"Events:     {report.events}")
            for entry in report.ranges:
                click.echo(f"  {entry.device}: events {entry.first_seq}–{entry.last_seq}")
        if report.signer:
            checked = "listed signer" if report.signer_checked else "NOT checked against a signer"
            click.echo(f"Signed by:  {report.signer} ({checked})")
        click.echo("valid" if report.valid else f"invalid: {report.reason}")
    if not report.valid:
        if as_json:
            click.echo(f"error: {path.name}: {report.reason}", err=True)
        click.get_current_context().exit(2)


COMMANDS = (keys, peers, export_command, import_command, verify_command)
"""The commands this module adds to `notify-tui`."""
