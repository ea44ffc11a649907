"""Sync verbs for the shells: keys, peers, export, import, verify, receipts.

`session.sync` is the `SyncService` of an unlocked `Session`; the CLI
(`notify_tui.cli.sync`) and the terminal app call it and never touch bundles or SQL
themselves. The queries live in `notify_tui.sync` (`outbox`, `receipts`, `trust`) and the
folder handling in `notify_tui.sync.transport`; this module validates and orchestrates.
`verify_file` needs no vault and is a static method.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from notify_tui.clock import Clock
from notify_tui.domain.chains import signing_device
from notify_tui.domain.people import Permission
from notify_tui.errors import BundleRefused, InvalidInput
from notify_tui.services.restore import CatchUpView, catch_up_view
from notify_tui.services.sync_types import (
    BundleRange,
    BundleReceipt,
    BundleSender,
    CaseReceipt,
    ChainReceipt,
    DutyReceipt,
    ImportOutcome,
    KeysFile,
    PeerView,
    ReceiptView,
    VerifyReport,
)
from notify_tui.store import restore as store_restore
from notify_tui.store.connection import translate_errors
from notify_tui.store.files import atomic_write_bytes
from notify_tui.store.owner import Owner, owned
from notify_tui.store.projection import Projector
from notify_tui.store.vault import Vault
from notify_tui.sync import bundle as bundle_format
from notify_tui.sync import merge, outbox, receipts, sshsig, transport, trust

BUNDLE_SUFFIX = bundle_format.BUNDLE_SUFFIX
"""The file name ending of a bundle (what the shells look for in a folder)."""


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

    def require(self, permission: Permission, action: str) -> None:
        """Refuse unless the signed-in user may `action`."""
        ...

    @property
    def user_name(self) -> str:
        """The signed-in user's name."""
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
    def me(self) -> PeerView:
        """This device as the devices table holds it."""
        return _peer_view(trust.this_device(self._vault))

    @owned
    def keys_export(self, destination: Path | None = None) -> KeysFile:
        """This device's keys file; written to `destination` when given."""
        if destination is not None:
            self._session.require(Permission.ADMINISTER, "export this device's keys")
        document = trust.keys_document(trust.this_device(self._vault))
        if destination is not None:
            destination = destination.expanduser()
            if not destination.parent.is_dir():
                raise InvalidInput(f"{destination.parent}: no such folder")
            atomic_write_bytes(destination, trust.dumps(document))
        return KeysFile(
            device_id=document.device_id,
            org=document.org,
            role=document.role,
            signing_key=document.signing_key,
            hpke_public_hex=document.hpke_public_hex,
            fingerprint=document.fingerprint,
        )

    @owned
    def signers_line(self) -> str:
        """The OpenSSH allowed_signers line for this device (principal = device id)."""
        me = trust.this_device(self._vault)
        return sshsig.allowed_signers_line(me.device_id, me.signing_public)

    @owned
    def add_peer(self, source: Path) -> PeerView:
        """Trust the device described by a keys file."""
        self._session.require(Permission.ADMINISTER, "trust peers")
        try:
            data = source.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
        except OSError as error:
            raise InvalidInput(f"{source}: cannot read ({error.strerror})") from None
        document = trust.parse_keys_document(data, str(source))
        self._vault.require_writer()
        with translate_errors():
            return _peer_view(trust.add_peer(self._vault, document, self._session.clock.now()))

    @owned
    def list_peers(self) -> tuple[PeerView, ...]:
        """Every known device, this one first, then the peers by id."""
        return tuple(_peer_view(device) for device in trust.devices(self._vault).values())

    @owned
    def revoke_peer(self, device_id: str) -> PeerView:
        """Stop trusting a peer: its bundles are refused, nothing is exported to it."""
        self._session.require(Permission.ADMINISTER, "revoke peers")
        self._vault.require_writer()
        with translate_errors():
            return _peer_view(trust.revoke_peer(self._vault, device_id, self._session.clock.now()))

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
    def pending_counts(self) -> Mapping[str, int]:
        """Events each unrevoked peer has not acknowledged (counted, not loaded), by id."""
        return {
            device.device_id: outbox.pending_count(self._vault, device)
            for device in trust.devices(self._vault).values()
            if not device.is_self and not device.revoked
        }

    @owned
    def export(self, directory: Path, peer: str | None = None) -> list[Path]:
        """Write one bundle per unrevoked peer (or the one given) into `directory`.

        Each bundle is logged as made before its file is written, so a crash in between
        skips a bundle number rather than giving it to two bundles. A vault restored from
        a backup exports as any other: its receipts say how far it holds its own chains,
        and the peer's reply brings back the rest (`notify_tui.store.catch_up`).
        """
        self._session.require(Permission.SYNC, "export bundles")
        self._vault.require_writer()
        directory = directory.expanduser()
        if not directory.is_dir():
            raise InvalidInput(f"--to {directory}: no such folder")
        peers = self._peers(peer)
        me = trust.this_device(self._vault)
        identity = self._vault.identity
        sender = bundle_format.Party(me.device_id, me.org, me.role, me.hpke_public)
        written: list[Path] = []
        for device in peers:
            last = outbox.last_sent(self._vault, device.device_id)
            seq = 1 if last is None else last.seq + 1
            events = outbox.events_for(self._vault, device)
            visible = outbox.visible_chains(self._vault, device)
            answered = outbox.answered(self._vault, device.device_id)
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
                answers=None
                if answered is None
                else bundle_format.Answers(
                    bundle_seq=answered.seq, manifest_sha256=answered.manifest_sha256
                ),
            )
            name = f"{me.device_id}--{device.device_id}--{seq:06d}-{built.manifest.bundle_id[:8]}"
            path = directory / f"{name}{bundle_format.BUNDLE_SUFFIX}"
            with translate_errors():
                outbox.record_sent(
                    self._vault,
                    device.device_id,
                    seq,
                    built.manifest_sha256,
                    built.manifest.created_at,
                    len(events),
                    self._session.user_name,
                )
            try:
                atomic_write_bytes(path, built.data, exclusive=True)
            except BaseException:
                with translate_errors():
                    outbox.forget_sent(self._vault, device.device_id, seq)
                raise
            written.append(path)
        return written

    # -- import --------------------------------------------------------------------

    @owned
    def import_bundle(self, path: Path) -> ImportOutcome:
        """Import one bundle file; a refusal is returned, not raised."""
        self._session.require(Permission.SYNC, "import bundles")
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
            cases=tuple(result.cases),
            caught_up=result.caught_up,
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

    # -- after a restore -----------------------------------------------------------

    @owned
    def catch_up(self) -> CatchUpView | None:
        """Where this vault stands after its last restore (None if never restored)."""
        return catch_up_view(self._vault)

    @owned
    def end_catch_up(self) -> CatchUpView:
        """End the catch-up without a peer's answer: for a device whose events no peer
        ever received after the backup (none would fork). Refused when not catching up."""
        self._vault.require_writer()
        view = catch_up_view(self._vault)
        if view is None or view.caught_up_at is not None:
            raise InvalidInput("this vault is not catching up after a restore; nothing to end")
        store_restore.end_catch_up(self._vault, self._session.clock.now())
        ended = catch_up_view(self._vault)
        assert ended is not None
        return ended

    # -- receipts ------------------------------------------------------------------

    @owned
    def receipt_for(self, case_id: str) -> ReceiptView:
        """Which peers have acknowledged a case's events and each duty's `sent` record.

        A duty entry reads "received by {org} at {received_at}"; see
        `notify_tui.sync.receipts.receipt_for`.
        """
        found = receipts.receipt_for(self._vault, case_id)
        return ReceiptView(
            case=tuple(
                CaseReceipt(
                    org=held.peer.org,
                    device=held.peer.device_id,
                    role=held.peer.role,
                    received_at=held.received_at,
                    complete=held.complete,
                )
                for held in found.case
            ),
            duties={
                duty_id: tuple(
                    DutyReceipt(
                        org=held.peer.org,
                        device=held.peer.device_id,
                        role=held.peer.role,
                        received_at=held.received_at,
                        event=held.event,
                    )
                    for held in entries
                )
                for duty_id, entries in found.duties.items()
            },
        )

    @owned
    def latest_receipts(self) -> tuple[ChainReceipt, ...]:
        """Each peer's latest receipt per chain, newest first (then by peer)."""
        return tuple(
            ChainReceipt(
                peer=latest.peer,
                chain=latest.chain,
                chain_device=signing_device(latest.chain),
                held_up_to=latest.held_up_to,
                received_at=latest.received_at,
            )
            for latest in receipts.latest_receipts(self._vault)
        )

    # -- verify (no vault) ---------------------------------------------------------

    @staticmethod
    def verify_file(path: Path, signers: Path | None = None) -> VerifyReport:
        """Check a bundle's structure and signature without a vault."""
        try:
            raw = bundle_format.read_bundle_file(path)
        except BundleRefused as error:
            return VerifyReport(path=path, valid=False, reason=error.message)
        manifest = raw.manifest
        sender = manifest.sender
        report = VerifyReport(
            path=path,
            valid=False,
            sender=BundleSender(device=sender.device, org=sender.org, role=sender.role),
            to=manifest.to,
            recipients=tuple(r.device for r in manifest.recipients),
            bundle_seq=manifest.bundle_seq,
            created_at=manifest.created_at.isoformat(),
            events=manifest.payload.events,
            ranges=tuple(
                BundleRange(
                    device=r.device, first_seq=r.first_seq, last_seq=r.last_seq, head=r.head
                )
                for r in manifest.ranges
            ),
            receipts=tuple(
                BundleReceipt(
                    device=r.device,
                    held_up_to=r.held_up_to,
                    received_at=str(r.model_dump(mode="json")["received_at"]),
                )
                for r in manifest.receipts
            ),
        )
        signer_checked = False
        try:
            if signers is not None:
                try:
                    data = signers.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
                except OSError as error:
                    raise InvalidInput(f"{signers}: cannot read ({error.strerror})") from None
                bundle_format.verify_with_signers(raw, trust.read_signers(data, str(signers)))
                signer_checked = True
                key = trust.read_signers(data, str(signers))[manifest.sender.device]
            else:
                key = bundle_format.embedded_signer(raw)
                bundle_format.verify_signature(raw, key)
            signer = sshsig.fingerprint(key)
        except BundleRefused as error:
            return replace(report, reason=error.message, signer_checked=signer_checked)
        return replace(report, valid=True, signer=signer, signer_checked=signer_checked)


def _peer_view(device: trust.Device) -> PeerView:
    """A device as the sync verbs show it (no key objects)."""
    return PeerView(
        device_id=device.device_id,
        org=device.org,
        role=device.role,
        fingerprint=device.fingerprint,
        hpke_key_id=device.hpke_key_id,
        is_self=device.is_self,
        revoked_at=device.revoked_at,
        added_at=device.added_at,
    )
