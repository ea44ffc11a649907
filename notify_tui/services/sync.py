"""Sync verbs for the shells: keys, peers, export, import, verify, receipts.

`session.sync` is the `SyncService` of an unlocked `Session`; the CLI
(`notify_tui.cli.sync`) and the terminal app call it and never touch bundles or SQL
themselves. The queries live in `notify_tui.sync` (`outbox`, `receipts`, `trust`) and the
folder handling in `notify_tui.sync.transport`; this module validates and orchestrates.
`verify_file` needs no vault and is a static method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from notify_tui.clock import Clock
from notify_tui.domain.chains import signing_device
from notify_tui.domain.people import Permission
from notify_tui.errors import BundleRefused, InvalidInput, NotifyError
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
from notify_tui.store import erasure
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
    def keys_export_private(self, destination: Path, passphrase: str) -> Path:
        """Write this device's private keys (X25519 for HPKE, Ed25519 for signing) as
        passphrase-protected PKCS#8 PEM to a new file, readable by the owner only, so a
        security team can open and check bundles with stock tools. Never overwrites."""
        destination = destination.expanduser()
        if destination.exists() or destination.is_symlink():
            raise InvalidInput(f"--to {destination}: already exists; choose a new file name")
        if not destination.parent.is_dir():
            raise InvalidInput(f"--to {destination.parent}: no such folder")
        identity = self._vault.identity
        data = trust.private_keys_pem(
            identity.device_id, identity.org, identity.signing_key, identity.hpke_key, passphrase
        )
        atomic_write_bytes(destination, data, exclusive=True)
        return destination

    @owned
    def signers_line(self) -> str:
        """The OpenSSH allowed_signers line for this device (principal = device id)."""
        me = trust.this_device(self._vault)
        return sshsig.allowed_signers_line(me.device_id, me.signing_public)

    def _keys_file(self, source: Path) -> trust.KeysDocument:
        try:
            data = source.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
        except OSError as error:
            raise InvalidInput(f"{source}: cannot read ({error.strerror})") from None
        return trust.parse_keys_document(data, str(source))

    @owned
    def peer_preview(self, source: Path) -> KeysFile:
        """The device a keys file describes, its fingerprint worked out from its key, if
        `add_peer` would trust it (refused in one line, as `add_peer` would, if not):
        what to read out to the peer before trusting it."""
        document = self._keys_file(source)
        trust.check_addable(self._vault, document)
        return _keys_view(document)

    @owned
    def add_peer(self, source: Path, fingerprint: str | None = None) -> PeerView:
        """Trust the device described by a keys file.

        `fingerprint` is the signing key's fingerprint as the peer read it out
        (`SHA256:…`); a keys file whose key has another is refused. The shells ask for it
        (or a yes to the one they show) before calling this."""
        self._session.require(Permission.ADMINISTER, "trust peers")
        document = self._keys_file(source)
        if fingerprint is not None:
            actual = _keys_view(document).fingerprint
            if fingerprint.strip() != actual:
                raise InvalidInput(
                    f"--fingerprint {fingerprint.strip()[:60]}: the keys file's signing key is "
                    f"{actual}; they differ, so it was not trusted (ask the peer again)"
                )
        self._vault.require_writer()
        with translate_errors():
            return _peer_view(trust.add_peer(self._vault, document, self._session.clock.now()))

    @owned
    def trust_findings(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """For `doctor`: what was checked of the trusted peers, and what is wrong."""
        return (
            ("trusted peers: one role per organisation, no look-alike device ids",),
            tuple(trust.trust_problems(self._vault)),
        )

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

        The folder is created when missing (not its parents). Each bundle is logged as made
        before its file is written, so a crash in between skips a bundle number rather than
        giving it to two bundles. A vault restored from a backup exports as any other: its
        receipts say how far it holds its own chains, and the peer's reply brings back the
        rest (`notify_tui.store.catch_up`). Who made each is kept with the bundles sent.
        """
        self._session.require(Permission.SYNC, "export bundles")
        self._vault.require_writer()
        directory = export_folder(directory)
        peers = self._peers(peer)
        me = trust.this_device(self._vault)
        identity = self._vault.identity
        sender = bundle_format.Party(me.device_id, me.org, me.role, me.hpke_public)
        written: list[Path] = []
        for device in peers:
            last = outbox.last_sent(self._vault, device.device_id)
            seq = 1 if last is None else last.seq + 1
            visible = outbox.visible_chains(self._vault, device)
            answered = outbox.answered(self._vault, device.device_id)
            built = bundle_format.build_bundle_from_lines(
                sender=sender,
                signing_key=identity.signing_key,
                to=bundle_format.Party(
                    device.device_id, device.org, device.role, device.hpke_public
                ),
                chains=outbox.stored_lines_for(self._vault, device),
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
            path = directory / transport.bundle_name(
                me.device_id, device.device_id, seq, built.manifest.bundle_id
            )
            with translate_errors():
                outbox.record_sent(
                    self._vault,
                    device.device_id,
                    seq,
                    built.manifest_sha256,
                    built.manifest.created_at,
                    built.manifest.payload.events,
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
        """Import one bundle file; a refusal is returned, not raised.

        No bundle's content ends the run: a check that fails in a way it should not is
        reported as this file's refusal (the import is one transaction, so nothing of it
        was written)."""
        self._session.require(Permission.SYNC, "import bundles")
        self._vault.require_writer()
        try:
            raw = bundle_format.read_bundle_file(path)
            result = merge.import_bundle(
                self._vault, self._session.projector, raw, self._session.clock.now()
            )
        except bundle_format.BundleIncomplete as error:
            return ImportOutcome(path, "incomplete", reason=error.message)
        except BundleRefused as error:
            return ImportOutcome(path, "refused", reason=error.message)
        except NotifyError:
            raise
        except Exception as error:  # noqa: BLE001 - a peer's file must never end the run
            return ImportOutcome(
                path,
                "refused",
                reason=f"could not be checked (internal error {type(error).__name__}); "
                "nothing of it was written",
            )
        if result.erased:
            erasure.checkpoint(self._vault)  # no copy of an erased page left in the log
        return ImportOutcome(
            path,
            "already imported" if result.already_imported else "imported",
            sender=result.sender,
            new_events=result.new_events,
            cases=tuple(result.cases),
            caught_up=result.caught_up,
            erased=tuple(result.erased),
            kept_under_hold=tuple(result.kept_under_hold),
        )

    def iter_import(self, paths: Sequence[Path]) -> Iterator[ImportOutcome]:
        """Import files one at a time, yielding each outcome as it happens.

        Refused files are tried again while another file succeeds (bundles may arrive in
        any order), so a file can be yielded more than once; its last outcome counts. A
        file named twice is read once; its second naming is yielded as `named twice`.
        """
        todo: list[Path] = []
        seen: set[Path] = set()
        for path in paths:
            key = _identity(path)
            if key in seen:
                yield ImportOutcome(path, "named twice", reason="named twice: read once")
                continue
            seen.add(key)
            todo.append(path)
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
        outcomes: dict[Path, ImportOutcome] = {}
        twice: list[ImportOutcome] = []
        for outcome in self.iter_import(paths):
            if outcome.status == "named twice":
                twice.append(outcome)
            else:
                outcomes[outcome.path] = outcome
        ordered = [outcomes[path] for path in dict.fromkeys(paths) if path in outcomes]
        return ordered + twice

    def import_files(self, paths: Iterable[Path]) -> list[ImportOutcome]:
        """Import bundle files (in any order); each is all-or-nothing. A file named on
        purpose that is not complete is refused (only a folder's is waited for)."""
        return [
            replace(outcome, status="refused") if outcome.status == "incomplete" else outcome
            for outcome in self._import_all([Path(p) for p in paths])
        ]

    @staticmethod
    def bundle_files(directory: Path) -> list[Path]:
        """The bundle files waiting in a folder, by name."""
        return transport.bundle_files(directory)

    @staticmethod
    def files_for(directory: Path, device_id: str) -> list[Path]:
        """The bundle files in a folder that `import_from_dir` would take for the device
        `device_id` (no vault needed: a screen counts them before the import starts)."""
        return transport.inbox(transport.bundle_folder(directory, "--from"), device_id).mine

    @staticmethod
    def file_away(directory: Path, outcomes: Iterable[ImportOutcome]) -> list[ImportOutcome]:
        """Move each imported file to done/ and each refused one to rejected/ (+ reason);
        a file left in place (incomplete, for another device) stays.

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
            if outcome.status in ("imported", "already imported", "refused")
            else outcome
            for outcome in outcomes
        ]

    @owned
    def import_from_dir(
        self,
        directory: Path,
        *,
        on_start: Callable[[int], None] | None = None,
        on_outcome: Callable[[ImportOutcome], None] | None = None,
    ) -> list[ImportOutcome]:
        """Import the bundles in a folder addressed to this device, each judged alone;
        move each to done/ or rejected/ (+ .reason.txt); leave the files named for
        another device, and files still being written, where they are.

        `on_start` is told how many files are this device's, `on_outcome` each outcome
        as it happens (a file refused and retried is told again)."""
        directory = transport.bundle_folder(directory, "--from")
        box = transport.inbox(directory, self._vault.identity.device_id)
        if on_start is not None:
            on_start(len(box.mine))
        outcomes: dict[Path, ImportOutcome] = {}
        for outcome in self.iter_import(box.mine):
            outcomes[outcome.path] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
        filed = [
            replace(outcome, reason=f"{outcome.reason}: left in place")
            if outcome.status == "incomplete"
            else outcome
            for outcome in self.file_away(directory, [outcomes[path] for path in box.mine])
        ]
        left = [
            ImportOutcome(
                path, "for another device", reason=f"for another device ({to}): left in place"
            )
            for path, to in box.others
        ]
        return filed + left

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
    def verify_file(path: Path, signers: Path | None, now: datetime) -> VerifyReport:
        """Check a bundle's structure and signature without a vault.

        With `signers` (an allowed_signers file or a keys file), the signature must be
        by a key it lists for the sender at `now`, as `ssh-keygen -Y verify` reads it:
        then the bundle is `valid`. Without, the signature is checked against the key it
        names itself, which shows the bundle is intact but not who made it: anyone can
        sign with a key of their own, so such a bundle is never reported valid."""
        try:
            raw = bundle_format.read_bundle_file(path)
            raw.payload  # noqa: B018 - its size and SHA-256 against the manifest
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
        try:
            if signers is None:
                key = bundle_format.embedded_signer(raw)
                bundle_format.verify_signature(raw, key)
                return replace(
                    report,
                    signer=sshsig.fingerprint(key),
                    reason=(
                        "not verified: the signature matches the key it names itself, which "
                        "shows the bundle is intact, not who made it; pass --signers with the "
                        "sender's allowed_signers line or keys file"
                    ),
                )
            try:
                data = signers.expanduser().read_bytes()[: trust.MAX_KEYS_FILE + 1]
            except OSError as error:
                raise InvalidInput(f"{signers}: cannot read ({error.strerror})") from None
            allowed = trust.read_signers(data, str(signers))
            keys = allowed.keys_for(sender.device, now)
            bundle_format.verify_with_signers(raw, keys, allowed.refusal(sender.device, now))
            key = sshsig.signature_key(raw.signature)
        except BundleRefused as error:
            return replace(report, reason=error.message)
        return replace(report, valid=True, signer=sshsig.fingerprint(key), signer_checked=True)


def export_folder(directory: Path) -> Path:
    """The folder bundles are exported to, created when missing (its parent must exist);
    the one rule the CLI and the terminal app share."""
    directory = directory.expanduser()
    if directory.is_symlink() and not directory.is_dir():
        raise InvalidInput(f"--to {directory}: is a broken symbolic link")
    if directory.exists():
        if not directory.is_dir():
            raise InvalidInput(f"--to {directory}: is a file; give a folder")
        return directory
    if not directory.parent.is_dir():
        raise InvalidInput(f"--to {directory}: no such folder, nor its parent {directory.parent}")
    try:
        directory.mkdir(mode=0o700)
    except OSError as error:
        raise InvalidInput(f"--to {directory}: cannot create it ({error.strerror})") from None
    return directory


def _identity(path: Path) -> Path:
    """The file a path names (the same file named twice is read once)."""
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.expanduser().absolute()


def _keys_view(document: trust.KeysDocument) -> KeysFile:
    """A keys file as the shells show it, its fingerprint worked out from its key."""
    key = sshsig.parse_openssh_public_key(document.signing_key)
    return KeysFile(
        device_id=document.device_id,
        org=document.org,
        role=document.role,
        signing_key=document.signing_key,
        hpke_public_hex=document.hpke_public_hex,
        fingerprint=sshsig.fingerprint(key),
    )


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
