"""Sync commands: `keys`, `peers`, `export`, `import` and `verify`; they call `SyncService` only."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from notify_tui.cli.common import (
    NotifyGroup,
    UserError,
    checked_together,
    echo,
    emit_json,
    jsonable,
    read_passphrase_file,
    with_session,
)
from notify_tui.errors import InvalidInput

if TYPE_CHECKING:
    from notify_tui.services.session import Session
    from notify_tui.services.sync import SyncService
    from notify_tui.services.sync_types import ImportOutcome


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
    echo(f"Wrote the keys of {document.device_id} ({document.org}) to {destination}")
    echo(f"Signing key fingerprint: {document.fingerprint}")


@keys.command("signers")
@with_session(write=False)
def keys_signers(session: Session) -> None:
    """Print this device's OpenSSH allowed_signers line (principal = device id)."""
    echo(_sync(session).signers_line())


@keys.command("export-private")
@with_session(write=False)
@click.option(
    "--to",
    "destination",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the private keys here (a new file, readable by you only).",
)
@click.option(
    "--key-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Protect the keys with the first line of this file (else you are asked twice).",
)
def keys_export_private(
    session: Session, destination: Path, key_passphrase_file: Path | None
) -> None:
    """Write this device's private keys, passphrase-protected (PKCS#8 PEM).

    The X25519 key opens the bundles sealed to this device and the Ed25519 key signs
    its bundles, so a security team can check and open bundles with stock tools and
    any RFC 9180 library (docs/bundle-format.md). Keep the file as safe as the vault.
    """
    if key_passphrase_file is not None:
        passphrase = read_passphrase_file(key_passphrase_file, option="--key-passphrase-file")
    elif sys.stdin.isatty():
        passphrase = click.prompt("Passphrase for the exported keys", hide_input=True, err=True)
        again = click.prompt("Passphrase for the exported keys (again)", hide_input=True, err=True)
        if passphrase != again:
            raise InvalidInput("the two passphrases differ; nothing was written")
    else:
        raise InvalidInput(
            "no passphrase for the exported keys: pass --key-passphrase-file or run in a terminal"
        )
    written = _sync(session).keys_export_private(destination, passphrase)
    echo(f"Wrote the private keys of {session.identity.device_id} to {written}")
    echo("Anyone with this file and its passphrase can open and sign bundles as this device.")


@click.group(cls=NotifyGroup)
def peers() -> None:
    """Trust, list and revoke the devices this vault exchanges bundles with."""


@peers.command("add")
@with_session()
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--fingerprint",
    metavar="SHA256:…",
    help="The signing key fingerprint the peer read out to you (for scripts; else asked).",
)
def peers_add(session: Session, source: Path, fingerprint: str | None) -> None:
    """Trust a peer from the keys file it exported (`notify-tui keys export`).

    Shows the key's fingerprint: compare it with the one the peer reads out (by phone,
    not by the channel the file came by), then confirm, or give it with --fingerprint.
    """
    service = _sync(session)
    preview = service.peer_preview(source)
    echo(f"Keys file of {preview.device_id}: {preview.org} ({preview.role})")
    echo(f"Signing key fingerprint: {preview.fingerprint}")
    if fingerprint is None:
        if not sys.stdin.isatty():
            raise InvalidInput(
                "give --fingerprint SHA256:… as the peer read it out to you, or run in a "
                "terminal to confirm it; nothing was trusted"
            )
        if not click.confirm("Does the peer read out exactly this fingerprint?", err=True):
            raise InvalidInput("not confirmed: nothing was trusted")
        fingerprint = preview.fingerprint
    device = service.add_peer(source, fingerprint)
    echo(f"Trusted {device.device_id}: {device.org} ({device.role})")


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
        echo(f"{peer.device_id:<32} {peer.role:<6} {peer.org[:28]:<28} {peer.fingerprint}  {state}")


@peers.command("revoke")
@with_session()
@click.argument("device_id", metavar="ID")
def peers_revoke(session: Session, device_id: str) -> None:
    """Stop trusting a peer: its bundles are refused and nothing is exported to it."""
    device = _sync(session).revoke_peer(device_id)
    echo(f"Revoked {device.device_id} ({device.org}) at {device.revoked_at}")


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

    Prints the path of each bundle written (the folder is created if missing, not its
    parents). After a restore, this is how the catch-up starts: the receipts say how far
    this vault holds its own chains, and the peer's reply brings back the rest.
    """
    for path in _sync(session).export(directory, peer):
        echo(str(path))


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
    help="Import the *.ntbundle files in this folder addressed to this device; move each "
    "to done/ or rejected/, leave the others.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def import_command(
    session: Session, files: tuple[Path, ...], directory: Path | None, as_json: bool
) -> None:
    """Import bundles: each checked in full, then applied all-or-nothing (idempotent).

    With --from, only the files named for this device are taken; the others, and files
    still being written, are left in place. Exit status 2 when a bundle of this device
    was refused (each refusal says why in one line), else 0.
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
            echo("No bundles to import.")
        for outcome in outcomes:
            echo(outcome_line(outcome))
            if outcome.caught_up:
                from notify_tui.views.restore import catch_up_lines

                view = service.catch_up()
                if view is not None:
                    for line in catch_up_lines(view):
                        echo(line)
    refused = sum(1 for outcome in outcomes if outcome.status == "refused")
    if refused:
        raise UserError(f"{refused} bundle(s) refused; the vault holds only the others")


def outcome_line(outcome: ImportOutcome) -> str:
    """One file's outcome in one line."""
    name = outcome.path.name
    if outcome.status == "imported":
        line = (
            f"{name}: imported {outcome.new_events} new event(s) from {outcome.sender}; "
            f"{len(outcome.cases)} case(s) updated"
        )
        if outcome.erased:
            line += f"; erased here as their certificates say: {', '.join(outcome.erased)}"
        if outcome.kept_under_hold:
            line += (
                f"; kept whole under a legal hold here, erased when it is lifted: "
                f"{', '.join(outcome.kept_under_hold)}"
            )
        return line
    if outcome.status == "already imported":
        return f"{name}: already imported; nothing changed"
    if outcome.status == "refused":
        return f"{name}: refused: {outcome.reason}"
    return f"{name}: {outcome.reason}"


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

    With --signers (an OpenSSH allowed_signers file, read as `ssh-keygen -Y verify`
    reads it, or the sender's keys file) the signature must be by a key listed for the
    sender: then it prints "valid" (exit 0). Without it only the signature's own key can
    be checked, which shows the bundle is intact but not who made it: exit 1. Exit 2
    when the bundle is not valid.
    """
    from notify_tui.clock import system_clock
    from notify_tui.services.sync import SyncService

    report = SyncService.verify_file(path, signers, system_clock().now())
    if as_json:
        emit_json(jsonable(report))
    else:
        if report.sender is not None:
            sender = report.sender
            echo(f"Sender:     {sender.device} — {sender.org} ({sender.role})")
            echo(f"Recipients: {', '.join(report.recipients)}")
            echo(f"Bundle:     number {report.bundle_seq}, created {report.created_at}")
            echo(f"Events:     {report.events}")
            for entry in report.ranges:
                echo(f"  {entry.device}: events {entry.first_seq}–{entry.last_seq}")
        if report.signer:
            checked = "listed signer" if report.signer_checked else "NOT checked against a signer"
            echo(f"Signed by:  {report.signer} ({checked})")
        if report.valid:
            echo("valid")
        elif report.signer:
            echo(report.reason or "not verified")
        else:
            echo(f"invalid: {report.reason}")
    if not report.valid:
        if as_json:
            echo(f"error: {path.name}: {report.reason}", err=True)
        click.get_current_context().exit(1 if report.signer else 2)


COMMANDS = (keys, peers, export_command, import_command, verify_command)
"""The commands this module adds to `notify-tui`."""
