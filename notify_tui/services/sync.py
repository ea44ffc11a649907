"""Sync verbs for the shells: keys, peers, export, import, verify, receipts.

`session.sync` is the `SyncService` of an unlocked `Session`; the CLI
(`notify_tui.cli.sync`) and the terminal app call it and never touch bundles or SQL
themselves. The queries live in `notify_tui.sync` (`outbox`, `receipts`, `trust`) and the
folder handling in `notify_tui.sync.transport`; this module validates and orchestrates.
`verify_file` needs no vault and is a static method.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from notify_tui.clock import Clock
from notify_tui.errors import BundleRefused, InvalidInput
from notify_tui.store.connection import translate_errors
from notify_tui.store.events import Event
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.owner import Owner, owned
from notify_tui.store.projection import Projector
from notify_tui.store.vault import Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge, outbox, receipts, sshsig, transport, trust


@dataclass
class ImportOutcome:
    """What happened to one bundle file."""

    path: Path
    status: str
    """"imported", "already imported" or "refused"."""
    reason: str | None = None
    sender: str | None = None
    new_events: int = 0
    cases: list[str] = field(default_factory=list)
    moved_to: Path | None = None

    def as_json(self) -> dict[str, Any]:
        """A plain row for `--json` output."""
        return {
            "file": str(self.path),
            "status": self.status,
            "reason": self.reason,
            "sender": self.sender,
            "new_events": self.new_events,
            "cases": self.cases,
            "moved_to": None if self.moved_to is None else str(self.moved_to),
        }


@dataclass
class VerifyReport:
    """What `verify` found in a bundle file, without a vault."""

    path: Path
    valid: bool
    reason: str | None = None
    sender: dict[str, str] | None = None
    to: str | None = None
    recipients: list[str] = field(default_factory=list)
    bundle_seq: int | None = None
    created_at: str | None = None
    events: int | None = None
    ranges: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    signer: str | None = None
    signer_checked: bool = False

    def as_json(self) -> dict[str, Any]:
        """A plain document for `--json` output."""
        return {
            "file": str(self.path),
            "valid": self.valid,
            "reason": self.reason,
            "sender": self.sender,
            "to": self.to,
            "recipients": self.recipients,
            "bundle_seq": self.bundle_seq,
            "created_at": self.created_at,
            "events": self.events,
            "ranges": self.ranges,
            "receipts": self.receipts,
            "signer": self.signer,
            "signer_checked": self.signer_checked,
        }


class SessionContext(Protocol):
    """What the sync verbs need of the `Session` that builds them."""

    @property
    def owner(self) -> Owner:
        """Where the vault's connection lives; every verb runs there."""
        ...

    @property
    def clock(self) -> Clock:
        """Today and now."""
        ...

    @property
    def projector(self) -> Projector:
        """The fold that imported events are projected with (current preferences)."""
        ...


class SyncService:
    """Keys, peers and bundles of one unlocked vault.

    The `Session` builds one as `session.sync`, handing it the vault it opened.
    """

    def __init__(self, session: SessionContext, vault: Vault) -> None:
        self._session = session
        self._vault = vault

    @property
    def owner(self) -> Owner:
        """The session's owner thread: every verb here runs on it."""
        return self._session.owner

    # -- trust ---------------------------------------------------------------------

    @owned
    def me(self) -> trust.Device:
        """This device as the devices table holds it."""
        return trust.this_device(self._vault)

    @owned
    def keys_export(self, destination: Path | None = None) -> trust.KeysDocument:
        """This device's keys file; written to `destination` when given."""
        document = trust.keys_document(self.me())
        if destination is not None:
            destination = destination.expanduser()
            if not destination.parent.is_dir():
                raise InvalidInput(f"{destination.parent}: no such folder")
            atomic_write_bytes(destination, trust.dumps(document))
        return document

    @owned
    def signers_line(self) -> str:
        """The OpenSSH allowed_signers line for this device (principal = device id)."""
        me = self.me()
        return sshsig.allowed_signers_line(me.device_id, me.signing_public)

    @owned
    def add_peer(self, source: Path) -> trust.Device:
        """Trust the device described by a keys file."""
        try:
            data = source.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
        except OSError as error:
            raise InvalidInput(f"{source}: cannot read ({error.strerror})") from None
        document = trust.parse_keys_document(data, str(source))
        self._vault.require_writer()
        with translate_errors():
            return trust.add_peer(self._vault, document, self._session.clock.now())

    @owned
    def list_peers(self) -> list[dict[str, Any]]:
        """Every known device (this one first), as plain rows."""
        return [trust.peer_json(d) for d in trust.devices(self._vault).values()]

    @owned
    def revoke_peer(self, device_id: str) -> trust.Device:
        """Stop trusting a peer: its bundles are refused, nothing is exported to it."""
        self._vault.require_writer()
        with translate_errors():
            return trust.revoke_peer(self._vault, device_id, self._session.clock.now())

    # -- export --------------------------------------------------------------------

    def _peers(self, peer: str | None) -> list[trust.Device]:
        known = trust.devices(self._vault)
        if peer is not None:
            device = known.get(peer)
            if device is None or device.is_self:
                raise InvalidInput(f"--peer {peer}: no such peer; see `notify-tui peers list`")
            if device.revoked:
                raise InvalidInput(f"--peer {peer}: was revoked on {device.revoked_at}")
            return [device]
        peers = [d for d in known.values() if not d.is_self and not d.revoked]
        if not peers:
            raise InvalidInput("no peers yet: add one with `notify-tui peers add FILE`")
        return peers

    @owned
    def visible_chains(self, peer: trust.Device) -> set[str]:
        """The chains held that a peer may receive (see `outbox.visible_chains`)."""
        return outbox.visible_chains(self._vault, peer)

    @owned
    def events_for(self, peer: trust.Device) -> list[Event]:
        """The events a peer has not acknowledged (whole chain suffixes only)."""
        return outbox.events_for(self._vault, peer)

    @owned
    def pending_counts(self) -> dict[str, int]:
        """Events each unrevoked peer has not acknowledged (counted, not loaded)."""
        return {
            device.device_id: outbox.pending_count(self._vault, device)
            for device in trust.devices(self._vault).values()
            if not device.is_self and not device.revoked
        }

    @owned
    def rollback_problem(self, peer: trust.Device) -> str | None:
        """A line saying the peer holds more of one of this device's chains than this vault."""
        me = self.me().device_id
        found = outbox.rollback(self._vault, me, peer)
        if found is None:
            return None
        which = "" if found.chain == me else f" (chain {found.chain})"
        return (
            f"this vault is older than what {peer.org} ({peer.device_id}) holds: events "
            f"{found.ours + 1}–{found.theirs} of this device{which} are not in this vault "
            "(restored from an old backup?), and new changes here would fork its chain; pass "
            "--confirm-rollback to export anyway"
        )

    @owned
    def export(
        self, directory: Path, peer: str | None = None, *, confirm_rollback: bool = False
    ) -> list[Path]:
        """Write one bundle per unrevoked peer (or the one given) into `directory`."""
        self._vault.require_writer()
        directory = directory.expanduser()
        if not directory.is_dir():
            raise InvalidInput(f"--to {directory}: no such folder")
        peers = self._peers(peer)
        if not confirm_rollback:
            for device in peers:
                problem = self.rollback_problem(device)
                if problem:
                    raise InvalidInput(problem)
        me = self.me()
        identity = self._vault.identity
        sender = bundle_format.Party(me.device_id, me.org, me.role, me.hpke_public)
        written: list[Path] = []
        for device in peers:
            last = outbox.last_sent(self._vault, device.device_id)
            seq = 1 if last is None else last.seq + 1
            events = self.events_for(device)
            visible = self.visible_chains(device)
            built = bundle_format.build_bundle(
                sender=sender,
                signing_key=identity.signing_key,
                to=bundle_format.Party(
                    device.device_id, device.org, device.role, device.hpke_public
                ),
                events=events,
                bundle_seq=seq,
                previous_bundle_sha256=None if last is None else last.manifest_sha256,
                receipts=receipts.receipts_to_send(self._vault, visible),
                created_at=self._session.clock.now(),
            )
            name = f"{me.device_id}--{device.device_id}--{seq:06d}-{built.manifest.bundle_id[:8]}"
            path = directory / f"{name}{bundle_format.BUNDLE_SUFFIX}"
            atomic_write_bytes(path, built.data, exclusive=True)
            with translate_errors():
                outbox.record_sent(
                    self._vault,
                    device.device_id,
                    seq,
                    built.manifest_sha256,
                    built.manifest.created_at,
                    len(events),
                )
            written.append(path)
        return written

    # -- import --------------------------------------------------------------------

    @owned
    def import_bundle(self, path: Path) -> ImportOutcome:
        """Import one bundle file; a refusal is returned, not raised."""
        self._vault.require_writer()
        try:
            raw = bundle_format.read_bundle_file(path)
            result = merge.import_bundle(
                self._vault, self._session.projector, raw, self._session.clock.now()
            )
        except BundleRefused as error:
            return ImportOutcome(path, "refused", reason=error.message)
        return ImportOutcome(
            path,
            "already imported" if result.already_imported else "imported",
            sender=result.sender,
            new_events=result.new_events,
            cases=result.cases,
        )

    def iter_import(self, paths: Sequence[Path]) -> Iterator[ImportOutcome]:
        """Import files one at a time, yielding each outcome as it happens.

        Refused files are tried again while another file succeeds (bundles may arrive in
        any order), so a file can be yielded more than once; its last outcome counts.
        """
        todo = list(paths)
        while todo:
            progressed = False
            retry: list[Path] = []
            for path in todo:
                outcome = self.import_bundle(path)
                yield outcome
                if outcome.status == "refused":
                    retry.append(path)
                elif outcome.status == "imported":
                    progressed = True
            if not progressed or len(retry) == len(todo):
                break
            todo = retry

    def _import_all(self, paths: Sequence[Path]) -> list[ImportOutcome]:
        outcomes = {outcome.path: outcome for outcome in self.iter_import(paths)}
        return [outcomes[path] for path in paths]

    def import_files(self, paths: Iterable[Path]) -> list[ImportOutcome]:
        """Import bundle files (in any order); each is all-or-nothing."""
        return self._import_all([Path(p) for p in paths])

    @staticmethod
    def bundle_files(directory: Path) -> list[Path]:
        """The bundle files waiting in a folder, by name."""
        return transport.bundle_files(directory)

    @staticmethod
    def file_away(directory: Path, outcomes: Iterable[ImportOutcome]) -> list[ImportOutcome]:
        """Move each imported file to done/ and each refused one to rejected/ (+ reason).

        Returns the outcomes again, each with `moved_to` set (the ones given are not changed).
        """
        return [
            replace(
                outcome,
                moved_to=transport.file_away(
                    directory,
                    outcome.path,
                    str(outcome.reason) if outcome.status == "refused" else None,
                ),
            )
            for outcome in outcomes
        ]

    @owned
    def import_from_dir(self, directory: Path) -> list[ImportOutcome]:
        """Import every bundle in a folder; move each to done/ or rejected/ (+ .reason.txt)."""
        directory = transport.bundle_folder(directory, "--from")
        outcomes = self._import_all(self.bundle_files(directory))
        return self.file_away(directory, outcomes)

    # -- receipts ------------------------------------------------------------------

    @owned
    def receipt_for(self, case_id: str) -> dict[str, Any]:
        """Which peers have acknowledged a case's events and each duty's `sent` record.

        See `notify_tui.sync.receipts.receipt_for` for the shape; a duty entry reads
        "received by {org} at {received_at}".
        """
        found = receipts.receipt_for(self._vault, case_id)
        return {
            "case": [
                {
                    "org": held.peer.org,
                    "device": held.peer.device_id,
                    "role": held.peer.role,
                    "received_at": held.received_at,
                    "complete": held.complete,
                }
                for held in found.case
            ],
            "duties": {
                duty_id: [
                    {
                        "org": held.peer.org,
                        "device": held.peer.device_id,
                        "role": held.peer.role,
                        "received_at": held.received_at,
                        "event": held.event,
                    }
                    for held in entries
                ]
                for duty_id, entries in found.duties.items()
            },
        }

    @owned
    def latest_receipts(self) -> list[receipts.LatestReceipt]:
        """Each peer's latest receipt per chain, newest first."""
        return receipts.latest_receipts(self._vault)

    # -- verify (no vault) ---------------------------------------------------------

    @staticmethod
    def verify_file(path: Path, signers: Path | None = None) -> VerifyReport:
        """Check a bundle's structure and signature without a vault."""
        report = VerifyReport(path=path, valid=False)
        try:
            raw = bundle_format.read_bundle_file(path)
        except BundleRefused as error:
            report.reason = error.message
            return report
        manifest = raw.manifest
        report.sender = manifest.sender.model_dump(mode="json")
        report.to = manifest.to
        report.recipients = [r.device for r in manifest.recipients]
        report.bundle_seq = manifest.bundle_seq
        report.created_at = manifest.created_at.isoformat()
        report.events = manifest.payload.events
        report.ranges = [r.model_dump(mode="json") for r in manifest.ranges]
        report.receipts = [r.model_dump(mode="json") for r in manifest.receipts]
        try:
            if signers is not None:
                try:
                    data = signers.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
                except OSError as error:
                    raise InvalidInput(f"{signers}: cannot read ({error.strerror})") from None
                bundle_format.verify_with_signers(raw, trust.read_signers(data, str(signers)))
                report.signer_checked = True
                key = trust.read_signers(data, str(signers))[manifest.sender.device]
            else:
                key = bundle_format.embedded_signer(raw)
                bundle_format.verify_signature(raw, key)
            report.signer = sshsig.fingerprint(key)
        except BundleRefused as error:
            report.reason = error.message
            return report
        report.valid = True
        return report
